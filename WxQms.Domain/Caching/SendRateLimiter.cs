using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace WxQms.Domain.Caching;

/// <summary>
/// A shared pace for sends to WeChat: at most N per app per second across every Jobs process, counted
/// in Redis in one-second windows (INCR on a key that expires). A sender over the limit waits for the
/// next second. With Redis down each process keeps its own count, so the pace holds per process and
/// sending never stops for a cache outage.
/// </summary>
public sealed class SendRateLimiter(IConnectionMultiplexer redis, TimeProvider clock, ILogger<SendRateLimiter> log)
{
    private const string IncrementScript = """
        local n = redis.call('INCR', KEYS[1])
        if n == 1 then redis.call('PEXPIRE', KEYS[1], 2000) end
        return n
        """;

    private readonly Lock gate = new();
    private long localSecond;
    private int localCount;

    /// <summary>Waits until this send fits in the app's rate, then returns.</summary>
    public async Task WaitAsync(string appId, int perSecond, CancellationToken ct)
    {
        while (true)
        {
            var now = clock.GetUtcNow();
            var second = now.ToUnixTimeSeconds();
            if (await TakeAsync(appId, second) <= perSecond)
                return;
            var nextSecond = DateTimeOffset.FromUnixTimeSeconds(second + 1);
            var wait = nextSecond - now;
            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), clock, ct);
        }
    }

    private async Task<long> TakeAsync(string appId, long second)
    {
        try
        {
            return (long)await redis.GetDatabase().ScriptEvaluateAsync(IncrementScript, [RedisKeys.SendRate(appId, second)]);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            log.LogWarning("Send rate for {AppId} counted in this process only: Redis is unavailable ({Error})", appId, ex.Message);
            lock (gate)
            {
                if (localSecond != second)
                    (localSecond, localCount) = (second, 0);
                return ++localCount;
            }
        }
    }
}
