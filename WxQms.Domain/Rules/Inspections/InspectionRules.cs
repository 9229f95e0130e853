using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;

namespace WxQms.Domain.Rules.Inspections;

/// <summary>A checklist item as built: the duty it checks (null for a fixed item), the clause it cites and what to check.</summary>
public sealed record ChecklistItem(int No, string? DutyCode, string Clause, string Text);

/// <summary>A branch the plan must cover, and the inspections planned for it in the year (by quarter, submitted or not).</summary>
public sealed record CoverageBranch(long OrgId, string Name, string CommunityName);

/// <summary>A planned inspection as the coverage counts it.</summary>
public sealed record PlannedVisit(long Id, long OrgId, int Quarter, bool Submitted, string? InspectorName);

/// <summary>One branch's line of the coverage: its visits in the year; a gap when it has none.</summary>
public sealed record CoverageLine(CoverageBranch Branch, IReadOnlyList<PlannedVisit> Visits)
{
    public bool Gap => Visits.Count == 0;
}

/// <summary>The year's coverage: every branch, those without a visit (the gaps) first.</summary>
public sealed record Coverage(IReadOnlyList<CoverageLine> Lines)
{
    public IReadOnlyList<CoverageLine> Gaps => Lines.Where(l => l.Gap).ToList();

    public int Covered => Lines.Count(l => !l.Gap);
}

/// <summary>An item's answer as the form sends it.</summary>
public sealed record ItemAnswer(int No, string? Result, string? Severity, string? Note, IReadOnlyList<string>? PhotoTokens);

/// <summary>
/// The inspection's rules (issue #19 items 2, 3, 6), pure: the checklist built from the catalogue and the clauses duties
/// cite; the plan's coverage (every branch at least once a year, the gaps named); whether an inspector's term covers a
/// day; whether a submission is complete (a result for every item, a note for every finding).
/// </summary>
public static class InspectionRules
{
    public const int MaxNote = 1000;
    public const int MaxPhotosPerItem = 9;
    public const int MaxUnit = 100;

    /// <summary>
    /// The checklist for a branch on <paramref name="onDate"/>: one item per duty in force that applies to branches, citing the
    /// clause the duty follows (a controlled document's section) or else the regulation the catalogue names; then the
    /// fixed items every inspection asks. Numbered from 1 in that order.
    /// </summary>
    public static IReadOnlyList<ChecklistItem> Checklist(IEnumerable<TaskTemplate> inForce, IReadOnlyDictionary<string, string> clauses)
    {
        var items = new List<ChecklistItem>();
        foreach (var t in inForce.Where(t => t.AppliesTo.Kind is null or OrgKind.Branch && !t.AppliesTo.CommunityLevelOnly)
                     .OrderBy(t => clauses.ContainsKey(t.Code) ? 0 : 1).ThenBy(t => t.Code, StringComparer.Ordinal))
        {
            var clause = clauses.TryGetValue(t.Code, out var c) ? c : t.Source;
            items.Add(new ChecklistItem(items.Count + 1, t.Code, Clip(clause, 100), Clip($"{t.Name}：按规定开展，记录、签到和照片齐全并按时上报", 300)));
        }
        foreach (var (clause, text) in FixedItems)
            items.Add(new ChecklistItem(items.Count + 1, null, clause, text));
        return items;
    }

    /// <summary>The items every inspection asks whatever the catalogue says.</summary>
    public static readonly IReadOnlyList<(string Clause, string Text)> FixedItems =
    [
        ("《中国共产党支部工作条例（试行）》第十四条", "党务公开栏内容按季度更新"),
        ("《中国共产党支部工作条例（试行）》第十九条", "支部台账（会议记录、党员名册、党费收缴）规范完整"),
    ];

    /// <summary>The coverage of a year's plan: each branch with its visits; a branch with none is a gap. Visits of orgs not listed are ignored.</summary>
    public static Coverage CoverageOf(IReadOnlyList<CoverageBranch> branches, IReadOnlyList<PlannedVisit> visits)
    {
        var byOrg = visits.ToLookup(v => v.OrgId);
        return new Coverage(branches.Select(b => new CoverageLine(b, byOrg[b.OrgId].OrderBy(v => v.Quarter).ToList()))
            .OrderBy(l => l.Gap ? 0 : 1).ThenBy(l => l.Branch.CommunityName, StringComparer.Ordinal).ThenBy(l => l.Branch.OrgId).ToList());
    }

    /// <summary>Whether a term covers a day (both ends included).</summary>
    public static bool InTerm(DateOnly from, DateOnly to, DateOnly day) => from <= day && day <= to;

    /// <summary>Why a term cannot be appointed, or null.</summary>
    public static string? CheckTerm(string? unit, DateOnly? from, DateOnly? to) =>
        string.IsNullOrWhiteSpace(unit) || unit.Trim().Length > MaxUnit ? "请填写巡查员所在单位（不超过100字）"
        : from is null || to is null ? "请填写任期起止日期"
        : to < from ? "任期结束日期不能早于开始日期"
        : to.Value.DayNumber - from.Value.DayNumber > 366 * 5 ? "任期不能超过五年"
        : null;

    /// <summary>The quarter (1–4) of a day.</summary>
    public static int QuarterOf(DateOnly day) => (day.Month + 2) / 3;

    /// <summary>How many days before its quarter's end an inspection not yet made is due (the inspector is told).</summary>
    public const int DueNoticeDays = 14;

    /// <summary>Whether a planned inspection of the quarter is due on <paramref name="today"/>: within its last <see cref="DueNoticeDays"/> days.</summary>
    public static bool DueSoon(int year, int quarter, DateOnly today)
    {
        var end = QuarterEnd(year, quarter);
        return today <= end && today > end.AddDays(-DueNoticeDays);
    }

    /// <summary>The last day of a quarter.</summary>
    public static DateOnly QuarterEnd(int year, int quarter) => new DateOnly(year, quarter * 3, 1).AddMonths(1).AddDays(-1);

    /// <summary>
    /// Why a submission is refused (a code and a message), or null: every item answered once with pass, fail or na; a finding
    /// (fail) described by its note; notes and photos within their limits.
    /// </summary>
    public static (string Code, string Message)? CheckAnswers(IReadOnlyList<int> itemNos, IReadOnlyList<ItemAnswer>? answers, string? summary)
    {
        if (answers is null || answers.Count == 0)
            return ("inspection.incomplete", "请逐项填写检查结果");
        if (answers.Select(a => a.No).Distinct().Count() != answers.Count || answers.Any(a => !itemNos.Contains(a.No)))
            return ("request.invalid", "检查项编号有误");
        if (itemNos.FirstOrDefault(n => answers.All(a => a.No != n)) is var missing and > 0)
            return ("inspection.incomplete", $"第 {missing} 项还没有填写检查结果");
        foreach (var a in answers)
        {
            if (ParseResult(a.Result) is not { } result)
                return ("request.invalid", $"第 {a.No} 项的结果应为符合、不符合或不适用");
            if (a.Note?.Trim().Length > MaxNote)
                return ("request.invalid", $"第 {a.No} 项的说明不能超过 {MaxNote} 个字");
            if ((a.PhotoTokens?.Count ?? 0) > MaxPhotosPerItem)
                return ("request.invalid", $"每项最多上传{MaxPhotosPerItem}张照片");
            if (result == ItemResult.Fail && string.IsNullOrWhiteSpace(a.Note))
                return ("inspection.finding_note_required", $"第 {a.No} 项不符合：请写明发现的问题");
            if (result == ItemResult.Fail && a.Severity is not (null or "minor" or "major"))
                return ("request.invalid", $"第 {a.No} 项的严重程度应为一般或严重");
        }
        if (summary?.Trim().Length > MaxNote)
            return ("request.invalid", $"总体评价不能超过 {MaxNote} 个字");
        return null;
    }

    public static ItemResult? ParseResult(string? result) => result switch
    {
        "pass" => ItemResult.Pass,
        "fail" => ItemResult.Fail,
        "na" => ItemResult.Na,
        _ => null,
    };

    /// <summary>The register's source for a kind of inspection.</summary>
    public static NonconformitySource SourceOf(InspectionKind kind) => kind switch
    {
        InspectionKind.SelfInspection => NonconformitySource.SelfInspection,
        InspectionKind.Audit => NonconformitySource.Audit,
        _ => NonconformitySource.Inspection,
    };

    /// <summary>A finding's source ref: the inspection and the item (one nonconformity per failed item, however often submitted).</summary>
    public static string FindingRef(long inspectionId, int itemNo) => $"inspection:{inspectionId}:{itemNo}";

    public static string Describe(InspectionKind kind) => kind switch
    {
        InspectionKind.SelfInspection => "自查自纠",
        InspectionKind.Audit => "内部审核",
        _ => "巡查",
    };

    public static string Describe(InspectionState state) => state == InspectionState.Submitted ? "已完成" : "待检查";

    public static string Describe(ItemResult result) => result switch
    {
        ItemResult.Pass => "符合",
        ItemResult.Fail => "不符合",
        _ => "不适用",
    };

    private static string Clip(string s, int max) => s.Length <= max ? s : s[..max];
}
