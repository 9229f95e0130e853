using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Caching;

/// <summary>
/// The running system's task catalogue: the versions in duty_versions (<see cref="DutyStore"/>), held in this process
/// for <see cref="CacheOptions.DutyCatalogueTtl"/> and behind that in Redis under the <see cref="RedisKeys.Duties"/>
/// generation, so adding a version on one instance (<see cref="RetireAsync"/>) retires every copy: at once here and
/// in Redis, within the TTL in other processes. With Redis down the versions come from MySQL once per TTL.
/// <see cref="TaskCatalogue.Default"/> is only the seed (and what pure unit tests use).
/// </summary>
public sealed class DutyCatalogueCache(IConnectionMultiplexer redis, DutyStore store, IOptions<CacheOptions> options,
    TimeProvider clock, ILogger<DutyCatalogueCache> log) : ITaskCatalogueSource
{
    /// <summary>How long the versions live in Redis; a retirement bumps the generation long before.</summary>
    private static readonly TimeSpan RedisTtl = TimeSpan.FromHours(1);

    private readonly GenerationCache cache = new(redis, RedisKeys.Duties, log);
    private volatile Entry? entry;

    private sealed record Entry(TaskCatalogue Catalogue, IReadOnlyList<DutyVersionRow> Rows, DateTimeOffset FetchedAt);

    /// <summary>Every version of every duty as stored now (within the TTL).</summary>
    public async Task<TaskCatalogue> GetAsync(CancellationToken ct) => (await EntryAsync(ct)).Catalogue;

    /// <summary>The stored rows behind <see cref="GetAsync"/>: who added each version and when.</summary>
    public async Task<IReadOnlyList<DutyVersionRow>> RowsAsync(CancellationToken ct) => (await EntryAsync(ct)).Rows;

    /// <summary>After a version was added or changed (committed): this process and Redis forget the old catalogue.</summary>
    public async Task RetireAsync()
    {
        entry = null;
        await cache.InvalidateAsync(RedisTtl);
        entry = null;
    }

    /// <summary>Forgets this process's copy (a test that empties the database).</summary>
    public void Forget() => entry = null;

    private async Task<Entry> EntryAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (entry is { } e && now >= e.FetchedAt && now - e.FetchedAt < options.Value.DutyCatalogueTtl)
            return e;
        var (rows, _) = await cache.GetOrLoadAsync("all", c => store.LoadAsync(now, c), _ => RedisTtl, ct);
        var fresh = new Entry(new TaskCatalogue(rows.Select(r => r.ToTemplate())), rows, now);
        entry = fresh;
        return fresh;
    }
}
