using System.Collections;
using System.Diagnostics.CodeAnalysis;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;

namespace WxQms.Domain.Rules.Tasks;

/// <summary>The codes of the default catalogue; they appear in task keys, so they never change.</summary>
public static class TaskCodes
{
    public const string MemberMeeting = "member_meeting";
    public const string CommitteeMeeting = "committee_meeting";
    public const string GroupMeeting = "group_meeting";
    public const string PartyLecture = "party_lecture";
    public const string ThemePartyDay = "theme_party_day";
    public const string OrgLifeMeeting = "org_life_meeting";
    public const string MemberAppraisal = "member_appraisal";
    public const string HeartToHeartTalks = "heart_to_heart_talks";
    public const string PartyDues = "party_dues";
    public const string SecretaryReport = "secretary_report";
}

/// <summary>
/// The versioned task catalogue: every version of every duty. A version is in force from its
/// <see cref="TaskTemplate.EffectiveFrom"/> until the next version of the same code takes over.
/// Adding a version makes a new catalogue and leaves older versions resolvable by
/// <see cref="Get"/>, so tasks made under them are judged as they were made.
/// </summary>
public sealed class TaskCatalogue : IReadOnlyCollection<TaskTemplate>
{
    public static readonly DateOnly DefaultEffectiveFrom = new(2026, 1, 1);

    /// <summary>DUTIES.md A.2, version 1, in force from 2026-01-01.</summary>
    public static TaskCatalogue Default { get; } = new(DefaultTemplates());

    // Each code's versions in ascending order (version and effective date rise together).
    private readonly Dictionary<string, TaskTemplate[]> byCode;
    private readonly TaskTemplate[] all;

    public TaskCatalogue(IEnumerable<TaskTemplate> templates)
    {
        ArgumentNullException.ThrowIfNull(templates);
        byCode = new Dictionary<string, TaskTemplate[]>(StringComparer.Ordinal);
        foreach (var group in templates.GroupBy(t => t.Code, StringComparer.Ordinal))
        {
            var versions = group.OrderBy(t => t.Version).ToArray();
            for (var i = 0; i < versions.Length; i++)
            {
                Validate(versions[i]);
                if (i > 0 && versions[i].Version == versions[i - 1].Version)
                    throw new ArgumentException($"{group.Key} has version {versions[i].Version} twice", nameof(templates));
                if (i > 0 && versions[i].EffectiveFrom <= versions[i - 1].EffectiveFrom)
                    throw new ArgumentException(
                        $"{group.Key} v{versions[i].Version} must take effect after v{versions[i - 1].Version}", nameof(templates));
            }
            byCode.Add(group.Key, versions);
        }
        all = byCode.Keys.Order(StringComparer.Ordinal).SelectMany(c => byCode[c]).ToArray();
    }

    public int Count => all.Length;

    public IReadOnlyCollection<string> Codes => byCode.Keys;

    /// <summary>All versions of one code, oldest first; empty for an unknown code.</summary>
    public IReadOnlyList<TaskTemplate> Versions(string code) =>
        byCode.TryGetValue(code, out var versions) ? versions : [];

    /// <summary>The version of <paramref name="code"/> in force on <paramref name="onDate"/> (a Shanghai date).</summary>
    public TaskTemplate Resolve(string code, DateOnly onDate) =>
        TryResolve(code, onDate, out var template)
            ? template
            : throw new KeyNotFoundException(byCode.ContainsKey(code)
                ? $"{code} is not in force on {onDate:yyyy-MM-dd}"
                : $"{code} is not in the catalogue");

    public bool TryResolve(string code, DateOnly onDate, [NotNullWhen(true)] out TaskTemplate? template)
    {
        template = null;
        if (!byCode.TryGetValue(code, out var versions))
            return false;
        for (var i = versions.Length - 1; i >= 0; i--)
        {
            if (versions[i].EffectiveFrom <= onDate)
            {
                template = versions[i];
                return true;
            }
        }
        return false;
    }

    /// <summary>The exact version a task was created under.</summary>
    public TaskTemplate Get(string code, int version) =>
        byCode.TryGetValue(code, out var versions) && Array.Find(versions, t => t.Version == version) is { } t
            ? t
            : throw new KeyNotFoundException($"{code} v{version} is not in the catalogue");

    /// <summary>Every duty as in force on <paramref name="onDate"/>, one version per code.</summary>
    public IReadOnlyList<TaskTemplate> InForce(DateOnly onDate) =>
        byCode.Keys.Order(StringComparer.Ordinal)
            .Select(c => TryResolve(c, onDate, out var t) ? t : null)
            .OfType<TaskTemplate>()
            .ToArray();

    /// <summary>A catalogue with one more version (or a new duty); this one is unchanged.</summary>
    public TaskCatalogue With(TaskTemplate template) => new(all.Append(template));

    public IEnumerator<TaskTemplate> GetEnumerator() => ((IEnumerable<TaskTemplate>)all).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static void Validate(TaskTemplate t)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (string.IsNullOrEmpty(t.Code) || !t.Code.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
            throw new ArgumentException($"'{t.Code}' is not a task code (lower-case letters, digits and _)", nameof(t));
        if (t.Version < 1)
            throw new ArgumentException($"{t.Code}: versions start at 1", nameof(t));
        if (string.IsNullOrWhiteSpace(t.Name) || string.IsNullOrWhiteSpace(t.Source))
            throw new ArgumentException($"{t.Code} v{t.Version}: name and source are required", nameof(t));
        if (t.Points < 0 || t.LateDeduction < 0 || t.OverdueDeduction < 0 || t.LateDeduction > t.Points)
            throw new ArgumentException(
                $"{t.Code} v{t.Version}: points and deductions are not negative, and lateness costs at most the points", nameof(t));
        if (t.EvidenceRule.MinPhotos < 0 || t.PlanRule.DaysAhead < 0 || t.ReminderRule.OrganiserDaysBefore < 0
            || t.ReminderRule.EscalateAfterDays < 1 || t.ReminderRule.PlanReportAfterDays < 0)
            throw new ArgumentException($"{t.Code} v{t.Version}: counts of photos and days are not negative", nameof(t));
        if (t.EvidenceRule.Quorum != Quorum.None && !t.EvidenceRule.AttendanceRequired)
            throw new ArgumentException($"{t.Code} v{t.Version}: a quorum needs attendance", nameof(t));
        if (t.Recurrence.PerPartyGroup && t.AppliesTo.Kind != OrgKind.Branch)
            throw new ArgumentException($"{t.Code} v{t.Version}: per-group duties belong to branches", nameof(t));
    }

    // Points: a year of a branch with a committee and two party groups (the demo's most common shape)
    // sums to 100: member meetings 4×4, committee 12×1, group meetings 2×12×0.5, lectures 4×3, theme
    // days 12×1.5, organisational life 8, appraisal 8, talks 8, dues 12×0.5. Other shapes differ, which
    // is fine because an org's result is earned ÷ possible. Lateness costs half a task's points; never
    // doing it costs half again on top of earning nothing, so late always beats never.
    private static IEnumerable<TaskTemplate> DefaultTemplates()
    {
        const string tiaoli = "《中国共产党支部工作条例（试行）》";
        var v1 = DefaultEffectiveFrom;

        yield return new TaskTemplate(TaskCodes.MemberMeeting, 1, v1, "支部党员大会",
            tiaoli + "第十一条、第十四条（一般每季度召开1次，有表决权的党员超过半数到会方可召开）",
            Recurrence.Quarterly, AppliesTo.Branches, PlanRule.DaysBefore(3),
            EvidenceRule.Meeting(3, Quorum.MoreThanHalfOfVoting),
            Points: 4m, LateDeduction: 2m, OverdueDeduction: 2m, ReminderRule.Meeting);

        yield return new TaskTemplate(TaskCodes.CommitteeMeeting, 1, v1, "支部委员会会议",
            tiaoli + "第十二条（一般每月召开1次，超过半数委员到会方可召开）",
            Recurrence.Monthly, AppliesTo.BranchesWithCommittee, PlanRule.DaysBefore(3),
            EvidenceRule.Meeting(2, Quorum.MoreThanHalfOfCommittee),
            Points: 1m, LateDeduction: 0.5m, OverdueDeduction: 0.5m, ReminderRule.Meeting);

        yield return new TaskTemplate(TaskCodes.GroupMeeting, 1, v1, "党小组会",
            tiaoli + "第十三条（一般每月召开1次）",
            Recurrence.MonthlyPerPartyGroup, AppliesTo.Branches, PlanRule.DaysBefore(3),
            EvidenceRule.Meeting(2),
            Points: 0.5m, LateDeduction: 0.25m, OverdueDeduction: 0.25m, ReminderRule.Meeting);

        yield return new TaskTemplate(TaskCodes.PartyLecture, 1, v1, "党课",
            tiaoli + "（“三会一课”）；频次按本地规定，默认每季度1次",
            Recurrence.Quarterly, AppliesTo.Branches, PlanRule.DaysBefore(3),
            EvidenceRule.Meeting(3, recordLabel: "党课讲稿或课件"),
            Points: 3m, LateDeduction: 1.5m, OverdueDeduction: 1.5m, ReminderRule.Meeting);

        yield return new TaskTemplate(TaskCodes.ThemePartyDay, 1, v1, "主题党日",
            tiaoli + "（每月相对固定1天开展主题党日）",
            Recurrence.Monthly, AppliesTo.Branches, PlanRule.DaysBefore(3),
            EvidenceRule.Meeting(3, recordLabel: "活动记录"),
            Points: 1.5m, LateDeduction: 0.75m, OverdueDeduction: 0.75m, ReminderRule.Meeting);

        yield return new TaskTemplate(TaskCodes.OrgLifeMeeting, 1, v1, "组织生活会",
            tiaoli + "（每年至少召开1次，一般安排在第四季度）",
            Recurrence.YearlyWithinQuarter(4), AppliesTo.Branches, PlanRule.DaysBefore(7),
            EvidenceRule.Meeting(3, recordLabel: "会议记录（含问题清单和整改清单）"),
            Points: 8m, LateDeduction: 4m, OverdueDeduction: 4m, new ReminderRule(7, true, true, 3));

        yield return new TaskTemplate(TaskCodes.MemberAppraisal, 1, v1, "民主评议党员",
            "中组部1988年关于开展民主评议党员工作的意见；" + tiaoli + "（一般每年1次，可与组织生活会结合）",
            Recurrence.Yearly, AppliesTo.Branches, PlanRule.DaysBefore(7),
            EvidenceRule.Meeting(2, Quorum.MoreThanHalfOfVoting, recordLabel: "民主测评和评定等次记录"),
            Points: 8m, LateDeduction: 4m, OverdueDeduction: 4m, new ReminderRule(7, true, true, 3));

        yield return new TaskTemplate(TaskCodes.HeartToHeartTalks, 1, v1, "谈心谈话",
            tiaoli + "（支委之间、支委与党员、党员之间每年至少谈心谈话1次）",
            Recurrence.Yearly, AppliesTo.Branches, PlanRule.None,
            EvidenceRule.RecordOnly("谈心谈话记录"),
            Points: 8m, LateDeduction: 4m, OverdueDeduction: 4m, ReminderRule.Paperwork(30));

        yield return new TaskTemplate(TaskCodes.PartyDues, 1, v1, "党费收缴",
            "中组部《关于中国共产党党费收缴、使用和管理的规定》（按月收缴，支部按时上缴）",
            Recurrence.Monthly, AppliesTo.Branches, PlanRule.None,
            EvidenceRule.RecordOnly("党费收缴台账"),
            Points: 0.5m, LateDeduction: 0.25m, OverdueDeduction: 0.25m, ReminderRule.Paperwork(5));

        yield return new TaskTemplate(TaskCodes.SecretaryReport, 1, v1, "书记抓基层党建工作述职",
            "书记抓基层党建工作述职评议考核（地方制度，每年1次，向街道党工委述职）",
            Recurrence.Yearly, AppliesTo.CommunityOrgs, PlanRule.None,
            EvidenceRule.RecordOnly("述职报告"),
            Points: 10m, LateDeduction: 5m, OverdueDeduction: 5m, ReminderRule.Paperwork(14));
    }
}
