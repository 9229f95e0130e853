using WxQms.Domain.Services;

namespace WxQms.Jobs.Workers;

/// <summary><c>upload-sweep</c>: removes the uploads never used within their 24 hours.</summary>
public sealed class UploadSweepWorker(UploadSweeper sweeper) : IWorker
{
    public Task RunAsync(DateTimeOffset now, CancellationToken ct) => sweeper.SweepAsync(now, ct);
}
