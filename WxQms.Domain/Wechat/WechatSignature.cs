using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace WxQms.Domain.Wechat;

/// <summary>
/// The SHA-1 signature WeChat puts on callbacks (PROTOCOL §1.2, §2.1): sort the parts ordinally,
/// concatenate, hash, lower-case hex. Three parts (token, timestamp, nonce) give <c>signature</c>;
/// four (plus the Encrypt value) give <c>msg_signature</c> and the reply's <c>MsgSignature</c>.
/// </summary>
public static class WechatSignature
{
    private const int Sha1Length = 20;

    public static string Sign(params string[] parts)
    {
        Span<byte> hash = stackalloc byte[Sha1Length];
        Hash(parts, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// Compares in constant time on the decoded bytes. Hex case is ignored, as WeChat's docs allow;
    /// null, non-hex or wrong-length input is simply not a match.
    /// </summary>
    public static bool Verify(string? expectedHex, params string[] parts)
    {
        Span<byte> actual = stackalloc byte[Sha1Length];
        Hash(parts, actual);
        if (expectedHex is null || expectedHex.Length != Sha1Length * 2)
            return false;

        Span<byte> expected = stackalloc byte[Sha1Length];
        var status = Convert.FromHexString(expectedHex, expected, out _, out var written);
        return status == OperationStatus.Done && written == Sha1Length
            && CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    /// <summary>
    /// SHA-1 of the parts sorted and joined, encoded straight into a pooled buffer: no joined string, no byte array
    /// (two of them per check, a Base64 Encrypt value long, on every push).
    /// </summary>
    private static void Hash(string[] parts, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var length = 0;
        foreach (var part in parts)
        {
            ArgumentNullException.ThrowIfNull(part, nameof(parts));
            length += Encoding.UTF8.GetMaxByteCount(part.Length);
        }

        // WeChat sorts byte-wise; a culture-aware sort puts digits and letters in another order.
        var sorted = parts.ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = 0;
            foreach (var part in sorted)
                written += Encoding.UTF8.GetBytes(part, buffer.AsSpan(written));
            SHA1.HashData(buffer.AsSpan(0, written), destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
