namespace WxQms.Domain.Model.Tasks;

/// <summary>
/// One version of a duty in the task catalogue. A change to a duty is a new version with a later
/// <see cref="EffectiveFrom"/>; a task keeps the (code, version) it was created under, so changing
/// the catalogue never rewrites how existing tasks are judged or scored.
/// </summary>
/// <param name="Source">The regulation or procedure the duty comes from, as shown to users.</param>
/// <param name="Points">Earned in full when the task is completed on time.</param>
/// <param name="LateDeduction">Taken from <paramref name="Points"/> when it is completed after its due time.</param>
/// <param name="OverdueDeduction">
/// Charged when the task is never completed (scoring books it when the period closes); not part of
/// judgment, which only sees completed work.
/// </param>
public sealed record TaskTemplate(
    string Code,
    int Version,
    DateOnly EffectiveFrom,
    string Name,
    string Source,
    Recurrence Recurrence,
    AppliesTo AppliesTo,
    PlanRule PlanRule,
    EvidenceRule EvidenceRule,
    decimal Points,
    decimal LateDeduction,
    decimal OverdueDeduction,
    ReminderRule ReminderRule);

/// <summary>
/// Which orgs get the duty. <see cref="Kind"/> null means any kind. <see cref="CommitteeOnly"/>
/// restricts it to branches that have a committee; <see cref="CommunityLevelOnly"/> to the
/// community party organisations directly under the subdistrict, whatever their kind.
/// </summary>
public sealed record AppliesTo(OrgKind? Kind, bool CommitteeOnly = false, bool CommunityLevelOnly = false)
{
    public static AppliesTo Branches { get; } = new(OrgKind.Branch);
    public static AppliesTo BranchesWithCommittee { get; } = new(OrgKind.Branch, CommitteeOnly: true);
    public static AppliesTo CommunityOrgs { get; } = new(null, CommunityLevelOnly: true);

    public string Label => (Kind, CommitteeOnly, CommunityLevelOnly) switch
    {
        (_, _, true) => "社区党组织",
        (OrgKind.Branch, true, _) => "设支部委员会的党支部",
        (OrgKind.Branch, false, _) => "党支部",
        (OrgKind.PartyGroup, _, _) => "党小组",
        (OrgKind.GeneralBranch, _, _) => "党总支",
        (OrgKind.CommunityCommittee, _, _) => "社区党委",
        (OrgKind.Subdistrict, _, _) => "街道党工委",
        _ => "全部党组织",
    };
}

/// <summary>Whether the branch must report the plan (date, place, topic) and how many days ahead.</summary>
public sealed record PlanRule(bool Required, int DaysAhead)
{
    public static PlanRule None { get; } = new(false, 0);
    public static PlanRule DaysBefore(int days) => new(true, days);
}

/// <summary>
/// Reminders and early warning (DESIGN.md capability 3). Days count Shanghai calendar days before or
/// after the planned date, or, when there is no plan, the period's last day (the day before DueAt).
/// </summary>
/// <param name="OrganiserDaysBefore">To the secretary and party-affairs worker: prepare, draft the topic. 0 = none.</param>
/// <param name="MembersDayBefore">To the members expected to attend, the day before.</param>
/// <param name="SameDayWarning">On the day, with no evidence yet: a warning to the branch and its superior.</param>
/// <param name="EscalateAfterDays">
/// With still no evidence: escalate to the superior the day after, and again this many days after. Null = never.
/// </param>
/// <param name="PlanReportAfterDays">
/// For duties that need a plan: with none reported this many days into the period, remind the organisers. 0 = never.
/// </param>
public sealed record ReminderRule(int OrganiserDaysBefore, bool MembersDayBefore, bool SameDayWarning, int? EscalateAfterDays,
    int PlanReportAfterDays = 5)
{
    public static ReminderRule Meeting { get; } = new(3, true, true, 3);
    public static ReminderRule Paperwork(int daysBefore) => new(daysBefore, false, true, 3);
}
