namespace WxQms.Domain.Model;

/// <summary>A photo on disk, named by its content hash. <see cref="TakenAt"/>: its EXIF capture time, if any.</summary>
public sealed record StoredPhoto(string Sha256, long Size, string ContentType, string RelativePath, DateTimeOffset? TakenAt = null);
