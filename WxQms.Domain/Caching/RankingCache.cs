using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using WxQms.Domain.Hosting;
using WxQms.Domain.Rules.Assessment;
using WxQms.Domain.Services.Assessment;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Caching;

/// <summary>A ranking ready to serve: its JSON bytes and their ETag.</summary>
public sealed record CachedRanking(RankingView View, byte[] Json, string ETag);

/// <summary>
/// Rankings cached in two layers: a short in-process layer (real time, <see cref="AssessmentOptions.LocalCacheTtl"/>,
/// at most <see cref="AssessmentOptions.LocalCacheEntries"/> rankings) in front of Redis. Redis keys carry a
/// generation that a close bumps, so one INCR retires every cached ranking; a closed month lives long, an open
/// period briefly. With Redis down, rankings come from MySQL.
/// </summary>
public sealed class RankingCache(IConnectionMultiplexer redis, IOptions<AssessmentOptions> options, ILogger<RankingCache> log) : IDisposable
{
    private readonly GenerationCache shared = new(redis, RedisKeys.Rankings, log);

    // Each ranking weighs 1 against the limit: a full cache drops expired and least recently used rankings.
    private readonly MemoryCache local = new(new MemoryCacheOptions { SizeLimit = options.Value.LocalCacheEntries });

    /// <summary>How many rankings the in-process layer holds now (expired ones until they are swept).</summary>
    public int LocalCount => local.Count;

    /// <summary>
    /// The ranking from the in-process layer, if it holds a fresh one. Synchronous and allocation-free (the key
    /// is formatted on the stack): it is what almost every ranking request ends with.
    /// </summary>
    public bool TryGetLocal(string period, long scopeId, RankingLevel level, [NotNullWhen(true)] out CachedRanking? ranking)
    {
        Span<char> key = stackalloc char[LocalKeyLength];
        if (options.Value.LocalCacheTtl > TimeSpan.Zero && TryFormatLocalKey(key, period, scopeId, level, out var length)
            && local.TryGetValue(key[..length], out CachedRanking? hit) && hit is not null)
        {
            WxQmsTelemetry.CacheLookup(RedisKeys.Rankings, "hit"); // the in-process layer's hits; its misses go on to Redis, counted there
            ranking = hit;
            return true;
        }
        ranking = null;
        return false;
    }

    // A period key (≤ 7 characters), a long and a level letter.
    private const int LocalKeyLength = 48;

    private static bool TryFormatLocalKey(Span<char> into, string period, long scopeId, RankingLevel level, out int length) =>
        into.TryWrite(CultureInfo.InvariantCulture, $"{period}:{scopeId}:{(level == RankingLevel.Community ? 'c' : 'b')}", out length);

    private static string LocalKey(string period, long scopeId, RankingLevel level) =>
        string.Create(CultureInfo.InvariantCulture, $"{period}:{scopeId}:{(level == RankingLevel.Community ? 'c' : 'b')}");

    /// <summary>
    /// The ranking from either layer, or built by <paramref name="load"/> and cached. Requests of one process
    /// that miss together share one load (a live period's cache expiring under load would otherwise have every
    /// waiting request rebuild the same ranking from MySQL); a caller that gives up stops waiting, not the load.
    /// </summary>
    public async Task<(CachedRanking? Ranking, CacheOutcome Outcome)> GetOrLoadAsync(string period, long scopeId, RankingLevel level,
        Func<CancellationToken, Task<RankingView?>> load, CancellationToken ct)
    {
        if (TryGetLocal(period, scopeId, level, out var hit))
            return (hit, CacheOutcome.Hit);
        var flight = loading.GetOrAdd((period, scopeId, level), static (key, state) =>
            new Lazy<Task<(CachedRanking?, CacheOutcome)>>(() => state.Cache.LoadOnceAsync(key, state.Load)), (Cache: this, Load: load));
        return await flight.Value.WaitAsync(ct);
    }

    private readonly ConcurrentDictionary<(string Period, long ScopeId, RankingLevel Level), Lazy<Task<(CachedRanking?, CacheOutcome)>>> loading = new();

    private async Task<(CachedRanking? Ranking, CacheOutcome Outcome)> LoadOnceAsync((string Period, long ScopeId, RankingLevel Level) flight,
        Func<CancellationToken, Task<RankingView?>> load)
    {
        try
        {
            return await LoadAsync(flight.Period, flight.ScopeId, flight.Level, load, CancellationToken.None);
        }
        finally
        {
            loading.TryRemove(flight, out _);
        }
    }

    private async Task<(CachedRanking? Ranking, CacheOutcome Outcome)> LoadAsync(string period, long scopeId, RankingLevel level,
        Func<CancellationToken, Task<RankingView?>> load, CancellationToken ct)
    {
        if (TryGetLocal(period, scopeId, level, out var hit))
            return (hit, CacheOutcome.Hit);

        var localKey = LocalKey(period, scopeId, level);
        var (ranking, outcome) = await shared.GetOrLoadAsync(localKey, async c => await load(c) is { } view ? Wrap(view) : null,
            r => r!.View.Provisional ? options.Value.LiveCacheTtl : options.Value.ClosedCacheTtl, ct,
            read: json => Wrap(JsonSerializer.Deserialize<RankingView>(json, JsonDefaults.Storage)!, json), write: r => r!.Json);
        if (ranking is not null && outcome != CacheOutcome.Bypass)
            Remember(localKey, ranking);
        return (ranking, outcome);
    }

    /// <summary>Retires every cached ranking: this process's at once, other processes' within <see cref="AssessmentOptions.LocalCacheTtl"/>.</summary>
    public Task InvalidateAsync()
    {
        local.Clear();
        return shared.InvalidateAsync(options.Value.ClosedCacheTtl);
    }

    private void Remember(string key, CachedRanking value)
    {
        var ttl = options.Value.LocalCacheTtl;
        if (ttl > TimeSpan.Zero)
            local.Set(key, value, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = ttl, Size = 1 });
    }

    public void Dispose() => local.Dispose();

    private static CachedRanking Wrap(RankingView view, byte[]? json = null)
    {
        json ??= JsonSerializer.SerializeToUtf8Bytes(view, JsonDefaults.Storage);
        return new CachedRanking(view, json, $"\"{Base64Url.EncodeToString(SHA256.HashData(json).AsSpan(0, 18))}\"");
    }
}
