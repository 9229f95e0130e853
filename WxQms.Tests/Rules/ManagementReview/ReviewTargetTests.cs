using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.ManagementReview;

namespace WxQms.Tests.Rules.ManagementReview;

/// <summary>管理评审 (issue #20 item 2): which of the year's targets apply to an org, whether it met them, repeated problems.</summary>
public sealed class ReviewTargetTests
{
    private const string Committee = "committee_meeting";

    private static OrgFacts Facts(decimal? ratio = 0.9m, int due = 10, int onTime = 9, int committeeDue = 3, int committeeDone = 3,
        int? arrears = 0) =>
        new(7, TargetLevel.Branch, ratio, due, onTime,
            committeeDue == 0 ? new Dictionary<string, (int, int)>() : new Dictionary<string, (int, int)> { [Committee] = (committeeDue, committeeDone) },
            arrears);

    private static ReviewTarget Target(TargetKind kind, decimal? threshold = null, string? duty = null) =>
        new(1, 2026, null, TargetLevel.Branch, kind, duty, threshold);

    [Theory]
    [InlineData(3, 3, TargetOutcome.Met, "完成 3/3")]       // every monthly 支委会 of the quarter held
    [InlineData(3, 2, TargetOutcome.NotMet, "完成 2/3")]    // one missed
    [InlineData(3, 0, TargetOutcome.NotMet, "完成 0/3")]
    [InlineData(0, 0, TargetOutcome.NoData, "本期无到期任务")] // nothing due yet: neither met nor missed
    public void A_duty_target_is_met_when_every_task_of_the_duty_is_done(int due, int done, TargetOutcome outcome, string actual)
    {
        var result = ReviewTargets.Evaluate(Target(TargetKind.DutyAllDone, duty: Committee), Facts(committeeDue: due, committeeDone: done));
        Assert.Equal((outcome, actual), (result.Outcome, result.Actual));
    }

    [Theory]
    [InlineData(10, 9, 90, TargetOutcome.Met)]      // exactly the threshold meets it
    [InlineData(10, 8, 90, TargetOutcome.NotMet)]
    [InlineData(3, 2, 66.67, TargetOutcome.NotMet)] // 66.666… is below 66.67
    [InlineData(3, 2, 66.66, TargetOutcome.Met)]
    [InlineData(10, 10, 100, TargetOutcome.Met)]
    [InlineData(0, 0, 50, TargetOutcome.NoData)]
    public void An_on_time_target_compares_the_share_done_on_time(int due, int onTime, decimal threshold, TargetOutcome outcome) =>
        Assert.Equal(outcome, ReviewTargets.Evaluate(Target(TargetKind.OnTimeRate, threshold), Facts(due: due, onTime: onTime)).Outcome);

    [Theory]
    [InlineData(0, TargetOutcome.Met, "无欠缴")]
    [InlineData(1, TargetOutcome.NotMet, "1 名党员欠缴")]
    [InlineData(null, TargetOutcome.NoData, "暂无党费数据")] // no dues kept in the scope yet
    public void A_dues_target_is_met_without_arrears(int? arrears, TargetOutcome outcome, string actual)
    {
        var result = ReviewTargets.Evaluate(Target(TargetKind.NoDuesArrears), Facts(arrears: arrears));
        Assert.Equal((outcome, actual), (result.Outcome, result.Actual));
    }

    [Theory]
    [InlineData(0.85, 85, TargetOutcome.Met, "85.0 分")]
    [InlineData(0.8499, 85, TargetOutcome.Met, "85.0 分")]     // judged as shown: the score to one decimal
    [InlineData(0.8449, 85, TargetOutcome.NotMet, "84.5 分")]
    [InlineData(1.0, 100, TargetOutcome.Met, "100.0 分")]
    [InlineData(null, 85, TargetOutcome.NoData, "本期无到期任务")]
    public void A_score_target_compares_the_rankings_result_on_a_hundred(double? ratio, decimal threshold, TargetOutcome outcome, string actual)
    {
        var result = ReviewTargets.Evaluate(Target(TargetKind.MinScore, threshold), Facts(ratio: (decimal?)ratio));
        Assert.Equal((outcome, actual), (result.Outcome, result.Actual));
    }

    [Fact]
    public void An_orgs_own_target_stands_in_for_its_levels_of_the_same_kind_and_duty()
    {
        ReviewTarget[] targets =
        [
            new(1, 2026, null, TargetLevel.Branch, TargetKind.OnTimeRate, null, 90),
            new(2, 2026, 7, null, TargetKind.OnTimeRate, null, 80),         // branch 7 gets 80 % instead
            new(3, 2026, null, TargetLevel.Branch, TargetKind.DutyAllDone, Committee, null),
            new(4, 2026, 7, null, TargetKind.DutyAllDone, "theme_party_day", null), // another duty: both apply
            new(5, 2026, null, TargetLevel.Community, TargetKind.NoDuesArrears, null, null), // communities only
            new(6, 2025, null, TargetLevel.Branch, TargetKind.MinScore, null, 85),         // last year's
        ];

        Assert.Equal([3, 4, 2], ReviewTargets.For(targets, 2026, 7, TargetLevel.Branch).Select(t => t.Id));
        Assert.Equal([3, 1], ReviewTargets.For(targets, 2026, 8, TargetLevel.Branch).Select(t => t.Id));
        Assert.Equal([5], ReviewTargets.For(targets, 2026, 9, TargetLevel.Community).Select(t => t.Id));
    }

    [Theory]
    [InlineData(TargetKind.DutyAllDone, null, null, "请选择职责")]
    [InlineData(TargetKind.DutyAllDone, Committee, null, null)]
    [InlineData(TargetKind.OnTimeRate, null, null, "目标值应大于0且不超过100")]
    [InlineData(TargetKind.OnTimeRate, null, 0.0, "目标值应大于0且不超过100")]
    [InlineData(TargetKind.MinScore, null, 100.5, "目标值应大于0且不超过100")]
    [InlineData(TargetKind.MinScore, null, 100.0, null)]
    [InlineData(TargetKind.NoDuesArrears, null, null, null)]
    public void A_target_needs_its_duty_or_its_threshold(TargetKind kind, string? duty, double? threshold, string? refusal) =>
        Assert.Equal(refusal, ReviewTargets.Check(kind, duty, (decimal?)threshold));

    [Fact]
    public void A_problem_repeats_when_the_same_duty_is_missed_or_warned_in_two_periods_or_two_orgs()
    {
        DutyProblem[] problems =
        [
            new(1, Committee, "2026-10", Missed: false), new(1, Committee, "2026-10", Missed: true), // warned, then missed: once
            new(1, Committee, "2026-11", Missed: true),  // the same org a second month
            new(2, "theme_party_day", "2026-10", Missed: false), new(3, "theme_party_day", "2026-10", Missed: true), // two orgs, one month
            new(4, "party_lecture", "2026-Q4", Missed: true), // once: not repeated
        ];

        var repeated = RepeatedProblems.Find(problems);

        Assert.Equal([Committee, "theme_party_day"], repeated.Select(r => r.DutyCode));
        Assert.Equal((1, 2, 2, 2), (repeated[0].Orgs, repeated[0].Periods, repeated[0].Times, repeated[0].Missed));
        Assert.Equal((2, 1, 2, 1), (repeated[1].Orgs, repeated[1].Periods, repeated[1].Times, repeated[1].Missed));
        Assert.Equal([2L, 3L], repeated[1].OrgIds);
    }

    [Theory]
    [InlineData("2026Q4", "2026-Q4")]
    [InlineData("2026-Q4", "2026-Q4")]
    [InlineData("2026q1", "2026-Q1")]
    [InlineData("2026", "2026")]
    [InlineData("2026-11", null)] // a month is no review period
    [InlineData("2026Q5", null)]
    [InlineData("Q4", null)]
    [InlineData("", null)]
    public void A_review_covers_a_quarter_or_a_year(string text, string? key)
    {
        var ok = ReviewPeriods.TryParse(text, out var period);
        Assert.Equal(key, ok ? period.Key : null);
        if (ok)
            Assert.Contains(period.Kind, new[] { RecurrenceKind.Quarterly, RecurrenceKind.Yearly });
    }
}
