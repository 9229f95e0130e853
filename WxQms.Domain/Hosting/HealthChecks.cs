using Microsoft.Extensions.Diagnostics.HealthChecks;
using MySqlConnector;
using StackExchange.Redis;

namespace WxQms.Domain.Hosting;

public static class HealthTags
{
    public const string Live = "live";
    public const string Ready = "ready";
}

/// <summary>
/// What <c>/readyz</c>, which anyone can read, says about a store that does not answer: that it does not, and
/// the kind of failure. The exception's text names host, port and user; it goes with the result, and the
/// health-check service logs an unhealthy result with its exception (level Error).
/// </summary>
public static class Readiness
{
    public static string Reason(string store, Exception ex) => ex is OperationCanceledException or TimeoutException
        ? $"{store} did not answer in time"
        : $"{store} unreachable ({ex.GetType().Name})";
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
        catch (Exception ex) // any failure means not ready; one left to the health-check service would show its message
        {
            return HealthCheckResult.Unhealthy(Readiness.Reason("MySQL", ex), ex);
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
        catch (Exception ex) // as above; SE.Redis's message also carries a long diagnostic dump
        {
            return HealthCheckResult.Unhealthy(Readiness.Reason("Redis", ex), ex);
        }
    }
}
