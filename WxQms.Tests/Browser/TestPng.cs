using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace WxQms.Tests.Browser;

/// <summary>A small real PNG (8-bit RGB, a gradient with a red band), made here so no file is committed.</summary>
public static class TestPng
{
    public static byte[] Create(int width, int height)
    {
        var raw = new byte[height * (1 + width * 3)];
        for (int y = 0, i = 0; y < height; y++)
        {
            raw[i++] = 0; // filter: none
            for (var x = 0; x < width; x++)
            {
                var band = y > height / 3 && y < height * 2 / 3;
                raw[i++] = band ? (byte)200 : (byte)(255 * x / width);
                raw[i++] = band ? (byte)30 : (byte)(255 * y / height);
                raw[i++] = band ? (byte)40 : (byte)160;
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

    /// <summary>
    /// A PNG whose header claims <paramref name="width"/> × <paramref name="height"/> with a few bytes of pixels: what a
    /// decompression bomb looks like to anything that reads only headers.
    /// </summary>
    public static byte[] Claiming(int width, int height)
    {
        var small = Create(4, 4);
        BinaryPrimitives.WriteInt32BigEndian(small.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(small.AsSpan(20), height);
        BinaryPrimitives.WriteUInt32BigEndian(small.AsSpan(29), Crc32(small[12..29]));
        return small;
    }

    /// <summary>A real small PNG carrying <paramref name="padding"/> bytes in a private ancillary chunk: a big photo, cheaply.</summary>
    public static byte[] Padded(int width, int height, int padding, int seed = 0)
    {
        var small = Create(width, height);
        using var png = new MemoryStream(small.Length + padding + 12);
        png.Write(small, 0, small.Length - 12); // all but IEND
        var pad = new byte[padding];
        new Random(seed).NextBytes(pad);
        Chunk(png, "wxPd", pad);
        png.Write(small, small.Length - 12, 12);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(four, data.Length);
        png.Write(four);
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(four, Crc32(typeAndData));
        png.Write(four);
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
