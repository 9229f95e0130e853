using System.Buffers;
using System.Buffers.Binary;
using MetadataExtractor;
using MetadataExtractor.Formats.Exif;
using MetadataExtractor.Formats.Jpeg;
using Microsoft.Extensions.Options;
using WxQms.Domain.Model;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat;

namespace WxQms.Domain.Services;

/// <summary>
/// A photo received and checked but not stored yet: its bytes wait in a temporary file that disposing deletes.
/// <see cref="Width"/> and <see cref="Height"/> are read from its header.
/// </summary>
public sealed class IncomingPhoto(FileStream content, string name, string contentType, int width, int height, DateTimeOffset? takenAt)
    : IAsyncDisposable
{
    public string Name => name;

    public string ContentType => contentType;

    public long Size => content.Length;

    public int Width => width;

    public int Height => height;

    public DateTimeOffset? TakenAt => takenAt;

    internal FileStream Content => content;

    public ValueTask DisposeAsync() => content.DisposeAsync();
}

/// <summary>Photos of one request, received and checked one by one, stored together on demand; disposing deletes what waits.</summary>
public sealed class IncomingPhotos(PhotoIntake intake) : IAsyncDisposable
{
    private readonly List<IncomingPhoto> photos = [];

    public int Count => photos.Count;

    public async Task AddAsync(Stream upload, string name, CancellationToken ct) => photos.Add(await intake.ReceiveAsync(upload, name, ct));

    public async Task<IReadOnlyList<StoredPhoto>> StoreAsync(CancellationToken ct)
    {
        var stored = new List<StoredPhoto>(photos.Count);
        foreach (var photo in photos)
            stored.Add(await intake.StoreAsync(photo, ct));
        return stored;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var photo in photos)
            await photo.DisposeAsync();
    }
}

/// <summary>
/// Accepts an uploaded photo: at most 10 MB, a JPEG, PNG or WebP by its magic bytes (never by its
/// name or declared type) whose header really is that type's, complete (not truncated), of sane
/// dimensions (<see cref="UploadOptions.MaxPixels"/>, <see cref="UploadOptions.MaxSide"/>: no decompression
/// bombs), then stored by SHA-256. The bytes go through a temporary file, never whole into memory.
/// </summary>
public sealed class PhotoIntake(IFileStore files, IOptions<UploadOptions> options)
{
    public const long MaxBytes = 10 * 1024 * 1024;
    public const int MaxPerSubmission = 9;

    private const int BufferSize = 81_920;

    /// <summary>Receives, checks and stores the photo.</summary>
    public async Task<StoredPhoto> AcceptAsync(Stream upload, string name, CancellationToken ct)
    {
        await using var photo = await ReceiveAsync(upload, name, ct);
        return await StoreAsync(photo, ct);
    }

    /// <summary>
    /// Streams the upload into a temporary file (refusing it as soon as it passes <see cref="MaxBytes"/>) and
    /// checks it there; nothing is stored yet, so a caller can validate the rest of a form first.
    /// </summary>
    public Task<IncomingPhoto> ReceiveAsync(Stream upload, string name, CancellationToken ct) => ReceiveAsync(upload, name, MaxBytes, ct);

    /// <summary>The same with a limit of its own (a panorama may be larger than a photo).</summary>
    public async Task<IncomingPhoto> ReceiveAsync(Stream upload, string name, long maxBytes, CancellationToken ct)
    {
        var temp = new FileStream(Path.Combine(Path.GetTempPath(), $"wxqms-photo-{Guid.NewGuid():N}.tmp"), FileMode.CreateNew,
            FileAccess.ReadWrite, FileShare.None, BufferSize, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                int read;
                while ((read = await upload.ReadAsync(buffer.AsMemory(0, BufferSize), ct)) > 0)
                {
                    if (temp.Length + read > maxBytes)
                        throw new RuleViolationException("photo.too_large", $"照片“{name}”超过{Megabytes(maxBytes)}MB");
                    await temp.WriteAsync(buffer.AsMemory(0, read), ct);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            var (type, width, height, takenAt) = await InspectAsync(temp, name, ct);
            return new IncomingPhoto(temp, name, type, width, height, takenAt);
        }
        catch
        {
            await temp.DisposeAsync();
            throw;
        }
    }

    private static string Megabytes(long bytes) =>
        (bytes / (1024m * 1024)).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Stores a received photo under its SHA-256.</summary>
    public async Task<StoredPhoto> StoreAsync(IncomingPhoto photo, CancellationToken ct)
    {
        photo.Content.Position = 0;
        var stored = await files.SaveAsync(photo.Content, FileStore.ExtensionFor(photo.ContentType), ct);
        return new StoredPhoto(stored.Sha256, stored.Size, photo.ContentType, stored.RelativePath, photo.TakenAt);
    }

    /// <summary>
    /// The checks of <see cref="ReceiveAsync"/> on bytes already at hand (a chat photo downloaded from WeChat): its type
    /// and capture time, or null when it is not a photo we take.
    /// </summary>
    public async Task<(string Type, DateTimeOffset? TakenAt)?> InspectAsync(byte[] bytes, CancellationToken ct)
    {
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            var (type, _, _, takenAt) = await InspectAsync(stream, "", ct);
            return (type, takenAt);
        }
        catch (RuleViolationException)
        {
            return null;
        }
    }

    private async Task<(string Type, int Width, int Height, DateTimeOffset? TakenAt)> InspectAsync(Stream file, string name,
        CancellationToken ct)
    {
        var length = file.Length;
        var head = new byte[(int)Math.Min(16, length)];
        var tail = new byte[head.Length];
        file.Position = 0;
        await file.ReadExactlyAsync(head, ct);
        file.Position = length - tail.Length;
        await file.ReadExactlyAsync(tail, ct);
        var type = Kind(head) ?? throw new RuleViolationException("photo.bad_type", $"“{name}”不是JPEG、PNG或WebP照片");
        if (!Complete(head, tail, length, type))
            throw new RuleViolationException("photo.truncated", $"照片“{name}”不完整，请重新上传");
        file.Position = 0;
        ((int, int)? Size, DateTimeOffset? TakenAt) read = type switch
        {
            "image/jpeg" => ReadJpeg(file),
            "image/png" => (await PngSizeAsync(file, ct), null),
            _ => (await WebPSizeAsync(file, ct), null),
        };
        if (read.Size is not (var width, var height) || width <= 0 || height <= 0)
            throw new RuleViolationException("photo.bad_type", $"“{name}”不是有效的{Label(type)}照片");
        var o = options.Value;
        if (width > o.MaxSide || height > o.MaxSide || (long)width * height > o.MaxPixels)
            throw new RuleViolationException("photo.dimensions", $"照片“{name}”的尺寸（{width}×{height}）不是普通照片，请重新拍摄或截图后上传");
        return (type, width, height, read.TakenAt);
    }

    /// <summary>
    /// A JPEG's size from its SOF segment and its capture time from EXIF, read with MetadataExtractor from those
    /// segments alone (the others are skipped, never read into memory); null when it has no SOF or cannot be read:
    /// hostile bytes may fail in any way, and every failure means "not a photo".
    /// </summary>
    private static ((int, int)? Size, DateTimeOffset? TakenAt) ReadJpeg(Stream file)
    {
        try
        {
            var directories = JpegMetadataReader.ReadMetadata(file, [new JpegReader(), new ExifReader()]);
            return directories.OfType<JpegDirectory>().FirstOrDefault() is { } jpeg
                   && jpeg.TryGetInt32(JpegDirectory.TagImageWidth, out var width) && jpeg.TryGetInt32(JpegDirectory.TagImageHeight, out var height)
                ? ((width, height), TakenAt(directories))
                : (null, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            return (null, null);
        }
    }

    /// <summary>
    /// A PNG's size from its IHDR, after walking its chunks: IHDR first, IEND last and exactly at the end, every length
    /// inside the file. Each chunk header is read and its data skipped, so pixels are never read.
    /// </summary>
    private static async Task<(int, int)?> PngSizeAsync(Stream file, CancellationToken ct)
    {
        var header = new byte[8];
        var ihdr = new byte[8];
        (int, int)? size = null;
        long position = 8;
        for (var chunks = 0; position + 12 <= file.Length && chunks < 100_000; chunks++)
        {
            file.Position = position;
            await file.ReadExactlyAsync(header, ct);
            var length = BinaryPrimitives.ReadUInt32BigEndian(header);
            var type = System.Text.Encoding.ASCII.GetString(header, 4, 4);
            if (size is null)
            {
                if (type != "IHDR" || length != 13)
                    return null;
                await file.ReadExactlyAsync(ihdr, ct);
                size = ((int)BinaryPrimitives.ReadUInt32BigEndian(ihdr), (int)BinaryPrimitives.ReadUInt32BigEndian(ihdr.AsSpan(4)));
            }
            position += 12L + length;
            if (type == "IEND")
                return position == file.Length ? size : null;
        }
        return null;
    }

    /// <summary>A WebP's size from its first chunk: the canvas of VP8X, or the frame header of VP8 (lossy) or VP8L (lossless).</summary>
    private static async Task<(int, int)?> WebPSizeAsync(Stream file, CancellationToken ct)
    {
        if (file.Length < 30)
            return null;
        var head = new byte[30];
        await file.ReadExactlyAsync(head, ct);
        return WebPSize(head);
    }

    private static (int, int)? WebPSize(ReadOnlySpan<byte> head)
    {
        var data = head[20..];
        return head[12..16] switch
        {
            var c when c.SequenceEqual("VP8X"u8) => (1 + (data[4] | data[5] << 8 | data[6] << 16), 1 + (data[7] | data[8] << 8 | data[9] << 16)),
            var c when c.SequenceEqual("VP8 "u8) && data[3..6].SequenceEqual((ReadOnlySpan<byte>)[0x9D, 0x01, 0x2A]) =>
                (BinaryPrimitives.ReadUInt16LittleEndian(data[6..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(data[8..]) & 0x3FFF),
            var c when c.SequenceEqual("VP8L"u8) && data[0] == 0x2F => BinaryPrimitives.ReadUInt32LittleEndian(data[1..]) is var bits
                ? (1 + (int)(bits & 0x3FFF), 1 + (int)((bits >> 14) & 0x3FFF))
                : null,
            _ => null,
        };
    }

    private static string Label(string type) => type switch
    {
        "image/jpeg" => "JPEG",
        "image/png" => "PNG",
        _ => "WebP",
    };

    /// <summary>
    /// When the photo was taken, from EXIF DateTimeOriginal (else DateTime), read with MetadataExtractor from a JPEG
    /// (what phone cameras write; a PNG or WebP is a screenshot or an edit, and its EXIF is not looked for).
    /// EXIF has no time zone unless OffsetTimeOriginal says so: a phone's clock here is Shanghai time.
    /// Null when there is none or it cannot be read; a photo without EXIF is still a good photo.
    /// </summary>
    private static DateTimeOffset? TakenAt(IReadOnlyList<MetadataExtractor.Directory> directories)
    {
        try
        {
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

    /// <summary>The photo types taken, JPEG, PNG and WebP, told by their magic numbers (<see cref="MediaSniffer"/>); else null.</summary>
    public static string? Kind(ReadOnlySpan<byte> b) =>
        MediaSniffer.Sniff(b) switch
        {
            ("image/jpeg" or "image/png" or "image/webp") and var type => type,
            _ => null,
        };

    /// <summary>
    /// A JPEG ends with its EOI marker, a PNG with its IEND chunk, a WebP fills its RIFF length: judged from the first and
    /// last (up to) 16 bytes and the length.
    /// </summary>
    public static bool Complete(ReadOnlySpan<byte> head, ReadOnlySpan<byte> tail, long length, string type) => type switch
    {
        "image/jpeg" => length >= 4 && tail[^2] == 0xFF && tail[^1] == 0xD9,
        "image/png" => length >= 20 && tail[^8..^4].SequenceEqual("IEND"u8),
        "image/webp" => length >= 12 && BinaryPrimitives.ReadUInt32LittleEndian(head[4..8]) + 8L == length,
        _ => false,
    };
}
