using Microsoft.Extensions.Options;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Assessment;
using WxQms.Domain.Rules.Tasks;

namespace WxQms.Domain.Services.Assessment;

/// <summary>
/// The periods a ranking, a star rating or an export may name: from January of <see cref="AssessmentOptions.FirstYear"/>
/// to the current period (<see cref="PeriodAssessment.IsAssessed"/>). Anything else is refused before it is computed,
/// so a caller cannot have the Api build and keep rankings of years that never had a task.
/// </summary>
public sealed class AssessedPeriods(IOptions<AssessmentOptions> options, TimeProvider clock)
{
    private Period? currentMonth;

    public int FirstYear => options.Value.FirstYear;

    /// <summary>This month, worked out (time zones and all) once a month rather than once a request.</summary>
    public Period CurrentMonth()
    {
        var now = clock.GetUtcNow();
        var month = currentMonth;
        if (month is null || now < month.StartsAt || now >= month.EndsAt)
            currentMonth = month = Periods.Containing(Recurrence.Monthly, now);
        return month;
    }

    /// <summary>
    /// What a ranking opens on: the last month that has ended (its close runs at 01:00 on the 1st), where every task has
    /// come due — or this month while the system's first month is still running.
    /// </summary>
    public Period LastClosedMonth()
    {
        var current = CurrentMonth();
        var previous = Periods.Containing(Recurrence.Monthly, current.StartsAt.AddDays(-1));
        return Exists(previous) ? previous : current;
    }

    public bool Exists(Period period) => PeriodAssessment.IsAssessed(period, FirstYear, clock.GetUtcNow());

    /// <summary>What a refusal says: the range that may be asked for.</summary>
    public string Describe(string asked) =>
        $"期间“{asked}”没有考核数据：可查询 {FirstYear} 年 1 月至本期（{CurrentMonth().Key}）";
}
