using WxQms.Domain.Services.Nonconformities;

namespace WxQms.Jobs.Workers;

/// <summary><c>nonconformities</c>: raises the nonconformities the rules find in the task data and queues the corrective action's reminders.</summary>
public sealed class NonconformityWorker(NonconformityScan scan) : IWorker
{
    public Task RunAsync(DateTimeOffset now, CancellationToken ct) => scan.ScanAsync(now, ct);
}
