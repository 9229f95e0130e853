namespace WxQms.Jobs.Workers;

/// <summary>
/// Work that runs on a fixed interval in the Jobs host. A job must be safe to run twice and from
/// several workers at once (claim rows in MySQL; never rely on being the only worker).
/// </summary>
public interface IPeriodicJob
{
    string Name { get; }

    TimeSpan Interval { get; }

    Task RunAsync(DateTimeOffset now, CancellationToken ct);
}
