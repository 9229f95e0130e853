using WxQms.Domain.Model;

namespace WxQms.Domain.Rules.Nonconformities;

/// <summary>What a user does to a nonconformity's corrective action.</summary>
public enum CapaAction
{
    /// <summary>The branch secretary records the cause, the countermeasure and its due date (again, to revise it).</summary>
    RecordAction,

    /// <summary>The secretary reports the countermeasure done, with evidence.</summary>
    Complete,

    /// <summary>The committee (or an inspector) finds the action effective: closed.</summary>
    PassCheck,

    /// <summary>The committee finds it did not work (it recurred): reopened, back to the secretary.</summary>
    FailCheck,
}

/// <summary>A step refused: its stable code and the words the user reads.</summary>
public sealed record CapaRefusal(string Code, string Message);

/// <summary>What the scan tells about a nonconformity today.</summary>
public enum CapaAlert
{
    /// <summary>The countermeasure is due within <see cref="CapaRules.LeadDays"/> days: the secretary is reminded.</summary>
    ActionDueSoon,

    /// <summary>The countermeasure's due date passed and it is not done: the secretary is warned.</summary>
    ActionOverdue,

    /// <summary>The effectiveness check is due: the community committee is told.</summary>
    CheckDue,
}

/// <summary>
/// The corrective action's workflow (CAPA, ISO 9001 10.2): open → action recorded (cause, countermeasure, due date) →
/// awaiting check (done, with evidence) → closed only after a passed effectiveness check; a failed check reopens it for a
/// new cause and countermeasure. Pure: the day comes in as an argument.
/// </summary>
public static class CapaRules
{
    public const int MaxText = 1000;

    /// <summary>A countermeasure is due at most this many days ahead.</summary>
    public const int MaxDueDays = 180;

    /// <summary>How many days before the countermeasure's due date the secretary is reminded.</summary>
    public const int LeadDays = 3;

    /// <summary>The state after <paramref name="action"/>, or why not. A check is refused before it is due.</summary>
    public static (NonconformityState Next, CapaRefusal? Refusal) Apply(NonconformityState state, CapaAction action, DateOnly today,
        DateOnly? checkDueOn) => (state, action) switch
    {
        (NonconformityState.Open or NonconformityState.Reopened or NonconformityState.ActionRecorded, CapaAction.RecordAction) =>
            (NonconformityState.ActionRecorded, null),
        (NonconformityState.ActionRecorded, CapaAction.Complete) => (NonconformityState.AwaitingCheck, null),
        (NonconformityState.AwaitingCheck, CapaAction.PassCheck or CapaAction.FailCheck) when checkDueOn is { } due && today < due =>
            (state, new CapaRefusal("nonconformity.check_not_due", $"有效性验证应在 {due:yyyy-MM-dd} 之后进行（看整改后是否再次发生）")),
        (NonconformityState.AwaitingCheck, CapaAction.PassCheck) => (NonconformityState.Closed, null),
        (NonconformityState.AwaitingCheck, CapaAction.FailCheck) => (NonconformityState.Reopened, null),
        (NonconformityState.Closed, _) => (state, new CapaRefusal("nonconformity.closed", "该不符合项已关闭")),
        (NonconformityState.AwaitingCheck, _) => (state, new CapaRefusal("nonconformity.awaiting_check", "纠正措施已完成，正在等待有效性验证")),
        (_, CapaAction.Complete) => (state, new CapaRefusal("nonconformity.no_action", "请先填写原因分析和纠正措施")),
        _ => (state, new CapaRefusal("nonconformity.not_awaiting_check", "纠正措施尚未完成，不能验证")),
    };

    /// <summary>Why a cause, countermeasure and due date cannot be recorded (field, code, message), or null.</summary>
    public static (string Field, CapaRefusal Refusal)? CheckAction(string? cause, string? action, DateOnly? dueOn, DateOnly today)
    {
        if (string.IsNullOrWhiteSpace(cause))
            return ("cause", new("nonconformity.cause_required", "请填写原因分析"));
        if (string.IsNullOrWhiteSpace(action))
            return ("action", new("nonconformity.action_required", "请填写纠正措施"));
        if (cause.Trim().Length > MaxText || action.Trim().Length > MaxText)
            return (cause.Trim().Length > MaxText ? "cause" : "action", new("nonconformity.too_long", $"不能超过 {MaxText} 个字"));
        if (dueOn is not { } due)
            return ("dueOn", new("nonconformity.due_required", "请填写纠正措施的完成期限"));
        if (due < today)
            return ("dueOn", new("nonconformity.due_past", "完成期限不能早于今天"));
        if (due > today.AddDays(MaxDueDays))
            return ("dueOn", new("nonconformity.due_too_far", $"完成期限不能超过 {MaxDueDays} 天"));
        return null;
    }

    /// <summary>Why a completion cannot be recorded: it needs a note or at least one photo as evidence.</summary>
    public static CapaRefusal? CheckCompletion(string? note, int photos) =>
        string.IsNullOrWhiteSpace(note) && photos == 0 ? new("nonconformity.evidence_required", "请说明完成情况或上传照片作为证据")
        : note?.Trim().Length > MaxText ? new("nonconformity.too_long", $"不能超过 {MaxText} 个字")
        : null;

    /// <summary>The day the effectiveness check falls due: <paramref name="checkAfterDays"/> after completion (did it recur?).</summary>
    public static DateOnly CheckDue(DateOnly completedOn, int checkAfterDays) => completedOn.AddDays(Math.Max(0, checkAfterDays));

    /// <summary>Past due: a countermeasure recorded and not done by its due date. This is what the assessment deducts for.</summary>
    public static bool PastDue(NonconformityState state, DateOnly? actionDueOn, DateOnly today) =>
        state == NonconformityState.ActionRecorded && actionDueOn is { } due && today > due;

    /// <summary>What the scan says of a nonconformity today, or null.</summary>
    public static CapaAlert? Due(NonconformityState state, DateOnly? actionDueOn, DateOnly? checkDueOn, DateOnly today) => state switch
    {
        NonconformityState.ActionRecorded when PastDue(state, actionDueOn, today) => CapaAlert.ActionOverdue,
        NonconformityState.ActionRecorded when actionDueOn is { } due && today >= due.AddDays(-LeadDays) => CapaAlert.ActionDueSoon,
        NonconformityState.AwaitingCheck when checkDueOn is { } check && today >= check => CapaAlert.CheckDue,
        _ => null,
    };

    /// <summary>The outbox kind of an alert in a cycle (≤ 16 characters): one per cycle, so a reopened action is reminded again.</summary>
    public static string Kind(CapaAlert alert, int cycle) => alert switch
    {
        CapaAlert.ActionDueSoon => $"due_soon{cycle}",
        CapaAlert.ActionOverdue => $"overdue{cycle}",
        _ => $"check_due{cycle}",
    };

    public static string Describe(NonconformityState state) => state switch
    {
        NonconformityState.Open => "待整改",
        NonconformityState.ActionRecorded => "整改中",
        NonconformityState.AwaitingCheck => "待验证",
        NonconformityState.Reopened => "验证未通过，重新整改",
        _ => "已关闭",
    };

    public static string Describe(NonconformitySource source) => source switch
    {
        NonconformitySource.Inspection => "巡查",
        NonconformitySource.SelfInspection => "自查",
        NonconformitySource.Rule => "规则",
        _ => "内审",
    };

    public static string Describe(NonconformitySeverity severity) => severity == NonconformitySeverity.Major ? "严重" : "一般";

    public static string Describe(NonconformityStepKind kind) => kind switch
    {
        NonconformityStepKind.Raised => "提出",
        NonconformityStepKind.ActionRecorded => "原因分析与纠正措施",
        NonconformityStepKind.Completed => "整改完成",
        NonconformityStepKind.CheckPassed => "有效性验证通过（关闭）",
        _ => "有效性验证未通过（重新整改）",
    };
}
