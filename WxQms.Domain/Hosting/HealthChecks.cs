using Microsoft.Extensions.Diagnostics.HealthChecks;
using MySqlConnector;
using StackExchange.Redis;

namespace WxQms.Domain.Hosting;

public static class HealthTags
{
    public const string Live = "live";
    public const string Ready = "ready";
}

/// <summary>Opens a pooled connection and runs SELECT 1. (Xabaril's MySQL check targets the old
/// MySql.Data namespace and fails against MySqlConnector 2.x.)</summary>
public sealed class MySqlHealthCheck(MySqlDataSource db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var cmd = new MySqlCommand("SELECT 1", conn);
            await cmd.ExecuteScalarAsync(ct);
            return HealthCheckResult.Healthy("MySQL answers");
        }
        catch (Exception ex) when (ex is MySqlException or OperationCanceledException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy($"MySQL unreachable: {ex.Message}");
        }
    }
}

public sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(ct);
            return HealthCheckResult.Healthy($"Redis answers in {latency.TotalMilliseconds:0.0} ms");
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException or OperationCanceledException or TimeoutException)
        {
            // SE.Redis appends a long diagnostic dump after the first sentence; the log has it all.
            return HealthCheckResult.Unhealthy($"Redis unreachable: {ex.Message.Split(';')[0]}");
        }
    }
}
