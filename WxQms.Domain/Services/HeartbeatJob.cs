using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using WxQms.Domain.Caching;
using WxQms.Domain.Hosting;

namespace WxQms.Domain.Services;

/// <summary>
/// Records that this worker is alive: a hash of worker → last tick in Redis, so operators (and later
/// the Api's status page) can see which Jobs instances are running. Losing it loses nothing.
/// </summary>
public sealed class HeartbeatJob(IConnectionMultiplexer redis, ILogger<HeartbeatJob> log) : IPeriodicJob
{
    public static string Worker => InstanceId.Value;

    public string Name => "heartbeat";

    public TimeSpan Interval => TimeSpan.FromSeconds(30);

    public async Task RunAsync(DateTimeOffset now, CancellationToken ct)
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
