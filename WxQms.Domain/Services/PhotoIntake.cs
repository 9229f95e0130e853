using System.Buffers.Binary;
using MetadataExtractor;
using MetadataExtractor.Formats.Exif;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services;

/// <summary>A photo on disk, named by its content hash. <see cref="TakenAt"/>: its EXIF capture time, if any.</summary>
public sealed record StoredPhoto(string Sha256, long Size, string ContentType, string RelativePath, DateTimeOffset? TakenAt = null);

/// <summary>
/// Accepts an uploaded photo: at most 10 MB, a JPEG, PNG or WebP by its magic bytes (never by its
/// name or declared type), complete (not truncated), then stored by SHA-256.
/// </summary>
public sealed class PhotoIntake(IFileStore files)
{
    public const long MaxBytes = 10 * 1024 * 1024;
    public const int MaxPerSubmission = 9;

    public async Task<StoredPhoto> AcceptAsync(Stream upload, string name, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await upload.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
                throw new RuleViolationException("photo.too_large", $"照片“{name}”超过10MB");
            buffer.Write(chunk, 0, read);
        }
        var bytes = buffer.ToArray();
        var type = Kind(bytes) ?? throw new RuleViolationException("photo.bad_type", $"“{name}”不是JPEG、PNG或WebP照片");
        if (!Complete(bytes, type))
            throw new RuleViolationException("photo.truncated", $"照片“{name}”不完整，请重新上传");
        var stored = await files.SaveAsync(bytes, FileStore.ExtensionFor(type), ct);
        return new StoredPhoto(stored.Sha256, stored.Size, type, stored.RelativePath, TakenAt(bytes));
    }

    /// <summary>
    /// When the photo was taken, from EXIF DateTimeOriginal (else DateTime), read with MetadataExtractor.
    /// EXIF has no time zone unless OffsetTimeOriginal says so: a phone's clock here is Shanghai time.
    /// Null when there is none or it cannot be read; a photo without EXIF is still a good photo.
    /// </summary>
    public static DateTimeOffset? TakenAt(byte[] bytes)
    {
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            var directories = ImageMetadataReader.ReadMetadata(stream);
            foreach (var dir in directories.OfType<ExifDirectoryBase>())
            {
                if (!dir.TryGetDateTime(ExifDirectoryBase.TagDateTimeOriginal, out var local)
                    && !dir.TryGetDateTime(ExifDirectoryBase.TagDateTime, out local))
                    continue;
                // Without the camera's offset the photo was taken on Shanghai's clock (a skipped or repeated hour resolved there).
                return dir.GetString(ExifDirectoryBase.TagTimeZoneOriginal) is { } text
                    && TimeSpan.TryParse(text.TrimStart('+'), System.Globalization.CultureInfo.InvariantCulture, out var parsed)
                    && parsed.Duration() <= TimeSpan.FromHours(14)
                        ? new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), parsed)
                        : Rules.LocalTime.ToInstant(local);
            }
        }
        catch (Exception ex) when (ex is ImageProcessingException or IOException or ArgumentException or FormatException)
        {
            // Unreadable metadata is not a reason to refuse the photo.
        }
        return null;
    }

    public static string? Kind(ReadOnlySpan<byte> b) => b switch
    {
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, ..] => "image/png",
        [0x52, 0x49, 0x46, 0x46, _, _, _, _, 0x57, 0x45, 0x42, 0x50, ..] => "image/webp",
        _ => null,
    };

    /// <summary>A JPEG ends with its EOI marker, a PNG with its IEND chunk, a WebP fills its RIFF length.</summary>
    public static bool Complete(ReadOnlySpan<byte> b, string type) => type switch
    {
        "image/jpeg" => b.Length >= 4 && b[^2] == 0xFF && b[^1] == 0xD9,
        "image/png" => b.Length >= 20 && b[^8..^4].SequenceEqual("IEND"u8),
        "image/webp" => b.Length >= 12 && BinaryPrimitives.ReadUInt32LittleEndian(b[4..8]) + 8 == (uint)b.Length,
        _ => false,
    };
}
