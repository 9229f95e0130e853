using WxQms.Domain.Model;
using WxQms.Domain.Rules;

namespace WxQms.Tests.Rules;

/// <summary>
/// The scope rules on a small tree: subdistrict /1/ → communities /1/2/ and /1/6/ → branches /1/2/3/,
/// /1/2/5/ and /1/6/7/ → party group /1/2/3/4/ in branch 3.
/// </summary>
public sealed class AccessTests
{
    private const string Subdistrict = "/1/";
    private const string Community = "/1/2/";
    private const string Branch = "/1/2/3/";
    private const string Group = "/1/2/3/4/";
    private const string SiblingBranch = "/1/2/5/";
    private const string OtherCommunity = "/1/6/";
    private const string OtherBranch = "/1/6/7/";

    private static Grant G(string role, string path, OrgKind kind) =>
        new(role, OrgPath.Ids(path)[^1], path, kind);

    private static readonly Dictionary<string, Grant> Grants = new()
    {
        ["staff@subdistrict"] = G(Roles.Staff, Subdistrict, OrgKind.Subdistrict),
        ["secretary@branch"] = G(Roles.Secretary, Branch, OrgKind.Branch),
        ["worker@branch"] = G(Roles.Worker, Branch, OrgKind.Branch),
        ["committee@community"] = G(Roles.Committee, Community, OrgKind.CommunityCommittee),
        ["member@branch"] = G(Roles.Member, Branch, OrgKind.Branch),
        ["member@group"] = G(Roles.Member, Group, OrgKind.PartyGroup),
        ["inspector@subdistrict"] = G(Roles.Inspector, Subdistrict, OrgKind.Subdistrict),
        ["secretary@community"] = G(Roles.Secretary, Community, OrgKind.CommunityCommittee),
        ["committee@branch"] = G(Roles.Committee, Branch, OrgKind.Branch),
        ["unknown@subdistrict"] = G("janitor", Subdistrict, OrgKind.Subdistrict),
    };

    [Theory]
    // staff: everything
    [InlineData("staff@subdistrict", Subdistrict, true, true)]
    [InlineData("staff@subdistrict", Group, true, true)]
    [InlineData("staff@subdistrict", OtherBranch, true, true)]
    // secretary and party-affairs worker: their branch's subtree, nothing above or beside it
    [InlineData("secretary@branch", Branch, true, true)]
    [InlineData("secretary@branch", Group, true, true)]
    [InlineData("secretary@branch", Community, false, false)]
    [InlineData("secretary@branch", SiblingBranch, false, false)]
    [InlineData("secretary@branch", Subdistrict, false, false)]
    [InlineData("worker@branch", Group, true, true)]
    [InlineData("worker@branch", SiblingBranch, false, false)]
    // committee: reads its community's subtree, changes nothing
    [InlineData("committee@community", Community, false, true)]
    [InlineData("committee@community", SiblingBranch, false, true)]
    [InlineData("committee@community", Group, false, true)]
    [InlineData("committee@community", OtherCommunity, false, false)]
    [InlineData("committee@community", Subdistrict, false, false)]
    // member: reads their branch (from a party group too), changes nothing
    [InlineData("member@branch", Branch, false, true)]
    [InlineData("member@branch", Group, false, true)]
    [InlineData("member@branch", SiblingBranch, false, false)]
    [InlineData("member@group", Group, false, true)]
    [InlineData("member@group", Branch, false, true)]
    [InlineData("member@group", Community, false, false)]
    [InlineData("member@group", SiblingBranch, false, false)]
    // roles without a defined scope here: nothing
    [InlineData("inspector@subdistrict", Branch, false, false)]
    [InlineData("unknown@subdistrict", Branch, false, false)]
    public void A_single_grant_scopes_reading_and_acting(string grant, string target, bool act, bool read)
    {
        Assert.Equal(act, Access.CanActOn([Grants[grant]], target));
        Assert.Equal(read, Access.CanRead([Grants[grant]], target));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1/2/")]
    [InlineData("/1/2")]
    [InlineData("/1/02/")]
    [InlineData("/1/x/")]
    public void A_malformed_target_is_never_in_scope(string target)
    {
        var staff = Grants["staff@subdistrict"];
        Assert.False(Access.CanActOn([staff], target));
        Assert.False(Access.CanRead([staff], target));
    }

    [Fact]
    public void A_malformed_grant_path_grants_nothing()
    {
        Grant broken = new(Roles.Secretary, 3, "/1/2/3", OrgKind.Branch);
        Assert.False(Access.CanActOn([broken], "/1/2/3/4/"));
        Assert.False(Access.CanRead([broken], "/1/2/3/4/"));
    }

    [Fact]
    public void No_grants_means_no_access()
    {
        Assert.False(Access.CanActOn([], Branch));
        Assert.False(Access.CanRead([], Branch));
    }

    [Fact]
    public void Grants_add_up()
    {
        Grant[] both = [Grants["member@group"], Grants["committee@community"]];
        Assert.True(Access.CanRead(both, SiblingBranch));
        Assert.False(Access.CanActOn(both, Group));
        Assert.True(Access.CanActOn([.. both, Grants["secretary@branch"]], Group));
    }

    [Fact]
    public void A_sibling_whose_id_shares_a_prefix_is_outside_the_subtree()
    {
        var secretary = G(Roles.Secretary, "/1/2/5/", OrgKind.Branch);
        Assert.False(Access.CanActOn([secretary], "/1/2/50/"));
        Assert.True(Access.CanActOn([secretary], "/1/2/5/51/"));
    }

    [Theory]
    // ad-hoc tasks: staff anywhere; a community's secretary or committee within the community; nobody else
    [InlineData("staff@subdistrict", Subdistrict, true, true)]
    [InlineData("staff@subdistrict", OtherBranch, true, true)]
    [InlineData("committee@community", Community, true, false)]
    [InlineData("committee@community", SiblingBranch, true, false)]
    [InlineData("committee@community", OtherBranch, false, false)]
    [InlineData("committee@community", Subdistrict, false, false)]
    [InlineData("secretary@community", Branch, true, false)]
    [InlineData("secretary@community", OtherCommunity, false, false)]
    [InlineData("committee@branch", Branch, false, false)]
    [InlineData("secretary@branch", Branch, false, false)]
    [InlineData("member@branch", Branch, false, false)]
    [InlineData("inspector@subdistrict", Branch, false, false)]
    public void Issuing_ad_hoc_tasks_and_reviewing_evidence_have_their_own_scopes(string grant, string target, bool issue, bool review)
    {
        Assert.Equal(issue, Access.CanIssue([Grants[grant]], target));
        Assert.Equal(review, Access.CanReview([Grants[grant]], target));
    }

    [Theory]
    [InlineData("/1/2/3/|/1/2/5/", "/1/2/")]
    [InlineData("/1/2/|/1/23/", "/1/")]
    [InlineData("/1/2/3/|/1/2/3/4/", "/1/2/3/")]
    [InlineData("/1/2/3/", "/1/2/3/")]
    [InlineData("/1/2/|/7/8/", "/")]
    public void The_common_ancestor_of_orgs_is_the_deepest_path_they_all_sit_under(string paths, string expected) =>
        Assert.Equal(expected, OrgPath.CommonAncestor(paths.Split('|')));

    [Theory]
    [InlineData(new[] { "staff@subdistrict" }, new[] { OrgPath.Root })]
    [InlineData(new[] { "staff@subdistrict", "secretary@branch" }, new[] { OrgPath.Root })]
    [InlineData(new[] { "member@group" }, new[] { Branch })]
    [InlineData(new[] { "member@branch", "committee@community" }, new[] { Community })]
    [InlineData(new[] { "secretary@branch", "member@group", "committee@branch" }, new[] { Branch })]
    [InlineData(new[] { "secretary@branch", "worker@branch", "committee@community" }, new[] { Community })]
    [InlineData(new[] { "member@branch", "secretary@community", "committee@branch" }, new[] { Community })]
    [InlineData(new[] { "inspector@subdistrict", "unknown@subdistrict" }, new string[0])]
    [InlineData(new string[0], new string[0])]
    public void The_readable_tops_are_the_widest_subtrees_the_grants_let_their_holder_read(string[] grants, string[] tops) =>
        Assert.Equal(tops, Access.ReadableTops(grants.Select(g => Grants[g])));

    [Fact]
    public void Readable_tops_in_two_communities_are_both_listed() =>
        Assert.Equal([Community, OtherBranch], Access.ReadableTops([Grants["secretary@branch"], Grants["secretary@community"],
            G(Roles.Member, OtherBranch, OrgKind.Branch)]));
}
