using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WxQms.Domain.Hosting;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Services;

namespace WxQms.Api.Infrastructure;

/// <summary>
/// Bearer tokens for the mini program (STYLE §8.4): HS256 JWTs we issue after code2Session, checked by
/// JwtBearer against the app's <see cref="TimeProvider"/>, and 401/403 answered as ProblemDetails.
/// </summary>
public static class MpAuth
{
    /// <summary>The authorisation policy of every /api/mp endpoint that needs a signed-in user.</summary>
    public const string Policy = "mp";

    public const string Audience = "wxqms-mp";

    public static IHostApplicationBuilder AddMpAuth(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<TokenIssuer>();
        services.AddHttpContextAccessor();
        services.AddScoped<CurrentUser>();

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>, TimeProvider>((o, auth, clock) =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = TokenIssuer.ValidationParameters(auth.Value, clock);
                o.TimeProvider = clock;
                // Parsing and checking the signature was the dearest part of a cached ranking request
                // (issue #6 benchmark); a token seen before only has its lifetime checked again.
                o.TokenHandlers.Clear();
                o.TokenHandlers.Add(new RememberingTokenHandler());
                o.SaveToken = false; // nothing reads the raw token back from the ticket
                o.Events = new JwtBearerEvents
                {
                    OnChallenge = WriteChallengeAsync,
                    OnForbidden = ctx => WriteProblemAsync(ctx.HttpContext, StatusCodes.Status403Forbidden,
                        "无权访问", "您的角色或所属组织无权进行此操作。", "auth.forbidden"),
                };
            });
        // JwtBearer is the default scheme, so the authentication middleware has already signed the user in;
        // naming the scheme on the policy as well would authenticate every request a second time.
        services.AddAuthorizationBuilder()
            .AddPolicy(Policy, p => p.RequireAuthenticatedUser().RequireClaim(MpClaims.WechatUser));
        return builder;
    }

    private static Task WriteChallengeAsync(JwtBearerChallengeContext ctx)
    {
        // Our body replaces the handler's empty 401; WWW-Authenticate still says why, as RFC 6750 asks.
        ctx.HandleResponse();
        var expired = ctx.AuthenticateFailure is SecurityTokenExpiredException;
        ctx.Response.Headers.WWWAuthenticate = ctx.AuthenticateFailure is null
            ? "Bearer"
            : $"Bearer error=\"invalid_token\"{(expired ? ", error_description=\"The token expired\"" : "")}";
        var (detail, code) = (ctx.AuthenticateFailure, expired) switch
        {
            (null, _) => ("请先登录小程序。", "auth.required"),
            (_, true) => ("登录已过期，请重新登录。", "auth.token_expired"),
            _ => ("登录凭证无效，请重新登录。", "auth.invalid_token"),
        };
        return WriteProblemAsync(ctx.HttpContext, StatusCodes.Status401Unauthorized, "未登录", detail, code);
    }

    private static async Task WriteProblemAsync(HttpContext http, int status, string title, string detail, string code)
    {
        http.Response.StatusCode = status;
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails
            {
                Status = status,
                Title = title,
                Detail = detail,
                Extensions = { ["code"] = code },
            },
        });
    }
}

/// <summary>The claim names in our tokens, and how a grant travels in one.</summary>
public static class MpClaims
{
    /// <summary>The subject: the <c>wechat_users</c> id.</summary>
    public const string WechatUser = JwtRegisteredClaimNames.Sub;

    public const string MemberId = "mid";
    public const string OrgId = "oid";

    /// <summary>One per role held: <c>role|orgId|orgKind|orgPath</c>, e.g. <c>secretary|23|branch|/1/5/23/</c>.</summary>
    public const string Role = "role";

    public static string Encode(Grant g) =>
        string.Join('|', g.Role, g.OrgId.ToString(CultureInfo.InvariantCulture), DbKind(g.OrgKind), g.OrgPath);

    public static Grant? Decode(string value)
    {
        var parts = value.Split('|');
        return parts.Length == 4
               && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var orgId)
               && Enum.TryParse<OrgKind>(parts[2].Replace("_", ""), ignoreCase: true, out var kind)
               && OrgPath.IsValid(parts[3])
            ? new Grant(parts[0], orgId, parts[3], kind)
            : null;
    }

    private static string DbKind(OrgKind kind) => WxQms.Domain.Storage.DbNames.Of(kind);
}

/// <summary>
/// A <see cref="JsonWebTokenHandler"/> that remembers the tokens it has fully validated, so a mini program
/// that sends the same bearer token on every request pays for parsing and the HMAC once per token, not
/// once per request. A remembered token has its lifetime checked again on every use, with the same
/// parameters (and so the app's clock) as the full validation; one that fails goes through the full
/// validation, which gives the usual failure. Only valid tokens are remembered, keyed by their exact text
/// (signature included), so nothing an unsigned caller sends can add an entry. Each request gets its own
/// copy of the identity. The signing key only changes with a restart, which empties the cache.
/// </summary>
public sealed class RememberingTokenHandler : JsonWebTokenHandler
{
    /// <summary>
    /// Roughly one token per user signed in within a token lifetime (a few KB each); when full, expired
    /// tokens go first, then everything (each token is then validated in full once more).
    /// </summary>
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, Known> remembered = new(StringComparer.Ordinal);

    private sealed record Known(TokenValidationResult Result, DateTime? NotBefore, DateTime? Expires);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (remembered.TryGetValue(token, out var known))
        {
            if (StillValid(known, validationParameters))
                return Copy(known);
            remembered.TryRemove(token, out _);
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
            return result;
        if (remembered.Count >= Capacity)
            Evict(validationParameters);
        known = new Known(result,
            jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Nbf, out _) ? jwt.ValidFrom : null,
            jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Exp, out _) ? jwt.ValidTo : null);
        remembered.TryAdd(token, known);
        return Copy(known);
    }

    /// <summary>The remembered identity stays untouched: the request gets a copy it may change.</summary>
    private static TokenValidationResult Copy(Known known) => new()
    {
        IsValid = true,
        ClaimsIdentity = known.Result.ClaimsIdentity.Clone(),
        SecurityToken = known.Result.SecurityToken,
        Issuer = known.Result.Issuer,
        TokenType = known.Result.TokenType,
    };

    private static bool StillValid(Known known, TokenValidationParameters parameters)
    {
        try
        {
            Validators.ValidateLifetime(known.NotBefore, known.Expires, known.Result.SecurityToken, parameters);
            return true;
        }
        catch (SecurityTokenException)
        {
            return false;
        }
    }

    private void Evict(TokenValidationParameters parameters)
    {
        foreach (var (token, known) in remembered)
        {
            if (!StillValid(known, parameters))
                remembered.TryRemove(token, out _);
        }
        if (remembered.Count >= Capacity)
            remembered.Clear();
    }
}

/// <summary>Issues the mini program's tokens. In Api because only Api speaks HTTP auth; Domain stays free of JWT types.</summary>
public sealed class TokenIssuer(IOptions<AuthOptions> options, TimeProvider clock)
{
    private readonly JsonWebTokenHandler handler = new() { SetDefaultTimesOnTokenCreation = false };

    public static SymmetricSecurityKey Key(AuthOptions o) => new(Encoding.UTF8.GetBytes(o.JwtSigningKey));

    public static TokenValidationParameters ValidationParameters(AuthOptions o, TimeProvider clock) => new()
    {
        ValidIssuer = o.Issuer,
        ValidAudience = MpAuth.Audience,
        IssuerSigningKey = Key(o),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ClockSkew = Skew,
        // Lifetimes are checked against the app's clock, so tests (and the sandbox) can move time.
        LifetimeValidator = (notBefore, expires, _, _) => CheckLifetime(notBefore, expires, clock.GetUtcNow().UtcDateTime),
        NameClaimType = MpClaims.WechatUser,
        RoleClaimType = "mp_role_unused",
    };

    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(30);

    /// <summary>The default validator reads the system clock; this one reads the app's. Throws like the default.</summary>
    private static bool CheckLifetime(DateTime? notBefore, DateTime? expires, DateTime now)
    {
        if (expires is null)
            throw new SecurityTokenNoExpirationException("The token has no expiry.");
        if (notBefore is { } nbf && nbf > now + Skew)
            throw new SecurityTokenNotYetValidException("The token is not valid yet.") { NotBefore = nbf };
        if (expires.Value < now - Skew)
            throw new SecurityTokenExpiredException("The token expired.") { Expires = expires.Value };
        return true;
    }

    public (string Token, DateTimeOffset ExpiresAt) Issue(MpIdentity identity)
    {
        var o = options.Value;
        var now = clock.GetUtcNow();
        var expires = now + o.TokenLifetime;
        var claims = new List<Claim>
        {
            new(MpClaims.WechatUser, identity.WechatUserId.ToString(CultureInfo.InvariantCulture)),
            new(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
        };
        if (identity.Member is { } m)
        {
            claims.Add(new Claim(MpClaims.MemberId, m.Id.ToString(CultureInfo.InvariantCulture)));
            claims.Add(new Claim(MpClaims.OrgId, m.OrgId.ToString(CultureInfo.InvariantCulture)));
            claims.AddRange(m.Roles.Select(g => new Claim(MpClaims.Role, MpClaims.Encode(g))));
        }
        var token = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = o.Issuer,
            Audience = MpAuth.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(Key(o), SecurityAlgorithms.HmacSha256),
        });
        return (token, expires);
    }
}

/// <summary>
/// The signed-in mini-program user of this request, read from the token's claims, with the scope checks
/// of <see cref="Access"/>. Roles are as of the token (at most <see cref="AuthOptions.TokenLifetime"/> old).
/// </summary>
public sealed class CurrentUser(IHttpContextAccessor accessor)
{
    private ClaimsPrincipal Principal => accessor.HttpContext?.User ?? new ClaimsPrincipal();

    public bool IsAuthenticated => WechatUserId is not null;

    public long? WechatUserId => Long(MpClaims.WechatUser);

    public long? MemberId => Long(MpClaims.MemberId);

    public long? OrgId => Long(MpClaims.OrgId);

    /// <summary>Decoded once per request (this object is scoped to it).</summary>
    public IReadOnlyList<Grant> Roles => roles ??= Principal.FindAll(MpClaims.Role)
        .Select(c => MpClaims.Decode(c.Value)).OfType<Grant>().ToList();

    private IReadOnlyList<Grant>? roles;

    public bool HasRole(string role) => Roles.Any(g => g.Role == role);

    public bool CanActOn(string orgPath) => Access.CanActOn(Roles, orgPath);

    public bool CanRead(string orgPath) => Access.CanRead(Roles, orgPath);

    private long? Long(string type) =>
        Principal.FindFirst(type)?.Value is { } v && long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : null;
}
