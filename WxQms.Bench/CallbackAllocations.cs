using System.Globalization;
using WxQms.Domain.Wechat;

namespace WxQms.Bench;

/// <summary>
/// Bytes allocated by each step of opening a push and sealing its reply, plaintext and safe mode, measured on one
/// thread (GC.GetAllocatedBytesForCurrentThread: independent of the machine's load) over many pushes.
/// </summary>
public static class CallbackAllocations
{
    public static int Run(string token, string aesKey, string appId)
    {
        var crypto = new WechatCrypto(aesKey, appId);
        var now = DateTimeOffset.UtcNow;
        var ts = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        const string nonce = "123456789";
        var xml = $"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[o-bench-1]]></FromUserName><CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[压测消息 1]]></Content><MsgId>1234567890123</MsgId></xml>";
        var encrypt = crypto.Encrypt(xml);
        var safeBody = $"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>";
        var plainQuery = new CallbackQuery(WechatSignature.Sign(token, ts, nonce), ts, nonce);
        var safeQuery = plainQuery with { EncryptType = "aes", MsgSignature = WechatSignature.Sign(token, ts, nonce, encrypt) };
        var reply = "<xml><ToUserName><![CDATA[o-bench-1]]></ToUserName><FromUserName><![CDATA[gh_bench]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[您好，消息已收到。]]></Content></xml>";
        var plainSettings = new CallbackSettings(token);
        var safeAccepted = (CallbackAccepted)CallbackEnvelope.Open(safeQuery, safeBody, new CallbackSettings(token, crypto), now);

        Measure("settings (new WechatCrypto)", () => _ = new CallbackSettings(token, new WechatCrypto(aesKey, appId)));
        Measure("signature verify", () => WechatSignature.Verify(plainQuery.Signature, token, ts, nonce));
        Measure("xml parse (outer)", () => WechatXml.Parse(safeBody));
        Measure("aes decrypt", () => crypto.Decrypt(encrypt));
        Measure("aes encrypt", () => crypto.Encrypt(reply));
        Measure("open plaintext", () => CallbackEnvelope.Open(plainQuery, xml, plainSettings, now));
        Measure("open safe", () => CallbackEnvelope.Open(safeQuery, safeBody, new CallbackSettings(token, crypto), now));
        Measure("write text reply", () => WechatXml.WriteReply(PassiveReply.Text(safeAccepted.Message, now, "您好，消息已收到。")));
        Measure("seal safe reply", () => CallbackEnvelope.SealReply(reply, safeAccepted, new CallbackSettings(token, crypto), now));
        var settings = new CallbackSettings(token, crypto);
        Measure("safe push: open, reply, seal", () =>
        {
            var accepted = (CallbackAccepted)CallbackEnvelope.Open(safeQuery, safeBody, settings, now);
            CallbackEnvelope.SealReply(WechatXml.WriteReply(PassiveReply.Text(accepted.Message, now, "您好，消息已收到。")), accepted, settings, now);
        });
        return 0;
    }

    private static void Measure(string name, Action step)
    {
        for (var i = 0; i < 1000; i++)
            step();
        const int n = 10_000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < n; i++)
            step();
        var bytes = (GC.GetAllocatedBytesForCurrentThread() - before) / n;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"callback-allocs {name,-28} {bytes,8} B per push"));
    }
}
