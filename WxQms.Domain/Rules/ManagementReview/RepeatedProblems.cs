namespace WxQms.Domain.Rules.ManagementReview;

/// <summary>A duty an org missed (not done by its due time) or was warned about (预警) in one period.</summary>
public sealed record DutyProblem(long OrgId, string DutyCode, string PeriodKey, bool Missed);

/// <summary>A duty with problems in several periods or several orgs: how many of each, and the orgs.</summary>
public sealed record RepeatedProblem(string DutyCode, int Orgs, int Periods, int Times, int Missed, IReadOnlyList<long> OrgIds);

/// <summary>
/// Repeated problems for the management review (重复出现的问题): the same duty missed or warned in at least two
/// periods or at least two orgs. A task warned and then missed counts once. Most frequent first.
/// </summary>
public static class RepeatedProblems
{
    public static IReadOnlyList<RepeatedProblem> Find(IEnumerable<DutyProblem> problems) =>
        problems
            .GroupBy(p => (p.OrgId, p.DutyCode, p.PeriodKey))
            .Select(g => new DutyProblem(g.Key.OrgId, g.Key.DutyCode, g.Key.PeriodKey, g.Any(p => p.Missed)))
            .GroupBy(p => p.DutyCode)
            .Select(g => new RepeatedProblem(g.Key, g.Select(p => p.OrgId).Distinct().Count(), g.Select(p => p.PeriodKey).Distinct().Count(),
                g.Count(), g.Count(p => p.Missed), g.Select(p => p.OrgId).Distinct().Order().ToList()))
            .Where(r => r.Orgs >= 2 || r.Periods >= 2)
            .OrderByDescending(r => r.Times).ThenByDescending(r => r.Missed).ThenBy(r => r.DutyCode, StringComparer.Ordinal)
            .ToList();
}
