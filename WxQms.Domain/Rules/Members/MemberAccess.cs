using WxQms.Domain.Model;

namespace WxQms.Domain.Rules.Members;

/// <summary>
/// Who keeps which members' records in the console (issue #16 item 4), from the caller's grants. Pure.
/// <list type="bullet">
/// <item>office staff: every member and every role;</item>
/// <item>a community's secretary or committee member (an org directly under the subdistrict): the members and roles of
/// that community;</item>
/// <item>a branch's secretary or party-affairs worker: the members of that branch and roles within it, none above it.</item>
/// </list>
/// Phone and ID-card numbers are shown in full only to office staff and to the member's own branch secretary.
/// </summary>
public static class MemberAccess
{
    /// <summary>The subtree a grant lets its holder keep members in, or null.</summary>
    public static string? KeepScope(Grant g) => g.Role switch
    {
        Roles.Staff => OrgPath.Root,
        Roles.Secretary or Roles.Committee when OrgPath.IsValid(g.OrgPath) && OrgPath.Depth(g.OrgPath) == 1 => g.OrgPath,
        Roles.Secretary or Roles.Worker when OrgPath.IsValid(g.OrgPath) => g.OrgPath,
        _ => null,
    };

    /// <summary>Whether the grants let their holder read and change the records of members sitting at <paramref name="orgPath"/>.</summary>
    public static bool CanKeep(IEnumerable<Grant> grants, string orgPath) =>
        OrgPath.IsValid(orgPath) && grants.Any(g => KeepScope(g) is { } scope && OrgPath.IsWithin(orgPath, scope));

    /// <summary>
    /// Whether the grants let their holder appoint or end <paramref name="role"/> at <paramref name="orgPath"/>: office
    /// staff and inspectors are the subdistrict's, appointed by office staff only; the other roles within the keeper's subtree.
    /// </summary>
    public static bool CanAppoint(IEnumerable<Grant> grants, string role, string orgPath) =>
        role is Roles.Staff or Roles.Inspector ? grants.Any(g => g.Role == Roles.Staff) : CanKeep(grants, orgPath);

    /// <summary>The widest subtrees the grants keep, none inside another.</summary>
    public static IReadOnlyList<string> KeptTops(IEnumerable<Grant> grants)
    {
        var tops = new List<string>();
        foreach (var scope in grants.Select(KeepScope).OfType<string>().Distinct().OrderBy(p => p.Length).ThenBy(p => p, StringComparer.Ordinal))
        {
            if (!tops.Any(top => OrgPath.IsWithin(scope, top)))
                tops.Add(scope);
        }
        return tops;
    }

    /// <summary>
    /// Whether the viewer sees a member's phone and ID-card numbers in full: office staff, or the secretary of the
    /// branch the member sits in (or of the branch above her party group). The roster export asks it per member too, so a
    /// community secretary's file carries in full only the numbers of the branch she herself leads.
    /// </summary>
    public static bool SeesPersonalData(IEnumerable<Grant> grants, string memberOrgPath) =>
        OrgPath.IsValid(memberOrgPath) && grants.Any(g => g.Role == Roles.Staff
            || (g.Role == Roles.Secretary && g.OrgKind == OrgKind.Branch && OrgPath.IsWithin(memberOrgPath, g.OrgPath)));
}
