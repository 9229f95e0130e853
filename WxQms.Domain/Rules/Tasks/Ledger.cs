namespace WxQms.Domain.Rules.Tasks;

/// <summary>
/// The sources of points-ledger entries the task lifecycle books (DESIGN.md, Scoring). An entry is
/// unique per (source, task, subject, ref): ref is the evidence submission for completion, attendance,
/// review and review-return entries, the task's row version when it was marked overdue, 0 otherwise.
/// </summary>
public static class LedgerSources
{
    public const string Completed = "task.completed";
    public const string CompletedLate = "task.completed_late";
    public const string Overdue = "task.overdue";
    public const string OverdueReversed = "task.overdue_reversed";
    /// <summary>A member present at a completed meeting (subject: the member).</summary>
    public const string Attendance = "task.attendance";
    /// <summary>The reviewer's quality adjustment, positive or negative.</summary>
    public const string Review = "task.review";
    /// <summary>A reviewer returned a completed task: its completion and attendance entries are netted out.</summary>
    public const string ReviewReturned = "task.review_returned";
    /// <summary>An ad-hoc task was cancelled: everything booked on it is netted to zero.</summary>
    public const string Cancelled = "task.cancelled";
    /// <summary>A micro-wish the member fulfilled was lit (subject: the member; ref: the wish; no task).</summary>
    public const string WishLit = "wish.lit";
    /// <summary>A month's party dues paid on time (subject: the member; ref: the month's row; no task).</summary>
    public const string DuesOnTime = "dues.on_time";
}

/// <summary>Member points from tasks, and how far a reviewer may move a task's points.</summary>
public static class TaskScoring
{
    /// <summary>Points for each member marked present at a completed task.</summary>
    public const decimal AttendancePoints = 1m;

    /// <summary>A quality adjustment is at most this share of the task's possible points, either way.</summary>
    public const decimal ReviewShare = 0.2m;

    /// <summary>The largest adjustment (up or down) a reviewer may give a task worth <paramref name="possiblePoints"/>.</summary>
    public static decimal ReviewBound(decimal possiblePoints) => Math.Round(possiblePoints * ReviewShare, 2, MidpointRounding.ToZero);

    /// <summary>Null when the adjustment is allowed, else why not (in Chinese).</summary>
    public static string? ReviewRefusal(decimal adjustment, decimal possiblePoints, string? reason)
    {
        var bound = ReviewBound(possiblePoints);
        if (Math.Abs(adjustment) > bound)
            return $"质量加减分不超过该任务分值的{ReviewShare:P0}（±{bound:0.##}分）";
        if (decimal.Round(adjustment, 2) != adjustment)
            return "加减分最多保留两位小数";
        if (adjustment != 0 && string.IsNullOrWhiteSpace(reason))
            return "加减分须说明原因";
        return null;
    }
}

/// <summary>tasks.review_status: where a completed task stands with the office's review.</summary>
public static class ReviewStatuses
{
    /// <summary>Judgment passed; no one has reviewed the submission yet.</summary>
    public const string Awaiting = "awaiting";
    public const string Approved = "approved";
}
