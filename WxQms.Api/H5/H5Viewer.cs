using System.Buffers.Text;
using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Hosting;
using WxQms.Domain.Rules;
using WxQms.Domain.Services.Bot;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat;

namespace WxQms.Api.H5;

/// <summary>Who is looking at an H5 page: a member with their grants.</summary>
public sealed record H5Identity(long MemberId, string Name, long OrgId, IReadOnlyList<Grant> Grants, long WechatUserId = 0);

/// <summary>Who is looking at a page open to everyone with WeChat (the wishes): a WeChat user, a member or not.</summary>
public sealed record H5User(long WechatUserId, long? MemberId, string? Name, IReadOnlyList<Grant> Grants);

/// <summary>
/// Sign-in for the official-account pages (/h5/*). A page accepts, in order: its own signed cookie; the
/// mini program's bearer token (header, or <c>?token=</c> from a web-view); a web OAuth code
/// (<c>?code=</c>, snsapi_base) exchanged for the openid. Token and code are then swapped for the cookie, which
/// names the WeChat user (HMAC-signed with a key derived from Auth:JwtSigningKey, so every Api instance accepts
/// it), and the page redirects to its clean URL: an OAuth code is single-use. The viewer is the member the WeChat
/// user is linked to now, looked up on every request, so an unbound user's cookie no longer shows a member's page.
/// </summary>
public sealed class H5Viewer(IOptions<AuthOptions> auth, IOptions<WechatOptions> wechat, IOptionsMonitor<BotOptions> bot,
    IOptions<SubdistrictOptions> subdistrict, TimeProvider clock, MpTokens tokens, OfficialAccountClient oa, WechatLinkStore links,
    ILogger<H5Viewer> log)
{
    /// <summary>The subdistrict's name the pages' footers show (<c>Subdistrict:Name</c>).</summary>
    public string Subdistrict => subdistrict.Value.Name;

    public const string CookieName = "wxqms_h5";

    /// <summary>The OAuth state the page sent the browser to WeChat with, to compare with the one that comes back.</summary>
    public const string StateCookieName = "wxqms_oauth";

    public static readonly TimeSpan StateLifetime = TimeSpan.FromMinutes(10);

    /// <summary>The states this service makes start so; other states (the menu's "menu") come from links we did not set a cookie for.</summary>
    private const string StatePrefix = "s";

    public static readonly TimeSpan CookieLifetime = TimeSpan.FromHours(8);

    public enum Outcome
    {
        /// <summary>A member: render.</summary>
        Member,
        /// <summary>Signed in from a token or code: set the cookie and redirect to the clean URL.</summary>
        Redirect,
        /// <summary>Nobody: send the browser to WeChat's authorize page.</summary>
        NeedsOAuth,
        /// <summary>A WeChat user with no member behind them, or a bad code.</summary>
        NotBound,
        /// <summary>A code came back with a state of ours that this browser does not hold: refused, not asked again (no loop).</summary>
        StateMismatch,
    }

    public async Task<(Outcome Outcome, H5Identity? Viewer)> ResolveAsync(HttpContext http, CancellationToken ct)
    {
        var (refused, presented, fromCredential) = await CredentialAsync(http, ct);
        if (refused is { } outcome)
            return (outcome, null);
        if (fromCredential is { } userId)
        {
            if (await MemberViewerAsync(userId, ct) is not { } member)
                return (Outcome.NotBound, null);
            http.Response.Cookies.Append(CookieName, Protect(userId), H5Cookie(http, CookieLifetime));
            return (SignedIn(http), member);
        }
        if (presented)
            return (Outcome.NotBound, null);

        if (http.Request.Cookies[CookieName] is { } cookie && Unprotect(cookie) is { } fromCookie)
            return await MemberViewerAsync(fromCookie, ct) is { } viewer ? (Outcome.Member, viewer) : (Outcome.NotBound, null);
        return (Outcome.NeedsOAuth, null);
    }

    /// <summary>
    /// The WeChat user that the mini program's token or a web OAuth code names (null when it names nobody); whether
    /// either was presented; or the outcome when a code came back with a state this browser was not given.
    /// </summary>
    private async Task<(Outcome? Refused, bool Presented, long? UserId)> CredentialAsync(HttpContext http, CancellationToken ct)
    {
        var query = http.Request.Query;
        var bearer = http.Request.Headers.Authorization.ToString();
        var token = query["token"].ToString() is { Length: > 0 } t ? t
            : bearer.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? bearer[7..].Trim() : "";
        if (token.Length > 0)
            return (null, true, (await tokens.CheckAsync(token)).Valid?.Session.WechatUserId);
        if (query["code"].ToString() is not { Length: > 0 } code)
            return (null, query.ContainsKey("code"), null);
        if (CheckState(http) is { } refused)
            return (refused, true, null);
        return (null, true, await UserFromCodeAsync(code, ct));
    }

    /// <summary>Signed in from the query's token or code: redirect to the clean URL; from a header: render.</summary>
    private static Outcome SignedIn(HttpContext http) =>
        http.Request.Query.ContainsKey("token") || http.Request.Query.ContainsKey("code") ? Outcome.Redirect : Outcome.Member;

    private static CookieOptions H5Cookie(HttpContext http, TimeSpan lifetime) => new()
    {
        HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = http.Request.IsHttps, Path = "/h5", MaxAge = lifetime,
    };

    /// <summary>
    /// Where to send a browser that nobody signed in: WeChat's authorize URL back to this page at Bot:PublicBase
    /// (never the Host the request names, which anyone can set), with a fresh random state that a short-lived
    /// HttpOnly cookie also holds. Null without Bot:PublicBase.
    /// </summary>
    public string? StartOAuth(HttpContext http)
    {
        if (bot.CurrentValue.PublicBase is not { Length: > 0 } root)
            return null;
        var state = StatePrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        http.Response.Cookies.Append(StateCookieName, state, H5Cookie(http, StateLifetime));
        return oa.AuthorizeUrl(root.TrimEnd('/') + CleanPath(http.Request), state);
    }

    /// <summary>This page's path and query without the sign-in parameters (code, state, token).</summary>
    public static string CleanPath(HttpRequest request)
    {
        var kept = request.Query.Where(q => q.Key is not ("code" or "state" or "token"))
            .Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}");
        var query = string.Join('&', kept);
        return request.PathBase + request.Path + (query.Length > 0 ? "?" + query : "");
    }

    /// <summary>
    /// Null when the returning code's state is the one this browser's cookie holds (the cookie is then spent);
    /// otherwise the code is not exchanged: a state of ours the browser lacks is refused, any other (a menu
    /// button's, which goes to WeChat directly) starts a sign-in of our own.
    /// </summary>
    private Outcome? CheckState(HttpContext http)
    {
        var state = http.Request.Query["state"].ToString();
        var expected = http.Request.Cookies[StateCookieName];
        if (expected is { Length: > 0 } && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(state), Encoding.UTF8.GetBytes(expected)))
        {
            http.Response.Cookies.Delete(StateCookieName, new CookieOptions { Path = "/h5" });
            return null;
        }
        log.LogInformation("H5 OAuth code with a state this browser was not given; not exchanged");
        return state.StartsWith(StatePrefix, StringComparison.Ordinal) ? Outcome.StateMismatch : Outcome.NeedsOAuth;
    }

    public const string UserCookieName = "wxqms_h5u";

    /// <summary>
    /// Like <see cref="ResolveAsync"/>, for pages residents use too: the viewer is the WeChat user (from the
    /// mini program's token, or the OAuth openid), with the member behind it when there is one. Its own cookie.
    /// </summary>
    public async Task<(Outcome Outcome, H5User? Viewer)> ResolveUserAsync(HttpContext http, CancellationToken ct)
    {
        var (refused, presented, fromCredential) = await CredentialAsync(http, ct);
        if (refused is { } outcome)
            return (outcome, null);
        if (fromCredential is { } userId)
        {
            http.Response.Cookies.Append(UserCookieName, Protect(userId, "wxqms-h5-user-cookie"u8), H5Cookie(http, CookieLifetime));
            return (SignedIn(http), await UserAsync(userId, ct));
        }
        if (presented)
            return (Outcome.NotBound, null);
        if (http.Request.Cookies[UserCookieName] is { } cookie && Unprotect(cookie, "wxqms-h5-user-cookie"u8) is { } fromCookie
            && await UserAsync(fromCookie, ct) is { } viewer)
            return (Outcome.Member, viewer);
        return (Outcome.NeedsOAuth, null);
    }

    /// <summary>Whether a form's anti-forgery field is the viewer's own.</summary>
    public bool FormTokenMatches(long wechatUserId, string? submitted) =>
        submitted is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(submitted), Encoding.UTF8.GetBytes(FormToken(wechatUserId)));

    private async Task<H5User?> UserAsync(long wechatUserId, CancellationToken ct)
    {
        if (await links.GetAsync(wechatUserId, ct) is not { } user)
            return null;
        var memberId = await links.LinkedMemberAsync(user, ct);
        var profile = memberId is { } m ? await links.ProfileAsync(m, ct) : null;
        return new H5User(user.Id, profile?.Id, profile?.Name, profile?.Roles ?? []);
    }

    /// <summary>A value only this service can have made for this viewer (the forms' anti-forgery field).</summary>
    public string FormToken(long wechatUserId) => Base64Url.EncodeToString(HMACSHA256.HashData(
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(auth.Value.JwtSigningKey), "wxqms-h5-form"u8),
        Encoding.UTF8.GetBytes(wechatUserId.ToString(CultureInfo.InvariantCulture))));

    /// <summary>The member the WeChat user is linked to now (on the roll), or null.</summary>
    private async Task<H5Identity?> MemberViewerAsync(long wechatUserId, CancellationToken ct)
    {
        if (await links.GetAsync(wechatUserId, ct) is not { } user || await links.LinkedMemberAsync(user, ct) is not { } memberId)
            return null;
        return await links.ProfileAsync(memberId, ct) is { } p ? new H5Identity(p.Id, p.Name, p.OrgId, p.Roles, user.Id) : null;
    }

    private async Task<long?> UserFromCodeAsync(string code, CancellationToken ct)
    {
        var exchanged = await oa.ExchangeOAuthCodeAsync(code, ct);
        if (!exchanged.IsOk || exchanged.Value is null)
        {
            log.LogInformation("H5 OAuth code refused by WeChat: {ErrCode} {ErrMsg}", exchanged.ErrCode, exchanged.ErrMsg);
            return null;
        }
        return (await links.UpsertAsync(wechat.Value.Oa.AppId, exchanged.Value.OpenId, null, clock.GetUtcNow(), ct)).Id;
    }

    private byte[] KeyFor(ReadOnlySpan<byte> purpose) => HMACSHA256.HashData(Encoding.UTF8.GetBytes(auth.Value.JwtSigningKey), purpose);

    // The ranking cookie once named the member; its purpose changed with its meaning, so such cookies no longer verify.
    internal string Protect(long wechatUserId) => Protect(wechatUserId, "wxqms-h5-viewer-cookie"u8);

    internal long? Unprotect(string cookie) => Unprotect(cookie, "wxqms-h5-viewer-cookie"u8);

    private string Protect(long id, ReadOnlySpan<byte> purpose)
    {
        var key = KeyFor(purpose);
        var payload = string.Create(CultureInfo.InvariantCulture, $"{id}.{(clock.GetUtcNow() + CookieLifetime).ToUnixTimeSeconds()}");
        return payload + "." + Base64Url.EncodeToString(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(payload)));
    }

    private long? Unprotect(string cookie, ReadOnlySpan<byte> purpose)
    {
        var key = KeyFor(purpose);
        var parts = cookie.Split('.');
        if (parts.Length != 3
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
            return null;
        var expected = Base64Url.EncodeToString(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{parts[0]}.{parts[1]}")));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(parts[2])))
            return null;
        return DateTimeOffset.FromUnixTimeSeconds(expires) > clock.GetUtcNow() ? id : null;
    }
}
