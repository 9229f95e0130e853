using WxQms.Domain.Rules.Bot;

namespace WxQms.Tests.Rules.Bot;

public sealed class TaskInHandTests
{
    // 2026-11-25 09:00 in Shanghai.
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 1, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromDays(14);
    private static readonly DateTimeOffset EndOfNovember = new(2026, 11, 30, 16, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset EndOfDecember = new(2026, 12, 31, 16, 0, 0, TimeSpan.Zero);

    private static PhotoTaskCandidate Task(long id, DateTimeOffset due, DateTimeOffset? planned = null, bool overdue = false,
        DateTimeOffset? acted = null) =>
        new(id, $"任务{id}", "2026-11", "第一支部", due, planned, overdue, acted);

    [Fact]
    public void The_task_she_last_acted_on_wins_over_everything_else()
    {
        var decision = TaskInHand.Decide(
            [Task(1, EndOfNovember, acted: Now.AddDays(-3)), Task(2, EndOfNovember, acted: Now.AddHours(-1)), Task(3, Now.AddHours(-2), overdue: true)],
            Now, Window);

        Assert.Equal((TaskInHandKind.Attach, 2L), (decision.Kind, decision.TaskId));
    }

    [Fact]
    public void An_action_older_than_the_window_no_longer_counts()
    {
        var decision = TaskInHand.Decide([Task(1, EndOfNovember, acted: Now.AddDays(-20)), Task(2, EndOfDecember)], Now, Window);

        Assert.Equal(TaskInHandKind.Ask, decision.Kind);
    }

    [Fact]
    public void The_only_task_planned_for_today_is_taken_without_asking()
    {
        var decision = TaskInHand.Decide([Task(1, EndOfNovember, planned: Now.AddHours(5)), Task(2, EndOfDecember)], Now, Window);

        Assert.Equal((TaskInHandKind.Attach, 1L), (decision.Kind, decision.TaskId));
    }

    [Fact]
    public void The_only_overdue_task_is_taken_without_asking()
    {
        var decision = TaskInHand.Decide([Task(1, Now.AddDays(-2), overdue: true), Task(2, EndOfDecember)], Now, Window);

        Assert.Equal((TaskInHandKind.Attach, 1L), (decision.Kind, decision.TaskId));
    }

    [Fact]
    public void A_task_due_at_the_end_of_today_counts_as_due_today()
    {
        var endOfToday = new DateTimeOffset(2026, 11, 25, 16, 0, 0, TimeSpan.Zero); // Shanghai midnight

        var decision = TaskInHand.Decide([Task(1, endOfToday), Task(2, EndOfDecember)], Now, Window);

        Assert.Equal((TaskInHandKind.Attach, 1L), (decision.Kind, decision.TaskId));
    }

    [Fact]
    public void Two_pressing_tasks_are_asked_about_pressing_first()
    {
        var decision = TaskInHand.Decide(
            [Task(3, EndOfDecember), Task(1, Now.AddDays(-1), overdue: true), Task(2, Now.AddDays(-2), overdue: true)], Now, Window);

        Assert.Equal(TaskInHandKind.Ask, decision.Kind);
        Assert.Equal([2L, 1L, 3L], decision.Options.Select(o => o.TaskId));
    }

    [Fact]
    public void Nothing_pressing_lists_what_is_open_and_never_more_than_nine()
    {
        var open = Enumerable.Range(1, 12).Select(i => Task(i, EndOfDecember.AddDays(i))).ToList();

        var decision = TaskInHand.Decide(open, Now, Window);

        Assert.Equal(TaskInHandKind.Ask, decision.Kind);
        Assert.Equal(TaskInHand.MaxOptions, decision.Options.Count);
        Assert.Equal(1L, decision.Options[0].TaskId);
    }

    [Fact]
    public void No_open_task_means_none()
    {
        Assert.Equal(TaskInHandKind.None, TaskInHand.Decide([], Now, Window).Kind);
    }
}
