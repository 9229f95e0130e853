using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using QRCoder;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Model;
using WxQms.Domain.Services.Bot;
using static WxQms.Api.Infrastructure.Problems;

namespace WxQms.Api.MiniProgram;

/// <summary>
/// Office staff print a branch's binding QR code. The image is drawn here (QRCoder) from the <c>url</c>
/// that qrcode/create returns: WeChat documents that url as the QR code's content for exactly this
/// purpose, so no second call (showqrcode on another host) is needed and the sandbox stays one host.
/// </summary>
public static class BindCodeEndpoints
{
    public const string ExpiresHeader = "X-Bind-Code-Expires-At";

    public static IEndpointRouteBuilder MapMpBindCodes(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/mp/orgs/{id:long}/bind-qrcode", Png).WithTags("Official-account bot").RequireAuthorization(MpAuth.Policy)
            .RequireRateLimiting(RateLimits.Bind)
            .Produces(StatusCodes.Status200OK, contentType: "image/png")
            .WithSummary("Office staff: the branch's binding QR code as a PNG to print (reused while it has 7 days left; expiry in "
                + ExpiresHeader + ")");
        return app;
    }

    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Png(long id, HttpContext http, CurrentUser user,
        BindCodeService codes, CancellationToken ct)
    {
        if (!user.HasRole(Roles.Staff))
            return Problem(StatusCodes.Status403Forbidden, "无权访问", "只有街道党建办可以打印支部绑定二维码", "auth.forbidden");
        var (code, branch) = await codes.PrintAsync(id, user.MemberId, ct);
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(code.QrUrl!, QRCodeGenerator.ECCLevel.M);
        var png = new PngByteQRCode(data).GetGraphic(12);
        http.Response.Headers[ExpiresHeader] = code.ExpiresAt.ToString("O", CultureInfo.InvariantCulture);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.File(png, "image/png", $"bind-qrcode-{branch.Id}.png");
    }
}
