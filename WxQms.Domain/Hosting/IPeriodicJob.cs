namespace WxQms.Domain.Hosting;

/// <summary>
/// Work that runs on a fixed interval in the Jobs host. A job must be safe to run twice and from
/// several workers at once (claim rows in MySQL; never rely on being the only worker).
/// </summary>
/// <remarks>
/// What <c>WxQms.Jobs</c>' runner runs. The workers of <c>WxQms.Jobs/Workers</c> are adapted to it where they are
/// listed; only <see cref="Services.OverdueJob"/> and <see cref="Services.Reminders.ReminderScanJob"/> still implement
/// it here. When they are workers too, this interface moves to WxQms.Jobs beside its runner.
/// </remarks>
public interface IPeriodicJob
{
    string Name { get; }

    TimeSpan Interval { get; }

    Task RunAsync(DateTimeOffset now, CancellationToken ct);
}
