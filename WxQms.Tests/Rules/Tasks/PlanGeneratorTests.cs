using System.Globalization;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;

namespace WxQms.Tests.Rules.Tasks;

public sealed class PlanGeneratorTests
{
    private static readonly DateOnly LongAgo = new(2020, 1, 1);

    /// <summary>9 full members, a committee of 3 and two party groups: the demo's most common shape.</summary>
    private static readonly OrgForPlanning TypicalBranch = new(10, OrgKind.Branch, LongAgo, 9, 3, [101, 102]);

    /// <summary>5 full members: a secretary, no committee, no groups.</summary>
    private static readonly OrgForPlanning SmallBranch = new(20, OrgKind.Branch, LongAgo, 5, 0, []);

    /// <summary>A community that is a single branch: branch duties plus the secretary's report.</summary>
    private static readonly OrgForPlanning CommunityBranch = new(30, OrgKind.Branch, LongAgo, 12, 4, [], CommunityLevel: true);

    private static readonly OrgForPlanning CommunityCommittee = new(1, OrgKind.CommunityCommittee, LongAgo, 2, 5, [], CommunityLevel: true);
    private static readonly OrgForPlanning GeneralBranch = new(2, OrgKind.GeneralBranch, LongAgo, 3, 3, [], CommunityLevel: false);
    private static readonly OrgForPlanning GroupAsOrg = new(101, OrgKind.PartyGroup, LongAgo, 4, 0, []);

    private static readonly OrgForPlanning[] All = [TypicalBranch, SmallBranch, CommunityBranch, CommunityCommittee, GeneralBranch, GroupAsOrg];

    private static IReadOnlyList<PlannedTask> Plan(params OrgForPlanning[] orgs) =>
        PlanGenerator.ForYear(2026, orgs, TaskCatalogue.Default);

    private static DateTimeOffset At(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(TaskCodes.MemberMeeting, 4)]
    [InlineData(TaskCodes.CommitteeMeeting, 12)]
    [InlineData(TaskCodes.GroupMeeting, 24)]
    [InlineData(TaskCodes.PartyLecture, 4)]
    [InlineData(TaskCodes.ThemePartyDay, 12)]
    [InlineData(TaskCodes.OrgLifeMeeting, 1)]
    [InlineData(TaskCodes.MemberAppraisal, 1)]
    [InlineData(TaskCodes.HeartToHeartTalks, 1)]
    [InlineData(TaskCodes.PartyDues, 12)]
    [InlineData(TaskCodes.SecretaryReport, 0)]
    public void A_branch_with_a_committee_and_two_groups_gets_each_duty_per_period(string code, int count) =>
        Assert.Equal(count, Plan(TypicalBranch).Count(t => t.TemplateCode == code));

    [Theory]
    [InlineData(10, 4 + 12 + 24 + 4 + 12 + 1 + 1 + 1 + 12)]
    [InlineData(20, 4 + 4 + 12 + 1 + 1 + 1 + 12)]
    [InlineData(30, 4 + 12 + 4 + 12 + 1 + 1 + 1 + 12 + 1)]
    [InlineData(1, 1)]
    [InlineData(2, 0)]
    [InlineData(101, 0)]
    public void Each_org_gets_the_tasks_of_its_kind_and_shape(long orgId, int count) =>
        Assert.Equal(count, Plan(All).Count(t => t.OrgId == orgId));

    [Fact]
    public void A_typical_branch_year_is_worth_100_points()
    {
        var tasks = Plan(TypicalBranch);

        Assert.Equal(71, tasks.Count);
        Assert.Equal(100m, tasks.Sum(t => t.PossiblePoints));
    }

    [Fact]
    public void Regenerating_the_plan_gives_the_same_keys_and_no_duplicates()
    {
        var first = Plan(All);
        var second = Plan(All.Reverse().ToArray());

        Assert.Equal(first.Count, first.Select(t => t.UniqueKey).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(first.OrderBy(t => t.UniqueKey, StringComparer.Ordinal), second.OrderBy(t => t.UniqueKey, StringComparer.Ordinal));
    }

    [Fact]
    public void A_new_catalogue_version_does_not_change_the_keys_of_a_year_already_planned()
    {
        var v1 = TaskCatalogue.Default.Resolve(TaskCodes.ThemePartyDay, new DateOnly(2026, 1, 1));
        var changed = TaskCatalogue.Default.With(v1 with { Version = 2, EffectiveFrom = new DateOnly(2026, 7, 1), Points = 2m });

        var before = Plan(TypicalBranch);
        var after = PlanGenerator.ForYear(2026, [TypicalBranch], changed);

        Assert.Equal(before.Select(t => t.UniqueKey).Order(StringComparer.Ordinal), after.Select(t => t.UniqueKey).Order(StringComparer.Ordinal));
        var themeDays = after.Where(t => t.TemplateCode == TaskCodes.ThemePartyDay).ToList();
        Assert.Equal(6, themeDays.Count(t => t.TemplateVersion == 1));
        Assert.Equal("10:theme_party_day:2026-07", themeDays.First(t => t.TemplateVersion == 2).UniqueKey);
    }

    [Fact]
    public void Keys_name_the_org_the_duty_the_period_and_the_group()
    {
        var keys = Plan(TypicalBranch).Select(t => t.UniqueKey).ToHashSet(StringComparer.Ordinal);

        Assert.Contains("10:member_meeting:2026-Q1", keys);
        Assert.Contains("10:committee_meeting:2026-11", keys);
        Assert.Contains("10:group_meeting:2026-11:g101", keys);
        Assert.Contains("10:group_meeting:2026-11:g102", keys);
        Assert.Contains("10:org_life_meeting:2026", keys);
        Assert.Equal("10:group_meeting:2026-11:g101", TaskKeys.For(10, TaskCodes.GroupMeeting, "2026-11", 101));
    }

    [Fact]
    public void Group_meetings_belong_to_the_branch_and_name_their_group()
    {
        var groupTasks = Plan(TypicalBranch).Where(t => t.TemplateCode == TaskCodes.GroupMeeting).ToList();

        Assert.All(groupTasks, t => Assert.Equal(10, t.OrgId));
        Assert.Equal([101L, 102L], groupTasks.Select(t => t.PartyGroupId!.Value).Distinct().Order());
        Assert.All(Plan(TypicalBranch).Where(t => t.TemplateCode != TaskCodes.GroupMeeting), t => Assert.Null(t.PartyGroupId));
    }

    [Fact]
    public void A_group_listed_twice_gets_one_meeting_a_month() =>
        Assert.Equal(12, Plan(SmallBranch with { PartyGroupIds = [7, 7] }).Count(t => t.TemplateCode == TaskCodes.GroupMeeting));

    [Theory]
    [InlineData("2025-08-01", 12, 4, 1)]
    [InlineData("2026-01-01", 12, 4, 1)]
    [InlineData("2026-05-10", 8, 3, 1)]
    [InlineData("2026-06-30", 7, 3, 1)]
    [InlineData("2026-07-01", 6, 2, 1)]
    [InlineData("2026-12-31", 1, 1, 1)]
    [InlineData("2027-01-05", 0, 0, 0)]
    public void An_org_created_during_the_year_gets_the_periods_that_end_after_it(string createdOn, int months, int quarters, int years)
    {
        var tasks = Plan(TypicalBranch with { CreatedOn = DateOnly.Parse(createdOn, CultureInfo.InvariantCulture) });

        Assert.Equal(months, tasks.Count(t => t.TemplateCode == TaskCodes.ThemePartyDay));
        Assert.Equal(2 * months, tasks.Count(t => t.TemplateCode == TaskCodes.GroupMeeting));
        Assert.Equal(quarters, tasks.Count(t => t.TemplateCode == TaskCodes.MemberMeeting));
        Assert.Equal(years, tasks.Count(t => t.TemplateCode == TaskCodes.OrgLifeMeeting));
    }

    [Theory]
    [InlineData(9, 3, 12)]
    [InlineData(30, 5, 12)]
    [InlineData(6, 3, 12)]
    [InlineData(6, 0, 0)]
    [InlineData(9, 0, 0)]
    [InlineData(9, 2, 0)]
    public void Committee_meetings_go_only_to_branches_with_a_committee(int fullMembers, int committeeMembers, int meetings) =>
        Assert.Equal(meetings, Plan(SmallBranch with { FullMembers = fullMembers, CommitteeMembers = committeeMembers })
            .Count(t => t.TemplateCode == TaskCodes.CommitteeMeeting));

    [Theory]
    [InlineData(TaskCodes.MemberMeeting, "2026-Q1", "2025-12-31T16:00:00Z", "2026-03-31T16:00:00Z")]
    [InlineData(TaskCodes.CommitteeMeeting, "2026-02", "2026-01-31T16:00:00Z", "2026-02-28T16:00:00Z")]
    [InlineData(TaskCodes.PartyDues, "2026-12", "2026-11-30T16:00:00Z", "2026-12-31T16:00:00Z")]
    [InlineData(TaskCodes.OrgLifeMeeting, "2026", "2026-09-30T16:00:00Z", "2026-12-31T16:00:00Z")]
    [InlineData(TaskCodes.MemberAppraisal, "2026", "2025-12-31T16:00:00Z", "2026-12-31T16:00:00Z")]
    public void Tasks_are_due_when_their_period_ends_in_Shanghai(string code, string periodKey, string opensAt, string dueAt)
    {
        var task = Assert.Single(Plan(TypicalBranch), t => t.TemplateCode == code && t.PeriodKey == periodKey);

        Assert.Equal(At(opensAt), task.OpensAt);
        Assert.Equal(At(dueAt), task.DueAt);
        Assert.Equal(1, task.TemplateVersion);
        Assert.Equal(TaskCatalogue.Default.Get(code, 1).Points, task.PossiblePoints);
    }

    [Fact]
    public void A_duty_that_changes_rhythm_mid_year_keeps_the_periods_that_ended_under_each_version()
    {
        var v1 = TaskCatalogue.Default.Resolve(TaskCodes.PartyLecture, new DateOnly(2026, 1, 1));
        var catalogue = TaskCatalogue.Default.With(v1 with
        {
            Version = 2, EffectiveFrom = new DateOnly(2026, 7, 1), Recurrence = Recurrence.Yearly, Points = 12m, LateDeduction = 6m,
        });

        var lectures = PlanGenerator.ForYear(2026, [TypicalBranch], catalogue).Where(t => t.TemplateCode == TaskCodes.PartyLecture).ToList();

        Assert.Equal(["2026-Q1:1", "2026-Q2:1", "2026:2"],
            lectures.Select(t => $"{t.PeriodKey}:{t.TemplateVersion}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_duty_that_first_takes_effect_mid_period_gets_that_period()
    {
        var dues = TaskCatalogue.Default.Resolve(TaskCodes.PartyDues, new DateOnly(2026, 1, 1));
        var catalogue = new TaskCatalogue([dues with { Code = "flood_duty", EffectiveFrom = new DateOnly(2026, 7, 15) }]);

        var tasks = PlanGenerator.ForYear(2026, [TypicalBranch], catalogue);

        Assert.Equal(["2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"], tasks.Select(t => t.PeriodKey));
    }

    [Fact]
    public void Ad_hoc_templates_are_never_planned()
    {
        var dues = TaskCatalogue.Default.Resolve(TaskCodes.PartyDues, new DateOnly(2026, 1, 1));
        var catalogue = new TaskCatalogue([dues with { Code = "adhoc_survey", Recurrence = Recurrence.Once }]);

        Assert.Empty(PlanGenerator.ForYear(2026, All, catalogue));
    }

    [Fact]
    public void A_plan_for_a_year_before_the_catalogue_is_empty() =>
        Assert.Empty(PlanGenerator.ForYear(2025, All, TaskCatalogue.Default));

    [Fact]
    public void Refuses_an_org_listed_twice() =>
        Assert.Throws<ArgumentException>(() => Plan(TypicalBranch, SmallBranch, TypicalBranch));

    [Fact]
    public void Accepts_a_plain_list_of_templates_as_the_catalogue()
    {
        var templates = TaskCatalogue.Default.ToList();

        Assert.Equal(Plan(All), PlanGenerator.ForYear(2026, All, templates));
    }
}
