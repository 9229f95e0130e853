using System.Security.Cryptography;
using System.Text;

namespace WxQms.Domain.Logging;

/// <summary>
/// Personal data as logs may show it (logs leave the machine and are read by people who need no openid or phone):
/// an openid or unionid becomes a short stable hash, the same for the same id, so one person's lines can still be
/// followed and matched against the database by hashing a known id; a phone keeps its first three and last four digits.
/// </summary>
public static class LogMask
{
    /// <summary>Fixed, so that the hash of an id is the same in every process and every release.</summary>
    private const string Salt = "wxqms-log:";

    /// <summary><c>wx#</c> and the first 10 hex digits of SHA-256 over the salted id; <c>-</c> for none.</summary>
    public static string OpenId(string? id)
    {
        if (string.IsNullOrEmpty(id))
            return "-";
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(Salt + id), hash);
        return "wx#" + Convert.ToHexStringLower(hash[..5]);
    }

    /// <summary>138****1234; anything shorter than seven characters shows nothing but stars.</summary>
    public static string Phone(string? phone) =>
        string.IsNullOrEmpty(phone) ? "-" : phone.Length < 7 ? "****" : $"{phone[..3]}****{phone[^4..]}";
}
