using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Assessment;
using WxQms.Domain.Services.Assessment;

namespace WxQms.Tests.Assessment;

public sealed class ScoringTests
{
    [Theory]
    [InlineData(10, 10, 10)]      // on time
    [InlineData(10, 8, 8)]        // late: possible minus the late deduction
    [InlineData(10, -2, -2)]      // overdue deduction
    [InlineData(10, 0, 0)]        // overdue deduction reversed
    [InlineData(10, 13, 12)]      // quality bonus capped at +20 %
    [InlineData(10, -25, -10)]    // deductions never cost more than the task is worth
    [InlineData(0, 5, 0)]         // a task worth nothing earns nothing
    public void A_task_earns_its_ledger_sum_within_the_documented_bounds(decimal possible, decimal ledger, decimal earned) =>
        Assert.Equal(earned, Scoring.TaskEarned(possible, ledger));

    [Fact]
    public void An_org_result_is_earned_over_possible_of_its_tasks()
    {
        var r = Scoring.ForOrg(7, [new TaskScore(1, 7, 10, 10, false), new TaskScore(2, 7, 10, 8, false), new TaskScore(3, 7, 5, -1, true)]);

        Assert.Equal((25m, 17m, 3, 1), (r.Possible, r.Earned, r.Tasks, r.Missed));
        Assert.Equal(0.68m, r.Ratio);
    }

    [Fact]
    public void An_org_with_nothing_due_has_no_ratio_rather_than_zero()
    {
        var r = Scoring.ForOrg(7, []);

        Assert.False(r.HasTasks);
        Assert.Null(r.Ratio);
    }

    [Fact]
    public void A_parent_weighs_its_parts_by_their_possible_points_not_by_averaging_ratios()
    {
        var big = new OrgResult(1, 90, 90, 0, 9, 0);  // 100 %
        var small = new OrgResult(2, 10, 0, 0, 1, 1); // 0 %

        var parent = Scoring.Aggregate(3, [big, small]);

        Assert.Equal(0.9m, parent.Ratio); // an average of ratios would say 50 %
    }

    [Fact]
    public void Carried_corrections_count_towards_the_ratio_but_not_towards_what_was_possible()
    {
        var r = new OrgResult(1, 20, 15, 3, 2, 0);

        Assert.Equal((18m, 0.9m), (r.Total, r.Ratio));
    }
}

public sealed class RankingTests
{
    private static OrgResult R(long id, decimal possible, decimal earned, int missed = 0) => new(id, possible, earned, 0, 1, missed);

    public static TheoryData<OrgResult[], long[]> Orders => new()
    {
        // higher ratio first
        { [R(1, 10, 5), R(2, 10, 9), R(3, 10, 7)], [2, 3, 1] },
        // equal ratio: more points first
        { [R(1, 10, 8), R(2, 20, 16)], [2, 1] },
        // equal ratio and points: fewer missed tasks first
        { [R(1, 10, 5, missed: 2), R(2, 10, 5, missed: 1)], [2, 1] },
        // all equal: the lower org id
        { [R(9, 10, 5), R(4, 10, 5)], [4, 9] },
        // orgs with no tasks come last, unranked, by id
        { [R(5, 0, 0), R(3, 0, 0), R(1, 10, 0)], [1, 3, 5] },
    };

    [Theory]
    [MemberData(nameof(Orders))]
    public void Siblings_are_ordered_deterministically(OrgResult[] siblings, long[] expected)
    {
        var ranked = Ranking.Rank(siblings);

        Assert.Equal(expected, ranked.Select(r => r.Result.OrgId));
        Assert.Equal(ranked.Where(r => r.Result.HasTasks).Select((_, i) => (int?)i + 1), ranked.Where(r => r.Result.HasTasks).Select(r => r.Rank));
        Assert.All(ranked.Where(r => !r.Result.HasTasks), r => Assert.Null(r.Rank));
    }

    [Fact]
    public void The_order_does_not_depend_on_the_order_rows_were_read()
    {
        var rows = new[] { R(1, 10, 5), R(2, 10, 5), R(3, 20, 10), R(4, 0, 0), R(5, 10, 9) };

        Assert.Equal(Ranking.Rank(rows).Select(r => r.Result.OrgId), Ranking.Rank(rows.Reverse()).Select(r => r.Result.OrgId));
    }
}

public sealed class StarsTests
{
    private static readonly decimal[] Thresholds = [4, 10, 18, 28];

    [Theory]
    [InlineData(0, null, 1)]
    [InlineData(3.5, null, 1)]
    [InlineData(4, null, 2)]
    [InlineData(17, null, 3)]
    [InlineData(18, null, 4)]
    [InlineData(100, null, 5)]
    [InlineData(18, AppraisalGrade.Excellent, 5)]
    [InlineData(100, AppraisalGrade.Excellent, 5)]
    [InlineData(18, AppraisalGrade.Qualified, 4)]
    [InlineData(18, AppraisalGrade.BasicallyQualified, 2)]
    [InlineData(2, AppraisalGrade.BasicallyQualified, 1)]
    [InlineData(100, AppraisalGrade.Unqualified, 1)]
    public void Stars_follow_the_year_points_and_the_appraisal_grade(decimal points, AppraisalGrade? grade, int stars) =>
        Assert.Equal(stars, Stars.For(points, Thresholds, grade));

    [Theory]
    [InlineData(new double[] { 4, 10, 18 })]
    [InlineData(new double[] { 4, 10, 10, 28 })]
    [InlineData(new double[] { 28, 18, 10, 4 })]
    public void Thresholds_that_do_not_rise_are_refused_at_start(double[] thresholds)
    {
        var options = new AssessmentOptions { StarThresholds = thresholds.Select(t => (decimal)t).ToArray() };

        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        Assert.False(System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options,
            new System.ComponentModel.DataAnnotations.ValidationContext(options), results, validateAllProperties: true));
        Assert.Contains(results, r => r.MemberNames.Contains(nameof(AssessmentOptions.StarThresholds)));
    }

    [Fact]
    public void The_default_options_are_valid() =>
        Assert.Null(Stars.Check(new AssessmentOptions().StarThresholds));
}

public sealed class PeriodAssessmentTests
{
    // subdistrict 1; community 2 (committee) with branches 4, 5; community 3 that is itself a branch.
    private static readonly AssessedOrg[] Orgs =
    [
        new(1, null, "/1/", 0, OrgKind.Subdistrict, "街道", 0),
        new(2, 1, "/1/2/", 1, OrgKind.CommunityCommittee, "甲社区", 1),
        new(3, 1, "/1/3/", 1, OrgKind.Branch, "乙社区支部", 2),
        new(4, 2, "/1/2/4/", 2, OrgKind.Branch, "一支部", 1),
        new(5, 2, "/1/2/5/", 2, OrgKind.Branch, "二支部", 2),
    ];

    [Fact]
    public void A_community_sums_its_subtree_and_ranks_among_the_subdistricts_communities()
    {
        var lines = PeriodAssessment.Assess(Orgs, [new OrgResult(4, 10, 10, 0, 1, 0), new OrgResult(5, 30, 15, 0, 2, 1),
            new OrgResult(2, 10, 10, 0, 1, 0), new OrgResult(3, 10, 9, 0, 1, 0)]).ToDictionary(l => l.Org.Id);

        Assert.Equal((50m, 35m), (lines[2].Result.Possible, lines[2].Result.Earned)); // both branches and its own task
        Assert.Equal(0.7m, lines[2].Result.Ratio);
        Assert.Equal((2, 1), (lines[2].CommunityRank, lines[3].CommunityRank));
        Assert.Equal((1, 2), (lines[4].BranchRank, lines[5].BranchRank));
        Assert.Equal(1, lines[3].BranchRank); // a community that is one branch ranks alone among branches
        Assert.Equal(60m, lines[1].Result.Possible);
    }

    [Fact]
    public void Ranking_rows_of_a_scope_are_its_orgs_of_the_level()
    {
        var lines = PeriodAssessment.Assess(Orgs, [new OrgResult(4, 10, 5, 0, 1, 0), new OrgResult(5, 10, 8, 0, 1, 0)]);

        Assert.Equal([5L, 4L], PeriodAssessment.Rows(lines, "/1/2/", RankingLevel.Branch).Select(r => r.Line.Org.Id));
        Assert.Equal([2L, 3L], PeriodAssessment.Rows(lines, "/1/", RankingLevel.Community).Select(r => r.Line.Org.Id));
        Assert.Null(PeriodAssessment.Rows(lines, "/1/", RankingLevel.Community).Single(r => r.Line.Org.Id == 3).Rank);
    }
}

public sealed class RankingAccessTests
{
    private static Grant G(string role, string path, OrgKind kind = OrgKind.Branch) =>
        new(role, OrgPath.Ids(path)[^1], path, kind);

    [Theory]
    [InlineData("member", "/1/2/4/", "/1/", true)]       // a member sees how the communities stand
    [InlineData("member", "/1/2/4/", "/1/2/", true)]     // ...and the branches of their community
    [InlineData("member", "/1/2/4/", "/1/3/", false)]    // ...not another community's branches
    [InlineData("secretary", "/1/2/4/", "/1/3/", false)]
    [InlineData("committee", "/1/3/", "/1/3/", true)]
    [InlineData("staff", "/1/", "/1/3/", true)]
    [InlineData("inspector", "/9/", "/1/", false)]
    public void A_ranking_is_seen_by_those_ranked_in_it_and_those_who_may_read_its_scope(string role, string at, string scope, bool sees) =>
        Assert.Equal(sees, RankingAccess.CanSee([G(role, at)], scope));

    [Theory]
    [InlineData("/1/2/4/", RankingLevel.Community, "/1/")]
    [InlineData("/1/2/4/", RankingLevel.Branch, "/1/2/")]
    [InlineData("/1/2/", RankingLevel.Branch, "/1/2/")]
    [InlineData("/1/", RankingLevel.Branch, "/1/")]
    public void A_named_scope_is_widened_to_the_ranking_it_belongs_to(string path, RankingLevel level, string scope) =>
        Assert.Equal(scope, RankingAccess.NormaliseScope(path, level));

    [Fact]
    public void With_no_scope_named_a_member_sees_their_subdistrict_and_their_community()
    {
        Grant[] grants = [G("member", "/1/2/4/")];

        Assert.Equal((1L, 2L), (RankingAccess.DefaultScope(grants, RankingLevel.Community), RankingAccess.DefaultScope(grants, RankingLevel.Branch)));
    }

    [Fact]
    public void With_several_roles_the_widest_decides_the_default_scope()
    {
        // A branch member who is also a community's worker sees that community's branches; a subdistrict
        // staff member sees the subdistrict's communities and, for branches, stays at the subdistrict.
        Grant[] worker = [G("member", "/1/2/4/"), G("worker", "/1/3/"), G("member", "/1/2/5/")];
        Grant[] staff = [G("member", "/1/2/4/"), G("staff", "/1/")];

        Assert.Equal((1L, 3L), (RankingAccess.DefaultScope(worker, RankingLevel.Community), RankingAccess.DefaultScope(worker, RankingLevel.Branch)));
        Assert.Equal((1L, 1L), (RankingAccess.DefaultScope(staff, RankingLevel.Community), RankingAccess.DefaultScope(staff, RankingLevel.Branch)));
        Assert.Null(RankingAccess.DefaultScope([], RankingLevel.Branch));
        Assert.Null(RankingAccess.DefaultScope([new Grant("staff", 1, OrgPath.Root, OrgKind.Subdistrict)], RankingLevel.Branch));
    }
}

public sealed class MonthToCloseTests
{
    [Theory]
    [InlineData("2026-12-01T00:59:00+08:00", null)]        // not yet: the close is at 01:00 Shanghai
    [InlineData("2026-12-01T01:00:00+08:00", "2026-11")]
    [InlineData("2026-11-30T17:30:00+00:00", "2026-11")]   // 01:30 on 1 December in Shanghai
    [InlineData("2026-12-17T12:00:00+08:00", "2026-11")]   // a worker that was down catches up
    [InlineData("2027-01-01T02:00:00+08:00", "2026-12")]
    public void The_close_is_for_the_previous_month_from_one_oclock_on_the_first(string now, string? month) =>
        Assert.Equal(month, AssessmentService.MonthToClose(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture))?.Key);
}

public sealed class AssessedPeriodTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 1, 0, 0, TimeSpan.Zero); // 2026-11-25 09:00 in Shanghai

    [Theory]
    [InlineData("2026-11", true)]   // the current month, live
    [InlineData("2026-Q4", true)]   // the current quarter
    [InlineData("2026", true)]      // the current year
    [InlineData("2026-01", true)]   // January of the first year
    [InlineData("2025-12", false)]  // before go-live
    [InlineData("2025", false)]
    [InlineData("1940-06", false)]
    [InlineData("2026-12", false)]  // not begun
    [InlineData("2027-Q1", false)]
    [InlineData("2027", false)]
    public void A_period_exists_from_the_first_years_January_to_the_current_one(string key, bool exists) =>
        Assert.Equal(exists, PeriodAssessment.IsAssessed(WxQms.Domain.Rules.Tasks.Periods.Parse(key), 2026, Now));

    [Fact]
    public void The_current_month_begins_at_Shanghai_midnight() =>
        Assert.True(PeriodAssessment.IsAssessed(WxQms.Domain.Rules.Tasks.Periods.Parse("2026-12"), 2026,
            new DateTimeOffset(2026, 11, 30, 16, 0, 0, TimeSpan.Zero)));
}
