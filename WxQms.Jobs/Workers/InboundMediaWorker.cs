using WxQms.Domain.Wechat.Callbacks;

namespace WxQms.Jobs.Workers;

/// <summary><c>inbound-media</c>: downloads the photos users sent to the official account or the mini program's chat.</summary>
public sealed class InboundMediaWorker(InboundMediaDownloader downloads) : IWorker
{
    public Task RunAsync(DateTimeOffset now, CancellationToken ct) => downloads.DownloadDueAsync(now, ct);
}
