using WxQms.Domain.Model;

namespace WxQms.Domain.Rules;

/// <summary>
/// One role a user holds, where it is held: secretary of the branch at <see cref="OrgPath"/>, committee
/// of a community, staff of the subdistrict. <see cref="OrgKind"/> lets a plain member of a party group
/// read the branch above it.
/// </summary>
public sealed record Grant(string Role, long OrgId, string OrgPath, OrgKind OrgKind);

/// <summary>
/// Who may read or change what, by role and org subtree (the issue's scope rules). Pure: the caller
/// supplies the grants (from the token or the database) and the path of the org the data belongs to.
/// <list type="bullet">
/// <item><c>staff</c>: reads and acts on everything.</item>
/// <item><c>secretary</c>, <c>worker</c>: read and act on the subtree of the org they hold the role in (their branch).</item>
/// <item><c>committee</c>: reads the subtree of its community; changes nothing.</item>
/// <item><c>member</c>: reads their branch (from a party group: the branch above it); changes nothing.</item>
/// <item><c>inspector</c> and unknown roles: nothing here (their scope is not defined yet).</item>
/// </list>
/// Issuing ad-hoc tasks: staff anywhere, a community's secretary or committee within its community. Reviewing
/// evidence: staff only (the office reviews quality).
/// A malformed path is never in scope, so a bad input fails closed.
/// </summary>
public static class Access
{
    public static bool CanActOn(IEnumerable<Grant> grants, string orgPath) =>
        OrgPath.IsValid(orgPath) && grants.Any(g => ActScope(g) is { } scope && OrgPath.IsWithin(orgPath, scope));

    public static bool CanRead(IEnumerable<Grant> grants, string orgPath) =>
        OrgPath.IsValid(orgPath) && grants.Any(g => ReadScope(g) is { } scope && OrgPath.IsWithin(orgPath, scope));

    /// <summary>Who may watch an org's reminders and warnings: its responsible people and those above, not members.</summary>
    public static bool CanMonitor(IEnumerable<Grant> grants, string orgPath) =>
        OrgPath.IsValid(orgPath) && grants.Any(g => g.Role != Roles.Member && ReadScope(g) is { } scope && OrgPath.IsWithin(orgPath, scope));

    /// <summary>The widest subtree the grants let their holder monitor, or null.</summary>
    public static string? DefaultMonitorScope(IEnumerable<Grant> grants) =>
        grants.Where(g => g.Role != Roles.Member).Select(ReadScope).OfType<string>().OrderBy(p => p.Length).FirstOrDefault();

    public static bool CanIssue(IEnumerable<Grant> grants, string orgPath) =>
        OrgPath.IsValid(orgPath) && grants.Any(g => IssueScope(g) is { } scope && OrgPath.IsWithin(orgPath, scope));

    /// <summary>
    /// Who approves, refuses and watches a community's micro-wishes: office staff anywhere, the community's
    /// secretary or committee within it (the same people who issue its ad-hoc tasks).
    /// </summary>
    public static bool CanModerateWishes(IEnumerable<Grant> grants, string communityPath) => CanIssue(grants, communityPath);

    public static bool CanReview(IEnumerable<Grant> grants, string orgPath) =>
        OrgPath.IsValid(orgPath) && grants.Any(g => g.Role == Roles.Staff);

    /// <summary>
    /// The subtree a grant lets its holder issue ad-hoc tasks to, or null: office staff anywhere; the
    /// secretary or a committee member of a community-level org (directly under the subdistrict) within
    /// that community. A branch's own committee issues nothing.
    /// </summary>
    public static string? IssueScope(Grant g) => g.Role switch
    {
        Roles.Staff => OrgPath.Root,
        Roles.Committee or Roles.Secretary when Valid(g.OrgPath) is { } path && OrgPath.Depth(path) == 1 => path,
        _ => null,
    };

    /// <summary>
    /// The widest subtrees the grants let their holder read, none inside another, widest first (office staff:
    /// <see cref="OrgPath.Root"/>, everything). Empty for a resident or a role that reads nothing.
    /// </summary>
    public static IReadOnlyList<string> ReadableTops(IEnumerable<Grant> grants)
    {
        var tops = new List<string>();
        foreach (var scope in grants.Select(ReadScope).OfType<string>().Distinct().OrderBy(p => p.Length).ThenBy(p => p, StringComparer.Ordinal))
        {
            if (!tops.Any(top => OrgPath.IsWithin(scope, top)))
                tops.Add(scope);
        }
        return tops;
    }

    /// <summary>What a list shows when the caller names no org: the widest subtree they may read.</summary>
    public static string? DefaultReadScope(IEnumerable<Grant> grants) =>
        grants.Select(ReadScope).OfType<string>().OrderBy(p => p.Length).FirstOrDefault();

    /// <summary>The subtree a grant lets its holder change, or null.</summary>
    public static string? ActScope(Grant g) => g.Role switch
    {
        Roles.Staff => OrgPath.Root,
        Roles.Secretary or Roles.Worker => Valid(g.OrgPath),
        _ => null,
    };

    /// <summary>The subtree a grant lets its holder read, or null.</summary>
    public static string? ReadScope(Grant g) => g.Role switch
    {
        Roles.Staff => OrgPath.Root,
        Roles.Secretary or Roles.Worker or Roles.Committee => Valid(g.OrgPath),
        Roles.Member => BranchOf(g),
        _ => null,
    };

    /// <summary>A party group sits inside a branch: its member reads the whole branch.</summary>
    private static string? BranchOf(Grant g)
    {
        if (Valid(g.OrgPath) is not { } path)
            return null;
        if (g.OrgKind != OrgKind.PartyGroup || path == OrgPath.Root)
            return path;
        return path[..(path.LastIndexOf('/', path.Length - 2) + 1)];
    }

    private static string? Valid(string path) => OrgPath.IsValid(path) ? path : null;
}
