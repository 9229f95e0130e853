using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using WxQms.Domain.Rules;

namespace WxQms.Domain.Caching;

/// <summary>
/// Cache-aside for org trees. Redis is only a cache here: when it is down, every read goes to MySQL
/// and the caller still gets an answer.
/// </summary>
public sealed class OrgTreeCache(IConnectionMultiplexer redis, IOptions<CacheOptions> options, ILogger<OrgTreeCache> log)
{
    private readonly GenerationCache cache = new(redis, RedisKeys.OrgTrees, log);

    public Task<(OrgTreeNode? Tree, CacheOutcome Outcome)> GetOrLoadAsync(
        long orgId, Func<CancellationToken, Task<OrgTreeNode?>> load, CancellationToken ct) =>
        cache.GetOrLoadAsync(orgId.ToString(CultureInfo.InvariantCulture), load, _ => options.Value.OrgTreeTtl, ct);

    /// <summary>Retires every cached tree. Called after a change to orgs or members has committed.</summary>
    public Task InvalidateAsync() => cache.InvalidateAsync(options.Value.OrgTreeTtl);
}
