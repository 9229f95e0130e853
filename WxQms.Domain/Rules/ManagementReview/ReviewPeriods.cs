using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;

namespace WxQms.Domain.Rules.ManagementReview;

/// <summary>The periods a management review covers: a quarter ("2026Q4" or "2026-Q4") or a year ("2026").</summary>
public static class ReviewPeriods
{
    public static bool TryParse(string? text, out Period period)
    {
        period = null!;
        var key = text?.Trim() ?? "";
        if (key.Length == 6 && key[4] is 'Q' or 'q')
            key = string.Concat(key.AsSpan(0, 4), "-Q", key.AsSpan(5));
        return Periods.TryParse(key, out period) && period.Kind is RecurrenceKind.Quarterly or RecurrenceKind.Yearly;
    }

    /// <summary>"2026Q4" or "2026": how the review's links name a period.</summary>
    public static string Name(Period period) => period.Key.Replace("-", "", StringComparison.Ordinal);

    /// <summary>The quarter containing <paramref name="now"/>.</summary>
    public static Period QuarterOf(DateTimeOffset now) => Periods.Containing(Recurrence.Quarterly, now);
}
