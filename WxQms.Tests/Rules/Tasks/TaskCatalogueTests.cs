using System.Globalization;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;

namespace WxQms.Tests.Rules.Tasks;

public sealed class TaskCatalogueTests
{
    private static readonly DateOnly Jan1 = new(2026, 1, 1);

    private static readonly string[] AllCodes =
    [
        TaskCodes.MemberMeeting, TaskCodes.CommitteeMeeting, TaskCodes.GroupMeeting, TaskCodes.PartyLecture,
        TaskCodes.ThemePartyDay, TaskCodes.OrgLifeMeeting, TaskCodes.MemberAppraisal, TaskCodes.HeartToHeartTalks,
        TaskCodes.PartyDues, TaskCodes.SecretaryReport,
    ];

    public static TheoryData<string> Codes() => new(AllCodes);

    [Theory]
    [MemberData(nameof(Codes))]
    public void Every_catalogue_template_resolves_from_the_day_it_takes_effect(string code)
    {
        var template = TaskCatalogue.Default.Resolve(code, Jan1);

        Assert.Equal(code, template.Code);
        Assert.Equal(1, template.Version);
        Assert.Equal(new DateOnly(2026, 1, 1), template.EffectiveFrom);
        Assert.Same(template, TaskCatalogue.Default.Resolve(code, new DateOnly(2030, 6, 1)));
        Assert.Same(template, TaskCatalogue.Default.Get(code, 1));
        Assert.False(string.IsNullOrWhiteSpace(template.Name));
        Assert.False(string.IsNullOrWhiteSpace(template.Source));
        Assert.InRange(template.LateDeduction, 0m, template.Points);
        Assert.True(template.OverdueDeduction > 0);
    }

    [Fact]
    public void The_default_catalogue_holds_exactly_the_branch_duties_and_the_secretary_report() =>
        Assert.Equal(AllCodes.Order(StringComparer.Ordinal),
            TaskCatalogue.Default.Codes.Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Codes))]
    public void Nothing_is_in_force_before_the_catalogue_takes_effect(string code)
    {
        Assert.False(TaskCatalogue.Default.TryResolve(code, new DateOnly(2025, 12, 31), out _));
        Assert.Throws<KeyNotFoundException>(() => TaskCatalogue.Default.Resolve(code, new DateOnly(2025, 12, 31)));
    }

    [Theory]
    [InlineData(TaskCodes.MemberMeeting, Quorum.MoreThanHalfOfVoting)]
    [InlineData(TaskCodes.MemberAppraisal, Quorum.MoreThanHalfOfVoting)]
    [InlineData(TaskCodes.CommitteeMeeting, Quorum.MoreThanHalfOfCommittee)]
    [InlineData(TaskCodes.GroupMeeting, Quorum.None)]
    [InlineData(TaskCodes.ThemePartyDay, Quorum.None)]
    public void Meetings_that_decide_need_their_quorum(string code, Quorum quorum) =>
        Assert.Equal(quorum, TaskCatalogue.Default.Resolve(code, Jan1).EvidenceRule.Quorum);

    [Theory]
    [InlineData(TaskCodes.MemberMeeting, RecurrenceKind.Quarterly, null, false)]
    [InlineData(TaskCodes.CommitteeMeeting, RecurrenceKind.Monthly, null, false)]
    [InlineData(TaskCodes.GroupMeeting, RecurrenceKind.Monthly, null, true)]
    [InlineData(TaskCodes.PartyLecture, RecurrenceKind.Quarterly, null, false)]
    [InlineData(TaskCodes.ThemePartyDay, RecurrenceKind.Monthly, null, false)]
    [InlineData(TaskCodes.OrgLifeMeeting, RecurrenceKind.Yearly, 4, false)]
    [InlineData(TaskCodes.MemberAppraisal, RecurrenceKind.Yearly, null, false)]
    [InlineData(TaskCodes.HeartToHeartTalks, RecurrenceKind.Yearly, null, false)]
    [InlineData(TaskCodes.PartyDues, RecurrenceKind.Monthly, null, false)]
    [InlineData(TaskCodes.SecretaryReport, RecurrenceKind.Yearly, null, false)]
    public void Each_duty_recurs_as_DUTIES_A2_says(string code, RecurrenceKind kind, int? withinQuarter, bool perGroup)
    {
        var recurrence = TaskCatalogue.Default.Resolve(code, Jan1).Recurrence;

        Assert.Equal(new Recurrence(kind, withinQuarter, perGroup), recurrence);
    }

    [Theory]
    [InlineData(TaskCodes.MemberMeeting, true, 3)]
    [InlineData(TaskCodes.CommitteeMeeting, true, 3)]
    [InlineData(TaskCodes.GroupMeeting, true, 3)]
    [InlineData(TaskCodes.PartyLecture, true, 3)]
    [InlineData(TaskCodes.ThemePartyDay, true, 3)]
    [InlineData(TaskCodes.OrgLifeMeeting, true, 7)]
    [InlineData(TaskCodes.MemberAppraisal, true, 7)]
    [InlineData(TaskCodes.HeartToHeartTalks, false, 0)]
    [InlineData(TaskCodes.PartyDues, false, 0)]
    [InlineData(TaskCodes.SecretaryReport, false, 0)]
    public void Meetings_report_their_plan_ahead(string code, bool required, int daysAhead) =>
        Assert.Equal(new PlanRule(required, daysAhead), TaskCatalogue.Default.Resolve(code, Jan1).PlanRule);

    [Fact]
    public void Only_committee_meetings_need_a_committee_and_only_the_secretary_report_is_for_communities()
    {
        var templates = TaskCatalogue.Default.InForce(Jan1);

        Assert.Equal([TaskCodes.CommitteeMeeting], templates.Where(t => t.AppliesTo.CommitteeOnly).Select(t => t.Code));
        Assert.Equal([TaskCodes.SecretaryReport], templates.Where(t => t.AppliesTo.CommunityLevelOnly).Select(t => t.Code));
        Assert.All(templates.Where(t => !t.AppliesTo.CommunityLevelOnly), t => Assert.Equal(OrgKind.Branch, t.AppliesTo.Kind));
    }

    [Theory]
    [InlineData("2026-06-30", 1)]
    [InlineData("2026-07-01", 2)]
    [InlineData("2026-12-31", 2)]
    [InlineData("2027-03-01", 3)]
    public void Versions_pick_by_date(string onDate, int version)
    {
        var v1 = TaskCatalogue.Default.Resolve(TaskCodes.PartyLecture, Jan1);
        var catalogue = TaskCatalogue.Default
            .With(v1 with { Version = 2, EffectiveFrom = new DateOnly(2026, 7, 1), Recurrence = Recurrence.Yearly, Points = 12m })
            .With(v1 with { Version = 3, EffectiveFrom = new DateOnly(2027, 1, 1) });

        Assert.Equal(version, catalogue.Resolve(TaskCodes.PartyLecture, DateOnly.Parse(onDate, CultureInfo.InvariantCulture)).Version);
    }

    [Fact]
    public void Adding_a_version_keeps_the_old_one_for_the_tasks_made_under_it()
    {
        var v1 = TaskCatalogue.Default.Resolve(TaskCodes.MemberMeeting, Jan1);

        var catalogue = TaskCatalogue.Default.With(v1 with { Version = 2, EffectiveFrom = new DateOnly(2027, 1, 1), Points = 5m });

        Assert.Same(v1, catalogue.Get(TaskCodes.MemberMeeting, 1));
        Assert.Equal(5m, catalogue.Get(TaskCodes.MemberMeeting, 2).Points);
        Assert.Equal([1, 2], catalogue.Versions(TaskCodes.MemberMeeting).Select(t => t.Version));
        Assert.Single(TaskCatalogue.Default.Versions(TaskCodes.MemberMeeting));
        Assert.Equal(TaskCatalogue.Default.Count + 1, catalogue.Count);
    }

    [Theory]
    [InlineData(2, "2026-01-01")]
    [InlineData(2, "2025-06-01")]
    [InlineData(1, "2027-01-01")]
    public void Refuses_a_version_that_does_not_come_after_the_last(int version, string effectiveFrom)
    {
        var v1 = TaskCatalogue.Default.Resolve(TaskCodes.MemberMeeting, Jan1);

        Assert.Throws<ArgumentException>(() => TaskCatalogue.Default.With(v1 with
        {
            Version = version,
            EffectiveFrom = DateOnly.Parse(effectiveFrom, CultureInfo.InvariantCulture),
        }));
    }

    [Theory]
    [InlineData("member:meeting")]
    [InlineData("Member_Meeting")]
    [InlineData("")]
    public void Refuses_a_code_that_cannot_sit_in_a_task_key(string code)
    {
        var v1 = TaskCatalogue.Default.Resolve(TaskCodes.MemberMeeting, Jan1);

        Assert.Throws<ArgumentException>(() => new TaskCatalogue([v1 with { Code = code }]));
    }

    [Fact]
    public void Refuses_a_late_deduction_larger_than_the_points()
    {
        var v1 = TaskCatalogue.Default.Resolve(TaskCodes.PartyDues, Jan1);

        Assert.Throws<ArgumentException>(() => new TaskCatalogue([v1 with { LateDeduction = v1.Points + 0.01m }]));
    }

    [Fact]
    public void An_unknown_code_does_not_resolve()
    {
        Assert.False(TaskCatalogue.Default.TryResolve("no_such_duty", Jan1, out _));
        Assert.Throws<KeyNotFoundException>(() => TaskCatalogue.Default.Get(TaskCodes.MemberMeeting, 9));
        Assert.Empty(TaskCatalogue.Default.Versions("no_such_duty"));
    }
}
