using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Orgs;

namespace WxQms.Tests.Rules;

public sealed class OrgRulesTests
{
    private static IReadOnlyList<string> Codes(OrgFacts facts) => OrgRules.Warnings(facts).Select(w => w.Code).ToList();

    [Theory]
    [InlineData(2, 2, 0, new[] { "org.too_few_members" })]
    [InlineData(3, 3, 0, new string[0])]
    [InlineData(6, 6, 0, new string[0])]
    [InlineData(8, 7, 0, new[] { "org.no_committee" })]
    [InlineData(8, 7, 3, new string[0])]
    [InlineData(49, 40, 5, new string[0])]
    [InlineData(50, 45, 5, new[] { "org.split" })]
    [InlineData(50, 45, 0, new[] { "org.split", "org.no_committee" })]
    public void A_branch_is_warned_below_three_full_members_from_fifty_members_and_without_a_committee_from_seven(
        int onTheRoll, int full, int committee, string[] expected)
    {
        Assert.Equal(expected, Codes(new OrgFacts(OrgKind.Branch, onTheRoll, full, committee, Secretaries: 1)));
    }

    [Fact]
    public void Every_warning_cites_the_branch_regulation()
    {
        var warnings = OrgRules.Warnings(new OrgFacts(OrgKind.Branch, 60, 2, 0, 2));

        Assert.NotEmpty(warnings);
        Assert.All(warnings, w => Assert.Contains("《中国共产党支部工作条例（试行）》", w.Regulation));
        Assert.All(warnings, w => Assert.False(w.Refusal));
    }

    [Fact]
    public void Sizes_are_rules_of_branches_only_but_two_secretaries_are_a_warning_anywhere()
    {
        Assert.Empty(Codes(new OrgFacts(OrgKind.CommunityCommittee, 1, 1, 0, 1)));
        Assert.Empty(Codes(new OrgFacts(OrgKind.PartyGroup, 1, 1, 0, 0)));
        Assert.Equal(["org.two_secretaries"], Codes(new OrgFacts(OrgKind.CommunityCommittee, 100, 90, 5, 2)));
    }

    [Fact]
    public void A_second_secretary_is_refused_with_the_regulation_and_the_first_or_the_same_one_is_not()
    {
        Assert.Null(OrgRules.AppointSecretary(7, []));
        Assert.Null(OrgRules.AppointSecretary(7, [7]));
        Assert.Null(OrgRules.AppointSecretary(null, []));
        Assert.NotNull(OrgRules.AppointSecretary(null, [3]));
        var refusal = OrgRules.AppointSecretary(7, [3]);
        Assert.NotNull(refusal);
        Assert.True(refusal.Refusal);
        Assert.Equal("org.secretary_exists", refusal.Code);
        Assert.Contains("书记1名", refusal.Regulation);
    }

    [Theory]
    [InlineData(OrgKind.Branch, OrgKind.PartyGroup, true)]
    [InlineData(OrgKind.CommunityCommittee, OrgKind.Branch, true)]
    [InlineData(OrgKind.GeneralBranch, OrgKind.Branch, true)]
    [InlineData(OrgKind.CommunityCommittee, OrgKind.GeneralBranch, true)]
    [InlineData(OrgKind.Subdistrict, OrgKind.CommunityCommittee, true)]
    [InlineData(OrgKind.CommunityCommittee, OrgKind.PartyGroup, false)]
    [InlineData(OrgKind.GeneralBranch, OrgKind.PartyGroup, false)]
    [InlineData(OrgKind.PartyGroup, OrgKind.PartyGroup, false)]
    [InlineData(OrgKind.Branch, OrgKind.Branch, false)]
    [InlineData(OrgKind.CommunityCommittee, OrgKind.CommunityCommittee, false)]
    public void A_party_group_sits_only_in_a_branch_and_a_branch_under_a_committee_or_general_branch(OrgKind parent, OrgKind child, bool allowed)
    {
        Assert.Equal(allowed, OrgRules.Placement(parent, child) is null);
    }

    [Theory]
    [InlineData(0, 0, 0, null)]
    [InlineData(1, 0, 0, "1 名党员在册")]
    [InlineData(0, 2, 0, "2 个下级组织")]
    [InlineData(0, 0, 3, "3 项进行中的任务")]
    public void Only_an_empty_org_is_dissolved_and_a_refusal_says_why(int onTheRoll, int children, int openTasks, string? reason)
    {
        var refusal = OrgRules.Dissolution(OrgKind.Branch, onTheRoll, children, openTasks);
        if (reason is null)
            Assert.Null(refusal);
        else
            Assert.Contains(reason, refusal!.Text);
        Assert.NotNull(OrgRules.Dissolution(OrgKind.Subdistrict, 0, 0, 0));
    }

    [Fact]
    public void An_org_is_never_moved_under_itself_or_its_descendants()
    {
        Assert.NotNull(OrgRules.Move("/1/5/", "/1/5/"));
        Assert.NotNull(OrgRules.Move("/1/5/", "/1/5/9/"));
        Assert.Null(OrgRules.Move("/1/5/", "/1/6/"));
        Assert.Null(OrgRules.Move("/1/5/", "/1/55/"));
    }

    [Theory]
    [InlineData("幸福里党支部", "DFL-C03-B99", null, null)]
    [InlineData(" ", "DFL-C03-B99", "请填写组织名称", null)]
    [InlineData("幸福里党支部", "", null, "请填写组织编码")]
    [InlineData("幸福里党支部", "DFL C03", null, "组织编码只能包含字母、数字、“-”和“_”")]
    public void Names_and_codes_are_checked_with_chinese_errors(string name, string code, string? nameError, string? codeError)
    {
        Assert.Equal(nameError, OrgRules.NameError(name));
        Assert.Equal(codeError, OrgRules.CodeError(code));
    }

    private static Grant G(string role, long id, string path, OrgKind kind) => new(role, id, path, kind);

    [Fact]
    public void Staff_reshape_anywhere_a_community_within_it_and_a_branch_secretary_renames_only_her_party_groups()
    {
        var staff = new[] { G(Roles.Staff, 1, "/1/", OrgKind.Subdistrict) };
        var community = new[] { G(Roles.Secretary, 3, "/1/3/", OrgKind.CommunityCommittee) };
        var committee = new[] { G(Roles.Committee, 3, "/1/3/", OrgKind.CommunityCommittee) };
        var branchSecretary = new[] { G(Roles.Secretary, 30, "/1/3/30/", OrgKind.Branch) };

        Assert.True(OrgAccess.CanReshape(staff, "/1/3/"));
        Assert.True(OrgAccess.CanReshape(community, "/1/3/30/"));
        Assert.True(OrgAccess.CanReshape(committee, "/1/3/30/"));
        Assert.False(OrgAccess.CanReshape(community, "/1/3/"));
        Assert.False(OrgAccess.CanReshape(community, "/1/5/50/"));
        Assert.True(OrgAccess.CanPlaceUnder(community, "/1/3/"));
        Assert.False(OrgAccess.CanPlaceUnder(community, "/1/"));
        Assert.False(OrgAccess.CanReshape(branchSecretary, "/1/3/30/"));
        Assert.False(OrgAccess.CanReshape(branchSecretary, "/1/3/30/301/"));
        Assert.False(OrgAccess.CanPlaceUnder(branchSecretary, "/1/3/30/"));

        var ownGroup = new Org(301, 30, "/1/3/30/301/", 3, OrgKind.PartyGroup, "一组", "G1", 0);
        var otherGroup = new Org(401, 40, "/1/3/40/401/", 3, OrgKind.PartyGroup, "一组", "G2", 0);
        var ownBranch = new Org(30, 3, "/1/3/30/", 2, OrgKind.Branch, "支部", "B", 0);
        Assert.True(OrgAccess.CanRename(branchSecretary, ownGroup));
        Assert.False(OrgAccess.CanRename(branchSecretary, otherGroup));
        Assert.False(OrgAccess.CanRename(branchSecretary, ownBranch));
        Assert.False(OrgAccess.CanReshape([G(Roles.Secretary, 3, "bad", OrgKind.CommunityCommittee)], "/1/3/30/"));
    }
}

public sealed class TermsTests
{
    private static OrgTerm Term(DateOnly ends, bool six = false, bool three = false) => new(1, 1, ends.AddYears(-3), 3, ends, six, three);

    [Fact]
    public void A_term_ends_its_years_after_the_election()
    {
        Assert.Equal(new DateOnly(2029, 3, 15), Terms.EndsOn(new DateOnly(2026, 3, 15), 3));
        Assert.Equal(new DateOnly(2027, 2, 28), Terms.EndsOn(new DateOnly(2024, 2, 29), 3));
    }

    [Fact]
    public void Six_months_before_the_end_the_six_month_reminder_is_due_then_at_three_months_the_other()
    {
        var ends = new DateOnly(2027, 9, 30);

        Assert.Null(Terms.Due(Term(ends), new DateOnly(2027, 3, 29)));
        Assert.Equal(TermReminder.SixMonths, Terms.Due(Term(ends), new DateOnly(2027, 3, 30)));
        Assert.Null(Terms.Due(Term(ends, six: true), new DateOnly(2027, 6, 29)));
        Assert.Equal(TermReminder.ThreeMonths, Terms.Due(Term(ends, six: true), new DateOnly(2027, 6, 30)));
        Assert.Null(Terms.Due(Term(ends, six: true, three: true), new DateOnly(2027, 8, 1)));
    }

    [Fact]
    public void A_term_first_seen_within_three_months_gets_only_the_three_month_reminder()
    {
        Assert.Equal(TermReminder.ThreeMonths, Terms.Due(Term(new DateOnly(2027, 2, 1)), new DateOnly(2027, 1, 1)));
    }

    [Fact]
    public void The_console_lists_terms_within_six_months_and_says_how_long_is_left()
    {
        var today = new DateOnly(2026, 11, 25);
        Assert.True(Terms.ExpiringSoon(new DateOnly(2027, 5, 25), today));
        Assert.False(Terms.ExpiringSoon(new DateOnly(2027, 5, 26), today));
        Assert.Equal("2026-12-05 到期，还有 10 天", Terms.Describe(new DateOnly(2026, 12, 5), today));
        Assert.Contains("逾期 5 天", Terms.Describe(new DateOnly(2026, 11, 20), today));
        Assert.Equal("任期应为 1–5 年", Terms.YearsError(6));
    }
}
