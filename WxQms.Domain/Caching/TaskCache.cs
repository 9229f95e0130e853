using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace WxQms.Domain.Caching;

/// <summary>
/// Cache-aside for task lists and the monitoring summary (DESIGN: the superior's live view is read far
/// more often than tasks change). One generation counter guards them all: every committed change to
/// a task, from the Api or from Jobs, bumps it and so retires every cached read at once. When Redis
/// is down the reads go to MySQL; a bump that could not reach Redis is bounded by the TTL.
/// </summary>
public sealed class TaskCache(IConnectionMultiplexer redis, IOptions<CacheOptions> options, ILogger<TaskCache> log)
{
    private readonly GenerationCache cache = new(redis, RedisKeys.Tasks, log);

    public Task<(T Value, CacheOutcome Outcome)> GetOrLoadAsync<T>(string what, Func<CancellationToken, Task<T>> load,
        CancellationToken ct) =>
        cache.GetOrLoadAsync(what, load, _ => options.Value.TaskTtl, ct);

    /// <summary>Retires every cached task read. Called after a change to tasks has committed.</summary>
    public Task InvalidateAsync() => cache.InvalidateAsync(options.Value.TaskTtl);
}
