namespace WxQms.Domain.Rules.Assessment;

public sealed record Ranked(OrgResult Result, int? Rank);

/// <summary>
/// Ranks among siblings (communities in the subdistrict, branches in their community). Deterministic:
/// higher ratio first, then more points in total (earned + carried), then fewer missed tasks, then the
/// lower org id (the older org) — so no two orgs ever share a rank and the order never depends on how
/// the rows were read. Orgs with no tasks in the period are not ranked: they follow, by org id, with no rank.
/// </summary>
public static class Ranking
{
    public static IComparer<OrgResult> Order { get; } = Comparer<OrgResult>.Create(Compare);

    public static IReadOnlyList<Ranked> Rank(IEnumerable<OrgResult> siblings)
    {
        var all = siblings.ToList();
        if (all.Select(r => r.OrgId).Distinct().Count() != all.Count)
            throw new ArgumentException("an org appears twice among the siblings", nameof(siblings));
        var ranked = all.Where(r => r.HasTasks).Order(Order).Select((r, i) => new Ranked(r, i + 1));
        var unranked = all.Where(r => !r.HasTasks).OrderBy(r => r.OrgId).Select(r => new Ranked(r, null));
        return ranked.Concat(unranked).ToList();
    }

    private static int Compare(OrgResult? a, OrgResult? b)
    {
        if (ReferenceEquals(a, b))
            return 0;
        if (a is null)
            return 1;
        if (b is null)
            return -1;
        var c = (b.Ratio ?? decimal.MinValue).CompareTo(a.Ratio ?? decimal.MinValue);
        if (c != 0)
            return c;
        c = b.Total.CompareTo(a.Total);
        if (c != 0)
            return c;
        c = a.Missed.CompareTo(b.Missed);
        return c != 0 ? c : a.OrgId.CompareTo(b.OrgId);
    }
}
