using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using WxQms.Domain.Hosting;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Caching;

public enum CacheOutcome
{
    Hit,
    Miss,
    /// <summary>Redis did not answer; the value came from MySQL and was not cached.</summary>
    Bypass,
}

/// <summary>
/// Cache-aside in Redis for one family of reads (task lists, org trees, rankings), under a generation counter: every
/// key of the family carries the generation (<see cref="RedisKeys.Cached"/>), so one INCR from any process retires
/// them all at once, and the old keys expire by their TTL. Redis is only a cache: when it does not answer, the read
/// goes to <c>load</c> (<see cref="CacheOutcome.Bypass"/>), and a retirement that could not reach Redis is bounded by
/// the TTL. (HybridCache does not fit: it tells no hit, miss or bypass, which the X-Cache header shows, and its
/// in-process layer is not retired when another process invalidates.) A read made of several families' data names the
/// others in <paramref name="alsoRetiredBy"/>: its key carries every one's generation (read in one MGET), so a bump of any
/// retires it.
/// </summary>
public sealed class GenerationCache(IConnectionMultiplexer redis, string family, ILogger log, params string[] alsoRetiredBy)
{
    private readonly RedisKey[] generations = [RedisKeys.Generation(family), .. alsoRetiredBy.Select(RedisKeys.Generation)];

    /// <summary>
    /// The value of <paramref name="what"/> in the current generation, or loaded and cached for <paramref name="ttl"/> of
    /// it (a null value is not cached). Stored as JSON unless <paramref name="read"/> and <paramref name="write"/> say otherwise.
    /// </summary>
    public async Task<(T Value, CacheOutcome Outcome)> GetOrLoadAsync<T>(string what, Func<CancellationToken, Task<T>> load,
        Func<T, TimeSpan> ttl, CancellationToken ct, Func<byte[], T>? read = null, Func<T, byte[]>? write = null)
    {
        var db = redis.GetDatabase();
        RedisKey key;
        try
        {
            if (alsoRetiredBy.Length == 0)
                key = RedisKeys.Cached(family, (long?)await db.StringGetAsync(generations[0]) ?? 0, what);
            else
            {
                var current = await db.StringGetAsync(generations);
                var others = new StringBuilder(what);
                for (var i = 0; i < alsoRetiredBy.Length; i++)
                    others.Append(CultureInfo.InvariantCulture, $":{alsoRetiredBy[i]}{(long?)current[i + 1] ?? 0}");
                key = RedisKeys.Cached(family, (long?)current[0] ?? 0, others.ToString());
            }
            var cached = await db.StringGetAsync(key);
            if (cached.HasValue)
            {
                WxQmsTelemetry.CacheLookup(family, "hit");
                return ((read ?? FromJson<T>)((byte[])cached!), CacheOutcome.Hit);
            }
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            log.LogWarning("Cache of {Family} unavailable, reading {What} from MySQL: {Reason}", family, what, ex.Message);
            WxQmsTelemetry.CacheLookup(family, "bypass");
            return (await load(ct), CacheOutcome.Bypass);
        }

        WxQmsTelemetry.CacheLookup(family, "miss");
        var value = await load(ct);
        if (value is null)
            return (value, CacheOutcome.Miss);
        try
        {
            await db.StringSetAsync(key, (write ?? ToJson)(value), ttl(value));
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            log.LogWarning("Could not cache {What} of {Family}: {Reason}", what, family, ex.Message);
        }
        return (value, CacheOutcome.Miss);
    }

    /// <summary>Retires every cached read of the family. Called after a change has committed; <paramref name="ttl"/> is
    /// how long the cached reads live when Redis does not take the bump.</summary>
    public async Task InvalidateAsync(TimeSpan ttl)
    {
        try
        {
            await redis.GetDatabase().StringIncrementAsync(RedisKeys.Generation(family));
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            log.LogWarning("Could not retire the cached {Family}; they expire within {Ttl}: {Reason}", family, ttl, ex.Message);
        }
    }

    private static T FromJson<T>(byte[] json) => JsonSerializer.Deserialize<T>(json, JsonDefaults.Storage)!;

    private static byte[] ToJson<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, JsonDefaults.Storage);
}
