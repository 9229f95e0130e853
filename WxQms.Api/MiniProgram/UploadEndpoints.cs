using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Model;
using WxQms.Domain.Services;
using WxQms.Domain.Storage;
using static WxQms.Api.Infrastructure.Problems;

namespace WxQms.Api.MiniProgram;

/// <summary>
/// What the mini program needs around evidence: photos uploaded one per request (wx.uploadFile sends
/// one file at a time). The roster to take attendance from is <see cref="RosterEndpoints"/>.
/// </summary>
public static class UploadEndpoints
{
    /// <summary>One photo and the multipart framing around it.</summary>
    private const long MaxBody = PhotoIntake.MaxBytes + 64 * 1024;

    public static IEndpointRouteBuilder MapMpUploads(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/mp/uploads", Upload).WithTags("Mini program: tasks").RequireAuthorization(MpAuth.Policy).DisableAntiforgery()
            .RequireRateLimiting(RateLimits.Uploads)
            .WithSummary("One photo (multipart field `file`, JPEG/PNG/WebP ≤ 10 MB, sane dimensions) → a token for the evidence, good once within 24 h; within the uploader's quota (429 upload.quota)");
        return app;
    }

    internal static async Task<Results<Created<UploadTicket>, ProblemHttpResult>> Upload(HttpRequest request, CurrentUser user,
        PhotoIntake photos, UploadStore uploads, IOptions<UploadOptions> options, CancellationToken ct)
    {
        if (user.WechatUserId is not { } wechatUserId)
            return Problem(StatusCodes.Status401Unauthorized, "未登录", "请先登录", "auth.required");
        var quota = options.Value.QuotaFor(resident: user.MemberId is null);
        await uploads.EnsureQuotaAsync(wechatUserId, quota, ct);
        if (!request.HasFormContentType)
            return Problem(StatusCodes.Status400BadRequest, "参数无效", "请以 multipart/form-data 上传，字段名 file", "request.invalid");
        IncomingPhoto? photo = null;
        try
        {
            // Streamed: the photo goes to a temporary file as it arrives; nothing else of the body is kept.
            await MultipartBody.ReadAsync(request, MaxBody, MaxBody, async (field, fileName, body) =>
            {
                if (field == "file" && photo is null)
                    photo = await photos.ReceiveAsync(body, fileName, ct);
            }, ct);
            if (photo is null)
                return Problem(StatusCodes.Status400BadRequest, "参数无效", "缺少照片（字段名 file）", "request.invalid");
            var received = photo;
            var ticket = await uploads.AddAsync(wechatUserId, quota, received.Size, c => photos.StoreAsync(received, c), ct);
            return TypedResults.Created((string?)null, ticket);
        }
        catch (BadHttpRequestException bad) when (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "照片过大", "照片不能超过10MB", "upload.too_large");
        }
        catch (RuleViolationException rule) when (UploadProblem(rule) is { } problem)
        {
            return problem;
        }
        finally
        {
            if (photo is not null)
                await photo.DisposeAsync();
        }
    }

    /// <summary>The upload route's answer to a photo the intake refused.</summary>
    internal static ProblemHttpResult? UploadProblem(RuleViolationException rule) => rule.Code switch
    {
        "photo.too_large" => Problem(StatusCodes.Status413PayloadTooLarge, "照片过大", rule.Message, "upload.too_large"),
        "photo.bad_type" or "photo.truncated" => Problem(StatusCodes.Status415UnsupportedMediaType, "不是照片", rule.Message,
            "upload.not_image"),
        "photo.dimensions" => Problem(StatusCodes.Status422UnprocessableEntity, "照片尺寸异常", rule.Message, "upload.dimensions"),
        _ => null,
    };
}
