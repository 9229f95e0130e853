using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using WxQms.Tests.Bot;

namespace WxQms.Tests.Infrastructure;

/// <summary>A small JPEG carrying EXIF, as a phone camera writes it, made here so no file is committed.</summary>
public static class TestJpeg
{
    /// <summary>
    /// <see cref="BotWorld.Jpeg"/>'s 640×480 JPEG with an APP1 EXIF segment whose DateTimeOriginal is
    /// <paramref name="takenLocal"/> (a phone's wall clock, no time zone).
    /// </summary>
    public static byte[] TakenAt(DateTime takenLocal, int seed = 1)
    {
        var tiff = new byte[64];
        "II*\0"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(4), 8);                 // IFD0 at 8
        Entry(tiff.AsSpan(8), tag: 0x8769, type: 4, count: 1, value: 26);          // IFD0: the Exif IFD at 26
        Entry(tiff.AsSpan(26), tag: 0x9003, type: 2, count: 20, value: 44);        // Exif IFD: DateTimeOriginal at 44
        Encoding.ASCII.GetBytes(takenLocal.ToString("yyyy:MM:dd HH:mm:ss", CultureInfo.InvariantCulture)).CopyTo(tiff, 44);

        var app1 = new byte[4 + 6 + tiff.Length];
        app1[0] = 0xFF;
        app1[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(app1.AsSpan(2), (ushort)(app1.Length - 2));
        "Exif\0\0"u8.CopyTo(app1.AsSpan(4));
        tiff.CopyTo(app1, 10);

        var jpeg = BotWorld.Jpeg(seed);
        return [.. jpeg[..2], .. app1, .. jpeg[2..]];
    }

    /// <summary>An IFD of one entry (count, the entry, no next IFD).</summary>
    private static void Entry(Span<byte> at, ushort tag, ushort type, uint count, uint value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(at, 1);
        BinaryPrimitives.WriteUInt16LittleEndian(at[2..], tag);
        BinaryPrimitives.WriteUInt16LittleEndian(at[4..], type);
        BinaryPrimitives.WriteUInt32LittleEndian(at[6..], count);
        BinaryPrimitives.WriteUInt32LittleEndian(at[10..], value);
        BinaryPrimitives.WriteUInt32LittleEndian(at[14..], 0);
    }
}
