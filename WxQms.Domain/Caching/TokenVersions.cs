using System.Collections.Concurrent;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MySqlConnector;
using StackExchange.Redis;

namespace WxQms.Domain.Caching;

/// <summary>
/// Each member's token version (<c>members.token_version</c>), which a mini-program token carries from its issue:
/// unbinding, a role change or leaving the roll bumps it, and a token with an older version is refused. Checked on
/// every request, so it is read through two short caches (<see cref="CacheOptions.TokenVersionTtl"/>): this
/// process's memory, answered without awaiting anything, then Redis, then MySQL (with Redis down, MySQL at most once
/// per member and TTL in each process). A change publishes the new version to Redis and drops it from this process,
/// so other instances see it within the TTL. Concurrent requests for the same member share one load.
/// </summary>
public sealed class TokenVersions(IConnectionMultiplexer redis, MySqlDataSource db, IOptions<CacheOptions> options,
    TimeProvider clock, ILogger<TokenVersions> log)
{
    /// <summary>Members remembered per process; when full, stale entries go, then everything.</summary>
    public const int Capacity = 100_000;

    private readonly ConcurrentDictionary<long, Entry> local = new();

    private sealed class Entry(Func<Task<int>> load, DateTimeOffset fetchedAt)
    {
        private readonly Lazy<Task<int>> version = new(load);

        public Task<int> Version => version.Value;

        public DateTimeOffset FetchedAt { get; } = fetchedAt;
    }

    /// <summary>Whether a token with <paramref name="tokenVersion"/> is still current for the member.</summary>
    public ValueTask<bool> IsCurrentAsync(long memberId, int tokenVersion)
    {
        var now = clock.GetUtcNow();
        if (local.TryGetValue(memberId, out var entry) && Fresh(entry, now) && entry.Version.IsCompletedSuccessfully)
            return ValueTask.FromResult(tokenVersion >= entry.Version.Result);
        return LoadAsync(memberId, tokenVersion, now, entry);
    }

    /// <summary>After a bump has committed: this process forgets the old version and Redis gets the new one.</summary>
    public async Task PublishAsync(long memberId, CancellationToken ct)
    {
        local.TryRemove(memberId, out _);
        var version = await ReadAsync(memberId, ct);
        try
        {
            await redis.GetDatabase().StringSetAsync(RedisKeys.TokenVersion(memberId), version, options.Value.TokenVersionTtl);
            local.TryRemove(memberId, out _); // a request that read Redis before the set would keep the old version
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            log.LogWarning("Token version of member {MemberId} not published: Redis is unavailable ({Error}); other instances see it within {Ttl}",
                memberId, ex.Message, options.Value.TokenVersionTtl * 2);
        }
    }

    /// <summary>Forgets every version this process holds (a test emptying the database and Redis under a fixed clock).</summary>
    public void Forget() => local.Clear();

    private async ValueTask<bool> LoadAsync(long memberId, int tokenVersion, DateTimeOffset now, Entry? seen)
    {
        var entry = seen is not null && Fresh(seen, now) && !seen.Version.IsFaulted ? seen : Replace(memberId, now, seen);
        try
        {
            return tokenVersion >= await entry.Version;
        }
        catch
        {
            local.TryRemove(KeyValuePair.Create(memberId, entry));
            throw;
        }
    }

    private Entry Replace(long memberId, DateTimeOffset now, Entry? seen)
    {
        var fresh = new Entry(() => FetchAsync(memberId), now);
        if (seen is null)
        {
            if (local.Count >= Capacity)
                Evict(now);
            return local.GetOrAdd(memberId, fresh);
        }
        return local.TryUpdate(memberId, fresh, seen) ? fresh : local.GetOrAdd(memberId, fresh);
    }

    private async Task<int> FetchAsync(long memberId)
    {
        var key = RedisKeys.TokenVersion(memberId);
        var cache = true;
        try
        {
            var cached = await redis.GetDatabase().StringGetAsync(key);
            if (cached.HasValue)
                return (int)cached;
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            log.LogWarning("Token version of member {MemberId} read from MySQL: Redis is unavailable ({Error})", memberId, ex.Message);
            cache = false;
        }
        var version = await ReadAsync(memberId, CancellationToken.None);
        if (cache)
        {
            try
            {
                // Only when absent: a bump that published meanwhile must not be overwritten with what we read before it.
                await redis.GetDatabase().StringSetAsync(key, version, options.Value.TokenVersionTtl, When.NotExists);
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                log.LogWarning("Token version of member {MemberId} not cached: {Error}", memberId, ex.Message);
            }
        }
        return version;
    }

    private async Task<int> ReadAsync(long memberId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<int?>(new CommandDefinition("SELECT token_version FROM members WHERE id = @memberId",
            new { memberId }, cancellationToken: ct)) ?? 0;
    }

    private bool Fresh(Entry entry, DateTimeOffset now) => now - entry.FetchedAt < options.Value.TokenVersionTtl;

    private void Evict(DateTimeOffset now)
    {
        foreach (var (memberId, entry) in local)
        {
            if (!Fresh(entry, now))
                local.TryRemove(KeyValuePair.Create(memberId, entry));
        }
        if (local.Count >= Capacity)
            local.Clear();
    }
}
