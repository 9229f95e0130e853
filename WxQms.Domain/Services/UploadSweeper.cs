using Microsoft.Extensions.Logging;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services;

/// <summary>
/// Removes uploads never used within their 24 hours: the rows, and their photo files unless some other row still
/// names the same content (files are content-addressed: an evidence, wish or chat photo, or another upload, may be
/// the very same bytes). A file stored again within <see cref="FileGrace"/> stays too: a request that just stored it
/// is about to commit the row that names it.
/// </summary>
public sealed class UploadSweeper(UploadStore uploads, IFileStore files, ILogger<UploadSweeper> log)
{
    public const int BatchSize = 200;

    /// <summary>Longer than any request takes between storing a photo and committing its row.</summary>
    public static readonly TimeSpan FileGrace = TimeSpan.FromHours(1);

    public async Task SweepAsync(DateTimeOffset now, CancellationToken ct)
    {
        int rows = 0, deleted = 0;
        while (await Deadlocks.RetryAsync(() => uploads.RemoveExpiredAsync(now, BatchSize, async unreferenced =>
               {
                   foreach (var file in unreferenced)
                   {
                       if (await files.DeleteAsync(new StoredFile(file.Sha256, file.Size, file.RelativePath), now - FileGrace, ct))
                           deleted++;
                   }
               }, ct), ct) is var removed and > 0)
        {
            rows += removed;
            if (removed < BatchSize)
                break;
        }
        if (rows > 0)
            log.LogInformation("Removed {Rows} unused uploads past their 24 hours and {Files} photo files nothing else uses", rows, deleted);
    }
}
