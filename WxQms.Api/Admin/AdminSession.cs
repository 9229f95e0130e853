using System.Buffers.Text;
using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Hosting;
using WxQms.Domain.Storage;

namespace WxQms.Api.Admin;

/// <summary>The console's session settings (section <c>Admin</c>).</summary>
public sealed class AdminSessionOptions
{
    public const string Section = "Admin";

    /// <summary>A console session ends after this long without a request (sliding).</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);
}

/// <summary>
/// The console's own session, signed in by scanning (<see cref="AdminSignInEndpoints"/>) or by web OAuth inside WeChat:
/// an HttpOnly, SameSite=Strict cookie <c>wxqms_admin</c> naming the member, the WeChat user, the member's token version
/// and when the browser was last seen, HMAC-signed with a key derived from Auth:JwtSigningKey. A signed cookie rather
/// than a session store: every Api instance checks it without a shared store, and what must be fresh is read fresh
/// anyway: on every request the member's grants and token version come from MySQL (one indexed read), so unbinding, a
/// role change or leaving the roll ends the session at once, whichever instance answers. The idle time slides: the cookie
/// is re-issued with the new time at most once a minute. Sign-out deletes the cookie.
/// </summary>
public sealed class AdminSessions(IOptions<AuthOptions> auth, IOptionsMonitor<AdminSessionOptions> options, TimeProvider clock,
    WechatLinkStore links)
{
    public const string CookieName = "wxqms_admin";

    private static readonly TimeSpan RefreshAfter = TimeSpan.FromMinutes(1);

    public TimeSpan IdleTimeout => options.CurrentValue.IdleTimeout;

    /// <summary>Signs the member in on this browser.</summary>
    public void SignIn(HttpContext http, long memberId, long wechatUserId, int tokenVersion) =>
        http.Response.Cookies.Append(CookieName, Protect(new Payload(memberId, wechatUserId, tokenVersion, clock.GetUtcNow())), Cookie(http));

    public static void SignOut(HttpContext http) =>
        http.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = http.Request.IsHttps });

    private CookieOptions Cookie(HttpContext http) => new()
    {
        HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = http.Request.IsHttps, Path = "/", IsEssential = true,
    };

    /// <summary>The session of this request's cookie with the member's grants as they are now; null when none is valid.</summary>
    public async Task<MpSession?> ReadAsync(HttpContext http, CancellationToken ct)
    {
        if (http.Request.Cookies[CookieName] is not { Length: > 0 } cookie || Unprotect(cookie) is not { } payload)
            return null;
        var now = clock.GetUtcNow();
        if (now - payload.LastSeen > IdleTimeout || payload.LastSeen > now + TimeSpan.FromMinutes(5))
            return null;
        if (await links.ProfileAsync(payload.MemberId, ct) is not { } profile || profile.TokenVersion != payload.TokenVersion)
            return null;
        if (now - payload.LastSeen > RefreshAfter)
            http.Response.Cookies.Append(CookieName, Protect(payload with { LastSeen = now }), Cookie(http));
        return new MpSession(payload.WechatUserId, profile.Id, profile.OrgId, profile.Roles, profile.TokenVersion);
    }

    private sealed record Payload(long MemberId, long WechatUserId, int TokenVersion, DateTimeOffset LastSeen);

    private byte[] Key => HMACSHA256.HashData(Encoding.UTF8.GetBytes(auth.Value.JwtSigningKey), "wxqms-admin-session"u8);

    private string Protect(Payload p)
    {
        var body = string.Create(CultureInfo.InvariantCulture, $"{p.MemberId}.{p.WechatUserId}.{p.TokenVersion}.{p.LastSeen.ToUnixTimeSeconds()}");
        return body + "." + Base64Url.EncodeToString(HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes(body)));
    }

    private Payload? Unprotect(string cookie)
    {
        var cut = cookie.LastIndexOf('.');
        if (cut < 0)
            return null;
        var body = cookie[..cut];
        var expected = Base64Url.EncodeToString(HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes(body)));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(cookie[(cut + 1)..])))
            return null;
        var parts = body.Split('.');
        return parts.Length == 4
               && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var member)
               && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var user)
               && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var version)
               && long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var seen)
            ? new Payload(member, user, version, DateTimeOffset.FromUnixTimeSeconds(seen))
            : null;
    }
}

/// <summary>
/// The authentication scheme of the console (<see cref="AdminAuth.Policy"/>): a request with an Authorization header is
/// the mini program's bearer (<see cref="MpBearerHandler"/> answers), any other is the console cookie
/// (<see cref="AdminSessions"/>), and either gives the same <see cref="CurrentUser"/>. A page answers nobody with a
/// redirect to the sign-in page and a member without a console role with a Chinese page; /api/admin answers
/// ProblemDetails 401 and 403 as the bearer does.
/// </summary>
public sealed class AdminSessionHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    AdminSessions sessions) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "AdminSession";

    private bool HasBearer => Request.Headers.Authorization.Count > 0;

    private bool IsPage => !Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (HasBearer)
            return await Context.AuthenticateAsync(MpBearerHandler.SchemeName);
        if (!Request.Cookies.ContainsKey(AdminSessions.CookieName))
            return AuthenticateResult.NoResult();
        if (await sessions.ReadAsync(Context, Context.RequestAborted) is not { } session)
        {
            AdminSessions.SignOut(Context);
            return AuthenticateResult.Fail("The console session ended.");
        }
        var claims = new[] { new Claim(MpClaims.WechatUser, session.WechatUserId.ToString(CultureInfo.InvariantCulture)) };
        return AuthenticateResult.Success(new AuthenticationTicket(new MpPrincipal(new MpSessionIdentity(claims, session)), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (HasBearer || !IsPage)
        {
            await Context.ChallengeAsync(MpBearerHandler.SchemeName);
            return;
        }
        Response.Redirect(AdminSignInEndpoints.SignInPath(Request.PathBase + Request.Path + Request.QueryString));
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        if (!IsPage)
        {
            await Context.ForbidAsync(MpBearerHandler.SchemeName);
            return;
        }
        await AdminLayout.Bare(Context, "无权访问", """
            <p>管理后台供街道党建办、书记、党务工作者和委员使用，您的账号没有管理后台的权限。</p>
            <p>如需开通，请联系街道党建办。</p>
            <form method=post action="/admin/sign-out"><button>退出登录</button></form>
            """, StatusCodes.Status403Forbidden).ExecuteAsync(Context);
    }
}
