using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace WxQms.Domain.Caching;

/// <summary>
/// Members' records for a year (我的, <c>/api/mp/me/record</c>; issue #25: a district's members read them far more often
/// than they change). A record is made of four families' data, so its key carries all four generations and a bump of any
/// retires it: the tasks' (attendance and the points of tasks: every committed change to a task), the rankings' (a close's
/// stars and grades), the org trees' (her name, branch and phone: every change to orgs or members) and its own (dues, a
/// wish's points, an appraisal, an SMS opt-out: <see cref="InvalidateAsync"/> after each has committed). The caller keys
/// it by member, year and the current month, never by a time-to-live on the application's clock; the TTL only bounds a
/// bump that could not reach Redis.
/// </summary>
public sealed class RecordCache(IConnectionMultiplexer redis, IOptions<CacheOptions> options, ILogger<RecordCache> log)
{
    private readonly GenerationCache cache = new(redis, RedisKeys.Records, log, RedisKeys.Tasks, RedisKeys.Rankings, RedisKeys.OrgTrees);

    public Task<(T Value, CacheOutcome Outcome)> GetOrLoadAsync<T>(long memberId, int year, string currentMonth,
        Func<CancellationToken, Task<T>> load, CancellationToken ct) =>
        cache.GetOrLoadAsync(string.Create(CultureInfo.InvariantCulture, $"{memberId}:{year}:{currentMonth}"), load,
            _ => options.Value.TaskTtl, ct);

    /// <summary>Retires every cached record. Called after a change to dues, a wish's points, an appraisal or an SMS opt-out has committed.</summary>
    public Task InvalidateAsync() => cache.InvalidateAsync(options.Value.TaskTtl);
}
