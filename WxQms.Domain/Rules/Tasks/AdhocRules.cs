using WxQms.Domain.Model.Tasks;

namespace WxQms.Domain.Rules.Tasks;

/// <summary>
/// What makes an ad-hoc task issuable, and what it becomes: due at the end of its due day in
/// Shanghai, counted in the month of that day (so the assessment compares it with the month's other
/// work), open from the moment it is issued. Deductions default to half the points for lateness
/// and nothing for an ad-hoc task never done beyond losing its points (the issuer can set either).
/// </summary>
public static class AdhocRules
{
    public const int MaxTitleLength = 30;
    public const int MaxDescriptionLength = 1000;
    public const decimal MaxPoints = 100m;
    public const int MaxTargets = 5000;
    public const int MaxDaysAhead = 366;

    public sealed record Issuable(string Title, string? Description, DateTimeOffset OpensAt, DateTimeOffset DueAt, string PeriodKey,
        decimal Points, decimal LateDeduction, decimal OverdueDeduction, EvidenceRule EvidenceRule);

    /// <summary>The task as it will be stored, or the first reason it cannot be issued (in Chinese).</summary>
    public static (Issuable? Task, string? Refusal) Check(AdhocTaskRequest request, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        var title = request.Title?.Trim();
        if (string.IsNullOrEmpty(title))
            return Refuse("请填写任务标题");
        if (title.Length > MaxTitleLength)
            return Refuse($"任务标题不超过{MaxTitleLength}字");
        var description = string.IsNullOrWhiteSpace(request.Description) ? null : request.Description.Trim();
        if (description is { Length: > MaxDescriptionLength })
            return Refuse($"任务说明不超过{MaxDescriptionLength}字");

        var today = Periods.LocalDate(now);
        if (request.DueOn < today)
            return Refuse("截止日期不能早于今天");
        if (request.DueOn > today.AddDays(MaxDaysAhead))
            return Refuse("截止日期不能超过一年以后");
        if (request.Points is <= 0 or > MaxPoints)
            return Refuse($"分值应大于0且不超过{MaxPoints:0}分");
        var late = request.LateDeduction ?? Math.Round(request.Points / 2, 2);
        var overdue = request.OverdueDeduction ?? 0m;
        if (late < 0 || late > request.Points)
            return Refuse("逾期完成扣分应在0到分值之间");
        if (overdue is < 0 or > MaxPoints)
            return Refuse($"逾期未完成扣分应在0到{MaxPoints:0}分之间");
        if (request.MinPhotos is < 0 or > 9)
            return Refuse("最少照片数应在0到9之间");
        if (request.OrgIds is not { Count: > 0 })
            return Refuse("请选择下发的组织");
        if (request.OrgIds.Count > MaxTargets)
            return Refuse($"一次最多下发给{MaxTargets}个组织");

        // Due at the end of the due day: the first instant of the next Shanghai day.
        var dueAt = Periods.StartOf(request.DueOn.AddDays(1));
        var month = Periods.Containing(Recurrence.Monthly, Periods.StartOf(request.DueOn));
        var rule = new EvidenceRule(request.MinPhotos, request.AttendanceRequired, Quorum.None, request.MinutesRequired,
            request.PlaceRequired, request.TopicRequired, request.MinutesRequired ? "工作记录" : "会议记录");
        return (new Issuable(title, description, now, dueAt, month.Key, request.Points, late, overdue, rule), null);
    }

    private static (Issuable?, string?) Refuse(string why) => (null, why);
}
