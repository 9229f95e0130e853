using System.Globalization;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
/// <see cref="MpBearerHandler"/> against the app's <see cref="TimeProvider"/>, and 401/403 answered as ProblemDetails.
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
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthOptions>, SandboxDemoSecrets>());
        services.AddSingleton<TokenIssuer>();

        services.AddSingleton<MpTokens>();
        services.AddAuthentication(MpBearerHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, MpBearerHandler>(MpBearerHandler.SchemeName, null);
        // MpBearerHandler is the default scheme, so the authentication middleware has already signed the user in;
        // naming the scheme on the policy as well would authenticate every request a second time. It signs in
        // only tokens that name a WeChat user, so the policy need not look for the claim again (a claim
        // requirement walks every claim on every request: a few per cent of a cached ranking request).
        services.AddAuthorizationBuilder()
            .AddPolicy(Policy, p => p.RequireAuthenticatedUser());
        return builder;
    }

    internal static async Task WriteProblemAsync(HttpContext http, int status, string title, string detail, string code)
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

    /// <summary>The member's token version at issue (<see cref="WxQms.Domain.Caching.TokenVersions"/>).</summary>
    public const string TokenVersion = "ver";

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
        RoleClaimType = MpSessionIdentity.RoleClaimTypeUnused,
    };

    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(30);

    /// <summary>The default validator reads the system clock; this one reads the app's. Throws like the default.</summary>
    internal static bool CheckLifetime(DateTime? notBefore, DateTime? expires, DateTime now)
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
            claims.Add(new Claim(MpClaims.TokenVersion, m.TokenVersion.ToString(CultureInfo.InvariantCulture)));
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
/// The signed-in mini-program user of a request, as its token says (decoded once per token by
/// <see cref="MpTokens"/>), with the scope checks of <see cref="Access"/>. Roles are as of the token; a token issued
/// before an unbinding, a role change or leaving the roll is refused by <see cref="MpBearerHandler"/>. Immutable, so one instance serves every request with the
/// same token; an endpoint gets it as a parameter, bound from the request by <see cref="BindAsync"/>.
/// </summary>
public sealed class CurrentUser
{
    /// <summary>Nobody signed in (or not with a mini-program token).</summary>
    public static readonly CurrentUser Anonymous = new(null);

    private readonly MpSession? session;

    internal CurrentUser(MpSession? session) => this.session = session;

    /// <summary>The user of <paramref name="http"/>'s request.</summary>
    public static CurrentUser Of(HttpContext http) =>
        (http.User.Identity as MpSessionIdentity)?.User ?? Anonymous;

    /// <summary>How minimal APIs bind a <see cref="CurrentUser"/> parameter: from the request, no allocation, no DI scope.</summary>
    public static ValueTask<CurrentUser?> BindAsync(HttpContext http) => ValueTask.FromResult<CurrentUser?>(Of(http));

    public bool IsAuthenticated => session is not null;

    public long? WechatUserId => session?.WechatUserId;

    public long? MemberId => session?.MemberId;

    public long? OrgId => session?.OrgId;

    public IReadOnlyList<Grant> Roles => session?.Roles ?? [];

    public bool HasRole(string role) => Roles.Any(g => g.Role == role);

    public bool CanActOn(string orgPath) => Access.CanActOn(Roles, orgPath);

    public bool CanRead(string orgPath) => Access.CanRead(Roles, orgPath);
}
