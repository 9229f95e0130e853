namespace WxQms.Domain.Rules.Assessment;

/// <summary>
/// Who sees which ranking. A ranking is named by its scope (the subdistrict for communities, a community
/// for its branches). Anyone ranked in it sees it — a member sees how their branch and their community
/// stand — and so does anyone who may read the scope by <see cref="Access"/> (office staff everywhere,
/// a community committee its own community). Everyone else is refused.
/// </summary>
public static class RankingAccess
{
    public static bool CanSee(IReadOnlyCollection<Grant> grants, string scopePath) =>
        OrgPath.IsValid(scopePath)
        && (Access.CanRead(grants, scopePath) || grants.Any(g => OrgPath.IsWithin(g.OrgPath, scopePath)));

    /// <summary>The scope a viewer sees when naming none: their subdistrict's communities, their community's branches.</summary>
    public static long? DefaultScope(IReadOnlyCollection<Grant> grants, RankingLevel level)
    {
        // A loop rather than LINQ: this runs on every ranking request (issue #6 benchmark).
        Grant? widest = null;
        foreach (var g in grants)
        {
            if (OrgPath.IsValid(g.OrgPath) && g.OrgPath != OrgPath.Root && (widest is null || g.OrgPath.Length < widest.OrgPath.Length))
                widest = g;
        }
        if (widest is null)
            return null;
        return level == RankingLevel.Community ? OrgPath.IdAt(widest.OrgPath, 0) : OrgPath.IdAt(widest.OrgPath, 1) ?? OrgPath.IdAt(widest.OrgPath, 0);
    }

    /// <summary>
    /// The scope a ranking is really about: for communities, the subdistrict above the named org; for
    /// branches, the community above a named branch (so naming one's own branch shows its siblings).
    /// </summary>
    public static string NormaliseScope(string path, RankingLevel level)
    {
        var ids = OrgPath.Ids(path);
        var keep = level == RankingLevel.Community ? 1 : Math.Min(ids.Count, 2);
        return "/" + string.Join('/', ids.Take(keep)) + "/";
    }
}
