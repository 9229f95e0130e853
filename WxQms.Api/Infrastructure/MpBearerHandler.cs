using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WxQms.Domain.Caching;
using WxQms.Domain.Hosting;
using WxQms.Domain.Rules;

namespace WxQms.Api.Infrastructure;

/// <summary>What a valid mini-program token says, decoded once per token rather than once per request.</summary>
public sealed record MpSession(long WechatUserId, long? MemberId, long? OrgId, IReadOnlyList<Grant> Roles, int TokenVersion = 0)
{
    /// <summary>Reads our claims (<see cref="MpClaims"/>); null when the subject is missing or not a number.</summary>
    public static MpSession? FromClaims(ClaimsIdentity identity)
    {
        if (Long(identity, MpClaims.WechatUser) is not { } wechatUserId)
            return null;
        var roles = identity.FindAll(MpClaims.Role).Select(c => MpClaims.Decode(c.Value)).OfType<Grant>().ToArray();
        return new MpSession(wechatUserId, Long(identity, MpClaims.MemberId), Long(identity, MpClaims.OrgId), roles,
            (int)(Long(identity, MpClaims.TokenVersion) ?? 0));
    }

    private static long? Long(ClaimsIdentity identity, string type) =>
        identity.FindFirst(type)?.Value is { } v && long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : null;
}

/// <summary>
/// The identity of a signed-in mini-program user. Every request that carries the same token gets the same
/// instance (that is what makes a remembered token cheap), so it is read-only: adding or removing a claim
/// throws instead of leaking into other requests.
/// </summary>
public sealed class MpSessionIdentity : ClaimsIdentity
{
    public MpSessionIdentity(IEnumerable<Claim> claims, MpSession session)
        : base(claims, MpBearerHandler.SchemeName, MpClaims.WechatUser, RoleClaimTypeUnused)
    {
        Session = session;
        User = new CurrentUser(session);
    }

    /// <summary>We authorise by <see cref="Grant"/>s, never by <c>IsInRole</c>; no claim has this type.</summary>
    public const string RoleClaimTypeUnused = "mp_role_unused";

    public MpSession Session { get; }

    /// <summary>What endpoints see of the session (<see cref="CurrentUser.Of"/>), made once per token.</summary>
    public CurrentUser User { get; }

    public override void AddClaim(Claim claim) => throw ReadOnly();

    public override void AddClaims(IEnumerable<Claim?> claims) => throw ReadOnly();

    public override void RemoveClaim(Claim? claim) => throw ReadOnly();

    public override bool TryRemoveClaim(Claim? claim) => throw ReadOnly();

    private static InvalidOperationException ReadOnly() =>
        new("A mini-program identity is shared by every request with the same token and cannot be changed.");
}

/// <summary>The principal around an <see cref="MpSessionIdentity"/>; read-only for the same reason.</summary>
public sealed class MpPrincipal(MpSessionIdentity identity) : ClaimsPrincipal(identity)
{
    public override void AddIdentity(ClaimsIdentity identity) => throw ReadOnly();

    public override void AddIdentities(IEnumerable<ClaimsIdentity> identities) => throw ReadOnly();

    private static InvalidOperationException ReadOnly() =>
        new("A mini-program principal is shared by every request with the same token and cannot be changed.");
}

/// <summary>
/// Checks the mini program's bearer tokens (HS256 JWTs from <see cref="TokenIssuer"/>) and remembers the
/// valid ones, so a mini program that sends the same token on every request pays for parsing, the HMAC and
/// decoding its grants once per token, not once per request (the cached ranking request of issue #6 spent
/// more on that than on everything else it does). A remembered token has its lifetime checked again on every
/// use against the app's clock, exactly as the full validation does; one that fails is validated in full
/// again, which gives the usual failure. Only valid tokens are remembered, keyed by their exact text
/// (signature included), so nothing an unsigned caller sends can add an entry. The signing key only changes
/// with a restart, which empties the memory.
/// </summary>
public sealed class MpTokens
{
    /// <summary>
    /// Roughly one token per user signed in within a token lifetime (a few KB each); when full, expired
    /// tokens go first, then everything (each token is then validated in full once more).
    /// </summary>
    public const int Capacity = 10_000;

    private readonly JsonWebTokenHandler handler = new() { MapInboundClaims = false };
    private readonly TokenValidationParameters parameters;
    private readonly TimeProvider clock;
    private readonly ConcurrentDictionary<string, Valid> remembered = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Valid>.AlternateLookup<ReadOnlySpan<char>> bySpan;

    public MpTokens(IOptions<AuthOptions> options, TimeProvider clock)
    {
        this.clock = clock;
        parameters = TokenIssuer.ValidationParameters(options.Value, clock);
        bySpan = remembered.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>A valid token: its shared principal, the decoded session and the authentication result handed out for it.</summary>
    public sealed class Valid
    {
        internal Valid(MpPrincipal principal, DateTime? notBefore, DateTime expires)
        {
            Principal = principal;
            NotBefore = notBefore;
            Expires = expires;
            Result = AuthenticateResult.Success(new AuthenticationTicket(principal, MpBearerHandler.SchemeName));
        }

        public MpPrincipal Principal { get; }

        public MpSession Session => ((MpSessionIdentity)Principal.Identity!).Session;

        internal DateTime? NotBefore { get; }

        internal DateTime Expires { get; }

        internal AuthenticateResult Result { get; }
    }

    /// <summary>The number of tokens remembered (for tests).</summary>
    public int Count => remembered.Count;

    /// <summary>A remembered token that is still within its lifetime, without allocating.</summary>
    public bool TryRemembered(ReadOnlySpan<char> token, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Valid? valid)
    {
        if (bySpan.TryGetValue(token, out valid) && InLifetime(valid))
            return true;
        valid = null;
        return false;
    }

    /// <summary>Checks a token: the remembered entry when it is still valid, else the full validation.</summary>
    public async ValueTask<(Valid? Valid, Exception? Failure)> CheckAsync(string token)
    {
        if (TryRemembered(token, out var known))
            return (known, null);
        remembered.TryRemove(token, out _);

        var result = await handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid)
            return (null, result.Exception ?? new SecurityTokenValidationException("The token is not valid."));
        if (result.SecurityToken is not JsonWebToken jwt || MpSession.FromClaims(result.ClaimsIdentity) is not { } session)
            return (null, new SecurityTokenValidationException("The token names no WeChat user."));

        var valid = new Valid(new MpPrincipal(new MpSessionIdentity(result.ClaimsIdentity.Claims, session)),
            jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Nbf, out _) ? jwt.ValidFrom : null, jwt.ValidTo);
        if (remembered.Count >= Capacity)
            Evict();
        remembered.TryAdd(token, valid);
        return (valid, null);
    }

    private bool InLifetime(Valid valid)
    {
        try
        {
            return TokenIssuer.CheckLifetime(valid.NotBefore, valid.Expires, clock.GetUtcNow().UtcDateTime);
        }
        catch (SecurityTokenException)
        {
            return false;
        }
    }

    private void Evict()
    {
        foreach (var (token, valid) in remembered)
        {
            if (!InLifetime(valid))
                remembered.TryRemove(token, out _);
        }
        if (remembered.Count >= Capacity)
            remembered.Clear();
    }
}

/// <summary>A valid token issued before the member's last unbinding, role change or status change.</summary>
public sealed class MpTokenRevokedException() : SecurityTokenException("The token was issued before the member's roles or link changed.");

/// <summary>
/// The authentication scheme of /api/mp: <c>Authorization: Bearer …</c> checked by <see cref="MpTokens"/> and, for
/// a member's token, against the member's current token version (<see cref="TokenVersions"/>: answered from memory
/// for a few seconds, so a remembered token still costs no I/O), with 401 and 403 answered as ProblemDetails (and
/// <c>WWW-Authenticate</c> saying why, as RFC 6750 asks).
/// </summary>
public sealed class MpBearerHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    MpTokens tokens, TokenVersions versions) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization;
        if (header.Count != 1 || header[0] is not { } value || !value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.NoResult();
        var token = value.AsSpan(7).Trim();
        if (token.IsEmpty)
            return AuthenticateResult.NoResult();
        if (tokens.TryRemembered(token, out var known))
            return await CurrentAsync(known);
        var (valid, failure) = await tokens.CheckAsync(token.ToString());
        return valid is null ? AuthenticateResult.Fail(failure!) : await CurrentAsync(valid);
    }

    private async ValueTask<AuthenticateResult> CurrentAsync(MpTokens.Valid valid) =>
        valid.Session.MemberId is not { } memberId || await versions.IsCurrentAsync(memberId, valid.Session.TokenVersion)
            ? valid.Result
            : AuthenticateResult.Fail(new MpTokenRevokedException());

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure;
        var expired = failure is SecurityTokenExpiredException;
        Response.Headers.WWWAuthenticate = failure is null
            ? "Bearer"
            : $"Bearer error=\"invalid_token\"{(expired ? ", error_description=\"The token expired\"" : "")}";
        var (detail, code) = (failure, expired) switch
        {
            (null, _) => ("请先登录小程序。", "auth.required"),
            (_, true) => ("登录已过期，请重新登录。", "auth.token_expired"),
            (MpTokenRevokedException, _) => ("您的绑定或角色已变更，请重新登录。", "auth.revoked"),
            _ => ("登录凭证无效，请重新登录。", "auth.invalid_token"),
        };
        await MpAuth.WriteProblemAsync(Context, StatusCodes.Status401Unauthorized, "未登录", detail, code);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        MpAuth.WriteProblemAsync(Context, StatusCodes.Status403Forbidden, "无权访问", "您的角色或所属组织无权进行此操作。", "auth.forbidden");
}
