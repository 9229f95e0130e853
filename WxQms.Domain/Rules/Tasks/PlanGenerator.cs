using System.Globalization;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;

namespace WxQms.Domain.Rules.Tasks;

/// <summary>
/// An org as plan generation sees it. <see cref="CommunityLevel"/> marks a community party
/// organisation directly under the subdistrict (Org.Depth == 1), whatever its kind. <see cref="CreatedOn"/> is when it
/// was set up (established_on, else when it was entered); <see cref="LiveOn"/> when it starts using the system (its own
/// go-live or its nearest ancestor's; null: no limit).
/// </summary>
public sealed record OrgForPlanning(
    long Id,
    OrgKind Kind,
    DateOnly CreatedOn,
    int FullMembers,
    int CommitteeMembers,
    IReadOnlyList<long> PartyGroupIds,
    bool CommunityLevel = false,
    DateOnly? LiveOn = null)
{
    /// <summary>The instant its go-live day begins in Shanghai: nothing due before it is planned (null: no limit).</summary>
    public DateTimeOffset? LiveFrom => LiveOn is { } day ? LocalTime.ToInstant(day, TimeOnly.MinValue) : null;

    /// <summary>
    /// A committee meets only where one has been formed: 3 to 5 members (DUTIES.md A.1). A branch of
    /// 7 or more full members without one is a gap for the risk flags, not a meeting nobody can hold.
    /// </summary>
    public bool HasCommittee => CommitteeMembers >= 3;

    /// <summary>条例: a branch of 7 or more full members sets up a committee.</summary>
    public bool CommitteeRequired => FullMembers >= 7;
}

/// <summary>
/// One task of the yearly plan. Group meetings belong to the branch, with the group in
/// <see cref="PartyGroupId"/> and in the key. <see cref="OpensAt"/> is when evidence starts to count
/// for it (the period's start, or the quarter a yearly duty is narrowed to).
/// </summary>
public sealed record PlannedTask(
    string UniqueKey,
    long OrgId,
    string TemplateCode,
    int TemplateVersion,
    string PeriodKey,
    DateTimeOffset DueAt,
    decimal PossiblePoints,
    long? PartyGroupId,
    DateTimeOffset OpensAt);

public static class TaskKeys
{
    /// <summary>"17:committee_meeting:2026-11", or "17:group_meeting:2026-11:g42" for party group 42.</summary>
    public static string For(long orgId, string templateCode, string periodKey, long? partyGroupId = null) =>
        partyGroupId is { } g
            ? string.Create(CultureInfo.InvariantCulture, $"{orgId}:{templateCode}:{periodKey}:g{g}")
            : string.Create(CultureInfo.InvariantCulture, $"{orgId}:{templateCode}:{periodKey}");
}

public static class PlanGenerator
{
    /// <summary>
    /// The tasks of <paramref name="year"/> for every org: one per org × duty × period (× party group
    /// for per-group duties). Keys are deterministic and leave out the template version, so running
    /// it again, even after a new catalogue version, yields the same keys and storing with
    /// insert-if-absent changes nothing; tasks already stored keep their version.
    /// <para>
    /// Each period is made under the version in force on its last day, so a duty that starts or
    /// changes its rhythm mid-year gets the periods that end under it. An org created during the year
    /// gets the periods that end after its creation date. An org that goes live later gets no task due before its
    /// go-live day begins (nothing before it is planned, reminded, marked overdue or scored). Ad-hoc (<see cref="RecurrenceKind.Once"/>)
    /// templates are never planned. Work is linear in orgs × tasks: periods and versions are worked
    /// out once per duty, not per org.
    /// </para>
    /// </summary>
    public static IReadOnlyList<PlannedTask> ForYear(int year, IEnumerable<OrgForPlanning> orgs, IEnumerable<TaskTemplate> catalogue)
    {
        ArgumentNullException.ThrowIfNull(orgs);
        ArgumentNullException.ThrowIfNull(catalogue);
        var slots = Slots(year, catalogue as TaskCatalogue ?? new TaskCatalogue(catalogue));

        var orgList = orgs as IReadOnlyCollection<OrgForPlanning> ?? orgs.ToList();
        var seen = new HashSet<long>(orgList.Count);
        var tasks = new List<PlannedTask>(orgList.Count * 64);
        foreach (var org in orgList)
        {
            ArgumentNullException.ThrowIfNull(org);
            if (!seen.Add(org.Id))
                throw new ArgumentException($"org {org.Id} is listed twice", nameof(orgs));

            var orgPrefix = org.Id.ToString(CultureInfo.InvariantCulture) + ":";
            var groups = org.PartyGroupIds.Count == 0 ? [] : org.PartyGroupIds.Distinct().Order().ToArray();
            var liveFrom = org.LiveFrom;
            foreach (var slot in slots)
            {
                // Period ends after the creation date ⇔ its last day is on or after it.
                if (slot.LastDay < org.CreatedOn || slot.DueAt <= liveFrom || !Applies(slot.Template.AppliesTo, org))
                    continue;
                if (!slot.Template.Recurrence.PerPartyGroup)
                {
                    tasks.Add(Make(slot, org.Id, orgPrefix + slot.KeySuffix, null));
                    continue;
                }
                foreach (var g in groups)
                    tasks.Add(Make(slot, org.Id,
                        string.Concat(orgPrefix, slot.KeySuffix, ":g", g.ToString(CultureInfo.InvariantCulture)), g));
            }
        }
        return tasks;
    }

    public static bool Applies(AppliesTo rule, OrgForPlanning org)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(org);
        return (rule.Kind is null || rule.Kind == org.Kind)
            && (!rule.CommitteeOnly || org.HasCommittee)
            && (!rule.CommunityLevelOnly || org.CommunityLevel);
    }

    private static PlannedTask Make(Slot slot, long orgId, string key, long? groupId) =>
        new(key, orgId, slot.Template.Code, slot.Template.Version, slot.PeriodKey, slot.DueAt, slot.Template.Points, groupId, slot.OpensAt);

    private sealed record Slot(TaskTemplate Template, string PeriodKey, string KeySuffix, DateOnly LastDay, DateTimeOffset OpensAt, DateTimeOffset DueAt);

    private static List<Slot> Slots(int year, TaskCatalogue catalogue)
    {
        var slots = new List<Slot>();
        foreach (var code in catalogue.Codes.Order(StringComparer.Ordinal))
        {
            foreach (var version in catalogue.Versions(code))
            {
                if (version.Recurrence.Kind == RecurrenceKind.Once)
                    continue;
                foreach (var period in Periods.InYear(version.Recurrence, year))
                {
                    if (!catalogue.TryResolve(code, period.LastDay, out var inForce) || inForce != version)
                        continue;
                    var (opensAt, dueAt) = Periods.Window(version.Recurrence, period);
                    slots.Add(new Slot(version, period.Key, $"{code}:{period.Key}", period.LastDay, opensAt, dueAt));
                }
            }
        }
        return slots;
    }
}
