using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using WxQms.Domain.Rules;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Caching;

public enum CacheOutcome
{
    Hit,
    Miss,
    /// <summary>Redis did not answer; the value came from MySQL and was not cached.</summary>
    Bypass,
}

/// <summary>
/// Cache-aside for org trees. Redis is only a cache here: when it is down, every read goes to MySQL
/// and the caller still gets an answer.
/// </summary>
public sealed class OrgTreeCache(IConnectionMultiplexer redis, IOptions<CacheOptions> options, ILogger<OrgTreeCache> log)
{
    public async Task<(OrgTreeNode? Tree, CacheOutcome Outcome)> GetOrLoadAsync(
        long orgId, Func<CancellationToken, Task<OrgTreeNode?>> load, CancellationToken ct)
    {
        var db = redis.GetDatabase();
        RedisKey key;
        try
        {
            var generation = (long?)await db.StringGetAsync(RedisKeys.OrgTreeGeneration) ?? 0;
            key = RedisKeys.OrgTree(generation, orgId);
            var cached = await db.StringGetAsync(key);
            if (cached.HasValue)
                return (JsonSerializer.Deserialize<OrgTreeNode>((string)cached!, JsonDefaults.Storage), CacheOutcome.Hit);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            log.LogWarning("Org tree cache unavailable, reading org {OrgId} from MySQL: {Reason}", orgId, ex.Message);
            return (await load(ct), CacheOutcome.Bypass);
        }

        var tree = await load(ct);
        if (tree is null)
            return (null, CacheOutcome.Miss);
        try
        {
            await db.StringSetAsync(key, JsonSerializer.Serialize(tree, JsonDefaults.Storage), options.Value.OrgTreeTtl);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            log.LogWarning("Could not cache org tree {OrgId}: {Reason}", orgId, ex.Message);
        }
        return (tree, CacheOutcome.Miss);
    }

    /// <summary>Retires every cached tree. Called after a change to orgs or members has committed.</summary>
    public async Task InvalidateAsync()
    {
        try
        {
            await redis.GetDatabase().StringIncrementAsync(RedisKeys.OrgTreeGeneration);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            log.LogWarning("Could not invalidate cached org trees; they expire within {Ttl}: {Reason}",
                options.Value.OrgTreeTtl, ex.Message);
        }
    }
}
