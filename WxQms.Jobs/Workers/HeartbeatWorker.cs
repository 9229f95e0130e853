using WxQms.Domain.Hosting;

namespace WxQms.Jobs.Workers;

/// <summary><c>heartbeat</c>: records in Redis that this Jobs process is alive.</summary>
public sealed class HeartbeatWorker(WorkerHeartbeat heartbeat) : IWorker
{
    public Task RunAsync(DateTimeOffset now, CancellationToken ct) => heartbeat.RecordAsync(now);
}
