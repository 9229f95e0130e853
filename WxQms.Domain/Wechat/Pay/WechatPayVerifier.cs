using System.Globalization;

namespace WxQms.Domain.Wechat.Pay;

/// <summary>Checks the platform's signature on an answer or a notification (<c>Wechatpay-*</c> headers).</summary>
public static class WechatPayVerifier
{
    /// <summary>Null when the message is WeChat Pay's and fresh; otherwise why not (for the log, never a secret).</summary>
    public static string? Verify(WechatPayKeys keys, TimeSpan tolerance, DateTimeOffset now, string? timestamp, string? nonce,
        string? signature, string? serial, string body)
    {
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(nonce) || string.IsNullOrEmpty(signature))
            return "missing Wechatpay-Timestamp, -Nonce or -Signature";
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var unix)
            || unix > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            return "Wechatpay-Timestamp is not a unix time";
        if ((now - DateTimeOffset.FromUnixTimeSeconds(unix)).Duration() > tolerance)
            return "Wechatpay-Timestamp is stale";
        if (!string.Equals(serial, keys.PlatformSerial, StringComparison.OrdinalIgnoreCase))
            return "Wechatpay-Serial names another platform key";
        return WechatPaySigning.Verify(keys.Platform, WechatPaySigning.ResponseMessage(timestamp, nonce, body), signature)
            ? null
            : "Wechatpay-Signature does not verify";
    }
}
