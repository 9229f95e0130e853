using System.ComponentModel.DataAnnotations;
using WxQms.Domain.Rules.Tasks;

namespace WxQms.Domain.Rules.Assessment;

/// <summary>民主评议党员 grades, given once a year; the hook that can move a member's stars.</summary>
public enum AppraisalGrade
{
    /// <summary>优秀</summary>
    Excellent,
    /// <summary>合格</summary>
    Qualified,
    /// <summary>基本合格</summary>
    BasicallyQualified,
    /// <summary>不合格</summary>
    Unqualified,
}

/// <summary>
/// The assessment's settings (section <c>Assessment</c>), checked at start: four rising thresholds of
/// a member's points in the year so far, for 2, 3, 4 and 5 stars (below the first: 1 star).
/// </summary>
public sealed class AssessmentOptions : IValidatableObject
{
    public const string Section = "Assessment";

    public decimal[] StarThresholds { get; set; } = [4, 10, 18, 28];

    /// <summary>How long a ranking of an open (provisional) period is cached in Redis.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LiveCacheTtl { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a closed month's ranking is cached in Redis (it never changes; a close retires it anyway).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan ClosedCacheTtl { get; set; } = TimeSpan.FromHours(6);

    /// <summary>The in-process layer in front of Redis. Short: other instances learn of a close only through Redis.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan LocalCacheTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many rankings the in-process layer holds at most; beyond it the least recently used go.</summary>
    [Range(1, 100_000)]
    public int LocalCacheEntries { get; set; } = 1024;

    /// <summary>
    /// The year the system went live: rankings, stars and exports exist from its January to the current period.
    /// Default: the year the task catalogue's first version came into force (the demo's first plan year).
    /// </summary>
    [Range(2000, 9998)]
    public int FirstYear { get; set; } = TaskCatalogue.DefaultEffectiveFrom.Year;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Stars.Check(StarThresholds) is { } problem)
            yield return new ValidationResult(problem, [nameof(StarThresholds)]);
    }
}

/// <summary>
/// Member star ratings (星级党员): 1 to 5 from the year's points and the configured thresholds, then the
/// year-end 民主评议 grade when there is one: 优秀 adds a star (at most 5), 合格 leaves them, 基本合格
/// caps them at 2 and 不合格 at 1.
/// </summary>
public static class Stars
{
    public const int Min = 1;
    public const int Max = 5;

    public static int For(decimal yearPoints, IReadOnlyList<decimal> thresholds, AppraisalGrade? grade = null)
    {
        if (Check(thresholds) is { } problem)
            throw new ArgumentException(problem, nameof(thresholds));
        var stars = Min + thresholds.Count(t => yearPoints >= t);
        return grade switch
        {
            AppraisalGrade.Excellent => Math.Min(Max, stars + 1),
            AppraisalGrade.BasicallyQualified => Math.Min(2, stars),
            AppraisalGrade.Unqualified => Min,
            _ => stars,
        };
    }

    /// <summary>Null when the thresholds are usable: four of them, each higher than the one before.</summary>
    public static string? Check(IReadOnlyList<decimal>? thresholds)
    {
        if (thresholds is null || thresholds.Count != Max - Min)
            return $"StarThresholds needs {Max - Min} values (points for 2, 3, 4 and 5 stars)";
        for (var i = 1; i < thresholds.Count; i++)
        {
            if (thresholds[i] <= thresholds[i - 1])
                return "StarThresholds must rise strictly";
        }
        return null;
    }

    public static string Label(int stars) => new string('★', stars) + new string('☆', Max - stars);
}
