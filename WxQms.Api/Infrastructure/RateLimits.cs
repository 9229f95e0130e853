using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace WxQms.Api.Infrastructure;

/// <summary>One limit: a token bucket that holds <see cref="Burst"/> requests and refills <see cref="PerMinute"/> a minute.</summary>
public sealed class RateLimitRule
{
    public int PerMinute { get; set; }

    public int Burst { get; set; }

    internal bool IsValid => PerMinute is > 0 and <= 1_000_000 && Burst is > 0 and <= 1_000_000;
}

/// <summary><c>RateLimits:*</c>: how often one user (or, signed out, one IP address) may call the routes worth abusing.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary><c>POST /api/mp/login</c>, per IP address (nobody is signed in yet).</summary>
    public RateLimitRule Login { get; set; } = new() { PerMinute = 20, Burst = 10 };

    /// <summary>Phone binding and the branch binding QR code, per user.</summary>
    public RateLimitRule Bind { get; set; } = new() { PerMinute = 6, Burst = 3 };

    /// <summary><c>POST /api/mp/uploads</c>, per user: nine photos of a meeting at once, not a stream.</summary>
    public RateLimitRule Uploads { get; set; } = new() { PerMinute = 30, Burst = 10 };

    /// <summary>Posting a wish (mini program per user; the H5 form per IP address).</summary>
    public RateLimitRule Wishes { get; set; } = new() { PerMinute = 5, Burst = 3 };

    /// <summary><c>GET /api/rankings</c>, per user.</summary>
    public RateLimitRule Rankings { get; set; } = new() { PerMinute = 120, Burst = 30 };

    /// <summary>The official-account pages <c>/h5/*</c>, per IP address (their sign-in is a cookie, not a token).</summary>
    public RateLimitRule H5 { get; set; } = new() { PerMinute = 300, Burst = 100 };

    internal IEnumerable<(string Name, RateLimitRule Rule)> Rules =>
    [
        (nameof(Login), Login), (nameof(Bind), Bind), (nameof(Uploads), Uploads), (nameof(Wishes), Wishes),
        (nameof(Rankings), Rankings), (nameof(H5), H5),
    ];
}

/// <summary>
/// HTTP rate limits (ASP.NET Core's limiter): one named policy per kind of route, each a token bucket per
/// partition. A signed-in mini-program user is their own partition (their WeChat user id, from the token);
/// anyone else is partitioned by the connection's IP address. Behind a reverse proxy that address is the
/// proxy's unless the deployer turns on the forwarded headers (README); X-Forwarded-For is not trusted by
/// default. A refused request gets 429 with <c>Retry-After</c> and the code <c>rate.limited</c>.
/// </summary>
public static class RateLimits
{
    public const string Login = "login";
    public const string Bind = "bind";
    public const string Uploads = "uploads";
    public const string Wishes = "wishes";
    public const string Rankings = "rankings";
    public const string H5 = "h5";

    /// <summary>
    /// A partition: the WeChat user, or (signed out) the IP address. A value type over what the request
    /// already holds, so picking a partition builds no string (the ranking route is hot).
    /// </summary>
    public readonly record struct Partition(long WechatUserId, IPAddress? Ip);

    public static IHostApplicationBuilder AddRateLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section)
            .Validate(o => o.Rules.All(r => r.Rule.IsValid), "RateLimits: every PerMinute and Burst must be between 1 and 1000000")
            .ValidateOnStart();
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((limiter, limits) =>
        {
            var o = limits.Value;
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = RejectAsync;
            Add(limiter, Login, o.Login, byUser: false);
            Add(limiter, Bind, o.Bind, byUser: true);
            Add(limiter, Uploads, o.Uploads, byUser: true);
            Add(limiter, Wishes, o.Wishes, byUser: true);
            Add(limiter, Rankings, o.Rankings, byUser: true);
            Add(limiter, H5, o.H5, byUser: false);
        });
        return builder;
    }

    private static void Add(RateLimiterOptions limiter, string name, RateLimitRule rule, bool byUser)
    {
        var options = new TokenBucketRateLimiterOptions
        {
            TokenLimit = rule.Burst,
            TokensPerPeriod = rule.PerMinute,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            // The partitioned limiter replenishes every bucket from one timer.
            AutoReplenishment = false,
        };
        // One factory per policy, made here: choosing a partition allocates nothing but the middleware's own key.
        Func<Partition, RateLimiter> create = _ => new TokenBucketRateLimiter(options);
        limiter.AddPolicy<Partition>(name, byUser
            ? http => new RateLimitPartition<Partition>(Of(http), create)
            : http => new RateLimitPartition<Partition>(new Partition(0, http.Connection.RemoteIpAddress), create));
    }

    /// <summary>The signed-in mini-program user, else the IP address.</summary>
    internal static Partition Of(HttpContext http) => http.User.Identity is MpSessionIdentity identity
        ? new Partition(identity.Session.WechatUserId, null)
        : new Partition(0, http.Connection.RemoteIpAddress);

    private static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken ct)
    {
        var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 60;
        context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await MpAuth.WriteProblemAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "操作太频繁",
            $"操作太频繁，请 {seconds} 秒后再试。", "rate.limited");
    }
}
