using System.Globalization;
using StackExchange.Redis;

namespace WxQms.Domain.Caching;

/// <summary>Every Redis key WxQms uses, built in one place.</summary>
public static class RedisKeys
{
    private const string Prefix = "wxqms:";

    /// <summary>The families of <see cref="GenerationCache"/>: org trees (bumped on every change to orgs or members), task
    /// lists and summaries (on every change to any task, by the Api or Jobs), rankings (on a monthly close), members' records
    /// (on a change to what a record shows beyond tasks, rankings and org trees: dues, wishes' points, appraisals, SMS opt-outs).</summary>
    public const string OrgTrees = "orgtree", Tasks = "tasks", Rankings = "rank", Records = "record";

    /// <summary>The duty catalogue's versions (bumped when a version is added or changed).</summary>
    public const string Duties = "duties";

    /// <summary>A family's generation, part of each of its keys, so a bump retires them all. No TTL: it must outlive
    /// the keys it guards, and it is one small integer.</summary>
    public static RedisKey Generation(string family) => $"{Prefix}{family}:gen";

    /// <summary>A cached read of a family: <paramref name="what"/> names the query and its arguments.</summary>
    public static RedisKey Cached(string family, long generation, string what) =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}{family}:{generation}:{what}");

    public static RedisKey JobsHeartbeat => Prefix + "jobs:heartbeat";

    public static RedisKey WxAccessToken(string appId) => $"{Prefix}wx:token:{appId}";

    /// <summary>Sends to WeChat by an app within one second (unix seconds), shared by every sender.</summary>
    public static RedisKey SendRate(string appId, long unixSecond) => $"{Prefix}wx:rate:{appId}:{unixSecond}";

    /// <summary>Wrong binding answers of one official-account user in the current hour window.</summary>
    public static RedisKey BindFailures(string appId, string openId) => $"{Prefix}bot:bindfail:{appId}:{openId}";

    /// <summary>A plaintext push's nonce seen within the window (the body's hash), per app and timestamp.</summary>
    public static RedisKey CallbackNonce(string appId, string timestamp, string nonce) => $"{Prefix}wx:nonce:{appId}:{timestamp}:{nonce}";

    /// <summary>A member's token version (members.token_version), cached for a few seconds.</summary>
    public static RedisKey TokenVersion(long memberId) => $"{Prefix}auth:tokver:{memberId}";

    public static RedisKey WxAccessTokenLock(string appId) => $"{Prefix}wx:token-lock:{appId}";
}
