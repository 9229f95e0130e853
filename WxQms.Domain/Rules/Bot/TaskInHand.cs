namespace WxQms.Domain.Rules.Bot;

/// <summary>An open task that takes photos, as the bot weighs it for a burst of chat photos.</summary>
/// <param name="LastActedAt">When this user last acted on it (plan, submission, chat photos), if ever.</param>
public sealed record PhotoTaskCandidate(long TaskId, string Name, string PeriodKey, string OrgName, DateTimeOffset DueAt,
    DateTimeOffset? PlannedFor, bool Overdue, DateTimeOffset? LastActedAt);

public enum TaskInHandKind
{
    /// <summary>Attach to <see cref="TaskInHandDecision.TaskId"/> without asking.</summary>
    Attach,
    /// <summary>Ask with a numbered list of <see cref="TaskInHandDecision.Options"/>.</summary>
    Ask,
    /// <summary>No open task takes photos.</summary>
    None,
}

public sealed record TaskInHandDecision(TaskInHandKind Kind, long? TaskId, IReadOnlyList<PhotoTaskCandidate> Options);

/// <summary>
/// "The task in hand" (issue #7): the open task the user last acted on (within <c>window</c>), else the
/// only task of her branch due today or overdue; anything else is ambiguous and becomes a numbered list
/// (due today or overdue first, then whatever else is open), at most <see cref="MaxOptions"/> long so a
/// one-digit answer chooses.
/// </summary>
public static class TaskInHand
{
    public const int MaxOptions = 9;

    public static TaskInHandDecision Decide(IReadOnlyList<PhotoTaskCandidate> open, DateTimeOffset now, TimeSpan window)
    {
        var lastActed = open.Where(c => c.LastActedAt is { } at && now - at <= window)
            .OrderByDescending(c => c.LastActedAt).FirstOrDefault();
        if (lastActed is not null)
            return new TaskInHandDecision(TaskInHandKind.Attach, lastActed.TaskId, [lastActed]);

        var today = Tasks.Periods.LocalDate(now);
        bool DueTodayOrOverdue(PhotoTaskCandidate c) =>
            c.Overdue || c.DueAt <= now
            || Tasks.Periods.LocalDate(c.DueAt.AddTicks(-1)) == today
            || (c.PlannedFor is { } p && Tasks.Periods.LocalDate(p) == today);

        var pressing = open.Where(DueTodayOrOverdue).OrderBy(c => c.DueAt).ThenBy(c => c.TaskId).ToList();
        if (pressing.Count == 1)
            return new TaskInHandDecision(TaskInHandKind.Attach, pressing[0].TaskId, pressing);
        var options = pressing.Concat(open.Except(pressing).OrderBy(c => c.PlannedFor ?? c.DueAt).ThenBy(c => c.TaskId))
            .Take(MaxOptions).ToList();
        return options.Count == 0
            ? new TaskInHandDecision(TaskInHandKind.None, null, [])
            : new TaskInHandDecision(TaskInHandKind.Ask, null, options);
    }
}
