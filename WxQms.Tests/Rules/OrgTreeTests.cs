using WxQms.Domain.Model;
using WxQms.Domain.Rules;

namespace WxQms.Tests.Rules;

public sealed class OrgTreeTests
{
    private static readonly Org Root = new(1, null, "/1/", 0, OrgKind.Subdistrict, "东风路街道党工委", "DFL", 0);
    private static readonly Org Community = new(2, 1, "/1/2/", 1, OrgKind.CommunityCommittee, "文化路社区党委", "C01", 0);
    private static readonly Org BranchB = new(4, 2, "/1/2/4/", 2, OrgKind.Branch, "第二网格党支部", "B02", 1);
    private static readonly Org BranchA = new(3, 2, "/1/2/3/", 2, OrgKind.Branch, "第一网格党支部", "B01", 0);
    private static readonly Org Group = new(5, 3, "/1/2/3/5/", 3, OrgKind.PartyGroup, "第一党小组", "G1", 0);
    private static readonly Org[] All = [Root, Community, BranchB, BranchA, Group];

    [Fact]
    public void Nests_children_in_sort_order()
    {
        var tree = OrgTree.Build(1, All, new Dictionary<long, int>());

        var community = Assert.Single(tree.Children);
        Assert.Equal(["第一网格党支部", "第二网格党支部"], community.Children.Select(c => c.Name));
        Assert.Equal("第一党小组", Assert.Single(community.Children[0].Children).Name);
    }

    [Fact]
    public void Totals_add_up_the_members_of_the_whole_subtree()
    {
        var counts = new Dictionary<long, int> { [1] = 7, [3] = 10, [4] = 20, [5] = 12 };

        var tree = OrgTree.Build(1, All, counts);

        Assert.Equal(7, tree.MemberCount);
        Assert.Equal(49, tree.TotalMemberCount);
        var community = tree.Children[0];
        Assert.Equal(0, community.MemberCount);
        Assert.Equal(42, community.TotalMemberCount);
        Assert.Equal(22, community.Children[0].TotalMemberCount);
    }

    [Fact]
    public void Builds_a_subtree_from_an_inner_node()
    {
        var tree = OrgTree.Build(3, [BranchA, Group], new Dictionary<long, int> { [5] = 4 });

        Assert.Equal("第一网格党支部", tree.Name);
        Assert.Equal(4, tree.TotalMemberCount);
        Assert.Equal("党支部", tree.KindLabel);
    }

    [Fact]
    public void Refuses_a_root_outside_the_rows() =>
        Assert.Throws<ArgumentException>(() => OrgTree.Build(99, All, new Dictionary<long, int>()));

    [Fact]
    public void Flatten_visits_every_node_once()
    {
        var tree = OrgTree.Build(1, All, new Dictionary<long, int>());

        Assert.Equal([1L, 2L, 3L, 5L, 4L], OrgTree.Flatten(tree).Select(n => n.Id));
    }

    [Theory]
    [InlineData(OrgKind.Subdistrict, OrgKind.CommunityCommittee, true)]
    [InlineData(OrgKind.CommunityCommittee, OrgKind.Branch, true)]
    [InlineData(OrgKind.GeneralBranch, OrgKind.Branch, true)]
    [InlineData(OrgKind.Branch, OrgKind.PartyGroup, true)]
    [InlineData(OrgKind.Branch, OrgKind.Branch, false)]
    [InlineData(OrgKind.PartyGroup, OrgKind.PartyGroup, false)]
    [InlineData(OrgKind.GeneralBranch, OrgKind.CommunityCommittee, false)]
    public void Only_the_levels_of_the_party_structure_nest(OrgKind parent, OrgKind child, bool allowed) =>
        Assert.Equal(allowed, OrgTree.CanContain(parent, child));
}
