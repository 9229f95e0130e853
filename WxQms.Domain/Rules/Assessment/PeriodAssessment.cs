using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;

namespace WxQms.Domain.Rules.Assessment;

/// <summary>
/// An org as the assessment sees it (a snapshot copies these fields). <see cref="Listed"/>: it is ranked and listed in the
/// period (false: dissolved before the period ended, or not live by its last day; its results still roll up).
/// </summary>
public sealed record AssessedOrg(long Id, long? ParentId, string Path, int Depth, OrgKind Kind, string Name, int SortOrder, bool Listed = true);

/// <summary>An org with its dissolution and its own go-live (null: it follows its nearest ancestor's), as stored.</summary>
public sealed record DatedOrg(AssessedOrg Org, DateOnly? DissolvedOn, DateOnly? LiveOn);

/// <summary>An org's result for the period (its whole subtree) and its ranks among its siblings.</summary>
public sealed record OrgLine(AssessedOrg Org, OrgResult Result, int? CommunityRank, int? BranchRank);

public enum RankingLevel
{
    /// <summary>The organisations directly under the subdistrict (社区党委, and communities that are a 党总支 or a 党支部).</summary>
    Community,
    /// <summary>党支部, ranked within their community.</summary>
    Branch,
}

/// <summary>
/// Rolls per-org results up the tree and ranks siblings. A community's result is the sum over its whole
/// subtree — its branches and its own tasks — so each branch weighs by its possible points. Communities
/// are ranked among the depth-1 orgs of their subdistrict, branches among the branches of their community
/// (a community that is itself a single branch ranks alone at that level).
/// </summary>
public static class PeriodAssessment
{
    /// <summary>
    /// Whether <paramref name="period"/> has an assessment at <paramref name="now"/>: it has begun (the current
    /// period is live) and it is not before January of <paramref name="firstYear"/>, when the system went live.
    /// </summary>
    public static bool IsAssessed(Period period, int firstYear, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(period);
        return period.Year >= firstYear && period.StartsAt <= now;
    }

    /// <summary>
    /// Every org, <see cref="AssessedOrg.Listed"/> when a period's rankings list it: not dissolved before the period's end
    /// (a dissolved org stays in the periods it lived through to their end), and live by the period's last day (its own
    /// go-live, else its nearest ancestor's).
    /// </summary>
    public static IReadOnlyList<AssessedOrg> InPeriod(IReadOnlyList<DatedOrg> orgs, Period period)
    {
        ArgumentNullException.ThrowIfNull(period);
        var byId = orgs.ToDictionary(o => o.Org.Id);
        DateOnly? LiveOn(DatedOrg org)
        {
            for (DatedOrg? o = org; o is not null; o = o.Org.ParentId is { } p ? byId.GetValueOrDefault(p) : null)
                if (o.LiveOn is { } day)
                    return day;
            return null;
        }
        return orgs.Select(o => o.Org with
        {
            Listed = (o.DissolvedOn is not { } gone || gone > period.LastDay) && (LiveOn(o) is not { } live || live <= period.LastDay),
        }).ToList();
    }

    public static IReadOnlyList<OrgLine> Assess(IReadOnlyList<AssessedOrg> orgs, IEnumerable<OrgResult> direct)
    {
        var byId = orgs.ToDictionary(o => o.Id);
        var sums = orgs.ToDictionary(o => o.Id, o => new List<OrgResult>());
        foreach (var r in direct)
        {
            if (!byId.TryGetValue(r.OrgId, out var org))
                continue; // a task of an org outside the loaded tree (another subdistrict's data in a partial load)
            foreach (var ancestor in OrgPath.Ids(org.Path))
            {
                if (sums.TryGetValue(ancestor, out var list))
                    list.Add(r);
            }
        }
        var results = orgs.ToDictionary(o => o.Id, o => Scoring.Aggregate(o.Id, sums[o.Id]));

        var communityRanks = orgs.Where(o => o.Listed && IsCommunity(o)).GroupBy(o => o.ParentId)
            .SelectMany(g => Ranking.Rank(g.Select(o => results[o.Id])))
            .ToDictionary(r => r.Result.OrgId, r => r.Rank);
        var branchRanks = orgs.Where(o => o.Listed && IsBranch(o)).GroupBy(o => CommunityOf(o))
            .SelectMany(g => Ranking.Rank(g.Select(o => results[o.Id])))
            .ToDictionary(r => r.Result.OrgId, r => r.Rank);

        return orgs.Select(o => new OrgLine(o, results[o.Id], communityRanks.GetValueOrDefault(o.Id), branchRanks.GetValueOrDefault(o.Id)))
            .ToList();
    }

    public static bool IsCommunity(AssessedOrg o) => o.Depth == 1;

    public static bool IsBranch(AssessedOrg o) => o.Kind == OrgKind.Branch;

    /// <summary>The community (depth-1 org) an org sits in, or the org itself above that level.</summary>
    public static long CommunityOf(AssessedOrg o)
    {
        var ids = OrgPath.Ids(o.Path);
        return ids.Count > 1 ? ids[1] : ids[0];
    }

    /// <summary>
    /// The rows of one ranking: <paramref name="level"/> orgs inside <paramref name="scopePath"/>, ranked
    /// among themselves with <see cref="Ranking"/> (for a community's branches or a subdistrict's
    /// communities this is the sibling rank).
    /// </summary>
    public static IReadOnlyList<(OrgLine Line, int? Rank)> Rows(IEnumerable<OrgLine> lines, string scopePath, RankingLevel level)
    {
        var chosen = lines.Where(l => l.Org.Listed && OrgPath.IsWithin(l.Org.Path, scopePath)
                                      && (level == RankingLevel.Community ? IsCommunity(l.Org) : IsBranch(l.Org)))
            .ToDictionary(l => l.Org.Id);
        return Ranking.Rank(chosen.Values.Select(l => l.Result)).Select(r => (chosen[r.Result.OrgId], r.Rank)).ToList();
    }
}
