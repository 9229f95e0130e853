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

    public static string Sign(params string[] parts) => Convert.ToHexStringLower(Hash(parts));

    /// <summary>
    /// Compares in constant time on the decoded bytes. Hex case is ignored, as WeChat's docs allow;
    /// null, non-hex or wrong-length input is simply not a match.
    /// </summary>
    public static bool Verify(string? expectedHex, params string[] parts)
    {
        var actual = Hash(parts);
        if (expectedHex is null || expectedHex.Length != Sha1Length * 2)
            return false;

        Span<byte> expected = stackalloc byte[Sha1Length];
        var status = Convert.FromHexString(expectedHex, expected, out _, out var written);
        return status == OperationStatus.Done && written == Sha1Length
            && CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    private static byte[] Hash(string[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        foreach (var part in parts)
            ArgumentNullException.ThrowIfNull(part, nameof(parts));

        // WeChat sorts byte-wise; a culture-aware sort puts digits and letters in another order.
        var sorted = parts.ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        return SHA1.HashData(Encoding.UTF8.GetBytes(string.Concat(sorted)));
    }
}
