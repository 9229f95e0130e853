using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using WxQms.Sandbox;
using WxQms.Domain.Services.Bot;
using WxQms.Domain.Wechat;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Sandbox;

/// <summary>
/// How the sandbox judges our callback's answer, as WeChat does (PROTOCOL §1.1, §1.7, §2.3, §11). The
/// callback here is scripted: it never reaches our Api, it answers what each test makes it answer.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class SandboxPushTests(WxQmsApp shared)
{
    private const string OriginalId = "gh_test000001";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_plaintext_reply_to_an_encrypted_push_leaves_the_user_with_wechats_service_error_line()
    {
        await using var app = new ScriptedCallbackApp("Safe", (openid, _) => TextReply(openid, createTime: "1700000000"));
        var openid = Follower(app);

        var answer = await SendAsync(app, openid, "你好");

        Assert.Equal("unavailable", answer.GetProperty("outcome").GetString());
        Assert.Equal(1, answer.GetProperty("deliveries").GetInt32());
        Assert.Equal(PushResult.UnavailableText, answer.GetProperty("reply").GetProperty("text").GetString());
        Assert.Contains("plaintext", answer.GetProperty("problems")[0].GetString());
        Assert.Equal(("error", PushResult.UnavailableText), await LastLineAsync(app, openid));
    }

    [Fact]
    public async Task A_plaintext_reply_in_compatible_mode_is_shown_to_the_user()
    {
        await using var app = new ScriptedCallbackApp("Compatible", (openid, _) => TextReply(openid, createTime: "1700000000"));
        var openid = Follower(app);

        var answer = await SendAsync(app, openid, "你好");

        Assert.Equal("replied", answer.GetProperty("outcome").GetString());
        Assert.Equal(("text", "收到"), await LastLineAsync(app, openid));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("yesterday")]
    public async Task A_reply_without_a_valid_CreateTime_is_wechats_service_error_line_not_a_helper_failure(string? createTime)
    {
        await using var app = new ScriptedCallbackApp("Safe", (openid, oa) => Encrypted(TextReply(openid, createTime), oa));
        var openid = Follower(app);

        var answer = await SendAsync(app, openid, "你好");

        Assert.Equal("unavailable", answer.GetProperty("outcome").GetString());
        Assert.Equal(PushResult.UnavailableText, answer.GetProperty("reply").GetProperty("text").GetString());
        Assert.Contains("CreateTime", answer.GetProperty("problems")[0].GetString());
        Assert.Equal(("error", PushResult.UnavailableText), await LastLineAsync(app, openid));
    }

    [Fact]
    public async Task A_well_formed_encrypted_reply_is_shown_to_the_user()
    {
        await using var app = new ScriptedCallbackApp("Safe", (openid, oa) => Encrypted(TextReply(openid, createTime: "1700000000"), oa));
        var openid = Follower(app);

        var answer = await SendAsync(app, openid, "你好");

        Assert.Equal("replied", answer.GetProperty("outcome").GetString());
        Assert.Equal(("text", "收到"), await LastLineAsync(app, openid));
    }

    [Theory]
    [InlineData("Safe")]
    [InlineData("Compatible")]
    [InlineData("Plaintext")]
    public async Task A_control_character_and_a_cdata_end_reach_our_callback_raw_and_the_bot_answers_as_usual(string mode)
    {
        await shared.ResetAsync();
        await using var app = new RecordingApp(mode);
        var openid = Follower(app);
        const string text = "你好\u0000\u0001\u001F]]><xml></xml>";

        var answer = await SendAsync(app, openid, text);

        Assert.Equal("replied", answer.GetProperty("outcome").GetString());
        Assert.Equal(1, answer.GetProperty("deliveries").GetInt32());
        Assert.Equal(BotReplies.Help(WxQmsApp.SubdistrictName), answer.GetProperty("reply").GetProperty("text").GetString());
        var oa = app.Get<IOptions<WechatOptions>>().Value.Oa;
        var body = Assert.Single(app.Bodies);
        var pushed = WechatXml.Flatten(WechatXml.Parse(body)).TryGetValue("Encrypt", out var encrypt)
            ? new WechatCrypto(oa.EncodingAesKey!, oa.AppId).Decrypt(encrypt).Message
            : body;
        Assert.Contains("<Content><![CDATA[你好\u0000\u0001\u001F]]]]><![CDATA[><xml></xml>]]></Content>", pushed);
        Assert.Equal("你好]]><xml></xml>", WechatXml.Flatten(WechatXml.Parse(pushed))["Content"]);
        if (mode != "Safe")
            Assert.Equal("你好]]><xml></xml>", WechatXml.Flatten(WechatXml.Parse(body))["Content"]);
        var chat = await app.CreateClient().GetFromJsonAsync<JsonElement>($"/sandbox/wechat/users/{openid}/chat", Ct);
        Assert.Contains(chat.GetProperty("messages").EnumerateArray(),
            m => m.GetProperty("kind").GetString() == "user" && m.GetProperty("text").GetString() == text);
    }

    private static string Follower(WxQmsApp app)
    {
        var openid = SandboxUsers.Residents[0].OpenId;
        app.Get<SandboxWechat>().Users.SetFollows(openid, true);
        return openid;
    }

    private static async Task<JsonElement> SendAsync(WxQmsApp app, string openid, string text)
    {
        using var response = await app.CreateClient().PostAsJsonAsync($"/sandbox/wechat/users/{openid}/messages",
            new { msgType = "text", content = text }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private static async Task<(string?, string?)> LastLineAsync(WxQmsApp app, string openid)
    {
        var chat = await app.CreateClient().GetFromJsonAsync<JsonElement>($"/sandbox/wechat/users/{openid}/chat", Ct);
        var last = chat.GetProperty("messages").EnumerateArray().Last();
        Assert.Equal("passive", last.GetProperty("kind").GetString());
        return (last.GetProperty("msgType").GetString(), last.GetProperty("text").GetString());
    }

    private static string TextReply(string openid, string? createTime) =>
        $"<xml><ToUserName><![CDATA[{openid}]]></ToUserName><FromUserName><![CDATA[{OriginalId}]]></FromUserName>"
        + (createTime is null ? "" : $"<CreateTime>{createTime}</CreateTime>")
        + "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[收到]]></Content></xml>";

    /// <summary>The safe-mode envelope (§2.3), sealed with the test account's key and token.</summary>
    private static string Encrypted(string xml, WechatAppOptions oa)
    {
        var encrypt = new WechatCrypto(oa.EncodingAesKey!, oa.AppId).Encrypt(xml);
        const string ts = "1700000000";
        const string nonce = "123456789";
        return WechatXml.WriteEncryptedEnvelope(encrypt, WechatSignature.Sign(oa.Token!, ts, nonce, encrypt), ts, nonce);
    }

    /// <summary>The Api with the account and the sandbox set to push in <c>mode</c> (Plaintext, Compatible or Safe).</summary>
    private abstract class ModeApp(string mode) : WxQmsApp
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            var settings = new Dictionary<string, string?> { ["Wechat:Sandbox:CallbackMode"] = mode };
            // An account with an EncodingAESKey refuses plaintext pushes, as it should; plaintext mode has none.
            if (mode == "Plaintext")
                settings["Wechat:Oa:EncodingAesKey"] = "";
            builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings));
        }
    }

    /// <summary>The Api with its callback replaced: every push is answered with <c>answer(openid, account)</c>.</summary>
    private sealed class ScriptedCallbackApp(string mode, Func<string, WechatAppOptions, string> answer) : ModeApp(mode)
    {
        protected override HttpMessageHandler CreateCallbackHandler() =>
            new Scripted(openid => answer(openid, Get<IOptions<WechatOptions>>().Value.Oa));
    }

    /// <summary>The Api as usual, with every body the sandbox posts to our callback kept.</summary>
    private sealed class RecordingApp(string mode) : ModeApp(mode)
    {
        private readonly ConcurrentQueue<string> bodies = new();

        public IReadOnlyList<string> Bodies => [.. bodies];

        protected override HttpMessageHandler CreateCallbackHandler() =>
            new Recording(bodies) { InnerHandler = Server.CreateHandler() };
    }

    private sealed class Recording(ConcurrentQueue<string> bodies) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            bodies.Enqueue(await request.Content!.ReadAsStringAsync(ct));
            return await base.SendAsync(request, ct);
        }
    }

    private sealed class Scripted(Func<string, string> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var openid = QueryHelpers.ParseQuery(request.RequestUri!.Query)["openid"].ToString();
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                RequestMessage = request,
                Content = new StringContent(answer(openid), Encoding.UTF8, "application/xml"),
            });
        }
    }
}
