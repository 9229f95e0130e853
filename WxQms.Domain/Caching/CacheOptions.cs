using System.ComponentModel.DataAnnotations;

namespace WxQms.Domain.Caching;

public sealed class CacheOptions
{
    public const string Section = "Cache";

    /// <summary>How long a cached org tree lives. Changes retire it at once; the TTL bounds staleness when
    /// a change could not reach Redis.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan OrgTreeTtl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a cached task list or monitoring summary lives (changes retire them at once).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan TaskTtl { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long a member's token version is trusted, in each process and in Redis: a token issued before an
    /// unbinding, a role change or leaving the roll is refused at the latest this long after it (at once on the
    /// instance that made the change).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan TokenVersionTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long each process trusts its copy of the duty catalogue before it asks Redis (then MySQL) again: a version
    /// added on one instance is used by every other instance and the Jobs host at the latest this long after (at once on
    /// the instance that added it).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan DutyCatalogueTtl { get; set; } = TimeSpan.FromSeconds(10);
}
