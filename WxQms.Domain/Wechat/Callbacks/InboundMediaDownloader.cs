using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Wechat.Callbacks;

/// <summary>
/// Downloads the photos users sent to the official account or in the mini program's customer-service chat
/// (media/get with the token of the app that received them; WeChat keeps them 3 days), stores them by content
/// hash and records them as inbound media. Rows are leased, so a worker that
/// dies mid-download leaves the row to the next one; the unique inbound_id keeps the record single.
/// </summary>
public sealed class InboundMediaDownloader(
    InboundStore inbound,
    OfficialAccountClient oa,
    MiniProgramClient mp,
    IOptions<WechatOptions> wechat,
    IFileStore files,
    TimeProvider clock,
    ILogger<InboundMediaDownloader> log)
{
    public const int MaxAttempts = InboundStore.MaxAttempts;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    public async Task DownloadDueAsync(DateTimeOffset now, CancellationToken ct)
    {
        foreach (var item in await inbound.ClaimAsync(InboundWorkKinds.DownloadMedia, now, Lease, batch: 10, ct))
        {
            try
            {
                await DownloadAsync(item, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // A row this code cannot handle (a payload it cannot read, a disk that refuses the file …) fails alone:
                // counted (the claim counted the attempt), retried later, given up at the limit; the batch goes on.
                var retry = item.Attempts < MaxAttempts;
                log.LogError(ex, "Downloading the photo of inbound {Id} failed (attempt {Attempt} of {Max}); {Next}", item.Id,
                    item.Attempts, MaxAttempts, retry ? "retried later" : "giving up");
                var error = $"{ex.GetType().Name}: {ex.Message}";
                await inbound.FailAsync(item, error.Length <= 400 ? error : error[..400],
                    retry ? clock.GetUtcNow() + TimeSpan.FromSeconds(30 * Math.Pow(2, item.Attempts - 1)) : null, CancellationToken.None);
            }
        }
    }

    private async Task DownloadAsync(InboundWork item, CancellationToken ct)
    {
        var fields = JsonSerializer.Deserialize<Dictionary<string, string>>(item.Payload, JsonDefaults.Storage) ?? [];
        if (!fields.TryGetValue("MediaId", out var mediaId) || string.IsNullOrEmpty(mediaId))
        {
            await inbound.FailAsync(item, "no MediaId in the message", retryAt: null, ct);
            return;
        }

        WechatResult<WechatMedia> result;
        try
        {
            result = item.AppId == wechat.Value.Mp.AppId
                ? await mp.GetMediaAsync(mediaId, ct)
                : await oa.GetMediaAsync(mediaId, ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or WechatApiException
                                   || ex is OperationCanceledException && !ct.IsCancellationRequested)
        {
            // Unreachable, or no access token: counted against the attempts like any other failure.
            result = WechatResult<WechatMedia>.Fail(WechatErrors.Busy, ex.GetType().Name);
        }
        if (!result.IsOk)
        {
            // 40007: the media is gone (older than 3 days, or never existed): retrying cannot help.
            var retry = result.ErrCode != WechatErrors.InvalidMediaId && item.Attempts < MaxAttempts;
            var retryAt = retry ? clock.GetUtcNow() + TimeSpan.FromSeconds(30 * Math.Pow(2, item.Attempts - 1)) : (DateTimeOffset?)null;
            log.LogWarning("media/get for inbound {Id} failed ({ErrCode} {ErrMsg}); {Next}", item.Id, result.ErrCode,
                result.ErrMsg, retry ? $"retry at {retryAt:O}" : "giving up");
            await inbound.FailAsync(item, $"{result.ErrCode} {result.ErrMsg}", retryAt, ct);
            return;
        }

        var media = result.Value!;
        var stored = await files.SaveAsync(media.Content, FileStore.ExtensionFor(media.ContentType), ct);
        await inbound.RecordMediaAsync(item, mediaId, stored, media.ContentType, clock.GetUtcNow(), ct);
        await inbound.CompleteAsync(item, ct);
        log.LogInformation("Stored photo {Sha256} ({Size} bytes, {Type}) from inbound {Id}", stored.Sha256, stored.Size,
            media.ContentType, item.Id);
    }
}
