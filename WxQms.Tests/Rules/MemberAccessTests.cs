using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Members;

namespace WxQms.Tests.Rules;

public sealed class MemberAccessTests
{
    // The subdistrict /1/, community /1/5/, its branch /1/5/23/ with party group /1/5/23/40/; another community /1/6/.
    private static readonly Grant Staff = new(Roles.Staff, 1, "/1/", OrgKind.Subdistrict);
    private static readonly Grant CommunitySecretary = new(Roles.Secretary, 5, "/1/5/", OrgKind.CommunityCommittee);
    private static readonly Grant CommunityCommittee = new(Roles.Committee, 5, "/1/5/", OrgKind.CommunityCommittee);
    private static readonly Grant BranchSecretary = new(Roles.Secretary, 23, "/1/5/23/", OrgKind.Branch);
    private static readonly Grant BranchWorker = new(Roles.Worker, 23, "/1/5/23/", OrgKind.Branch);
    private static readonly Grant BranchCommittee = new(Roles.Committee, 23, "/1/5/23/", OrgKind.Branch);
    private static readonly Grant Member = new(Roles.Member, 40, "/1/5/23/40/", OrgKind.PartyGroup);

    [Theory]
    [InlineData("staff", "/1/6/", true)]
    [InlineData("communitySecretary", "/1/5/23/40/", true)]
    [InlineData("communitySecretary", "/1/6/", false)]
    [InlineData("communityCommittee", "/1/5/23/", true)]
    [InlineData("branchSecretary", "/1/5/23/40/", true)]
    [InlineData("branchSecretary", "/1/5/", false)]
    [InlineData("branchWorker", "/1/5/23/", true)]
    [InlineData("branchCommittee", "/1/5/23/", false)]
    [InlineData("member", "/1/5/23/40/", false)]
    [InlineData("staff", "not-a-path", false)]
    public void Who_keeps_which_members(string who, string orgPath, bool keeps) =>
        Assert.Equal(keeps, MemberAccess.CanKeep([GrantOf(who)], orgPath));

    [Fact]
    public void Office_staff_and_inspectors_are_appointed_by_office_staff_only() =>
        Assert.Equal([true, false, true, false],
        [
            MemberAccess.CanAppoint([Staff], Roles.Inspector, "/1/"),
            MemberAccess.CanAppoint([CommunitySecretary], Roles.Staff, "/1/"),
            MemberAccess.CanAppoint([BranchSecretary], Roles.Committee, "/1/5/23/"),
            MemberAccess.CanAppoint([BranchSecretary], Roles.Committee, "/1/5/"),
        ]);

    [Theory]
    [InlineData("staff", true)]
    [InlineData("branchSecretary", true)]
    [InlineData("branchWorker", false)]
    [InlineData("communitySecretary", false)]
    [InlineData("communityCommittee", false)]
    public void Personal_data_in_full_only_for_staff_and_the_members_own_branch_secretary(string who, bool full) =>
        Assert.Equal(full, MemberAccess.SeesPersonalData([GrantOf(who)], "/1/5/23/40/"));

    [Theory]
    [InlineData(" 138-0013-8000 ", "13800138000")]
    [InlineData("12800138000", null)]
    [InlineData("1380013800", null)]
    public void Phones_are_mainland_mobile_numbers(string input, string? expected) =>
        Assert.Equal(expected, MemberRules.NormalizePhone(input));

    [Fact]
    public void A_record_names_each_bad_field()
    {
        var today = new DateOnly(2026, 12, 7);
        var errors = MemberRules.CheckRecord("", new DateOnly(2000, 1, 1), new DateOnly(2010, 1, 1), "123", "110105194912310021", today);
        Assert.Equal(["name", "joinedOn", "phone", "idCard"], errors.Select(e => e.Field));
        Assert.Empty(MemberRules.CheckRecord("李华", new DateOnly(1980, 1, 1), new DateOnly(2005, 7, 1), "13800138000", "11010519491231002X", today));
        Assert.Equal("member.date_in_future", MemberRules.CheckDate("movedOn", today.AddDays(1), today)?.Code);
    }

    private static Grant GrantOf(string who) => who switch
    {
        "staff" => Staff,
        "communitySecretary" => CommunitySecretary,
        "communityCommittee" => CommunityCommittee,
        "branchSecretary" => BranchSecretary,
        "branchWorker" => BranchWorker,
        "branchCommittee" => BranchCommittee,
        _ => Member,
    };
}
