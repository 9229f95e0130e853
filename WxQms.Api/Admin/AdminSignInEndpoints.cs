using Microsoft.Extensions.Options;
using QRCoder;
using WxQms.Api.H5;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Model;
using WxQms.Domain.Services.Bot;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat;
using static WxQms.Api.Admin.AdminLayout;

namespace WxQms.Api.Admin;

/// <summary>
/// Signing in to the console. On a desktop, <c>/admin/sign-in</c> shows a temporary QR code (<see cref="ConsoleSignInService"/>)
/// and polls <c>/admin/sign-in/status</c> until the member scanned it and replied 1 in the chat; the poll that finds it
/// confirmed gets the session cookie (<see cref="AdminSessions"/>). Inside WeChat the page goes through web OAuth instead
/// (<c>/h5/admin</c>, H5Viewer's sign-in, as the menu's 管理后台 button does). <c>POST /admin/sign-out</c> ends the session.
/// </summary>
public static class AdminSignInEndpoints
{
    public const string Path = "/admin/sign-in";

    /// <summary>The cookie holding the secret that binds a scene to the browser that asked for it.</summary>
    public const string SceneCookieName = "wxqms_admin_scene";

    public static void MapAdminSignIn(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("").ExcludeFromDescription().RequireRateLimiting(RateLimits.H5);
        pages.MapGet(Path, SignInPage);
        pages.MapGet(Path + "/status", Status);
        pages.MapPost("/admin/sign-out", SignOut);
        pages.MapGet("/h5/admin", FromWechat);
    }

    /// <summary>The sign-in page for a browser that wanted <paramref name="returnUrl"/>.</summary>
    public static string SignInPath(string? returnUrl) =>
        Path + "?returnUrl=" + Uri.EscapeDataString(LocalReturn(returnUrl));

    /// <summary>Where to go after signing in: a local path of the console, else the console's home.</summary>
    public static string LocalReturn(string? url) =>
        url is { Length: > 0 } u && u.StartsWith("/admin", StringComparison.Ordinal) && !u.StartsWith(Path, StringComparison.Ordinal)
        && !u.Contains('\\') && !u.Contains("//", StringComparison.Ordinal) && !u.Any(char.IsControl)
            ? u
            : "/admin";

    private static bool InWechat(HttpRequest request) =>
        request.Headers.UserAgent.ToString().Contains("MicroMessenger", StringComparison.OrdinalIgnoreCase);

    internal static async Task<IResult> SignInPage(string? returnUrl, HttpContext http, ConsoleSignInService signIns,
        IOptionsMonitor<WechatOptions> wechat, CancellationToken ct)
    {
        var back = LocalReturn(returnUrl);
        if (InWechat(http.Request))
            return Results.Redirect("/h5/admin?returnUrl=" + Uri.EscapeDataString(back));
        ConsoleScene scene;
        try
        {
            scene = await signIns.StartAsync(ct);
        }
        catch (WechatUnavailableException e)
        {
            return Bare(http, "扫码登录", Notice("refuse", e.Message) + $"""<p><a class=button href="{E(SignInPath(back))}">重试</a></p>""",
                StatusCodes.Status503ServiceUnavailable);
        }
        http.Response.Cookies.Append(SceneCookieName, scene.BrowserSecret, new CookieOptions
        {
            HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = http.Request.IsHttps, Path = Path,
            MaxAge = ConsoleSignInService.Lifetime + TimeSpan.FromMinutes(1),
        });
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(scene.QrUrl, QRCodeGenerator.ECCLevel.M);
        var png = Convert.ToBase64String(new PngByteQRCode(data).GetGraphic(8));
        var sandbox = wechat.CurrentValue.Sandbox.Enabled
            ? """<p class=sandbox>沙箱：打开 <a id=sandbox-phone href="/sandbox/phone" target="_blank">沙箱手机</a>，选一位街道党建办或书记，在对话页点「＋」→「扫一扫」选这个二维码，即用沙箱手机扫码。</p>"""
            : "";
        // An attribute the script reads (HTML-escaped there and decoded by the browser): an "&amp;" inside the script lost the returnUrl.
        var status = E(Path + "/status?scene=" + Uri.EscapeDataString(scene.Scene) + "&returnUrl=" + Uri.EscapeDataString(back));
        var body = $$"""
            <p>请用微信扫描下方二维码，并在公众号对话中回复 <b>1</b> 确认登录。</p>
            <p class=qr><img id=qr src="data:image/png;base64,{{png}}" alt="扫码登录二维码" width=240 height=240 data-url="{{E(scene.QrUrl)}}"></p>
            <p id=state role=status data-status="{{status}}">等待扫码…（二维码两分钟内有效）</p>
            <p><a href="{{E(SignInPath(back))}}">刷新二维码</a></p>{{sandbox}}
            <script>
            (function(){var el=document.getElementById('state'),stop=false;
            function tick(){if(stop)return;fetch(el.getAttribute('data-status'),{credentials:'same-origin',cache:'no-store'}).then(function(r){return r.json();}).then(function(s){
            if(s.state==='signedIn'){stop=true;el.textContent='已确认，正在进入管理后台…';location.replace(s.to);return;}
            if(s.state==='scanned'){el.textContent='已扫码，请在微信中回复 1 确认登录';}
            if(s.state==='gone'){stop=true;el.textContent='二维码已过期或已使用，请刷新二维码。';return;}
            setTimeout(tick,2000);}).catch(function(){setTimeout(tick,4000);});}
            setTimeout(tick,1500);})();
            </script>
            """;
        return Bare(http, "扫码登录", body);
    }

    public sealed record StatusDto(string State, string? To = null);

    /// <summary>How the page's scene stands; when confirmed, the session cookie for the member who scanned it, once.</summary>
    internal static async Task<IResult> Status(string? scene, string? returnUrl, HttpContext http, ConsoleSignInService signIns,
        WechatLinkStore links, AdminSessions sessions, CancellationToken ct)
    {
        http.Response.Headers.CacheControl = "no-store";
        if (scene is not { Length: > 0 and <= 64 })
            return Problems.Problem(StatusCodes.Status400BadRequest, "参数无效", "缺少 scene", "request.invalid");
        var (claim, signedIn) = await signIns.ClaimAsync(scene, http.Request.Cookies[SceneCookieName], ct);
        if (claim == ConsoleClaim.SignedIn && signedIn is { } who
            && await links.ProfileAsync(who.MemberId, ct) is { } profile && ConsoleSignInService.MayUseConsole(profile.Roles))
        {
            sessions.SignIn(http, profile.Id, who.WechatUserId, profile.TokenVersion);
            http.Response.Cookies.Delete(SceneCookieName, new CookieOptions { Path = Path });
            return TypedResults.Ok(new StatusDto("signedIn", LocalReturn(returnUrl)));
        }
        return TypedResults.Ok(new StatusDto(claim switch
        {
            ConsoleClaim.Waiting => "waiting",
            ConsoleClaim.Scanned => "scanned",
            _ => "gone",
        }));
    }

    internal static IResult SignOut(HttpContext http)
    {
        AdminSessions.SignOut(http);
        http.Response.Headers.Location = Path;
        return TypedResults.StatusCode(StatusCodes.Status303SeeOther);
    }

    /// <summary>
    /// Inside WeChat: H5Viewer's web OAuth (snsapi_base) names the member; one with a console role gets the session and
    /// a page that moves on to the console (a navigation of our own, so the SameSite=Strict cookie goes with it).
    /// </summary>
    internal static async Task<IResult> FromWechat(string? returnUrl, HttpContext http, H5Viewer viewers, WechatLinkStore links,
        AdminSessions sessions, CancellationToken ct)
    {
        var (outcome, viewer) = await viewers.ResolveAsync(http, ct);
        switch (outcome)
        {
            case H5Viewer.Outcome.NeedsOAuth:
                return viewers.StartOAuth(http) is { } authorize
                    ? Results.Redirect(authorize)
                    : Bare(http, "暂时无法登录", Notice("refuse", "页面地址未配置（Bot:PublicBase），请联系管理员。"), StatusCodes.Status503ServiceUnavailable);
            case H5Viewer.Outcome.StateMismatch:
                return Bare(http, "授权已失效", Notice("refuse", "请从公众号菜单重新打开管理后台。"), StatusCodes.Status400BadRequest);
            case H5Viewer.Outcome.NotBound:
                return Bare(http, "请先绑定党员身份", Notice("refuse", "您的微信尚未绑定党员信息，请扫描所在支部的二维码绑定后再打开管理后台。"),
                    StatusCodes.Status403Forbidden);
        }
        if (viewer is null || await links.ProfileAsync(viewer.MemberId, ct) is not { } profile || !ConsoleSignInService.MayUseConsole(profile.Roles))
            return Bare(http, "无权访问", Notice("refuse", "管理后台供街道党建办、书记、党务工作者和委员使用，您的账号没有管理后台的权限。如需开通，请联系街道党建办。"),
                StatusCodes.Status403Forbidden);
        sessions.SignIn(http, profile.Id, viewer.WechatUserId, profile.TokenVersion);
        var to = LocalReturn(returnUrl);
        return Bare(http, "正在进入管理后台", $$"""
            <p>已登录，正在进入管理后台… <a id=go href="{{E(to)}}">如未跳转请点此</a></p>
            <script>location.replace(document.getElementById('go').getAttribute('href'));</script>
            """);
    }
}
