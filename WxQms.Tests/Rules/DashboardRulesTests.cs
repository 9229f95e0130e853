using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Assessment;
using WxQms.Domain.Rules.Dashboard;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;

namespace WxQms.Tests.Rules;

/// <summary>#20: whose dashboard a viewer sees, and how far a live period ranks.</summary>
public sealed class DashboardRulesTests
{
    [Theory]
    [InlineData("staff:/1/", 1L)] // office staff: the subdistrict
    [InlineData("secretary:/1/2/", 2L)] // a community's secretary: her community
    [InlineData("secretary:/1/2/3/", null)] // a branch's secretary: none
    [InlineData("committee:/1/2/", null)]
    [InlineData("worker:/1/2/", null)]
    [InlineData("member:/1/2/3/", null)]
    [InlineData("staff:/1/2/", null)] // staff of no subdistrict: none
    [InlineData("secretary:/1/2/3/ staff:/1/", 1L)] // the widest wins
    [InlineData("secretary:/1/5/ secretary:/1/2/", 2L)] // two communities: the older org
    [InlineData("", null)]
    public void The_widest_grant_opens_the_dashboard(string grants, long? scope)
    {
        var parsed = grants.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(g =>
        {
            var (role, path) = (g.Split(':')[0], g.Split(':')[1]);
            return new Grant(role, OrgPath.Ids(path)[^1], path, OrgKind.Branch);
        }).ToList();

        Assert.Equal(scope, DashboardScope.Widest(parsed)?.OrgId);
    }

    [Theory]
    [InlineData("/1/", "/1/2/", true)]
    [InlineData("/1/2/", "/1/2/", true)]
    [InlineData("/1/2/", "/1/3/", false)]
    [InlineData("/1/2/", "/1/", false)]
    public void A_narrower_org_must_lie_within_the_scope(string scope, string org, bool covered) =>
        Assert.Equal(covered, DashboardScope.Covers(scope, org));
}
