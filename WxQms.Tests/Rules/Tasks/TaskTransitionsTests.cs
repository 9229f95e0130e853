using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;

namespace WxQms.Tests.Rules.Tasks;

public sealed class TaskTransitionsTests
{
    // Facts under which each allowed edge goes through: an ad-hoc task with a plan, past due, with a reason.
    private static readonly TaskFacts Permissive = new(PlanRequired: true, HasPlan: true, AdHoc: true, PastDue: true, Reason: "上级通知取消");

    private static readonly (TaskState From, TaskAction Action, TaskState To)[] Allowed =
    [
        (TaskState.Pending, TaskAction.ReportPlan, TaskState.Planned),
        (TaskState.Planned, TaskAction.ReportPlan, TaskState.Planned),
        (TaskState.Pending, TaskAction.Submit, TaskState.Submitted),
        (TaskState.Planned, TaskAction.Submit, TaskState.Submitted),
        (TaskState.Returned, TaskAction.Submit, TaskState.Submitted),
        (TaskState.Overdue, TaskAction.Submit, TaskState.Submitted),
        (TaskState.Submitted, TaskAction.Complete, TaskState.Completed),
        (TaskState.Submitted, TaskAction.Return, TaskState.Returned),
        (TaskState.Completed, TaskAction.Approve, TaskState.Completed),
        (TaskState.Completed, TaskAction.Return, TaskState.Returned),
        (TaskState.Pending, TaskAction.MarkOverdue, TaskState.Overdue),
        (TaskState.Planned, TaskAction.MarkOverdue, TaskState.Overdue),
        (TaskState.Returned, TaskAction.MarkOverdue, TaskState.Overdue),
        (TaskState.Pending, TaskAction.Cancel, TaskState.Cancelled),
        (TaskState.Planned, TaskAction.Cancel, TaskState.Cancelled),
        (TaskState.Submitted, TaskAction.Cancel, TaskState.Cancelled),
        (TaskState.Returned, TaskAction.Cancel, TaskState.Cancelled),
        (TaskState.Overdue, TaskAction.Cancel, TaskState.Cancelled),
        (TaskState.Completed, TaskAction.Cancel, TaskState.Cancelled),
    ];

    public static TheoryData<TaskState, TaskAction, TaskState> AllowedTransitions()
    {
        var data = new TheoryData<TaskState, TaskAction, TaskState>();
        foreach (var (from, action, to) in Allowed)
            data.Add(from, action, to);
        return data;
    }

    public static TheoryData<TaskState, TaskAction> RefusedTransitions()
    {
        var data = new TheoryData<TaskState, TaskAction>();
        foreach (var from in Enum.GetValues<TaskState>())
            foreach (var action in Enum.GetValues<TaskAction>())
                if (!Allowed.Any(a => a.From == from && a.Action == action))
                    data.Add(from, action);
        return data;
    }

    [Theory]
    [MemberData(nameof(AllowedTransitions))]
    public void Allowed_transitions_reach_their_status(TaskState from, TaskAction action, TaskState to)
    {
        Assert.True(TaskTransitions.Can(from, action));

        var transition = TaskTransitions.Apply(from, action, action == TaskAction.ReportPlan ? Permissive with { PastDue = false } : Permissive);

        Assert.True(transition.Allowed);
        Assert.Equal(to, transition.To);
        Assert.Null(transition.Refusal);
    }

    [Theory]
    [MemberData(nameof(RefusedTransitions))]
    public void Every_other_transition_is_refused_in_Chinese(TaskState from, TaskAction action)
    {
        Assert.False(TaskTransitions.Can(from, action));

        var transition = TaskTransitions.Apply(from, action, Permissive);

        Assert.False(transition.Allowed);
        Assert.Null(transition.To);
        Assert.Contains(TaskTransitions.ActionLabel(action), transition.Refusal);
    }

    [Fact]
    public void The_table_covers_every_status_and_action() =>
        Assert.Equal(Enum.GetValues<TaskState>().Length * Enum.GetValues<TaskAction>().Length,
            AllowedTransitions().Count + RefusedTransitions().Count);

    [Theory]
    [InlineData(TaskState.Completed, TaskAction.Submit, "任务已完成，不能提交佐证材料")]
    [InlineData(TaskState.Cancelled, TaskAction.ReportPlan, "任务已撤销，不能报备计划")]
    [InlineData(TaskState.Submitted, TaskAction.MarkOverdue, "“已提交”状态的任务不能标记逾期")]
    [InlineData(TaskState.Overdue, TaskAction.ReportPlan, "“已逾期”状态的任务不能报备计划")]
    [InlineData(TaskState.Pending, TaskAction.Complete, "“待办”状态的任务不能判定完成")]
    public void Refusals_say_why(TaskState from, TaskAction action, string refusal) =>
        Assert.Equal(refusal, TaskTransitions.Apply(from, action, Permissive).Refusal);

    [Theory]
    [InlineData(TaskState.Pending, TaskAction.Submit, true, false, false, false, null, "本任务须先报备计划（时间、地点、主题），再提交佐证材料")]
    [InlineData(TaskState.Overdue, TaskAction.Submit, true, false, false, true, null, "本任务须先报备计划（时间、地点、主题），再提交佐证材料")]
    [InlineData(TaskState.Pending, TaskAction.MarkOverdue, false, false, false, false, null, "任务尚未到截止时间")]
    [InlineData(TaskState.Returned, TaskAction.MarkOverdue, false, false, false, false, null, "任务尚未到截止时间")]
    [InlineData(TaskState.Pending, TaskAction.ReportPlan, true, false, false, true, null, "任务已过截止时间，不能再报备计划")]
    [InlineData(TaskState.Planned, TaskAction.Cancel, false, false, false, false, "上级通知取消", "只有临时任务可以撤销，例行任务不能撤销")]
    [InlineData(TaskState.Pending, TaskAction.Cancel, false, false, true, false, null, "撤销任务须填写原因")]
    [InlineData(TaskState.Pending, TaskAction.Cancel, false, false, true, false, " ", "撤销任务须填写原因")]
    [InlineData(TaskState.Completed, TaskAction.Return, false, false, false, false, "", "退回须填写原因")]
    [InlineData(TaskState.Completed, TaskAction.Approve, false, false, false, false, null, "本次提交已审核，不能再次审核", true)]
    [InlineData(TaskState.Completed, TaskAction.Return, false, false, false, false, "照片不清", "本次提交已审核，不能再次审核", true)]
    [InlineData(TaskState.Completed, TaskAction.Cancel, false, false, false, false, "上级通知取消", "只有临时任务可以撤销，例行任务不能撤销")]
    public void The_facts_of_the_task_can_still_refuse_an_edge_of_the_table(
        TaskState from, TaskAction action, bool planRequired, bool hasPlan, bool adHoc, bool pastDue, string? reason, string refusal,
        bool reviewed = false)
    {
        Assert.True(TaskTransitions.Can(from, action));

        var transition = TaskTransitions.Apply(from, action, new TaskFacts(planRequired, hasPlan, adHoc, pastDue, reason, reviewed));

        Assert.False(transition.Allowed);
        Assert.Equal(refusal, transition.Refusal);
    }

    [Theory]
    [InlineData(TaskState.Pending, false, false)]
    [InlineData(TaskState.Pending, true, true)]
    [InlineData(TaskState.Planned, true, true)]
    [InlineData(TaskState.Returned, true, true)]
    [InlineData(TaskState.Overdue, false, false)]
    [InlineData(TaskState.Overdue, true, true)]
    public void A_duty_without_a_plan_rule_submits_straight_away_and_an_overdue_task_still_accepts_a_late_submission(
        TaskState from, bool planRequired, bool hasPlan)
    {
        var transition = TaskTransitions.Apply(from, TaskAction.Submit, new TaskFacts(planRequired, hasPlan, PastDue: from == TaskState.Overdue));

        Assert.Equal(TaskState.Submitted, transition.To);
    }

    [Fact]
    public void A_routine_task_follows_plan_submit_return_resubmit_complete()
    {
        var facts = new TaskFacts(PlanRequired: true);
        var status = TaskState.Pending;

        status = TaskTransitions.Apply(status, TaskAction.ReportPlan, facts).To!.Value;
        facts = facts with { HasPlan = true };
        status = TaskTransitions.Apply(status, TaskAction.Submit, facts).To!.Value;
        status = TaskTransitions.Apply(status, TaskAction.Return, facts).To!.Value;
        status = TaskTransitions.Apply(status, TaskAction.Submit, facts).To!.Value;
        status = TaskTransitions.Apply(status, TaskAction.Complete, facts).To!.Value;

        Assert.Equal(TaskState.Completed, status);
        Assert.False(TaskTransitions.IsOpen(status));
    }

    [Theory]
    [InlineData(TaskState.Pending, true)]
    [InlineData(TaskState.Planned, true)]
    [InlineData(TaskState.Submitted, true)]
    [InlineData(TaskState.Returned, true)]
    [InlineData(TaskState.Overdue, true)]
    [InlineData(TaskState.Completed, false)]
    [InlineData(TaskState.Cancelled, false)]
    public void Completed_and_cancelled_tasks_are_closed(TaskState status, bool open) =>
        Assert.Equal(open, TaskTransitions.IsOpen(status));
}
