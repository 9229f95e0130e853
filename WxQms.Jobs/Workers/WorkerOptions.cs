namespace WxQms.Jobs.Workers;

/// <summary>
/// <c>Jobs:&lt;Job&gt;:Interval</c>: how often one worker runs, as named options (one per worker name).
/// <c>&lt;Job&gt;</c> is the worker's name in Pascal case, so it can be set from the environment:
/// <c>reminder-send</c> → <c>Jobs:ReminderSend:Interval</c>, <c>Jobs__ReminderSend__Interval</c>.
/// </summary>
public sealed class WorkerOptions
{
    public static readonly TimeSpan MaxInterval = TimeSpan.FromDays(1);

    public TimeSpan Interval { get; set; }

    /// <summary><c>reminder-send</c> → <c>Jobs:ReminderSend</c>.</summary>
    public static string SectionOf(string name) =>
        $"{PeriodicJobOptions.Section}:{string.Concat(name.Split('-', StringSplitOptions.RemoveEmptyEntries).Select(w => char.ToUpperInvariant(w[0]) + w[1..]))}";
}
