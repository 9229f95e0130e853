using System.Globalization;
using WxQms.Domain.Model;

namespace WxQms.Domain.Rules.Nonconformities;

/// <summary>A branch's task due on <see cref="DueOn"/> (local day): whether it was warned (预警) or went overdue.</summary>
public sealed record TaskMark(long OrgId, long TaskId, DateOnly DueOn, bool Warned, bool Overdue);

/// <summary>A meeting of a branch, held on <see cref="HeldOn"/>, whose evidence was judged without quorum.</summary>
public sealed record QuorumMiss(long OrgId, long TaskId, DateOnly HeldOn);

/// <summary>A dues case of six months' arrears (连续六个月不交纳党费) opened for a member of a branch.</summary>
public sealed record ArrearsCase(long CaseId, long OrgId, string Month, int MonthsOwed);

/// <summary>A nonconformity a rule raises: its branch, its source ref (one per branch and quarter, or per case), clause and text.</summary>
public sealed record RuleFinding(long OrgId, string SourceRef, string Clause, NonconformitySeverity Severity, string Description);

/// <summary>
/// The nonconformities raised by rule from the task data (issue #19 item 4): a branch with two warned or overdue tasks in a
/// quarter, a branch whose meetings were judged without quorum twice in a quarter, a member's dues six months in arrears.
/// Each finding's source ref names its branch and quarter (or its case), so the register holds it once however often the
/// scan runs. Pure.
/// </summary>
public static class RaisedByRule
{
    /// <summary>How many warned or overdue tasks, or meetings without quorum, in a quarter raise a nonconformity.</summary>
    public const int Threshold = 2;

    /// <summary>The clauses these findings cite until the controlled documents number them (document number and section).</summary>
    public const string TasksClause = "DFL-QP-03 §4.2 任务按期完成";
    public const string QuorumClause = "DFL-QP-03 §4.3 会议出席人数";
    public const string DuesClause = "DFL-QP-05 §3 党费按月交纳";

    /// <summary>The quarter of a day: "2026-Q3".</summary>
    public static string Quarter(DateOnly day) => string.Create(CultureInfo.InvariantCulture, $"{day.Year:D4}-Q{(day.Month + 2) / 3}");

    public static IReadOnlyList<RuleFinding> FromTasks(IEnumerable<TaskMark> tasks) =>
        tasks.Where(t => t.Warned || t.Overdue)
            .GroupBy(t => (t.OrgId, Quarter: Quarter(t.DueOn)))
            .Where(g => g.Select(t => t.TaskId).Distinct().Count() >= Threshold)
            .OrderBy(g => g.Key.OrgId).ThenBy(g => g.Key.Quarter, StringComparer.Ordinal)
            .Select(g =>
            {
                var n = g.Select(t => t.TaskId).Distinct().Count();
                var overdue = g.Where(t => t.Overdue).Select(t => t.TaskId).Distinct().Count();
                return new RuleFinding(g.Key.OrgId, $"tasks:{g.Key.OrgId}:{g.Key.Quarter}", TasksClause, NonconformitySeverity.Minor,
                    $"{QuarterText(g.Key.Quarter)}有 {n} 项任务被预警或逾期（其中逾期 {overdue} 项），未按期完成规定工作。");
            }).ToList();

    public static IReadOnlyList<RuleFinding> FromQuorum(IEnumerable<QuorumMiss> misses) =>
        misses.GroupBy(m => (m.OrgId, Quarter: Quarter(m.HeldOn)))
            .Where(g => g.Select(m => m.TaskId).Distinct().Count() >= Threshold)
            .OrderBy(g => g.Key.OrgId).ThenBy(g => g.Key.Quarter, StringComparer.Ordinal)
            .Select(g => new RuleFinding(g.Key.OrgId, $"quorum:{g.Key.OrgId}:{g.Key.Quarter}", QuorumClause, NonconformitySeverity.Minor,
                $"{QuarterText(g.Key.Quarter)}有 {g.Select(m => m.TaskId).Distinct().Count()} 次会议出席人数未过半数，会议不成立。"))
            .ToList();

    /// <summary>A case of six months or more raises a serious nonconformity for the branch (the member's name stays in the dues area).</summary>
    public static IReadOnlyList<RuleFinding> FromArrears(IEnumerable<ArrearsCase> cases) =>
        cases.Where(c => c.MonthsOwed >= Dues.Arrears.CommitteeAfter).OrderBy(c => c.CaseId)
            .Select(c => new RuleFinding(c.OrgId, $"dues:{c.CaseId}", DuesClause, NonconformitySeverity.Major,
                $"有党员截至 {c.Month} 已连续 {c.MonthsOwed} 个月未交纳党费（{Dues.Arrears.CaseTitle}）。"))
            .ToList();

    private static string QuarterText(string quarter) => $"{quarter[..4]}年第{quarter[^1]}季度";
}
