using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using WxQms.Domain.Wechat;

namespace WxQms.Api.Sandbox;

/// <summary>
/// The imitation of api.weixin.qq.com under /sandbox/wechat, mapped only when Wechat:Sandbox:Enabled.
/// Answers the way WeChat does: HTTP 200 with an errcode body for business errors.
/// </summary>
public static class SandboxEndpoints
{
    public static IServiceCollection AddWechatSandbox(this IServiceCollection services) =>
        services.AddSingleton<SandboxWechat>();

    public static IEndpointRouteBuilder MapWechatSandbox(this IEndpointRouteBuilder app)
    {
        var wx = app.MapGroup("/sandbox/wechat").WithTags("Sandbox").ExcludeFromDescription()
            .AddEndpointFilter(async (context, next) =>
                context.HttpContext.RequestServices.GetRequiredService<IOptionsMonitor<WechatOptions>>().CurrentValue.Sandbox.Enabled
                    ? await next(context)
                    : Results.NotFound());

        wx.MapPost("/cgi-bin/stable_token", (StableTokenRequest body, SandboxWechat sandbox) =>
            Answer(sandbox.StableToken(body.Appid, body.Secret, body.ForceRefresh)));
        wx.MapGet("/cgi-bin/token", (string? appid, string? secret, SandboxWechat sandbox) =>
            Answer(sandbox.PlainToken(appid, secret)));
        wx.MapGet("/cgi-bin/user/info", (string? access_token, string? openid, SandboxWechat sandbox) =>
            sandbox.Authorize(access_token, "user/info", out _) is { } error
                ? Answer(error)
                : Answer(new { subscribe = 1, openid, language = "zh_CN" }));
        return app;
    }

    public sealed record StableTokenRequest(
        [property: JsonPropertyName("grant_type")] string? GrantType,
        [property: JsonPropertyName("appid")] string? Appid,
        [property: JsonPropertyName("secret")] string? Secret,
        [property: JsonPropertyName("force_refresh")] bool ForceRefresh);

    private static IResult Answer(object body) => body switch
    {
        SandboxWechat.Error e => Results.Json(new { errcode = e.ErrCode, errmsg = e.ErrMsg }),
        SandboxWechat.TokenGrant t => Results.Json(new { access_token = t.AccessToken, expires_in = t.ExpiresIn }),
        _ => Results.Json(body, JsonOptions),
    };

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = null };
}
