using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using WxQms.Sandbox.Demo;

namespace WxQms.Tests.Sandbox;

/// <summary>The demo's PNGs carry chunk checksums from System.IO.Hashing, not from a CRC-32 of our own.</summary>
public sealed class DemoPhotosTests
{
    [Fact]
    public void Every_chunk_of_a_demo_png_carries_the_crc_32_of_System_IO_Hashing_and_the_demo_keeps_no_crc_of_its_own()
    {
        Assert.Null(typeof(DemoPhotos).GetMethod("Crc32"));
        var png = DemoPhotos.Png(8, 6, (200, 30, 40));
        var chunks = new List<string>();
        for (var at = 8; at < png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            var typed = png.AsSpan(at + 4, 4 + length);
            Assert.Equal(Crc32.HashToUInt32(typed), BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length)));
            chunks.Add(Encoding.ASCII.GetString(typed[..4]));
            at += 12 + length;
        }
        Assert.Equal(["IHDR", "IDAT", "IEND"], chunks);
    }
}
