using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace WxQms.Domain.Caching;

/// <summary>
/// Counts one official-account user's wrong binding answers in a fixed window (INCR, expiry set by the first failure;
/// the key is <see cref="RedisKeys.BindFailures"/>) so that repeated wrong answers can be slowed down across processes. With Redis down nothing is counted here: the
/// caller's own per-dialogue limit in MySQL still holds, so guessing stays bounded.
/// </summary>
public sealed class AttemptLimiter(IConnectionMultiplexer redis, ILogger<AttemptLimiter> log)
{
    private const string IncrementScript = """
        local n = redis.call('INCR', KEYS[1])
        if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        return n
        """;

    /// <summary>Failures counted so far in the window, or null when Redis cannot say.</summary>
    public async Task<long?> CountAsync(string appId, string openId)
    {
        var key = RedisKeys.BindFailures(appId, openId);
        try
        {
            var value = await redis.GetDatabase().StringGetAsync(key);
            return value.IsNull ? 0 : (long)value;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            log.LogWarning("Attempt count unavailable: Redis is unavailable ({Error})", ex.Message);
            return null;
        }
    }

    /// <summary>Adds one failure; returns the count in the window, or null when Redis cannot count.</summary>
    public async Task<long?> FailAsync(string appId, string openId, TimeSpan window)
    {
        var key = RedisKeys.BindFailures(appId, openId);
        try
        {
            return (long)await redis.GetDatabase().ScriptEvaluateAsync(IncrementScript, [key],
                [(long)window.TotalMilliseconds]);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            log.LogWarning("Attempt not counted: Redis is unavailable ({Error})", ex.Message);
            return null;
        }
    }

    public async Task ClearAsync(string appId, string openId)
    {
        var key = RedisKeys.BindFailures(appId, openId);
        try
        {
            await redis.GetDatabase().KeyDeleteAsync(key);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            log.LogWarning("Attempt count not cleared: Redis is unavailable ({Error})", ex.Message);
        }
    }
}
