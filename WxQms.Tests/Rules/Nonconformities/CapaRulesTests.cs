using WxQms.Domain.Model;
using WxQms.Domain.Rules.Nonconformities;

namespace WxQms.Tests.Rules.Nonconformities;

/// <summary>The corrective action's workflow, the rules that raise nonconformities from the task data, and the deduction; one case per edge.</summary>
public sealed class CapaRulesTests
{
    private static DateOnly D(string s) => DateOnly.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    private static readonly DateOnly Today = new(2026, 12, 7);

    [Theory]
    [InlineData(NonconformityState.Open, CapaAction.RecordAction, NonconformityState.ActionRecorded, null)]
    [InlineData(NonconformityState.Reopened, CapaAction.RecordAction, NonconformityState.ActionRecorded, null)]
    [InlineData(NonconformityState.ActionRecorded, CapaAction.RecordAction, NonconformityState.ActionRecorded, null)] // revised
    [InlineData(NonconformityState.ActionRecorded, CapaAction.Complete, NonconformityState.AwaitingCheck, null)]
    [InlineData(NonconformityState.AwaitingCheck, CapaAction.PassCheck, NonconformityState.Closed, null)]
    [InlineData(NonconformityState.AwaitingCheck, CapaAction.FailCheck, NonconformityState.Reopened, null)]
    [InlineData(NonconformityState.Open, CapaAction.Complete, NonconformityState.Open, "nonconformity.no_action")]
    [InlineData(NonconformityState.Reopened, CapaAction.Complete, NonconformityState.Reopened, "nonconformity.no_action")]
    [InlineData(NonconformityState.Open, CapaAction.PassCheck, NonconformityState.Open, "nonconformity.not_awaiting_check")]
    [InlineData(NonconformityState.ActionRecorded, CapaAction.FailCheck, NonconformityState.ActionRecorded, "nonconformity.not_awaiting_check")]
    [InlineData(NonconformityState.AwaitingCheck, CapaAction.RecordAction, NonconformityState.AwaitingCheck, "nonconformity.awaiting_check")]
    [InlineData(NonconformityState.AwaitingCheck, CapaAction.Complete, NonconformityState.AwaitingCheck, "nonconformity.awaiting_check")]
    [InlineData(NonconformityState.Closed, CapaAction.RecordAction, NonconformityState.Closed, "nonconformity.closed")]
    [InlineData(NonconformityState.Closed, CapaAction.PassCheck, NonconformityState.Closed, "nonconformity.closed")]
    public void Closed_only_after_a_passed_check_and_reopened_by_a_failed_one(NonconformityState state, CapaAction action,
        NonconformityState next, string? code)
    {
        var (to, refusal) = CapaRules.Apply(state, action, Today, Today);
        Assert.Equal(code, refusal?.Code);
        Assert.Equal(next, to);
    }

    [Theory]
    [InlineData("2026-12-08", CapaAction.PassCheck, "nonconformity.check_not_due")]
    [InlineData("2026-12-08", CapaAction.FailCheck, "nonconformity.check_not_due")]
    [InlineData("2026-12-07", CapaAction.PassCheck, null)]
    [InlineData("2026-12-01", CapaAction.FailCheck, null)]
    public void The_check_waits_for_its_day(string checkDue, CapaAction action, string? code) =>
        Assert.Equal(code, CapaRules.Apply(NonconformityState.AwaitingCheck, action, Today, D(checkDue)).Refusal?.Code);

    [Theory]
    [InlineData("原因", "措施", "2026-12-07", null)]
    [InlineData("原因", "措施", "2027-06-05", null)] // 180 days
    [InlineData("原因", "措施", "2027-06-06", "nonconformity.due_too_far")]
    [InlineData("原因", "措施", "2026-12-06", "nonconformity.due_past")]
    [InlineData("原因", "措施", null, "nonconformity.due_required")]
    [InlineData(" ", "措施", "2026-12-20", "nonconformity.cause_required")]
    [InlineData("原因", null, "2026-12-20", "nonconformity.action_required")]
    public void A_countermeasure_has_a_cause_and_a_due_date_within_half_a_year(string? cause, string? action, string? due, string? code) =>
        Assert.Equal(code, CapaRules.CheckAction(cause, action, due is null ? null : D(due), Today)?.Refusal.Code);

    [Fact]
    public void A_cause_longer_than_the_limit_is_refused() =>
        Assert.Equal("nonconformity.too_long", CapaRules.CheckAction(new string('因', 1001), "措施", Today, Today)?.Refusal.Code);

    [Theory]
    [InlineData("已重新组织学习", 0, null)]
    [InlineData(null, 1, null)]
    [InlineData(" ", 0, "nonconformity.evidence_required")]
    [InlineData(null, 0, "nonconformity.evidence_required")]
    public void A_completion_needs_a_note_or_a_photo(string? note, int photos, string? code) =>
        Assert.Equal(code, CapaRules.CheckCompletion(note, photos)?.Code);

    [Theory]
    [InlineData("2026-12-07", 30, "2027-01-06")]
    [InlineData("2026-12-07", 0, "2026-12-07")]
    [InlineData("2026-12-07", -5, "2026-12-07")]
    public void The_check_falls_due_a_set_number_of_days_after_completion(string completed, int days, string due) =>
        Assert.Equal(D(due), CapaRules.CheckDue(D(completed), days));

    [Theory]
    [InlineData(NonconformityState.ActionRecorded, "2026-12-11", null, null)]
    [InlineData(NonconformityState.ActionRecorded, "2026-12-10", null, CapaAlert.ActionDueSoon)]
    [InlineData(NonconformityState.ActionRecorded, "2026-12-07", null, CapaAlert.ActionDueSoon)]
    [InlineData(NonconformityState.ActionRecorded, "2026-12-06", null, CapaAlert.ActionOverdue)]
    [InlineData(NonconformityState.Open, "2026-12-06", null, null)]
    [InlineData(NonconformityState.AwaitingCheck, "2026-12-01", "2026-12-07", CapaAlert.CheckDue)]
    [InlineData(NonconformityState.AwaitingCheck, "2026-12-01", "2026-12-08", null)]
    [InlineData(NonconformityState.Closed, "2026-12-01", "2026-12-01", null)]
    public void The_secretary_is_reminded_before_the_due_date_warned_after_it_and_the_committee_told_when_the_check_is_due(
        NonconformityState state, string actionDue, string? checkDue, CapaAlert? alert) =>
        Assert.Equal(alert, CapaRules.Due(state, D(actionDue), checkDue is null ? null : D(checkDue), Today));

    [Theory]
    [InlineData(NonconformityState.ActionRecorded, "2026-12-06", true)]
    [InlineData(NonconformityState.ActionRecorded, "2026-12-07", false)]
    [InlineData(NonconformityState.AwaitingCheck, "2026-12-01", false)]
    [InlineData(NonconformityState.Reopened, "2026-12-01", false)]
    [InlineData(NonconformityState.Closed, "2026-12-01", false)]
    public void Past_due_is_a_recorded_countermeasure_not_done_by_its_date(NonconformityState state, string due, bool expected) =>
        Assert.Equal(expected, CapaRules.PastDue(state, D(due), Today));

    [Theory]
    [InlineData(0, 0, "0")]
    [InlineData(1, 0, "0.5")]
    [InlineData(3, 0, "1.5")]
    [InlineData(10, 0, "2")] // capped
    [InlineData(3, 1, "0")] // no deduction configured
    public void Each_nonconformity_past_due_deducts_up_to_a_cap(int pastDue, int off, string expected)
    {
        var perItem = off == 1 ? 0m : 0.5m;
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), NonconformityDeduction.For(pastDue, perItem, 2m));
    }

    [Theory]
    [InlineData("2026-01-01", "2026-Q1")]
    [InlineData("2026-03-31", "2026-Q1")]
    [InlineData("2026-04-01", "2026-Q2")]
    [InlineData("2026-12-31", "2026-Q4")]
    public void A_day_belongs_to_its_quarter(string day, string quarter) => Assert.Equal(quarter, RaisedByRule.Quarter(D(day)));

    public static TheoryData<string, TaskMark[], string[]> TaskCases => new()
    {
        { "two warned in a quarter", [new(1, 10, D("2026-07-05"), true, false), new(1, 11, D("2026-09-30"), true, false)], ["tasks:1:2026-Q3"] },
        { "one warned, one overdue", [new(1, 10, D("2026-07-05"), true, false), new(1, 11, D("2026-08-30"), false, true)], ["tasks:1:2026-Q3"] },
        { "one only", [new(1, 10, D("2026-07-05"), true, true)], [] },
        { "the same task twice", [new(1, 10, D("2026-07-05"), true, false), new(1, 10, D("2026-07-05"), false, true)], [] },
        { "across two quarters", [new(1, 10, D("2026-06-30"), true, false), new(1, 11, D("2026-07-01"), true, false)], [] },
        { "two branches one each", [new(1, 10, D("2026-07-05"), true, false), new(2, 11, D("2026-07-06"), true, false)], [] },
        { "neither warned nor overdue", [new(1, 10, D("2026-07-05"), false, false), new(1, 11, D("2026-07-06"), false, false)], [] },
        { "three in two quarters", [new(1, 10, D("2026-07-05"), true, false), new(1, 11, D("2026-08-05"), true, false),
            new(1, 12, D("2026-10-05"), true, false), new(1, 13, D("2026-11-05"), false, true)], ["tasks:1:2026-Q3", "tasks:1:2026-Q4"] },
    };

    [Theory]
    [MemberData(nameof(TaskCases))]
    public void A_branch_with_two_warned_or_overdue_tasks_in_a_quarter_gets_one_nonconformity(string _, TaskMark[] tasks, string[] refs) =>
        Assert.Equal(refs, RaisedByRule.FromTasks(tasks).Select(f => f.SourceRef));

    [Theory]
    [InlineData(new[] { "2026-07-05", "2026-08-05" }, new[] { 10L, 11L }, 1)]
    [InlineData(new[] { "2026-07-05", "2026-07-05" }, new[] { 10L, 10L }, 0)] // the same meeting judged twice
    [InlineData(new[] { "2026-06-30", "2026-07-01" }, new[] { 10L, 11L }, 0)]
    [InlineData(new[] { "2026-07-05" }, new[] { 10L }, 0)]
    public void A_meeting_judged_without_quorum_twice_in_a_quarter_raises_one(string[] days, long[] tasks, int expected) =>
        Assert.Equal(expected, RaisedByRule.FromQuorum(days.Select((d, i) => new QuorumMiss(1, tasks[i], D(d)))).Count);

    [Theory]
    [InlineData(6, 1)]
    [InlineData(9, 1)]
    [InlineData(5, 0)]
    public void Dues_arrears_of_six_months_raise_a_serious_one(int months, int expected)
    {
        var found = RaisedByRule.FromArrears([new ArrearsCase(7, 1, "2026-10", months)]);
        Assert.Equal(expected, found.Count);
        Assert.All(found, f => Assert.Equal(("dues:7", NonconformitySeverity.Major), (f.SourceRef, f.Severity)));
    }
}
