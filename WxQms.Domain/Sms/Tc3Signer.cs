using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace WxQms.Domain.Sms;

/// <summary>
/// Tencent Cloud API 3.0 request signing (签名方法 v3, TC3-HMAC-SHA256): the canonical request, the string to
/// sign, the key derived from the secret key, the date and the service, and the Authorization header. The
/// headers given are the signed ones (names lower-cased and sorted here). Pure; the provider's published worked
/// example is its test vector (Tc3SignerTests).
/// </summary>
public static class Tc3Signer
{
    public const string Algorithm = "TC3-HMAC-SHA256";

    public sealed record Signed(string CanonicalRequest, string StringToSign, string Signature, string Authorization);

    public static Signed Sign(string secretId, string secretKey, string service, long timestamp, string payload,
        IReadOnlyDictionary<string, string> signedHeaders)
    {
        var headers = signedHeaders
            .Select(h => (Name: h.Key.Trim().ToLowerInvariant(), Value: h.Value.Trim().ToLowerInvariant()))
            .OrderBy(h => h.Name, StringComparer.Ordinal)
            .ToList();
        var names = string.Join(';', headers.Select(h => h.Name));
        var canonicalHeaders = string.Concat(headers.Select(h => $"{h.Name}:{h.Value}\n"));
        var canonicalRequest = $"POST\n/\n\n{canonicalHeaders}\n{names}\n{Sha256Hex(payload)}";
        var date = DateTimeOffset.FromUnixTimeSeconds(timestamp).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var scope = $"{date}/{service}/tc3_request";
        var stringToSign = $"{Algorithm}\n{timestamp.ToString(CultureInfo.InvariantCulture)}\n{scope}\n{Sha256Hex(canonicalRequest)}";
        var secretDate = Hmac(Encoding.UTF8.GetBytes("TC3" + secretKey), date);
        var secretService = Hmac(secretDate, service);
        var secretSigning = Hmac(secretService, "tc3_request");
        var signature = Convert.ToHexStringLower(Hmac(secretSigning, stringToSign));
        return new Signed(canonicalRequest, stringToSign, signature,
            $"{Algorithm} Credential={secretId}/{scope}, SignedHeaders={names}, Signature={signature}");
    }

    /// <summary>The parts of an Authorization header: the SecretId, the scope's date and service, the signed header names and the signature.</summary>
    public sealed record Credential(string SecretId, string Date, string Service, string[] SignedHeaders, string Signature);

    public static Credential? Parse(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal))
            return null;
        var parts = authorization[(Algorithm.Length + 1)..].Split(", ")
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        if (!parts.TryGetValue("Credential", out var credential) || !parts.TryGetValue("SignedHeaders", out var signed)
            || !parts.TryGetValue("Signature", out var signature))
            return null;
        var scope = credential.Split('/');
        return scope is [var id, var date, var service, "tc3_request"]
            ? new Credential(id, date, service, signed.Split(';'), signature)
            : null;
    }

    public static string Sha256Hex(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)));

    private static byte[] Hmac(byte[] key, string message) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(message));
}
