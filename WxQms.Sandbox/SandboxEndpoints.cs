using Microsoft.Extensions.Options;
using WxQms.Sandbox.Pay;
using WxQms.Sandbox.Phone;
using WxQms.Sandbox.Sms;
using WxQms.Domain.Wechat;
using static WxQms.Sandbox.SandboxHttp;

namespace WxQms.Sandbox;

/// <summary>
/// The imitation of WeChat's servers: api.weixin.qq.com under /sandbox/wechat (Wechat:ApiBase) and
/// open.weixin.qq.com under /sandbox/open (Wechat:OpenBase), and the phone page at /sandbox/phone.
/// Mapped only when the sandbox is on (<see cref="SandboxHosting"/>), and every route still answers 404 while
/// Wechat:Sandbox:Enabled is off (a reloaded setting). WeChat routes answer the way WeChat does (HTTP 200, errcode bodies);
/// sandbox helpers (users, inboxes, codes, consent, user media) answer with plain HTTP statuses.
/// </summary>
public static class SandboxEndpoints
{
    internal static IServiceCollection AddWechatSandbox(this IServiceCollection services)
    {
        services.AddSingleton<SandboxWechat>();
        services.AddSingleton<SandboxPush>();
        services.AddHostedService<SandboxPushDelivery>();
        services.AddOptions<SandboxPayOptions>().BindConfiguration(SandboxPayOptions.Section);
        services.AddSingleton<SandboxPay>(); // WeChat Pay's side: orders, platform signatures, notifications
        services.AddSmsSandbox(); // Tencent Cloud SMS's imitation: /sandbox/sms
        // The sandbox calls our own callback over HTTP, like WeChat's servers do.
        services.AddHttpClient(SandboxPush.HttpClientName, (sp, http) =>
        {
            var callbackBase = sp.GetRequiredService<IOptionsMonitor<WechatOptions>>().CurrentValue.Sandbox.CallbackBase;
            http.BaseAddress = new Uri(callbackBase.TrimEnd('/') + "/");
            http.Timeout = Timeout.InfiniteTimeSpan; // SandboxPush applies WeChat's 5-second deadline itself
        });
        return services;
    }

    internal static IEndpointRouteBuilder MapWechatSandbox(this IEndpointRouteBuilder app)
    {
        var wx = app.MapGroup("/sandbox/wechat").WithTags("Sandbox").ExcludeFromDescription()
            .AddEndpointFilter(OnlyWhenEnabled);
        var open = app.MapGroup("/sandbox/open").WithTags("Sandbox").ExcludeFromDescription()
            .AddEndpointFilter(OnlyWhenEnabled);
        var sandbox = app.MapGroup("/sandbox").WithTags("Sandbox").ExcludeFromDescription()
            .AddEndpointFilter(OnlyWhenEnabled);

        wx.MapPost("/cgi-bin/stable_token", StableTokenAsync);
        wx.MapGet("/cgi-bin/token", (string? appid, string? secret, SandboxWechat sandbox) =>
            AnswerToken(sandbox.PlainToken(appid, secret)));

        wx.MapSandboxUsers();
        wx.MapSandboxConversation();
        wx.MapSandboxMessages();
        wx.MapSandboxMedia();
        wx.MapSandboxMenus();
        wx.MapSandboxMiniProgram();
        wx.MapSandboxOAuthApi();
        wx.MapSandboxPay();
        open.MapSandboxOAuthPages();
        sandbox.MapSandboxPhone();
        sandbox.MapSandboxSms();
        return app;
    }

    private static async ValueTask<object?> OnlyWhenEnabled(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.RequestServices.GetRequiredService<IOptionsMonitor<WechatOptions>>().CurrentValue.Sandbox.Enabled
            ? await next(context)
            : Results.NotFound();

    /// <summary>
    /// The body is read by hand, so a broken one gets WeChat's 44002 (empty) or 47001 (not a JSON
    /// object) rather than ASP.NET's 400 (PROTOCOL §9).
    /// </summary>
    internal static async Task<IResult> StableTokenAsync(HttpRequest request, SandboxWechat sandbox, CancellationToken ct)
    {
        var (body, bad) = await ReadJsonAsync(request, ct);
        if (bad is not null)
            return Answer(bad);
        var root = body!.Root;
        return AnswerToken(sandbox.StableToken(root.Text("grant_type"), root.Text("appid"), root.Text("secret"),
            force: root.Text("force_refresh") == "true"));
    }

    /// <summary>Token bodies carry no errcode on success (PROTOCOL §3).</summary>
    private static IResult AnswerToken(object body) => body switch
    {
        SandboxWechat.Error e => Answer(e),
        SandboxWechat.TokenGrant t => Answer(new { access_token = t.AccessToken, expires_in = t.ExpiresIn }),
        _ => Answer(body),
    };
}
