using WxQms.Domain.Model;

namespace WxQms.Domain.Rules.Orgs;

/// <summary>
/// Who reshapes the org tree (create, rename, move, dissolve, record a term): office staff anywhere; a community's
/// secretary or committee member within her community (the orgs under it, not the community itself, which is the
/// subdistrict's). Branch secretaries and workers do not reshape the tree, but a branch secretary may rename the party
/// groups of her own branch (she appoints their leaders, 条例 art. 13). Pure, and a malformed path fails closed.
/// </summary>
public static class OrgAccess
{
    /// <summary>May change the org at <paramref name="orgPath"/> (rename, move it away, dissolve, record its term).</summary>
    public static bool CanReshape(IEnumerable<Grant> grants, string orgPath) =>
        OrgPath.IsValid(orgPath) && grants.Any(g => Scope(g) is { } scope
            && OrgPath.IsWithin(orgPath, scope) && (scope == OrgPath.Root || orgPath != scope));

    /// <summary>May put an org under the org at <paramref name="parentPath"/> (create or move there).</summary>
    public static bool CanPlaceUnder(IEnumerable<Grant> grants, string parentPath) =>
        OrgPath.IsValid(parentPath) && grants.Any(g => Scope(g) is { } scope && OrgPath.IsWithin(parentPath, scope));

    /// <summary>May rename <paramref name="org"/>: whoever may reshape it, and a branch's secretary her own party groups.</summary>
    public static bool CanRename(IEnumerable<Grant> grants, Org org)
    {
        var list = grants as IReadOnlyCollection<Grant> ?? grants.ToList();
        return CanReshape(list, org.Path) || (org.Kind == OrgKind.PartyGroup && org.ParentId is { } branch
            && list.Any(g => g.Role == Roles.Secretary && g.OrgId == branch && g.OrgKind == OrgKind.Branch));
    }

    /// <summary>
    /// May say whether an org is a community (社区, the orgs residents post wishes to): office staff only, as the
    /// communities are the subdistrict's own division.
    /// </summary>
    public static bool CanMarkCommunity(IEnumerable<Grant> grants) => grants.Any(g => g.Role == Roles.Staff);

    /// <summary>Whether the grants reshape anything at all (the console shows the actions then).</summary>
    public static bool ReshapesAnything(IEnumerable<Grant> grants) => grants.Any(g => Scope(g) is not null);

    /// <summary>The subtree a grant reshapes: staff everything, a community's secretary or committee her community.</summary>
    private static string? Scope(Grant g) => Access.IssueScope(g);
}
