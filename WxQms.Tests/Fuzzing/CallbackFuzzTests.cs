using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using CsCheck;
using WxQms.Domain.Wechat;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Fuzzing;

/// <summary>
/// Generated malformed pushes at both callbacks (issue #15): XML and JSON bodies in plaintext, compatible and safe
/// mode, signed correctly over broken content, and pushes whose signature or query is broken. Whatever arrives, the
/// answer is never a 5xx, nothing is logged at Error level, and a refused push stores nothing.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class CallbackFuzzTests(FuzzApp app) : IClassFixture<FuzzApp>, IAsyncLifetime
{
    /// <summary>Inputs per property; the two properties together make the family's 12,000.</summary>
    private const int SignedInputs = 8_000;
    private const int RefusedInputs = 4_000;

    private static readonly string[] Stored = ["wechat_inbound", "wechat_users", "audit_log"];

    private readonly HttpClient client = app.CreateClient();

    public async ValueTask InitializeAsync()
    {
        await app.ResetAsync();
        app.Log.Clear();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Correctly_signed_pushes_of_malformed_content_are_never_a_5xx_nor_an_unhandled_error()
    {
        var before = await FuzzApp.CountAsync(Stored);
        var accepted = 0;
        var watch = Stopwatch.StartNew();

        await Signed.SampleAsync(async push =>
        {
            var (status, body) = await SendAsync(push);
            Assert.True(status < 500, $"{status} for {push}: {body}\n{string.Join('\n', app.Errors())}");
            if (status == 200)
                Interlocked.Increment(ref accepted);
        }, iter: SignedInputs, threads: 4, print: p => p.ToString());

        var after = await FuzzApp.CountAsync(Stored);
        Assert.Empty(app.Errors());
        // Only an accepted push may leave its row (a repeat of one leaves none).
        Assert.InRange(after["wechat_inbound"] - before["wechat_inbound"], 0, accepted);
        TestContext.Current.SendDiagnosticMessage($"callback fuzz, signed: {SignedInputs} inputs, {accepted} accepted, {watch.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>A case the fuzzer found (a subscribe-message answer of invalid UTF-8 reached an ASCII column: a 500), replayed by its seed.</summary>
    [Fact]
    public async Task The_subscribe_answer_of_invalid_utf8_the_fuzzer_found_is_not_a_5xx() =>
        await Signed.SampleAsync(async push =>
        {
            var (status, body) = await SendAsync(push);
            Assert.True(status < 500, $"{status} for {push}: {body}\n{string.Join('\n', app.Errors())}");
        }, seed: "5P8SToB6YUs9", iter: 1, threads: 1, print: p => p.ToString());

    [Fact]
    public async Task Pushes_with_a_broken_signature_or_query_are_refused_and_store_nothing()
    {
        var before = await FuzzApp.CountAsync(Stored);
        var watch = Stopwatch.StartNew();

        await Broken.SampleAsync(async push =>
        {
            var (status, body) = await SendAsync(push);
            Assert.True(status is 400 or 401 or 413, $"{status} for {push}: {body}");
        }, iter: RefusedInputs, threads: 4, print: p => p.ToString());

        Assert.Empty(app.Errors());
        Assert.Equal(before, await FuzzApp.CountAsync(Stored));
        TestContext.Current.SendDiagnosticMessage($"callback fuzz, refused: {RefusedInputs} inputs, {watch.Elapsed.TotalSeconds:F1} s");
    }

    private async Task<(int Status, string Body)> SendAsync(Push push)
    {
        using var request = new HttpRequestMessage(push.Get ? HttpMethod.Get : HttpMethod.Post, push.Path + "?" + push.Query);
        if (!push.Get)
            request.Content = new StringContent(push.Body, Encoding.UTF8, push.ContentType);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    public sealed record Push(string Path, string Query, string Body, string ContentType, bool Get = false, string? Sealed = null)
    {
        public override string ToString() =>
            $"{(Get ? "GET" : "POST")} {Path}?{Query} [{ContentType}] {Body}{(Sealed is null ? "" : "\nencrypted content: " + Sealed)}";
    }

    private enum Mode { Plaintext, Compatible, Safe, SafeJson, WrongAppId, CutCipher, RandomCipher }

    private sealed record App(string Path, string Token, WechatCrypto? Crypto);

    private static readonly App Oa = new("/wechat/callback", "testtoken",
        new WechatCrypto("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", WxQmsApp.OaAppId));

    private static readonly App Mp = new("/wechat/mp-callback", "testmptoken", null);

    private long Now => app.Clock.GetUtcNow().ToUnixTimeSeconds();

    // ---- generators ---------------------------------------------------------------------------

    private static readonly Gen<string> Junk = Gen.OneOf(
        Gen.String[0, 24],
        Gen.String["<>/![]CDATA&;#x\"'=?{}:,\\ \t\r\n\u0000\u0001\u001f\u007f\ufffd\ud800中文xmlDOCTYPEENTITY0123456789-."],
        Gen.OneOf<string>("", " ", "]]>", "<![CDATA[", "</xml>", "<xml>", "&lt;", "&#0;", "&#xD800;", "&undefined;", "\ud800", "\udfff",
            "99999999999999999999999", "-1", "1e308", "NaN", "null", "true", "[]", "{}", "\"", "\\u0000", "0x10",
            new string('a', 4000), new string('<', 500), "<a><b><c>", "<?xml version=\"1.1\" encoding=\"gbk\"?>"));

    private static string Xml(string from, string type, string extra, long time) =>
        $"<xml><ToUserName><![CDATA[gh_test000001]]></ToUserName><FromUserName><![CDATA[{from}]]></FromUserName><CreateTime>{time}</CreateTime><MsgType><![CDATA[{type}]]></MsgType>{extra}</xml>";

    private static string Json(string from, string type, string extra, long time) =>
        $"{{\"ToUserName\":\"gh_test000001\",\"FromUserName\":\"{from}\",\"CreateTime\":{time},\"MsgType\":\"{type}\"{extra}}}";

    /// <summary>Real-looking messages and events, XML and JSON, to be broken.</summary>
    private static readonly Gen<string> Message = Gen.Select(Gen.Int[0, 9], Gen.Long[1, 99_999_999], (kind, id) => kind switch
    {
        0 => Xml("oFuzz" + id, "text", $"<Content><![CDATA[绑定 {id}]]></Content><MsgId>{id}</MsgId>", 1_764_000_000),
        1 => Xml("oFuzz" + id, "image", $"<PicUrl><![CDATA[http://x/y]]></PicUrl><MediaId><![CDATA[m{id}]]></MediaId><MsgId>{id}</MsgId>", 1_764_000_000),
        2 => Xml("oFuzz" + id, "event", "<Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[qrscene_123]]></EventKey>", 1_764_000_000),
        3 => Xml("oFuzz" + id, "event", "<Event><![CDATA[SCAN]]></Event><EventKey><![CDATA[bind:x]]></EventKey><Ticket>t</Ticket>", 1_764_000_000),
        4 => Xml("oFuzz" + id, "event", "<Event><![CDATA[CLICK]]></Event><EventKey><![CDATA[tasks]]></EventKey>", 1_764_000_000),
        5 => Xml("oFuzz" + id, "event", "<Event><![CDATA[subscribe_msg_popup_event]]></Event><SubscribeMsgPopupEvent><List><TemplateId>t</TemplateId><SubscribeStatusString>accept</SubscribeStatusString></List></SubscribeMsgPopupEvent>", 1_764_000_000),
        6 => Json("oFuzz" + id, "text", $",\"Content\":\"hi\",\"MsgId\":{id}", 1_764_000_000),
        7 => Json("oFuzz" + id, "event", ",\"Event\":\"wxa_media_check\",\"trace_id\":\"t\",\"result\":{\"suggest\":\"risky\",\"label\":20001}", 1_764_000_000),
        8 => Json("oFuzz" + id, "event", ",\"Event\":\"subscribe_msg_popup_event\",\"List\":[{\"TemplateId\":\"t\",\"SubscribeStatusString\":\"accept\"}]", 1_764_000_000),
        _ => Xml("oFuzz" + id, "event", "<Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event><MsgID>1</MsgID><Status><![CDATA[success]]></Status>", 1_764_000_000),
    });

    /// <summary>One of many ways to break a document: cut, splice, swap values, nest, declare entities.</summary>
    private static readonly Gen<string> Malformed = Gen.Select(Message, Gen.Int[0, 12], Gen.Int[0, 4000], Gen.Int[0, 200], Junk,
        (text, op, at, length, junk) =>
        {
            var i = at % (text.Length + 1);
            var n = Math.Min(length, text.Length - i);
            return op switch
            {
                0 => text.Remove(i, n),
                1 => text.Insert(i, junk),
                2 => junk,
                3 => text[..i],
                4 => text.Insert(i, text.Substring(i, n)),
                5 => "<!DOCTYPE xml [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                    + text.Replace("绑定", "&c;&x;"),
                6 => System.Text.RegularExpressions.Regex.Replace(text, @"(?<=<CreateTime>)\d+|(?<=""CreateTime"":)\d+", junk.Replace("<", "")),
                7 => System.Text.RegularExpressions.Regex.Replace(text, @"(?<=<MsgId>)\d+|(?<=""MsgId"":)\d+", junk.Replace("<", "")),
                8 => text.Replace("text", junk).Replace("event", junk),
                9 => string.Concat(Enumerable.Repeat("<xml>", length)) + text + string.Concat(Enumerable.Repeat("</xml>", length)),
                10 => string.Concat(Enumerable.Repeat("[", length * 5)) + text,
                11 => text.Replace("oFuzz", junk),
                _ => text.Replace("<![CDATA[", "").Replace("]]>", "") is var bare ? bare.Insert(Math.Min(i, bare.Length), junk) : text,
            };
        });

    private static string Query(string token, long ts, string nonce, string? encrypt) =>
        $"signature={WechatSignature.Sign(token, ts.ToString(CultureInfo.InvariantCulture), nonce)}&timestamp={ts}&nonce={nonce}&openid=oFuzz"
        + (encrypt is null ? "" : $"&encrypt_type=aes&msg_signature={WechatSignature.Sign(token, ts.ToString(CultureInfo.InvariantCulture), nonce, encrypt)}");

    /// <summary>Sealed as WeChat would seal it, in one mode, with valid signatures over whatever the content is.</summary>
    private Push Seal(App target, Mode mode, string content, long nonce, string junk, long? timestamp = null)
    {
        var ts = timestamp ?? Now;
        var n = nonce.ToString(CultureInfo.InvariantCulture);
        if (mode != Mode.Plaintext)
            content = string.Concat(content.Select(c => char.IsSurrogate(c) ? '\ufffd' : c)); // WeChat encrypts UTF-8, which has no lone surrogates
        var json = content.TrimStart().StartsWith('{');
        var type = json ? "application/json" : "text/xml";
        var crypto = target.Crypto ?? Oa.Crypto!;
        string? encrypt = mode switch
        {
            Mode.Plaintext => null,
            Mode.WrongAppId => new WechatCrypto("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wxnotthisapp000000").Encrypt(content),
            Mode.CutCipher => crypto.Encrypt(content)[..Math.Max(0, crypto.Encrypt(content).Length - 1 - junk.Length % 30)],
            Mode.RandomCipher => Convert.ToBase64String(Encoding.UTF8.GetBytes(junk)) + junk,
            _ => crypto.Encrypt(content),
        };
        if (encrypt is null)
            return new Push(target.Path, Query(target.Token, ts, n, null), content, type);
        var escaped = encrypt.Replace("\\", "\\\\").Replace("\"", "\\\"");
        var body = mode switch
        {
            Mode.SafeJson => $"{{\"ToUserName\":\"gh_test000001\",\"Encrypt\":\"{escaped}\"}}",
            Mode.Compatible => content.Contains("</xml>", StringComparison.Ordinal)
                ? content.Replace("</xml>", $"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>")
                : content + $"<Encrypt><![CDATA[{encrypt}]]></Encrypt>",
            _ => $"<xml><ToUserName><![CDATA[gh_test000001]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>",
        };
        return new Push(target.Path, Query(target.Token, ts, n, encrypt), body, mode == Mode.SafeJson ? "application/json" : type,
            Sealed: content);
    }

    private Gen<Push> Signed => Gen.Select(Gen.Bool, Gen.Int[0, 6], Malformed, Gen.Long[1, long.MaxValue], Junk,
        (mp, mode, content, nonce, junk) => Seal(mp ? Mp : Oa, (Mode)mode, content, nonce, junk));

    /// <summary>A push that is fine but for its signature or its query: every one must be refused.</summary>
    private Gen<Push> Broken => Gen.Select(Gen.Bool, Gen.Int[0, 11], Message, Gen.Long[1, long.MaxValue], Junk, Gen.Int[0, 39],
        (mp, how, content, nonce, junk, at) =>
        {
            var target = mp ? Mp : Oa;
            var sealedPush = Seal(target, target.Crypto is null ? Mode.Plaintext : Mode.Safe, content, nonce, junk);
            var q = sealedPush.Query;
            var sig = System.Text.RegularExpressions.Regex.Match(q, "(?<=(^|&)signature=)[0-9a-f]+").Value;
            var flipped = sig[..(at % 40)] + (sig[at % 40] == '0' ? '1' : '0') + sig[(at % 40 + 1)..];
            var query = how switch
            {
                0 => q.Replace("signature=" + sig, "signature=" + flipped),
                1 => q.Replace("signature=" + sig, "signature=" + Uri.EscapeDataString(junk)),
                2 => q.Replace("signature=" + sig + "&", ""),
                3 => q.Replace($"timestamp={Now}", "timestamp=" + Uri.EscapeDataString(junk)),
                4 => Seal(target, target.Crypto is null ? Mode.Plaintext : Mode.Safe, content, nonce, junk, Now - 301 - at * 1000).Query,
                5 => q.Replace($"nonce={nonce}", "nonce=" + Uri.EscapeDataString(junk + "x")),
                6 => q + "&signature=" + flipped,
                7 => Query(mp ? Oa.Token : Mp.Token, Now, nonce.ToString(CultureInfo.InvariantCulture), null),
                8 => q.Contains("msg_signature", StringComparison.Ordinal)
                    ? System.Text.RegularExpressions.Regex.Replace(q, "msg_signature=[0-9a-f]+", "msg_signature=" + flipped)
                    : q.Replace("signature=" + sig, "signature=" + flipped.ToUpperInvariant() + "0"),
                9 => "",
                10 => q.Replace($"timestamp={Now}", $"timestamp={long.MaxValue}"),
                _ => q.Replace("signature=" + sig, "signature=" + flipped) + "&" + Uri.EscapeDataString(junk) + "=" + Uri.EscapeDataString(junk),
            };
            // A broken query on the URL check (GET) as well, now and then.
            var get = at % 7 == 0 && how is not (4 or 8); // the URL check reads neither a replay window nor msg_signature
            return sealedPush with { Query = get ? query + "&echostr=" + Uri.EscapeDataString(junk) : query, Get = get };
        });
}
