using WxQms.Domain.Services.Orgs;

namespace WxQms.Jobs.Workers;

/// <summary><c>term-reminders</c>: queues the reminders of terms (换届) ending in six or three months.</summary>
public sealed class TermReminderWorker(TermReminderScan scan) : IWorker
{
    public Task RunAsync(DateTimeOffset now, CancellationToken ct) => scan.ScanAsync(now, ct);
}
