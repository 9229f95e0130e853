using System.ComponentModel.DataAnnotations;

namespace WxQms.Domain.Services;

/// <summary>
/// <c>Uploads:*</c> — what one WeChat user may upload ahead of a submission, and which photos are absurd.
/// The quotas are counted from the <c>uploads</c> rows, so they hold across any number of Api instances.
/// </summary>
public sealed class UploadOptions
{
    public const string Section = "Uploads";

    /// <summary>Uploads a member may hold unused (not yet in a submission, not yet expired) at once.</summary>
    [Range(1, 10_000)]
    public int MaxPending { get; set; } = 45;

    /// <summary>Bytes a member may upload within 24 hours (used or not).</summary>
    [Range(1, long.MaxValue)]
    public long MaxBytesPerDay { get; set; } = 500L * 1024 * 1024;

    /// <summary>The same for a resident (a WeChat user without a member record): a wish takes at most nine photos.</summary>
    [Range(1, 10_000)]
    public int ResidentMaxPending { get; set; } = 18;

    [Range(1, long.MaxValue)]
    public long ResidentMaxBytesPerDay { get; set; } = 100L * 1024 * 1024;

    /// <summary>A photo with more pixels than this (width × height, read from its header) is refused: a decompression bomb.</summary>
    [Range(1, long.MaxValue)]
    public long MaxPixels { get; set; } = 40_000_000;

    /// <summary>A photo wider or taller than this is refused.</summary>
    [Range(1, int.MaxValue)]
    public int MaxSide { get; set; } = 20_000;

    public Storage.UploadQuota QuotaFor(bool resident) =>
        resident ? new(ResidentMaxPending, ResidentMaxBytesPerDay) : new(MaxPending, MaxBytesPerDay);
}
