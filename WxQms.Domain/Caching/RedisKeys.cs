using StackExchange.Redis;

namespace WxQms.Domain.Caching;

/// <summary>Every Redis key WxQms uses, built in one place.</summary>
public static class RedisKeys
{
    private const string Prefix = "wxqms:";

    /// <summary>Bumped on every change to orgs or members; part of each tree key, so a bump retires them all.
    /// No TTL: it must outlive the tree keys it guards, and it is one small integer.</summary>
    public static RedisKey OrgTreeGeneration => Prefix + "orgtree:gen";

    public static RedisKey OrgTree(long generation, long orgId) => $"{Prefix}orgtree:{generation}:{orgId}";

    /// <summary>Bumped on every change to any task (by the Api or Jobs); part of each cached list and summary key.</summary>
    public static RedisKey TaskGeneration => Prefix + "tasks:gen";

    /// <summary>A cached task read: <paramref name="what"/> names the query and its arguments.</summary>
    public static RedisKey TaskRead(long generation, string what) => $"{Prefix}tasks:{generation}:{what}";

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
