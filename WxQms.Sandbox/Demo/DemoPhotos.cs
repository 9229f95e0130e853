using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using WxQms.Domain.Model;
using WxQms.Domain.Storage;

namespace WxQms.Sandbox.Demo;

/// <summary>
/// The demo's meeting photos: a few generated pictures (bands of colour on a gradient, the same bytes every run), stored
/// once through the file store like any upload and shared by every simulated submission, as content-addressed files are.
/// </summary>
public sealed class DemoPhotos(IFileStore files)
{
    public const int Count = 5;

    private static readonly (byte R, byte G, byte B)[] Bands =
        [(200, 30, 40), (230, 160, 30), (40, 120, 200), (60, 160, 90), (150, 60, 160)];

    public async Task<IReadOnlyList<StoredPhoto>> StoreAsync(CancellationToken ct)
    {
        var stored = new List<StoredPhoto>(Count);
        for (var i = 0; i < Count; i++)
        {
            var file = await files.SaveAsync(Png(320, 240, Bands[i]), ".png", ct);
            stored.Add(new StoredPhoto(file.Sha256, file.Size, "image/png", file.RelativePath));
        }
        return stored;
    }

    /// <summary>An RGB PNG: a gradient with a band of <paramref name="band"/> across its middle.</summary>
    public static byte[] Png(int width, int height, (byte R, byte G, byte B) band)
    {
        var raw = new byte[height * (1 + width * 3)];
        for (int y = 0, i = 0; y < height; y++)
        {
            raw[i++] = 0; // filter: none
            var inBand = y > height / 3 && y < height * 2 / 3;
            for (var x = 0; x < width; x++)
            {
                raw[i++] = inBand ? band.R : (byte)(255 * x / width);
                raw[i++] = inBand ? band.G : (byte)(255 * y / height);
                raw[i++] = inBand ? band.B : (byte)160;
            }
        }
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // colour type: RGB
        Chunk(png, "IHDR", header);
        using (var compressed = new MemoryStream())
        {
            using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
                z.Write(raw);
            Chunk(png, "IDAT", compressed.ToArray());
        }
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>Writes one PNG chunk: length, type, data and its CRC-32.</summary>
    public static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.HashToUInt32(typed));
        png.Write(word);
    }
}
