using System.Text.Json;
using System.Text.Json.Serialization;

namespace WxQms.Domain.Wechat;

/// <summary>
/// What a WeChat API call returned. WeChat answers HTTP 200 for business errors and leaves errcode
/// out of many success bodies, so success is "HTTP 200 and errcode 0 or absent" (PROTOCOL §9).
/// </summary>
public sealed record WechatResult<T>(int ErrCode, string? ErrMsg, T? Value)
{
    public bool IsOk => ErrCode == 0;

    public static WechatResult<T> Ok(T value) => new(0, "ok", value);

    public static WechatResult<T> Fail(int errCode, string? errMsg) => new(errCode, errMsg, default);

    public T ValueOrThrow() => IsOk && Value is not null ? Value : throw new WechatApiException(ErrCode, ErrMsg);
}

public sealed class WechatApiException(int errCode, string? errMsg)
    : Exception($"WeChat API error {errCode}: {errMsg}")
{
    public int ErrCode { get; } = errCode;
}

/// <summary>The errcodes we act on; see PROTOCOL §3.3 and §9.</summary>
public static class WechatErrors
{
    public const int Busy = -1;
    public const int InvalidCredential = 40001;
    public const int InvalidAccessToken = 40014;
    public const int AccessTokenExpired = 42001;
    public const int InvalidMediaId = 40007;
    public const int InvalidCode = 40029;
    public const int InvalidAppSecret = 40125;
    public const int MustFollow = 43004;
    public const int SubscribeRefused = 43101;
    public const int DailyQuota = 45009;
    public const int MinuteQuota = 45011;
    public const int ParseError = 47001;
    public const int ArgumentInvalid = 47003;

    /// <summary>The token was superseded, malformed or expired: drop it, fetch again, retry once.</summary>
    public static bool IsTokenProblem(int errCode) =>
        errCode is InvalidCredential or InvalidAccessToken or AccessTokenExpired;
}

internal sealed record WechatEnvelope(
    [property: JsonPropertyName("errcode")] int ErrCode,
    [property: JsonPropertyName("errmsg")] string? ErrMsg);

internal static class WechatJson
{
    /// <summary>Real characters, not \\uXXXX escapes: WeChat answers 40033 to escaped Chinese (PROTOCOL §0).</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
