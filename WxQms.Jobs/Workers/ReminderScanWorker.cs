using WxQms.Domain.Services.Reminders;

namespace WxQms.Jobs.Workers;

/// <summary><c>reminder-scan</c>: writes the reminders and warnings now due into the outbox.</summary>
public sealed class ReminderScanWorker(ReminderScan scan) : IWorker
{
    public Task RunAsync(DateTimeOffset now, CancellationToken ct) => scan.ScanDueAsync(now, ct);
}
