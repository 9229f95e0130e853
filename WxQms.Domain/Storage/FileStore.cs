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
/// (<see cref="FileStore"/>); an object store (S3, OSS, COS) implements the same two calls, with the
/// hash as the object key, when Api instances no longer share a disk.
/// </summary>
public interface IFileStore
{
    /// <summary>Stores the bytes under their SHA-256; storing the same bytes again is a no-op.</summary>
    Task<StoredFile> SaveAsync(byte[] content, string extension, CancellationToken ct);

    /// <summary>The bytes, or null when missing or when they no longer match their hash.</summary>
    Task<byte[]?> ReadVerifiedAsync(StoredFile file, CancellationToken ct);
}

/// <summary>
/// Content-addressed files on local disk under Storage:Root: the name is the SHA-256 of the bytes,
/// written to a temporary file and renamed into place, so a file that exists is complete and the
/// same photo is stored once.
/// </summary>
public sealed class FileStore(IOptions<FileStoreOptions> options) : IFileStore
{
    public string Root => Path.GetFullPath(options.Value.Root);

    public async Task<StoredFile> SaveAsync(byte[] content, string extension, CancellationToken ct)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(content));
        var relative = Path.Combine(hash[..2], hash + extension);
        var path = Path.Combine(Root, relative);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temp = $"{path}.{Guid.NewGuid():N}.tmp";
            await File.WriteAllBytesAsync(temp, content, ct);
            File.Move(temp, path, overwrite: true);
        }
        return new StoredFile(hash, content.LongLength, relative);
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
