using WxQms.Domain.Model.Tasks;

namespace WxQms.Domain.Rules.Tasks;

/// <summary>
/// Whether a reported plan meets the duty's <see cref="PlanRule"/>: the meeting falls inside the
/// task's window and the plan comes at least DaysAhead Shanghai calendar days before it (reported on
/// the 17th for a meeting on the 20th is 3 days ahead, whatever the hour). Null means accepted.
/// </summary>
public static class PlanCheck
{
    public static string? Refusal(
        TaskTemplate template,
        DateTimeOffset plannedFor,
        DateTimeOffset reportedAt,
        DateTimeOffset opensAt,
        DateTimeOffset dueAt)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (plannedFor < opensAt || plannedFor >= dueAt)
            return $"计划时间（{Periods.Describe(plannedFor)}）不在本期内（{Periods.Describe(Periods.LocalDate(opensAt))}至{Periods.Describe(Periods.LocalDate(dueAt).AddDays(-1))}）";
        var daysAhead = Periods.LocalDate(plannedFor).DayNumber - Periods.LocalDate(reportedAt).DayNumber;
        if (template.PlanRule.Required && daysAhead < template.PlanRule.DaysAhead)
            return $"须提前{template.PlanRule.DaysAhead}天报备计划（计划时间{Periods.Describe(plannedFor)}，现在仅提前{Math.Max(daysAhead, 0)}天）";
        return null;
    }
}
