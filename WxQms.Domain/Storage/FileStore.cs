using System.Buffers;
using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace WxQms.Domain.Storage;

public sealed class FileStoreOptions
{
    public const string Section = "Storage";

    /// <summary>Where photos and other uploads live; scripts/run.sh points it at .local/uploads.</summary>
    [Required]
    public string Root { get; set; } = "uploads";
}

public sealed record StoredFile(string Sha256, long Size, string RelativePath);

/// <summary>
/// Where evidence photos and downloaded media live, by content hash. Local disk by default
/// (<see cref="FileStore"/>); an object store (S3, OSS, COS) implements the same calls, with the
/// hash as the object key, when Api instances no longer share a disk.
/// </summary>
public interface IFileStore
{
    /// <summary>Stores the bytes under their SHA-256; storing the same bytes again only records when it was stored.</summary>
    Task<StoredFile> SaveAsync(byte[] content, string extension, CancellationToken ct);

    /// <summary>The same, streamed: the hash is computed while writing, nothing is held in memory.</summary>
    Task<StoredFile> SaveAsync(Stream content, string extension, CancellationToken ct);

    /// <summary>
    /// Deletes a file unless it was stored (again) at or after <paramref name="unlessStoredSince"/>: content is shared,
    /// and a file just stored is about to be referenced by a row not committed yet. False when it stays or was missing.
    /// </summary>
    Task<bool> DeleteAsync(StoredFile file, DateTimeOffset unlessStoredSince, CancellationToken ct);

    /// <summary>The bytes, or null when missing or when they no longer match their hash.</summary>
    Task<byte[]?> ReadVerifiedAsync(StoredFile file, CancellationToken ct);
}

/// <summary>
/// Content-addressed files on local disk under Storage:Root: the name is the SHA-256 of the bytes,
/// written to a temporary file and renamed into place, so a file that exists is complete and the
/// same photo is stored once. A file's modification time is when it was last stored (the clock's), which
/// is what <see cref="DeleteAsync"/> looks at.
/// </summary>
public sealed class FileStore(IOptions<FileStoreOptions> options, TimeProvider clock) : IFileStore
{
    public string Root => Path.GetFullPath(options.Value.Root);

    public Task<StoredFile> SaveAsync(byte[] content, string extension, CancellationToken ct) =>
        SaveAsync(new MemoryStream(content, writable: false), extension, ct);

    public async Task<StoredFile> SaveAsync(Stream content, string extension, CancellationToken ct)
    {
        Directory.CreateDirectory(Root);
        var temp = Path.Combine(Root, $".{Guid.NewGuid():N}.tmp");
        try
        {
            string hash;
            long size = 0;
            await using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81_920, FileOptions.Asynchronous))
            {
                using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = ArrayPool<byte>.Shared.Rent(81_920);
                try
                {
                    int read;
                    while ((read = await content.ReadAsync(buffer.AsMemory(0, 81_920), ct)) > 0)
                    {
                        sha.AppendData(buffer, 0, read);
                        await output.WriteAsync(buffer.AsMemory(0, read), ct);
                        size += read;
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
                hash = Convert.ToHexStringLower(sha.GetHashAndReset());
            }
            var relative = Path.Combine(hash[..2], hash + extension);
            var path = Path.Combine(Root, relative);
            var now = clock.GetUtcNow().UtcDateTime;
            if (Touch(path, now))
                File.Delete(temp);
            else
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.Move(temp, path, overwrite: true);
                File.SetLastWriteTimeUtc(path, now);
            }
            return new StoredFile(hash, size, relative);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Records that an existing file was stored again; false when there is none (or it just went).</summary>
    private static bool Touch(string path, DateTime now)
    {
        try
        {
            if (!File.Exists(path))
                return false;
            File.SetLastWriteTimeUtc(path, now);
            return true;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
    }

    public Task<bool> DeleteAsync(StoredFile file, DateTimeOffset unlessStoredSince, CancellationToken ct)
    {
        var path = Path.Combine(Root, file.RelativePath);
        if (!File.Exists(path) || File.GetLastWriteTimeUtc(path) >= unlessStoredSince.UtcDateTime)
            return Task.FromResult(false);
        File.Delete(path);
        return Task.FromResult(true);
    }

    /// <summary>Reads a stored file back and proves it is intact by its hash.</summary>
    public async Task<byte[]?> ReadVerifiedAsync(StoredFile file, CancellationToken ct)
    {
        var path = Path.Combine(Root, file.RelativePath);
        if (!File.Exists(path))
            return null;
        var bytes = await File.ReadAllBytesAsync(path, ct);
        return Convert.ToHexStringLower(SHA256.HashData(bytes)) == file.Sha256 ? bytes : null;
    }

    public static string ExtensionFor(string contentType) => contentType switch
    {
        "image/jpeg" => ".jpg",
        "image/png" => ".png",
        "image/gif" => ".gif",
        "image/webp" => ".webp",
        "image/bmp" => ".bmp",
        "audio/amr" => ".amr",
        "video/mp4" => ".mp4",
        _ => ".bin",
    };
}
