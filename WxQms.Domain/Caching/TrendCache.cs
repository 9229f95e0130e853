using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace WxQms.Domain.Caching;

/// <summary>
/// The dashboard's monthly trend (#20), which every view of the dashboard would otherwise rebuild month by month: the
/// ranking's result and the tasks done on time. Kept under both generations it is made of — the tasks' (any committed
/// change to a task) and the rankings' (a close, a deduction, an import) — so a change to either retires it; the caller
/// keys it by org, year and the current month, never by a time-to-live on the application's clock.
/// </summary>
public sealed class TrendCache(IConnectionMultiplexer redis, IOptions<CacheOptions> options, ILogger<TrendCache> log)
{
    private readonly GenerationCache cache = new(redis, RedisKeys.Tasks, log, RedisKeys.Rankings);

    public Task<(T Value, CacheOutcome Outcome)> GetOrLoadAsync<T>(string what, Func<CancellationToken, Task<T>> load, CancellationToken ct) =>
        cache.GetOrLoadAsync(what, load, _ => options.Value.TaskTtl, ct);
}
