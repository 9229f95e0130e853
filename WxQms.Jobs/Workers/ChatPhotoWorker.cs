using WxQms.Domain.Services.Bot;

namespace WxQms.Jobs.Workers;

/// <summary><c>chat-photos</c>: settles quiet bursts of chat photos after the acknowledgement.</summary>
public sealed class ChatPhotoWorker(ChatPhotoService photos) : IWorker
{
    public Task RunAsync(DateTimeOffset now, CancellationToken ct) => photos.SettleDueAsync(now, ct);
}
