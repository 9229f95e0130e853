using WxQms.Domain.Model;

namespace WxQms.Domain.Rules.Dashboard;

/// <summary>
/// Whose dashboard a viewer sees (#20 item 1): her widest scope — office staff the subdistrict they work for, a community's
/// secretary her community; anyone else none (the page says so politely). A narrower org asked for must lie within it.
/// </summary>
public static class DashboardScope
{
    /// <summary>The widest grant that opens a dashboard (its org is the scope), or null.</summary>
    public static Grant? Widest(IEnumerable<Grant> grants) =>
        grants.Where(Opens).OrderBy(g => OrgPath.Depth(g.OrgPath)).ThenBy(g => g.OrgId).FirstOrDefault();

    private static bool Opens(Grant g) => OrgPath.IsValid(g.OrgPath) && g.Role switch
    {
        Roles.Staff => OrgPath.Depth(g.OrgPath) == 0,
        Roles.Secretary => OrgPath.Depth(g.OrgPath) == 1,
        _ => false,
    };

    /// <summary>Whether <paramref name="orgPath"/> may be looked at from the scope <paramref name="scopePath"/>.</summary>
    public static bool Covers(string scopePath, string orgPath) => OrgPath.IsWithin(orgPath, scopePath);
}
