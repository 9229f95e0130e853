using System.Net.Http.Headers;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace WxQms.Domain.Wechat;

/// <summary>The official-account APIs WxQms uses (PROTOCOL §4, §6–§8). Every call goes through
/// <see cref="WechatApi"/>, so token problems are retried once and nothing else is.</summary>
public sealed class OfficialAccountClient(WechatApi api, IOptions<WechatOptions> options)
{
    private WechatAppOptions App => options.Value.Oa;

    /// <summary>
    /// Sends a template message. The data is checked against the field-type rules first, so a value
    /// WeChat would refuse with 47003 fails here, naming the field, without spending quota.
    /// <paramref name="clientMsgId"/> lets WeChat drop a repeat of the same send within 10 minutes.
    /// </summary>
    public async Task<WechatResult<long>> SendTemplateAsync(TemplateMessage message, CancellationToken ct)
    {
        if (TemplateFieldRules.Validate(message.Data) is [var first, ..])
            return WechatResult<long>.Fail(WechatErrors.ArgumentInvalid, first.ToString());

        var result = await api.PostAsync<TemplateSendResponse>(App, "cgi-bin/message/template/send", new
        {
            touser = message.ToOpenId,
            template_id = message.TemplateId,
            url = message.Url,
            miniprogram = message.MiniProgramPage is null ? null : new { appid = options.Value.Mp.AppId, pagepath = message.MiniProgramPage },
            data = message.Data.ToDictionary(kv => kv.Key, kv => new { value = kv.Value }),
            client_msg_id = message.ClientMsgId,
        }, ct);
        return result.IsOk ? WechatResult<long>.Ok(result.Value!.MsgId) : WechatResult<long>.Fail(result.ErrCode, result.ErrMsg);
    }

    public Task<WechatResult<WechatOk>> SendTextAsync(string openId, string content, CancellationToken ct) =>
        api.PostAsync<WechatOk>(App, "cgi-bin/message/custom/send",
            new { touser = openId, msgtype = "text", text = new { content } }, ct);

    public Task<WechatResult<WechatOk>> SendImageAsync(string openId, string mediaId, CancellationToken ct) =>
        api.PostAsync<WechatOk>(App, "cgi-bin/message/custom/send",
            new { touser = openId, msgtype = "image", image = new { media_id = mediaId } }, ct);

    public Task<WechatResult<WechatUserInfo>> GetUserAsync(string openId, CancellationToken ct) =>
        api.GetAsync<WechatUserInfo>(App, $"cgi-bin/user/info?openid={Uri.EscapeDataString(openId)}&lang=zh_CN", ct);

    /// <summary>Downloads a user's temporary media (deleted by WeChat after 3 days). Bytes are sniffed.</summary>
    public Task<WechatResult<WechatMedia>> GetMediaAsync(string mediaId, CancellationToken ct) =>
        api.CallAsync(App, (http, token, c) =>
            http.GetMediaAsync(WechatApi.WithToken($"cgi-bin/media/get?media_id={Uri.EscapeDataString(mediaId)}", token), c), ct);

    public Task<WechatResult<MediaUploaded>> UploadImageAsync(byte[] content, string fileName, CancellationToken ct) =>
        api.CallAsync(App, async (http, token, c) =>
        {
            using var form = new MultipartFormDataContent();
            var part = new ByteArrayContent(content);
            part.Headers.ContentType = new MediaTypeHeaderValue(MediaSniffer.Sniff(content));
            form.Add(part, "media", fileName);
            return await http.PostContentAsync<MediaUploaded>(WechatApi.WithToken("cgi-bin/media/upload?type=image", token), form, c);
        }, ct);

    public Task<WechatResult<WechatOk>> CreateMenuAsync(IReadOnlyList<MenuButton> buttons, CancellationToken ct) =>
        api.PostAsync<WechatOk>(App, "cgi-bin/menu/create", new { button = buttons }, ct);

    public Task<WechatResult<MenuResponse>> GetMenuAsync(CancellationToken ct) =>
        api.GetAsync<MenuResponse>(App, "cgi-bin/menu/get", ct);

    public Task<WechatResult<WechatOk>> DeleteMenuAsync(CancellationToken ct) =>
        api.GetAsync<WechatOk>(App, "cgi-bin/menu/delete", ct);

    /// <summary>A temporary QR code carrying an opaque scene string (≤ 64 characters), e.g. for binding.</summary>
    public Task<WechatResult<QrCode>> CreateTemporaryQrCodeAsync(string sceneStr, TimeSpan lifetime, CancellationToken ct)
    {
        if (sceneStr.Length is < 1 or > 64)
            throw new ArgumentException("scene_str is 1–64 characters", nameof(sceneStr));
        return api.PostAsync<QrCode>(App, "cgi-bin/qrcode/create", new
        {
            expire_seconds = (int)Math.Clamp(lifetime.TotalSeconds, 60, 2_592_000),
            action_name = "QR_STR_SCENE",
            action_info = new { scene = new { scene_str = sceneStr } },
        }, ct);
    }

    /// <summary>The snsapi_base authorize URL: WeChat redirects back with ?code=…&amp;state=… and no consent page.</summary>
    public string AuthorizeUrl(string redirectUri, string state) =>
        $"{options.Value.OpenBase.TrimEnd('/')}/connect/oauth2/authorize?appid={App.AppId}" +
        $"&redirect_uri={Uri.EscapeDataString(redirectUri)}&response_type=code&scope=snsapi_base" +
        $"&state={Uri.EscapeDataString(state)}#wechat_redirect";

    /// <summary>Exchanges a web OAuth code for the user's openid. Codes are single-use (40029).</summary>
    public Task<WechatResult<OAuthAccess>> ExchangeOAuthCodeAsync(string code, CancellationToken ct) =>
        api.Http.GetJsonAsync<OAuthAccess>(
            $"sns/oauth2/access_token?appid={App.AppId}&secret={Uri.EscapeDataString(App.AppSecret)}" +
            $"&code={Uri.EscapeDataString(code)}&grant_type=authorization_code", ct);

    private sealed record TemplateSendResponse([property: JsonPropertyName("msgid")] long MsgId);
}

public sealed record TemplateMessage(
    string ToOpenId,
    string TemplateId,
    IReadOnlyDictionary<string, string> Data,
    string? Url = null,
    string? MiniProgramPage = null,
    string? ClientMsgId = null);

public sealed record WechatOk;

public sealed record WechatUserInfo(
    [property: JsonPropertyName("subscribe")] int Subscribe,
    [property: JsonPropertyName("openid")] string OpenId,
    [property: JsonPropertyName("unionid")] string? UnionId,
    [property: JsonPropertyName("subscribe_time")] long? SubscribeTime)
{
    public bool Follows => Subscribe == 1;
}

public sealed record MediaUploaded(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("media_id")] string MediaId,
    [property: JsonPropertyName("created_at")] long CreatedAt);

public sealed record MenuButton(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string? Type = null,
    [property: JsonPropertyName("key")] string? Key = null,
    [property: JsonPropertyName("url")] string? Url = null,
    [property: JsonPropertyName("sub_button")] IReadOnlyList<MenuButton>? SubButtons = null);

public sealed record MenuResponse([property: JsonPropertyName("menu")] MenuBody? Menu);

public sealed record MenuBody([property: JsonPropertyName("button")] IReadOnlyList<MenuButton> Buttons);

public sealed record QrCode(
    [property: JsonPropertyName("ticket")] string Ticket,
    [property: JsonPropertyName("expire_seconds")] int ExpireSeconds,
    [property: JsonPropertyName("url")] string Url);

public sealed record OAuthAccess(
    [property: JsonPropertyName("openid")] string OpenId,
    [property: JsonPropertyName("scope")] string? Scope);
