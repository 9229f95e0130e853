using Dapper;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using MySqlConnector;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Rules;
using WxQms.Domain.Services;
using WxQms.Domain.Storage;

namespace WxQms.Api.MiniProgram;

public sealed record RosterMember(long Id, string Name, string Status, long OrgId, IReadOnlyList<string> Roles);

/// <summary>
/// What the mini program needs around evidence: photos uploaded one per request (wx.uploadFile sends
/// one file at a time), and the roster of a branch to take attendance from.
/// </summary>
public static class UploadEndpoints
{
    public static IEndpointRouteBuilder MapMpUploads(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/mp/uploads", Upload).WithTags("Mini program: tasks").RequireAuthorization(MpAuth.Policy).DisableAntiforgery()
            .WithSummary("One photo (multipart field `file`, JPEG/PNG/WebP ≤ 10 MB) → a token for the evidence, good once within 24 h");
        app.MapGet("/api/mp/orgs/{id:long}/members", Roster).WithTags("Mini program: tasks").RequireAuthorization(MpAuth.Policy)
            .WithSummary("The members of an org's subtree (a branch and its party groups) for attendance; no phone numbers");
        return app;
    }

    internal static async Task<Results<Created<UploadTicket>, ProblemHttpResult>> Upload(HttpRequest request, CurrentUser user,
        PhotoIntake photos, UploadStore uploads, CancellationToken ct)
    {
        if (user.WechatUserId is not { } wechatUserId)
            return TaskEndpoints.Problem(StatusCodes.Status401Unauthorized, "未登录", "请先登录", "auth.required");
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = PhotoIntake.MaxBytes + 64 * 1024;
        if (!request.HasFormContentType)
            return TaskEndpoints.Problem(StatusCodes.Status400BadRequest, "参数无效", "请以 multipart/form-data 上传，字段名 file", "request.invalid");
        IFormCollection? form;
        try
        {
            form = await TryReadFormAsync(request, ct);
        }
        catch (BadHttpRequestException bad) when (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TaskEndpoints.Problem(StatusCodes.Status413PayloadTooLarge, "照片过大", "照片不能超过10MB", "upload.too_large");
        }
        if (form is null)
            return UnreadableForm();
        if (form.Files.GetFile("file") is not { } file)
            return TaskEndpoints.Problem(StatusCodes.Status400BadRequest, "参数无效", "缺少照片（字段名 file）", "request.invalid");
        try
        {
            await using var stream = file.OpenReadStream();
            var stored = await photos.AcceptAsync(stream, file.FileName, ct);
            var ticket = await uploads.AddAsync(wechatUserId, stored, ct);
            return TypedResults.Created((string?)null, ticket);
        }
        catch (RuleViolationException rule) when (rule.Code == "photo.too_large")
        {
            return TaskEndpoints.Problem(StatusCodes.Status413PayloadTooLarge, "照片过大", rule.Message, "upload.too_large");
        }
        catch (RuleViolationException rule) when (rule.Code is "photo.bad_type" or "photo.truncated")
        {
            return TaskEndpoints.Problem(StatusCodes.Status415UnsupportedMediaType, "不是照片", rule.Message, "upload.not_image");
        }
    }

    /// <summary>
    /// The form, or null when its multipart framing cannot be followed (no boundary, one over the reader's limit, a body
    /// cut off before its closing boundary): bad input, not a server error.
    /// </summary>
    internal static async Task<IFormCollection?> TryReadFormAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            return await request.ReadFormAsync(ct);
        }
        catch (Exception e) when (e is InvalidDataException || e is IOException and not BadHttpRequestException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    internal static ProblemHttpResult UnreadableForm() => TaskEndpoints.Problem(StatusCodes.Status400BadRequest, "参数无效",
        "multipart/form-data 格式不正确", "request.invalid");

    internal static async Task<Results<Ok<IReadOnlyList<RosterMember>>, ProblemHttpResult>> Roster(long id, CurrentUser user,
        OrgStore orgs, MySqlDataSource db, CancellationToken ct)
    {
        var org = await orgs.GetAsync(id, ct);
        if (org is null)
            return TaskEndpoints.Problem(StatusCodes.Status404NotFound, "未找到", $"组织 {id} 不存在", "org.not_found");
        if (!user.CanRead(org.Path))
            return TaskEndpoints.Problem(StatusCodes.Status403Forbidden, "无权访问", "您无权查看该组织的党员名单", "auth.forbidden");
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(long Id, string Name, string Status, long OrgId, string? Roles)>(new CommandDefinition("""
            SELECT m.id, m.name, m.status, m.org_id,
                   (SELECT GROUP_CONCAT(DISTINCT r.role ORDER BY r.role) FROM member_roles r WHERE r.member_id = m.id)
            FROM members m JOIN orgs o ON o.id = m.org_id
            WHERE o.path LIKE @pattern
            ORDER BY m.org_id, m.id
            """, new { pattern = OrgPath.SubtreePattern(org.Path) }, cancellationToken: ct));
        return TypedResults.Ok<IReadOnlyList<RosterMember>>(rows.Select(r => new RosterMember(r.Id, r.Name, r.Status, r.OrgId,
            r.Roles?.Split(',') ?? [])).ToList());
    }
}
