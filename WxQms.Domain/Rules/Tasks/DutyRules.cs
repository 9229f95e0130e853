using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;

namespace WxQms.Domain.Rules.Tasks;

/// <summary>
/// What office staff send for a new version of a duty. A field left out (null) stays as in the version it follows;
/// <see cref="Frequency"/> is one of <see cref="DutyRules.Frequencies"/>, <see cref="Quorum"/> none,
/// more_than_half_of_voting or more_than_half_of_committee. Which orgs the duty applies to does not change here.
/// </summary>
public sealed record DutyVersionRequest(
    DateOnly? EffectiveFrom,
    string? Name = null,
    string? Source = null,
    string? Frequency = null,
    decimal? Points = null,
    decimal? LateDeduction = null,
    decimal? OverdueDeduction = null,
    int? MinPhotos = null,
    bool? AttendanceRequired = null,
    string? Quorum = null,
    bool? MinutesRequired = null,
    bool? PlaceRequired = null,
    bool? TopicRequired = null,
    string? RecordLabel = null,
    bool? PlanRequired = null,
    int? PlanDaysAhead = null,
    int? OrganiserDaysBefore = null,
    bool? MembersDayBefore = null,
    bool? SameDayWarning = null,
    int? EscalateAfterDays = null,
    int? PlanReportAfterDays = null);

/// <summary>
/// The rules of a new duty version: a name and the clause it cites, a known frequency, points and deductions that are
/// not negative (lateness costs at most the points), counts of days and photos in range, and an effective date that is
/// in the future, after the version it follows, and the first day of a period of both the old and the new frequency
/// (a month; a quarter for a quarterly duty; 1 January for a yearly one), so no period is split between two versions.
/// Errors are Chinese, by field.
/// </summary>
public static class DutyRules
{
    public const int MaxNameLength = 32, MaxSourceLength = 500, MaxLabelLength = 32, MaxDays = 60, MaxPhotos = 20;
    public const decimal MaxPoints = 100m;

    /// <summary>The frequencies a version may have, with their labels.</summary>
    public static readonly IReadOnlyList<(string Key, string Label)> Frequencies =
    [
        ("monthly", "每月"), ("monthly_per_group", "每个党小组每月"), ("quarterly", "每季度"), ("yearly", "每年"),
        ("yearly_q1", "每年（第一季度）"), ("yearly_q2", "每年（第二季度）"), ("yearly_q3", "每年（第三季度）"), ("yearly_q4", "每年（第四季度）"),
    ];

    public static readonly IReadOnlyList<(string Key, string Label)> Quorums =
    [
        ("none", "无"), ("more_than_half_of_voting", "有表决权的党员过半数到会"), ("more_than_half_of_committee", "过半数委员到会"),
    ];

    public static string FrequencyKey(Recurrence r) => (r.Kind, r.WithinQuarter, r.PerPartyGroup) switch
    {
        (RecurrenceKind.Monthly, _, true) => "monthly_per_group",
        (RecurrenceKind.Monthly, _, _) => "monthly",
        (RecurrenceKind.Quarterly, _, _) => "quarterly",
        (RecurrenceKind.Yearly, { } q, _) => $"yearly_q{q}",
        (RecurrenceKind.Yearly, _, _) => "yearly",
        _ => "once",
    };

    public static Recurrence? ParseFrequency(string? key) => key switch
    {
        "monthly" => Recurrence.Monthly,
        "monthly_per_group" => Recurrence.MonthlyPerPartyGroup,
        "quarterly" => Recurrence.Quarterly,
        "yearly" => Recurrence.Yearly,
        "yearly_q1" or "yearly_q2" or "yearly_q3" or "yearly_q4" => Recurrence.YearlyWithinQuarter(key[^1] - '0'),
        _ => null,
    };

    public static string QuorumKey(Quorum q) => q switch
    {
        Quorum.MoreThanHalfOfVoting => "more_than_half_of_voting",
        Quorum.MoreThanHalfOfCommittee => "more_than_half_of_committee",
        _ => "none",
    };

    private static Quorum? ParseQuorum(string? key) => key switch
    {
        "none" => Quorum.None,
        "more_than_half_of_voting" => Quorum.MoreThanHalfOfVoting,
        "more_than_half_of_committee" => Quorum.MoreThanHalfOfCommittee,
        _ => null,
    };

    /// <summary>
    /// The version <paramref name="request"/> makes after <paramref name="previous"/> (numbered
    /// <paramref name="version"/>), or the errors by field (request field names in camelCase). Fields left out keep
    /// <paramref name="basis"/>'s values (the version being rewritten), or else <paramref name="previous"/>'s.
    /// </summary>
    public static (TaskTemplate? Template, IReadOnlyDictionary<string, string> Errors) Check(DutyVersionRequest request,
        TaskTemplate previous, int version, DateOnly today, TaskTemplate? basis = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(previous);
        var b = basis ?? previous;
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        var name = (request.Name ?? b.Name).Trim();
        if (name.Length == 0 || name.Length > MaxNameLength)
            errors["name"] = $"请填写职责名称（不超过{MaxNameLength}字）";
        var source = (request.Source ?? b.Source).Trim();
        if (source.Length == 0 || source.Length > MaxSourceLength)
            errors["source"] = $"请填写所依据的制度或文件条款（不超过{MaxSourceLength}字）";
        var recurrence = request.Frequency is null ? b.Recurrence : ParseFrequency(request.Frequency.Trim());
        if (recurrence is null)
            errors["frequency"] = "频次须为：" + string.Join("、", Frequencies.Select(f => f.Label));
        else if (recurrence.PerPartyGroup && b.AppliesTo.Kind != OrgKind.Branch)
            errors["frequency"] = "按党小组的频次只适用于党支部的职责";

        var points = request.Points ?? b.Points;
        if (!Money(points, MaxPoints))
            errors["points"] = $"分值须在0到{MaxPoints:0}之间，最多两位小数";
        var late = request.LateDeduction ?? b.LateDeduction;
        if (!Money(late, MaxPoints) || late > points)
            errors["lateDeduction"] = "逾期完成扣分须不小于0、不超过分值，最多两位小数";
        var overdue = request.OverdueDeduction ?? b.OverdueDeduction;
        if (!Money(overdue, MaxPoints))
            errors["overdueDeduction"] = $"未完成扣分须在0到{MaxPoints:0}之间，最多两位小数";

        var e = b.EvidenceRule;
        var minPhotos = request.MinPhotos ?? e.MinPhotos;
        if (minPhotos is < 0 or > MaxPhotos)
            errors["minPhotos"] = $"照片张数须在0到{MaxPhotos}之间";
        var quorum = request.Quorum is null ? e.Quorum : ParseQuorum(request.Quorum.Trim());
        var attendance = request.AttendanceRequired ?? e.AttendanceRequired;
        if (quorum is null)
            errors["quorum"] = "到会要求须为：" + string.Join("、", Quorums.Select(q => q.Label));
        else if (quorum != Quorum.None && !attendance)
            errors["quorum"] = "有到会人数要求的职责须登记出席情况";
        var label = (request.RecordLabel ?? e.RecordLabel).Trim();
        if (label.Length == 0 || label.Length > MaxLabelLength)
            errors["recordLabel"] = $"请填写佐证记录名称（不超过{MaxLabelLength}字）";

        var planDays = request.PlanDaysAhead ?? b.PlanRule.DaysAhead;
        if (planDays is < 0 or > MaxDays)
            errors["planDaysAhead"] = $"提前报计划天数须在0到{MaxDays}之间";
        var r = b.ReminderRule;
        var organiserDays = request.OrganiserDaysBefore ?? r.OrganiserDaysBefore;
        if (organiserDays is < 0 or > MaxDays)
            errors["organiserDaysBefore"] = $"提前提醒天数须在0到{MaxDays}之间";
        var escalate = request.EscalateAfterDays ?? r.EscalateAfterDays;
        if (escalate is < 1 or > MaxDays)
            errors["escalateAfterDays"] = $"逾期再次上报间隔须在1到{MaxDays}天之间";
        var planReport = request.PlanReportAfterDays ?? r.PlanReportAfterDays;
        if (planReport is < 0 or > MaxDays)
            errors["planReportAfterDays"] = $"催报计划天数须在0到{MaxDays}之间";

        if (request.EffectiveFrom is not { } from)
            errors["effectiveFrom"] = "请填写生效日期";
        else if (from <= today)
            errors["effectiveFrom"] = "生效日期须晚于今天：已开始的周期按原版本执行";
        else if (from <= previous.EffectiveFrom)
            errors["effectiveFrom"] = $"生效日期须晚于第{previous.Version}版的生效日期（{previous.EffectiveFrom:yyyy-MM-dd}）";
        else if (!StartsPeriod(from, previous.Recurrence) || (recurrence is not null && !StartsPeriod(from, recurrence)))
            errors["effectiveFrom"] = "生效日期须为周期的第一天：按月为每月1日，按季度为1、4、7、10月1日，按年为1月1日";

        if (errors.Count > 0)
            return (null, errors);
        var template = new TaskTemplate(previous.Code, version, request.EffectiveFrom!.Value, name, source, recurrence!,
            b.AppliesTo, new PlanRule(request.PlanRequired ?? b.PlanRule.Required, planDays),
            new EvidenceRule(minPhotos, attendance, quorum!.Value, request.MinutesRequired ?? e.MinutesRequired,
                request.PlaceRequired ?? e.PlaceRequired, request.TopicRequired ?? e.TopicRequired, label),
            points, late, overdue,
            new ReminderRule(organiserDays, request.MembersDayBefore ?? r.MembersDayBefore, request.SameDayWarning ?? r.SameDayWarning,
                escalate, planReport));
        return (template, errors);
    }

    /// <summary>Whether <paramref name="day"/> is the first day of a period of <paramref name="recurrence"/>.</summary>
    public static bool StartsPeriod(DateOnly day, Recurrence recurrence) => day.Day == 1 && recurrence.Kind switch
    {
        RecurrenceKind.Quarterly => day.Month % 3 == 1,
        RecurrenceKind.Yearly => day.Month == 1,
        _ => true,
    };

    private static bool Money(decimal value, decimal max) => value >= 0 && value <= max && decimal.Round(value, 2) == value;
}
