using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace WxQms.Domain.Wechat;

/// <summary>The mini-program APIs WxQms uses (PROTOCOL §5).</summary>
public sealed class MiniProgramClient(WechatApi api, IOptions<WechatOptions> options)
{
    private WechatAppOptions App => options.Value.Mp;

    /// <summary>
    /// Downloads an image a user sent in the mini program's customer-service chat (media/get with the mini
    /// program's token: a media_id belongs to the app it was sent to, and the other app's token gets 40007).
    /// </summary>
    public Task<WechatResult<WechatMedia>> GetMediaAsync(string mediaId, CancellationToken ct) =>
        api.CallAsync(App, (http, token, c) =>
            http.GetMediaAsync(WechatApi.WithToken($"cgi-bin/media/get?media_id={Uri.EscapeDataString(mediaId)}", token), c), ct);

    /// <summary>wx.login code → openid, unionid, session_key. The session_key never leaves the server.</summary>
    public Task<WechatResult<MpSession>> Code2SessionAsync(string jsCode, CancellationToken ct) =>
        api.Http.GetJsonAsync<MpSession>(
            $"sns/jscode2session?appid={App.AppId}&secret={Uri.EscapeDataString(App.AppSecret)}" +
            $"&js_code={Uri.EscapeDataString(jsCode)}&grant_type=authorization_code", ct);

    /// <summary>One send per consent the user gave in wx.requestSubscribeMessage; 43101 when none is left.</summary>
    public Task<WechatResult<WechatOk>> SendSubscribeAsync(SubscribeMessage message, CancellationToken ct)
    {
        if (TemplateFieldRules.Validate(message.Data) is [var first, ..])
            return Task.FromResult(WechatResult<WechatOk>.Fail(WechatErrors.ArgumentInvalid, first.ToString()));
        return api.PostAsync<WechatOk>(App, "cgi-bin/message/subscribe/send", new
        {
            touser = message.ToOpenId,
            template_id = message.TemplateId,
            page = message.Page,
            data = message.Data.ToDictionary(kv => kv.Key, kv => new { value = kv.Value }),
            miniprogram_state = message.State,
            lang = "zh_CN",
        }, ct);
    }

    /// <summary>Text check, version 2. errcode 0 only means the call worked: read <c>Suggest</c>.</summary>
    public Task<WechatResult<TextCheck>> CheckTextAsync(string openId, string content, int scene, CancellationToken ct) =>
        api.PostAsync<TextCheck>(App, "wxa/msg_sec_check",
            new { version = 2, openid = openId, scene, content }, ct);

    /// <summary>Starts an asynchronous image check; the verdict arrives as a wxa_media_check push with this trace_id.</summary>
    public Task<WechatResult<MediaCheckStarted>> CheckImageAsync(string openId, string mediaUrl, int scene, CancellationToken ct) =>
        api.PostAsync<MediaCheckStarted>(App, "wxa/media_check_async",
            new { media_url = mediaUrl, media_type = 2, version = 2, scene, openid = openId }, ct);

    public Task<WechatResult<PhoneNumber>> GetPhoneNumberAsync(string code, CancellationToken ct) =>
        api.PostAsync<PhoneNumber>(App, "wxa/business/getuserphonenumber", new { code }, ct);
}

public sealed record MpSession(
    [property: JsonPropertyName("openid")] string OpenId,
    [property: JsonPropertyName("session_key")] string SessionKey,
    [property: JsonPropertyName("unionid")] string? UnionId)
{
    public override string ToString() => $"MpSession {{ OpenId = {OpenId}, UnionId = {UnionId}, SessionKey = (hidden) }}";
}

public sealed record SubscribeMessage(
    string ToOpenId,
    string TemplateId,
    IReadOnlyDictionary<string, string> Data,
    string? Page = null,
    string State = "formal");

public sealed record TextCheck(
    [property: JsonPropertyName("trace_id")] string? TraceId,
    [property: JsonPropertyName("result")] CheckVerdict? Result);

/// <summary>label is documented as a string and sent as a number; both are read.</summary>
public sealed record CheckVerdict(
    [property: JsonPropertyName("suggest")] string Suggest,
    [property: JsonPropertyName("label")] JsonElement Label)
{
    public bool Passed => Suggest == "pass";
}

public sealed record MediaCheckStarted([property: JsonPropertyName("trace_id")] string TraceId);

public sealed record PhoneNumber([property: JsonPropertyName("phone_info")] PhoneInfo PhoneInfo);

public sealed record PhoneInfo(
    [property: JsonPropertyName("phoneNumber")] string Number,
    [property: JsonPropertyName("purePhoneNumber")] string PureNumber,
    [property: JsonPropertyName("countryCode")] JsonElement CountryCode);
