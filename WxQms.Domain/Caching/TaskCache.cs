using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Caching;

/// <summary>
/// Cache-aside for task lists and the monitoring summary (DESIGN: the superior's live view is read far
/// more often than tasks change). One generation counter guards them all: every committed change to
/// a task, from the Api or from Jobs, bumps it and so retires every cached read at once. When Redis
/// is down the reads go to MySQL; a bump that could not reach Redis is bounded by the TTL.
/// </summary>
public sealed class TaskCache(IConnectionMultiplexer redis, IOptions<CacheOptions> options, ILogger<TaskCache> log)
{
    public async Task<(T Value, CacheOutcome Outcome)> GetOrLoadAsync<T>(string what, Func<CancellationToken, Task<T>> load,
        CancellationToken ct)
    {
        var db = redis.GetDatabase();
        RedisKey key;
        try
        {
            var generation = (long?)await db.StringGetAsync(RedisKeys.TaskGeneration) ?? 0;
            key = RedisKeys.TaskRead(generation, what);
            var cached = await db.StringGetAsync(key);
            if (cached.HasValue)
                return (JsonSerializer.Deserialize<T>((string)cached!, JsonDefaults.Storage)!, CacheOutcome.Hit);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            log.LogWarning("Task cache unavailable, reading {What} from MySQL: {Reason}", what, ex.Message);
            return (await load(ct), CacheOutcome.Bypass);
        }

        var value = await load(ct);
        try
        {
            await db.StringSetAsync(key, JsonSerializer.Serialize(value, JsonDefaults.Storage), options.Value.TaskTtl);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            log.LogWarning("Could not cache {What}: {Reason}", what, ex.Message);
        }
        return (value, CacheOutcome.Miss);
    }

    /// <summary>Retires every cached task read. Called after a change to tasks has committed.</summary>
    public async Task InvalidateAsync()
    {
        try
        {
            await redis.GetDatabase().StringIncrementAsync(RedisKeys.TaskGeneration);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            log.LogWarning("Could not invalidate cached task reads; they expire within {Ttl}: {Reason}",
                options.Value.TaskTtl, ex.Message);
        }
    }
}
