using System.Buffers.Binary;
using System.IO.Hashing;
using WxQms.Sandbox.Demo;

namespace WxQms.Tests.Browser;

/// <summary>A small real PNG (8-bit RGB, a gradient with a red band), made here so no file is committed.</summary>
public static class TestPng
{
    /// <summary>A gradient with a red band across its middle (the demo's first photo, drawn by the same code).</summary>
    public static byte[] Create(int width, int height) => DemoPhotos.Png(width, height, (200, 30, 40));

    /// <summary>
    /// A PNG whose header claims <paramref name="width"/> × <paramref name="height"/> with a few bytes of pixels: what a
    /// decompression bomb looks like to anything that reads only headers.
    /// </summary>
    public static byte[] Claiming(int width, int height)
    {
        var small = Create(4, 4);
        BinaryPrimitives.WriteInt32BigEndian(small.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(small.AsSpan(20), height);
        BinaryPrimitives.WriteUInt32BigEndian(small.AsSpan(29), Crc32.HashToUInt32(small.AsSpan(12, 17)));
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
        DemoPhotos.Chunk(png, "wxPd", pad);
        png.Write(small, small.Length - 12, 12);
        return png.ToArray();
    }
}
