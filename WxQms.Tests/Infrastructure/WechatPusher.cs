using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using WxQms.Domain.Wechat;

namespace WxQms.Tests.Infrastructure;

public enum PushMode
{
    Plaintext,
    Compatible,
    Safe,
}

public sealed record PushAnswer(HttpStatusCode Status, string Body, string? Reply);

/// <summary>Plays WeChat's servers towards our callback: signs, encrypts and posts like they do.</summary>
public sealed class WechatPusher(WxQmsApp app, string path = "/wechat/callback")
{
    private readonly HttpClient client = app.CreateClient();
    private WechatAppOptions Oa => app.Get<IOptions<WechatOptions>>().Value.Oa;

    public static string Text(string from, string content, long msgId, long createTime) => $"""
        <xml><ToUserName><![CDATA[gh_test000001]]></ToUserName><FromUserName><![CDATA[{from}]]></FromUserName><CreateTime>{createTime}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content><MsgId>{msgId}</MsgId></xml>
        """;

    public static string Image(string from, string mediaId, long msgId, long createTime) => $"""
        <xml><ToUserName><![CDATA[gh_test000001]]></ToUserName><FromUserName><![CDATA[{from}]]></FromUserName><CreateTime>{createTime}</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://mmbiz.qpic.cn/x]]></PicUrl><MediaId><![CDATA[{mediaId}]]></MediaId><MsgId>{msgId}</MsgId></xml>
        """;

    public static string Event(string from, string evt, long createTime, string extra = "") => $"""
        <xml><ToUserName><![CDATA[gh_test000001]]></ToUserName><FromUserName><![CDATA[{from}]]></FromUserName><CreateTime>{createTime}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{evt}]]></Event>{extra}</xml>
        """;

    public long Now => app.Clock.GetUtcNow().ToUnixTimeSeconds();

    /// <param name="nonce">Null for a fresh random nonce; a replay passes one seen before.</param>
    public async Task<PushAnswer> PushAsync(string xml, PushMode mode = PushMode.Safe, long? timestamp = null,
        Func<string, string>? tamper = null, string? nonce = null)
    {
        var ts = (timestamp ?? Now).ToString(CultureInfo.InvariantCulture);
        nonce ??= Random.Shared.Next(100_000_000, 999_999_999).ToString(CultureInfo.InvariantCulture);
        var query = $"signature={WechatSignature.Sign(Oa.Token!, ts, nonce)}&timestamp={ts}&nonce={nonce}&openid=o1";
        var crypto = new WechatCrypto(Oa.EncodingAesKey!, Oa.AppId);
        string body;
        if (mode == PushMode.Plaintext)
        {
            body = xml;
        }
        else
        {
            var encrypt = crypto.Encrypt(xml);
            var msgSignature = WechatSignature.Sign(Oa.Token!, ts, nonce, encrypt);
            query += $"&encrypt_type=aes&msg_signature={msgSignature}";
            body = mode == PushMode.Safe
                ? $"<xml><ToUserName><![CDATA[gh_test000001]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
                : xml.Replace("</xml>", $"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>");
        }
        body = tamper?.Invoke(body) ?? body;

        using var response = await client.PostAsync($"{path}?{query}", new StringContent(body, Encoding.UTF8, "text/xml"),
            TestContext.Current.CancellationToken);
        var answer = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return new PushAnswer(response.StatusCode, answer, Open(answer, crypto, ts));
    }

    /// <summary>The reply as the user's phone would see it: decrypted, after checking its signature.</summary>
    private string? Open(string answer, WechatCrypto crypto, string ts)
    {
        if (!answer.Contains("<Encrypt>", StringComparison.Ordinal))
            return answer;
        var envelope = WechatXml.Flatten(WechatXml.Parse(answer));
        Assert.True(WechatSignature.Verify(envelope["MsgSignature"], Oa.Token!, envelope["TimeStamp"], envelope["Nonce"],
            envelope["Encrypt"]), "reply msg_signature must verify");
        return crypto.Decrypt(envelope["Encrypt"]).Message;
    }
}
