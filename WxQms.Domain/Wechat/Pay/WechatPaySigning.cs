using System.Security.Cryptography;
using System.Text;

namespace WxQms.Domain.Wechat.Pay;

/// <summary>
/// WeChat Pay APIv3's signatures and the notification's encryption, as pure functions of their inputs: SHA256withRSA
/// (PKCS#1 v1.5) over newline-terminated lines, and AEAD_AES_256_GCM with the APIv3 key. The sandbox uses the same
/// functions from WeChat's side.
/// </summary>
public static class WechatPaySigning
{
    public const string Scheme = "WECHATPAY2-SHA256-RSA2048";

    /// <summary>Each part followed by <c>\n</c>, the last one too: how every APIv3 message to sign is built.</summary>
    public static string Message(params string[] lines)
    {
        var sb = new StringBuilder();
        foreach (var line in lines)
            sb.Append(line).Append('\n');
        return sb.ToString();
    }

    /// <summary>A request's message: <c>METHOD\nPATH?QUERY\ntimestamp\nnonce\nbody\n</c> (an empty body for a GET).</summary>
    public static string RequestMessage(string method, string pathAndQuery, string timestamp, string nonce, string body) =>
        Message(method.ToUpperInvariant(), pathAndQuery, timestamp, nonce, body);

    /// <summary>An answer's or a notification's message: <c>timestamp\nnonce\nbody\n</c>.</summary>
    public static string ResponseMessage(string timestamp, string nonce, string body) => Message(timestamp, nonce, body);

    /// <summary>The <c>paySign</c> of <c>wx.requestPayment</c>: <c>appId\ntimeStamp\nnonceStr\npackage\n</c>.</summary>
    public static string PayMessage(string appId, string timeStamp, string nonceStr, string package) =>
        Message(appId, timeStamp, nonceStr, package);

    public static string Sign(RSA key, string message) =>
        Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes(message), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    public static bool Verify(RSA key, string message, string? signature)
    {
        if (string.IsNullOrEmpty(signature))
            return false;
        var bytes = new byte[signature.Length];
        if (!Convert.TryFromBase64String(signature, bytes, out var length))
            return false;
        return key.VerifyData(Encoding.UTF8.GetBytes(message), bytes.AsSpan(0, length), HashAlgorithmName.SHA256,
            RSASignaturePadding.Pkcs1);
    }

    /// <summary>The request's <c>Authorization</c> header value.</summary>
    public static string Authorization(string mchId, string serialNo, string nonce, string timestamp, string signature) =>
        $"{Scheme} mchid=\"{mchId}\",nonce_str=\"{nonce}\",signature=\"{signature}\",timestamp=\"{timestamp}\",serial_no=\"{serialNo}\"";

    /// <summary>Reads an <c>Authorization</c> header back into its fields; null when it is not WeChat Pay's scheme.</summary>
    public static IReadOnlyDictionary<string, string>? ParseAuthorization(string? header)
    {
        if (header is null || !header.StartsWith(Scheme + " ", StringComparison.Ordinal))
            return null;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in header[(Scheme.Length + 1)..].Split(','))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
                return null;
            var value = part[(eq + 1)..].Trim();
            if (value.Length < 2 || value[0] != '"' || value[^1] != '"')
                return null;
            fields[part[..eq].Trim()] = value[1..^1];
        }
        return fields;
    }

    /// <summary>A nonce of 32 letters and digits, as WeChat's own samples use.</summary>
    public static string Nonce() => RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32);

    /// <summary>
    /// Opens a notification's <c>resource</c>: AEAD_AES_256_GCM, key = the APIv3 key's 32 bytes, nonce and associated
    /// data as UTF-8, ciphertext = base64 of the encrypted bytes followed by the 16-byte tag.
    /// </summary>
    /// <exception cref="CryptographicException">A wrong key, nonce or associated data, or a tampered ciphertext.</exception>
    public static string Decrypt(string apiV3Key, string nonce, string? associatedData, string ciphertext)
    {
        var key = Encoding.UTF8.GetBytes(apiV3Key);
        var nonceBytes = Encoding.UTF8.GetBytes(nonce);
        byte[] sealedBytes;
        try
        {
            sealedBytes = Convert.FromBase64String(ciphertext);
        }
        catch (FormatException)
        {
            throw new CryptographicException("ciphertext is not base64");
        }
        if (key.Length != 32 || nonceBytes.Length != 12 || sealedBytes.Length < AesGcm.TagByteSizes.MaxSize)
            throw new CryptographicException("resource is not AEAD_AES_256_GCM as WeChat Pay seals it");
        var tagStart = sealedBytes.Length - AesGcm.TagByteSizes.MaxSize;
        var plain = new byte[tagStart];
        using var aes = new AesGcm(key, AesGcm.TagByteSizes.MaxSize);
        aes.Decrypt(nonceBytes, sealedBytes.AsSpan(0, tagStart), sealedBytes.AsSpan(tagStart), plain,
            associatedData is null ? null : Encoding.UTF8.GetBytes(associatedData));
        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>Seals a resource as WeChat Pay does (the sandbox's side of <see cref="Decrypt"/>).</summary>
    public static string Encrypt(string apiV3Key, string nonce, string? associatedData, string plaintext)
    {
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var sealedBytes = new byte[plain.Length + AesGcm.TagByteSizes.MaxSize];
        using var aes = new AesGcm(Encoding.UTF8.GetBytes(apiV3Key), AesGcm.TagByteSizes.MaxSize);
        aes.Encrypt(Encoding.UTF8.GetBytes(nonce), plain, sealedBytes.AsSpan(0, plain.Length),
            sealedBytes.AsSpan(plain.Length), associatedData is null ? null : Encoding.UTF8.GetBytes(associatedData));
        return Convert.ToBase64String(sealedBytes);
    }
}
