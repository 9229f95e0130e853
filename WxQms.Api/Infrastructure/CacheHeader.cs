using WxQms.Domain.Caching;

namespace WxQms.Api.Infrastructure;

/// <summary>The <c>X-Cache</c> header of a cached read (task lists, the org tree, rankings): hit, miss or bypass (Redis down).</summary>
public static class CacheHeader
{
    public static void SetCacheOutcome(this HttpResponse response, CacheOutcome outcome) =>
        response.Headers["X-Cache"] = outcome switch
        {
            CacheOutcome.Hit => "hit",
            CacheOutcome.Miss => "miss",
            _ => "bypass",
        };
}
