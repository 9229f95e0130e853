using WxQms.Domain.Services.Transfers;

namespace WxQms.Jobs.Workers;

/// <summary><c>transfer-alerts</c>: queues the reminders and office warnings of letters out expiring and receipts falling due or late.</summary>
public sealed class TransferScanWorker(TransferScan scan) : IWorker
{
    public Task RunAsync(DateTimeOffset now, CancellationToken ct) => scan.ScanAsync(now, ct);
}
