using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using WxQms.Domain.Caching;

namespace WxQms.Domain.Hosting;

/// <summary>
/// Records that this worker is alive: a hash of worker → last tick in Redis, so operators (and later
/// the Api's status page) can see which Jobs instances are running. Losing it loses nothing.
/// </summary>
public sealed class WorkerHeartbeat(IConnectionMultiplexer redis, ILogger<WorkerHeartbeat> log)
{
    public static string Worker => InstanceId.Value;

    public async Task RecordAsync(DateTimeOffset now)
    {
        try
        {
            var db = redis.GetDatabase();
            await db.HashSetAsync(RedisKeys.JobsHeartbeat, Worker, now.ToString("O"));
            await db.KeyExpireAsync(RedisKeys.JobsHeartbeat, TimeSpan.FromMinutes(10));
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            log.LogWarning("Heartbeat not recorded, Redis unavailable: {Reason}", ex.Message);
        }
    }
}
