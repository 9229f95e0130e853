using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using MySqlConnector;
using WxQms.Domain.Wechat;

namespace WxQms.Sandbox;

/// <summary>The two apps the sandbox serves, told apart by the appid behind an access token.</summary>
public enum SandboxApp
{
    Oa,
    Mp,
}

/// <summary>
/// The state of the imitation WeChat servers: issued tokens, quotas and counters here, and users,
/// messages, media, menus and one-time codes in the parts below. All of it lives in this process's
/// memory on purpose: it is a local imitation that run.sh and the tests run as one Api process, it
/// must start empty after <see cref="Reset"/>, and it never runs in production. Time comes from the
/// <see cref="TimeProvider"/>, so tests can age tokens, codes, media and windows.
/// </summary>
public sealed class SandboxWechat
{
    private readonly TimeProvider clock;
    private readonly IOptions<WechatOptions> options;

    public static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(2);

    /// <summary>Old and new tokens overlap this long; stable_token rotates in its last such stretch.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(5);

    /// <summary>stable_token's force_refresh limits (PROTOCOL §3.2).</summary>
    public const int ForcedRefreshesPerDay = 20;

    public static readonly TimeSpan ForcedRefreshSpacing = TimeSpan.FromSeconds(30);

    private readonly Lock gate = new();
    private readonly Dictionary<string, Issued> byToken = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Issued> currentStable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Issued> currentPlain = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (DateOnly Day, int Count, DateTimeOffset? Last)> forcedRefreshes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> counters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> limits = new(StringComparer.Ordinal);

    private sealed record Issued(string Token, string AppId, DateTimeOffset ExpiresAt)
    {
        public DateTimeOffset? SupersededAt { get; set; }
    }

    public sealed record Error(int ErrCode, string ErrMsg);

    public sealed record TokenGrant(string AccessToken, int ExpiresIn);

    public SandboxWechat(TimeProvider clock, IOptions<WechatOptions> options, MySqlDataSource db, ILogger<SandboxWechat> log)
    {
        this.clock = clock;
        this.options = options;
        Users = new SandboxUsers(clock, db, log);
        Messages = new SandboxMessages(clock);
        Media = new SandboxMedia(clock);
        Menus = new SandboxMenus(clock);
        Codes = new SandboxCodes(clock);
    }

    /// <summary>The simulated WeChat users: seeded members plus synthetic residents.</summary>
    public SandboxUsers Users { get; }

    /// <summary>Template registry, inboxes, client_msg_id de-dup, subscribe consent, pending pushes.</summary>
    public SandboxMessages Messages { get; }

    public SandboxMedia Media { get; }

    /// <summary>Custom menus per app and parametric QR tickets.</summary>
    public SandboxMenus Menus { get; }

    /// <summary>Single-use codes: wx.login, getPhoneNumber and web OAuth.</summary>
    public SandboxCodes Codes { get; }

    public TimeProvider Clock => clock;

    /// <summary>
    /// What media_check_async decides for an image whose URL contains the key (for example a photo's SHA-256):
    /// "risky" or "review"; every other image passes. Set through <c>POST /sandbox/wechat/mp/image-verdicts</c>.
    /// </summary>
    public ConcurrentDictionary<string, string> ImageVerdicts { get; } = new(StringComparer.Ordinal);

    public WechatOptions Options => options.Value;

    /// <summary>Forgets every token, counter, limit, user knob, message, medium, menu and code: a fresh WeChat.</summary>
    public void Reset()
    {
        lock (gate)
        {
            byToken.Clear();
            currentStable.Clear();
            currentPlain.Clear();
            forcedRefreshes.Clear();
            counters.Clear();
            limits.Clear();
            rejectingAll.Clear();
            failures.Clear();
        }
        ImageVerdicts.Clear();
        Users.Reset();
        Messages.Reset();
        Media.Reset();
        Menus.Reset();
        Codes.Reset();
    }

    /// <summary>The user sent the app a message (OA or MP openid): opens the 48-hour customer-service window.</summary>
    public void RecordInteraction(string openid) => Users.RecordInteraction(openid);

    /// <summary>Pushes WeChat owes our callbacks (TEMPLATESENDJOBFINISH and friends), oldest first.</summary>
    public IReadOnlyList<SandboxPendingPush> PendingPushes => Messages.PendingPushes;

    /// <summary>Takes every pending push off the queue, for the component that delivers them.</summary>
    public IReadOnlyList<SandboxPendingPush> DrainPendingPushes() => Messages.DrainPendingPushes();

    /// <summary>What was sent to a user (OA or MP openid), newest last; empty for unknown openids.</summary>
    public async Task<IReadOnlyList<SandboxInboxMessage>> InboxAsync(string openid, CancellationToken ct) =>
        await Users.FindAsync(openid, ct) is { } user ? Messages.Inbox(user) : [];

    /// <summary>Which app an appid belongs to, or null for a stranger.</summary>
    public SandboxApp? AppOf(string appId) =>
        appId == options.Value.Oa.AppId ? SandboxApp.Oa : appId == options.Value.Mp.AppId ? SandboxApp.Mp : null;

    /// <summary>Counts a call to an API that takes no access token (jscode2session, oauth2/access_token).</summary>
    public void CountAttempt(string api) => counters.AddOrUpdate($"attempts:{api}", 1, (_, n) => n + 1);

    /// <summary>How many stable tokens were minted for an app: two instances that share one token mint one.</summary>
    public int StableTokensIssued(string appId) => counters.GetValueOrDefault($"stable-minted:{appId}");

    /// <summary>Calls that passed the token check and counted against the app's quota.</summary>
    public int Calls(string appId, string api) => counters.GetValueOrDefault($"calls:{appId}:{api}");

    /// <summary>Every request to an API, refused ones included.</summary>
    public int Attempts(string api) => counters.GetValueOrDefault($"attempts:{api}");

    /// <summary>Sets a daily limit for one API of one app (WeChat's defaults are in PROTOCOL §3.4).</summary>
    public void SetDailyLimit(string appId, string api, int limit) => limits[$"{appId}:{api}"] = limit;

    private readonly ConcurrentDictionary<string, bool> rejectingAll = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (int ErrCode, int Left)> failures = new(StringComparer.Ordinal);

    /// <summary>
    /// The next <paramref name="count"/> calls to <paramref name="api"/> (e.g. "message/template/send")
    /// fail with <paramref name="errCode"/> after their token check, as WeChat does when it is busy (−1).
    /// </summary>
    public void FailNext(string api, int errCode, int count) => failures[api] = (errCode, count);

    private Error? InjectedFailure(string api)
    {
        while (failures.TryGetValue(api, out var f) && f.Left > 0)
        {
            if (failures.TryUpdate(api, (f.ErrCode, f.Left - 1), f))
                return Fail(f.ErrCode, f.ErrCode == -1 ? "system error" : "injected by the sandbox");
        }
        return null;
    }

    /// <summary>From now on every token of the app is refused with 40001, even freshly minted ones.</summary>
    public void RejectAllTokens(string appId) => rejectingAll[appId] = true;

    /// <summary>Makes every token of the app invalid at once, as a leaked-secret reset would.</summary>
    public void RevokeTokens(string appId)
    {
        lock (gate)
        {
            foreach (var issued in byToken.Values.Where(i => i.AppId == appId))
                issued.SupersededAt = clock.GetUtcNow();
            currentStable.Remove(appId);
            currentPlain.Remove(appId);
        }
    }

    /// <summary>
    /// stable_token (PROTOCOL §3.2): the same token while it has more than 5 minutes left; force_refresh
    /// mints a new one and retires the old at once, at most 20 times a day and 30 s apart. A forced
    /// call beyond that does not refresh; PROTOCOL names no error for it, so it answers as normal mode.
    /// </summary>
    public object StableToken(string? grantType, string? appId, string? secret, bool force)
    {
        if (CheckApp(appId, secret) is { } refused)
            return refused;
        if (grantType != "client_credential")
            return Fail(40002, "invalid grant_type");
        if (CountCall(appId!, "stable_token") is { } quota)
            return quota;

        var now = clock.GetUtcNow();
        lock (gate)
        {
            force = force && AllowForcedRefresh(appId!, now);
            if (currentStable.TryGetValue(appId!, out var current) && !force && current.ExpiresAt - now > Grace)
                return new TokenGrant(current.Token, (int)(current.ExpiresAt - now).TotalSeconds);
            if (current is not null)
                current.SupersededAt = force ? now : current.ExpiresAt;
            var issued = Mint(appId!, now);
            currentStable[appId!] = issued;
            counters.AddOrUpdate($"stable-minted:{appId}", 1, (_, n) => n + 1);
            return new TokenGrant(issued.Token, (int)TokenLifetime.TotalSeconds);
        }
    }

    /// <summary>Counts a forced refresh if WeChat would make it: 20 a day (Beijing time), 30 s apart. Under <see cref="gate"/>.</summary>
    private bool AllowForcedRefresh(string appId, DateTimeOffset now)
    {
        var day = DateOnly.FromDateTime(now.ToOffset(TimeSpan.FromHours(8)).DateTime);
        var (lastDay, count, last) = forcedRefreshes.GetValueOrDefault(appId);
        if (lastDay != day)
            count = 0;
        if (count >= ForcedRefreshesPerDay || (last is { } at && now - at < ForcedRefreshSpacing))
            return false;
        forcedRefreshes[appId] = (day, count + 1, now);
        return true;
    }

    /// <summary>The old cgi-bin/token: every call mints a new token and retires the previous one after the grace period.</summary>
    public object PlainToken(string? appId, string? secret)
    {
        if (CheckApp(appId, secret) is { } refused)
            return refused;
        if (CountCall(appId!, "token") is { } quota)
            return quota;
        var now = clock.GetUtcNow();
        lock (gate)
        {
            if (currentPlain.TryGetValue(appId!, out var previous))
                previous.SupersededAt = now + Grace;
            var issued = Mint(appId!, now);
            currentPlain[appId!] = issued;
            return new TokenGrant(issued.Token, (int)TokenLifetime.TotalSeconds);
        }
    }

    /// <summary>Checks the access_token of a business call and counts the call against the API's daily quota.</summary>
    public Error? Authorize(string? token, string api, out string appId)
    {
        appId = "";
        CountAttempt(api);
        if (string.IsNullOrEmpty(token))
            return Fail(41001, "access_token missing");
        var now = clock.GetUtcNow();
        lock (gate)
        {
            if (!byToken.TryGetValue(token, out var issued))
                return Fail(40001, "invalid credential, access_token is invalid or not latest");
            if (issued.SupersededAt is { } at && at <= now)
                return Fail(40001, "invalid credential, access_token is invalid or not latest, could get access_token by getStableAccessToken");
            if (issued.ExpiresAt <= now)
                return Fail(42001, "access_token expired");
            if (rejectingAll.ContainsKey(issued.AppId))
                return Fail(40001, "invalid credential, access_token is invalid or not latest");
            appId = issued.AppId;
        }
        return CountCall(appId, api) ?? InjectedFailure(api);
    }

    /// <summary>
    /// Like <see cref="Authorize"/>, and the token must belong to <paramref name="app"/>: calling an
    /// official-account API with the mini program's token is 48001, as for any unauthorised API.
    /// </summary>
    public Error? Authorize(string? token, string api, SandboxApp app)
    {
        if (Authorize(token, api, out var appId) is { } error)
            return error;
        return AppOf(appId) == app ? null : Fail(48001, "api unauthorized");
    }

    public static Error Fail(int errCode, string errMsg) =>
        new(errCode, $"{errMsg} rid: {Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");

    /// <summary>appid and secret of a call that authenticates with them (tokens, jscode2session, web OAuth).</summary>
    public Error? CheckApp(string? appId, string? secret)
    {
        var o = options.Value;
        var app = new[] { o.Oa, o.Mp }.FirstOrDefault(a => a.AppId == appId);
        if (app is null)
            return Fail(40013, "invalid appid");
        return app.AppSecret == secret ? null : Fail(40125, "invalid appsecret");
    }

    private Error? CountCall(string appId, string api)
    {
        var used = counters.AddOrUpdate($"calls:{appId}:{api}", 1, (_, n) => n + 1);
        return limits.TryGetValue($"{appId}:{api}", out var limit) && used > limit
            ? Fail(45009, "reach max api daily quota limit")
            : null;
    }

    private Issued Mint(string appId, DateTimeOffset now)
    {
        var issued = new Issued($"SBX_{Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(48))}",
            appId, now + TokenLifetime);
        byToken[issued.Token] = issued;
        return issued;
    }
}
