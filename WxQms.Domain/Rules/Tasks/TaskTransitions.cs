using WxQms.Domain.Model.Tasks;

namespace WxQms.Domain.Rules.Tasks;

/// <summary>
/// What the state machine needs to know beyond the status. <see cref="PastDue"/>: now ≥ the task's
/// due time. <see cref="Reason"/>: why an ad-hoc task is cancelled, or why a reviewer returns a
/// completed one. <see cref="Reviewed"/>: the latest submission has already been reviewed.
/// </summary>
public sealed record TaskFacts(
    bool PlanRequired = false,
    bool HasPlan = false,
    bool AdHoc = false,
    bool PastDue = false,
    string? Reason = null,
    bool Reviewed = false);

/// <summary>The new status, or why not (in Chinese, for the user).</summary>
public sealed record Transition(TaskState? To, string? Refusal)
{
    public bool Allowed => To is not null;
}

/// <summary>
/// The task state machine:
/// <code>
/// Pending ─ReportPlan→ Planned ─ReportPlan→ Planned (rescheduled)
/// Pending ─Submit→ Submitted        (only when the duty needs no plan)
/// Planned ─Submit→ Submitted ─Complete→ Completed ─Approve→ Completed  (review, once per submission)
///                            └Return→ Returned ←Return─┘   (review sends it back, with a reason)
/// Returned ─Submit→ Submitted
/// Pending | Planned | Returned ─MarkOverdue→ Overdue ─Submit→ Submitted  (judged late)
/// any state but Cancelled ─Cancel→ Cancelled  (ad-hoc tasks only, with a reason)
/// </code>
/// Submitted is not marked overdue: the submission time already decides on time or late. Overdue
/// still accepts a late submission, which can complete for the points less the late deduction;
/// only a task never completed costs the overdue deduction when the period closes.
/// </summary>
public static class TaskTransitions
{
    private static readonly Dictionary<(TaskState, TaskAction), TaskState> Table = new()
    {
        [(TaskState.Pending, TaskAction.ReportPlan)] = TaskState.Planned,
        [(TaskState.Planned, TaskAction.ReportPlan)] = TaskState.Planned,
        [(TaskState.Pending, TaskAction.Submit)] = TaskState.Submitted,
        [(TaskState.Planned, TaskAction.Submit)] = TaskState.Submitted,
        [(TaskState.Returned, TaskAction.Submit)] = TaskState.Submitted,
        [(TaskState.Overdue, TaskAction.Submit)] = TaskState.Submitted,
        [(TaskState.Submitted, TaskAction.Complete)] = TaskState.Completed,
        [(TaskState.Submitted, TaskAction.Return)] = TaskState.Returned,
        [(TaskState.Completed, TaskAction.Approve)] = TaskState.Completed,
        [(TaskState.Completed, TaskAction.Return)] = TaskState.Returned,
        [(TaskState.Pending, TaskAction.MarkOverdue)] = TaskState.Overdue,
        [(TaskState.Planned, TaskAction.MarkOverdue)] = TaskState.Overdue,
        [(TaskState.Returned, TaskAction.MarkOverdue)] = TaskState.Overdue,
        [(TaskState.Pending, TaskAction.Cancel)] = TaskState.Cancelled,
        [(TaskState.Planned, TaskAction.Cancel)] = TaskState.Cancelled,
        [(TaskState.Submitted, TaskAction.Cancel)] = TaskState.Cancelled,
        [(TaskState.Returned, TaskAction.Cancel)] = TaskState.Cancelled,
        [(TaskState.Overdue, TaskAction.Cancel)] = TaskState.Cancelled,
        [(TaskState.Completed, TaskAction.Cancel)] = TaskState.Cancelled,
    };

    public static bool IsOpen(TaskState status) => status is not (TaskState.Completed or TaskState.Cancelled);

    /// <summary>Every state but Completed and Cancelled: the task still asks something of someone.</summary>
    public static IReadOnlyList<TaskState> Open { get; } = Enum.GetValues<TaskState>().Where(IsOpen).ToList();

    /// <summary>The states that allow the action (for reads that look for tasks it may apply to).</summary>
    public static IReadOnlyList<TaskState> From(TaskAction action) =>
        Enum.GetValues<TaskState>().Where(s => Table.ContainsKey((s, action))).ToList();

    /// <summary>Whether the status allows the action at all, before the facts of the task are looked at.</summary>
    public static bool Can(TaskState from, TaskAction action) => Table.ContainsKey((from, action));

    public static Transition Apply(TaskState from, TaskAction action, TaskFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (!Table.TryGetValue((from, action), out var to))
            return Refuse(from switch
            {
                TaskState.Completed => $"任务已完成，不能{ActionLabel(action)}",
                TaskState.Cancelled => $"任务已撤销，不能{ActionLabel(action)}",
                _ => $"“{StatusLabel(from)}”状态的任务不能{ActionLabel(action)}",
            });

        return action switch
        {
            TaskAction.ReportPlan when facts.PastDue => Refuse("任务已过截止时间，不能再报备计划"),
            TaskAction.Submit when facts.PlanRequired && !facts.HasPlan => Refuse("本任务须先报备计划（时间、地点、主题），再提交佐证材料"),
            TaskAction.MarkOverdue when !facts.PastDue => Refuse("任务尚未到截止时间"),
            TaskAction.Cancel when !facts.AdHoc => Refuse("只有临时任务可以撤销，例行任务不能撤销"),
            TaskAction.Cancel when string.IsNullOrWhiteSpace(facts.Reason) => Refuse("撤销任务须填写原因"),
            TaskAction.Approve or TaskAction.Return when from == TaskState.Completed && facts.Reviewed =>
                Refuse("本次提交已审核，不能再次审核"),
            TaskAction.Return when from == TaskState.Completed && string.IsNullOrWhiteSpace(facts.Reason) => Refuse("退回须填写原因"),
            _ => new Transition(to, null),
        };
    }

    public static string StatusLabel(TaskState status) => status switch
    {
        TaskState.Pending => "待办",
        TaskState.Planned => "已报计划",
        TaskState.Submitted => "已提交",
        TaskState.Completed => "已完成",
        TaskState.Returned => "已退回",
        TaskState.Overdue => "已逾期",
        TaskState.Cancelled => "已撤销",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static string ActionLabel(TaskAction action) => action switch
    {
        TaskAction.ReportPlan => "报备计划",
        TaskAction.Submit => "提交佐证材料",
        TaskAction.Complete => "判定完成",
        TaskAction.Return => "退回",
        TaskAction.MarkOverdue => "标记逾期",
        TaskAction.Cancel => "撤销",
        TaskAction.Approve => "审核通过",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    private static Transition Refuse(string why) => new(null, why);
}
