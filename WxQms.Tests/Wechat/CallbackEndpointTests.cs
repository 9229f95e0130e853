using System.Net;
using Dapper;
using Microsoft.Extensions.Configuration;
using MySqlConnector;
using WxQms.Domain.Services.Bot;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat;
using WxQms.Domain.Wechat.Callbacks;
using WxQms.Tests.Infrastructure;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Wechat;

[Collection(IntegrationCollection.Name)]
public sealed class CallbackEndpointTests(WxQmsApp app) : IAsyncLifetime
{
    private readonly WechatPusher wechat = new(app);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await app.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Url_verification_echoes_echostr_only_for_a_valid_signature()
    {
        var client = app.CreateClient();
        var signature = WechatSignature.Sign("testtoken", "1700000000", "123456789");

        var valid = await client.GetAsync($"/wechat/callback?signature={signature}&timestamp=1700000000&nonce=123456789&echostr=abc%2B1", Ct);
        var invalid = await client.GetAsync("/wechat/callback?signature=0000&timestamp=1700000000&nonce=123456789&echostr=abc", Ct);

        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        Assert.Equal("abc+1", await valid.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.Unauthorized, invalid.StatusCode);
        Assert.Equal("", await invalid.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>Found by the callback fuzzer (issue #15): these went to the database as they were and answered 500.</summary>
    [Theory]
    [InlineData("o-user-9", "文本", null)]
    [InlineData("o-user-9", "textaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", null)]
    [InlineData("用户", "text", null)]
    [InlineData("o user 9", "text", null)]
    [InlineData("o-user-9aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "text", null)]
    [InlineData("o-user-9", "event", "订阅")]
    public async Task A_push_whose_sender_type_or_event_is_no_wechat_token_is_a_bad_request_and_stores_nothing(string from, string type,
        string? evt)
    {
        var xml = evt is null
            ? WechatPusher.Text(from, "你好", 1002, wechat.Now).Replace("<![CDATA[text]]>", $"<![CDATA[{type}]]>")
            : WechatPusher.Event(from, evt, wechat.Now);

        var answer = await wechat.PushAsync(xml);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(0, await TestDb.ScalarAsync("SELECT COUNT(*) FROM wechat_inbound"));
    }

    /// <summary>Found by the callback fuzzer (issue #15): a scene that is no ASCII met the code column's collation and answered 500.</summary>
    [Theory]
    [InlineData("subscribe", "qrscene_123\ufffd")]
    [InlineData("subscribe", "qrscene_支部")]
    [InlineData("SCAN", "支部")]
    public async Task A_scan_of_a_scene_that_is_no_code_of_ours_says_the_code_has_expired(string evt, string key)
    {
        key = System.Text.RegularExpressions.Regex.Unescape(key);
        var answer = await wechat.PushAsync(WechatPusher.Event("o-user-8", evt, wechat.Now, $"<EventKey><![CDATA[{key}]]></EventKey>"));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Contains(BotReplies.CodeExpired, InboundMessage.Parse(answer.Reply!).Content);
    }

    /// <summary>Found by the callback fuzzer (issue #15): a verdict that is no WeChat word did not fit its column and answered 500.</summary>
    [Theory]
    [InlineData("t-fuzz-1", "\ufffdrisky", "20001")]
    [InlineData("t-fuzz-2", "risky", "色情")]
    [InlineData("追踪", "risky", "20001")]
    public async Task A_media_check_verdict_that_is_no_wechat_word_is_acknowledged_and_not_kept(string traceId, string suggest, string label)
    {
        suggest = System.Text.RegularExpressions.Regex.Unescape(suggest);
        var answer = await wechat.PushAsync(WechatPusher.Event("o-user-7", "wxa_media_check", wechat.Now,
            $"<trace_id><![CDATA[{traceId}]]></trace_id><result><suggest><![CDATA[{suggest}]]></suggest><label><![CDATA[{label}]]></label></result>"));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(0, await TestDb.ScalarAsync("SELECT COUNT(*) FROM media_checks"));
    }

    [Theory]
    [InlineData(PushMode.Safe)]
    [InlineData(PushMode.Compatible)]
    public async Task A_text_message_gets_the_help_reply_encrypted_like_the_request(PushMode mode)
    {
        var answer = await wechat.PushAsync(WechatPusher.Text("o-user-1", "你好", 1001, wechat.Now), mode);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Contains("<Encrypt>", answer.Body);
        var reply = InboundMessage.Parse(answer.Reply!);
        Assert.Equal("o-user-1", reply.ToUserName);
        Assert.Equal("text", reply.MsgType);
        Assert.Equal(BotReplies.Help(WxQmsApp.SubdistrictName), reply.Content);
    }

    [Fact]
    public async Task A_delivery_repeated_three_times_has_one_effect_and_three_identical_replies()
    {
        var push = WechatPusher.Event("o-user-2", "subscribe", wechat.Now);

        var answers = new[]
        {
            await wechat.PushAsync(push),
            await wechat.PushAsync(push),
            await wechat.PushAsync(push),
        };

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Single(answers.Select(a => a.Reply).Distinct());
        Assert.Equal(BotReplies.Welcome(WxQmsApp.SubdistrictName), InboundMessage.Parse(answers[0].Reply!).Content);
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM wechat_inbound WHERE from_openid = 'o-user-2'"));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM wechat_users WHERE openid = 'o-user-2' AND subscribed"));
    }

    [Fact]
    public async Task Unsubscribing_is_recorded_and_gets_no_reply()
    {
        await wechat.PushAsync(WechatPusher.Event("o-user-3", "subscribe", wechat.Now));

        var answer = await wechat.PushAsync(WechatPusher.Event("o-user-3", "unsubscribe", wechat.Now + 1));

        Assert.Equal("success", answer.Body);
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM wechat_users WHERE openid = 'o-user-3' AND subscribed"));
    }

    [Fact]
    public async Task A_photo_is_acknowledged_and_queued_for_download()
    {
        var answer = await wechat.PushAsync(WechatPusher.Image("o-user-4", "MEDIA_1", 2001, wechat.Now));

        Assert.Equal(BotReplies.PhotoBeforeBinding, InboundMessage.Parse(answer.Reply!).Content);
        Assert.Equal(1, await ScalarAsync(
            "SELECT COUNT(*) FROM wechat_inbound WHERE from_openid = 'o-user-4' AND work = 'download_media' AND work_status = 'pending'"));
    }

    [Fact]
    public async Task Template_delivery_status_is_recorded_against_the_sent_message()
    {
        var outbound = app.Get<OutboundStore>();
        var (id, _) = await outbound.RecordAsync(new NewOutbound(WxQmsApp.OaAppId, "template", "o-user-5", "TPL", "c-1", "{}"),
            app.Clock.GetUtcNow(), Ct);
        await outbound.RecordResultAsync(id, 987654321, 0, "ok", app.Clock.GetUtcNow(), Ct);

        var answer = await wechat.PushAsync(WechatPusher.Event("o-user-5", "TEMPLATESENDJOBFINISH", wechat.Now,
            "<MsgID>987654321</MsgID><Status><![CDATA[failed:user block]]></Status>"));

        Assert.Equal("success", answer.Body);
        Assert.Equal("failed:user block", (await outbound.GetAsync(id, Ct)).DeliveryStatus);
    }

    [Theory]
    [InlineData("CLICK", DefaultReplyHandler.ComingSoon)]
    [InlineData("SCAN", BotReplies.CodeExpired)]
    [InlineData("VIEW", null)]
    [InlineData("LOCATION", null)]
    public async Task Unknown_taps_and_scans_get_a_polite_answer_and_other_events_none(string evt, string? expected)
    {
        var answer = await wechat.PushAsync(WechatPusher.Event("o-user-9", evt, wechat.Now, "<EventKey><![CDATA[K]]></EventKey>"));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        if (expected is null)
            Assert.Equal("success", answer.Body);
        else
            Assert.Equal(expected, InboundMessage.Parse(answer.Reply!).Content);
    }

    /// <summary>
    /// A menu button that opens an H5 page through web OAuth sends the whole authorize URL as the VIEW's EventKey
    /// (longer than the de-duplication column), and a key may be Chinese: both are acknowledged and recorded once.
    /// </summary>
    [Theory]
    [InlineData("VIEW", "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx5a4db0c0a0000001&redirect_uri=https%3A%2F%2Fqms.example.gov.cn%2Fh5%2Foauth%3Freturn%3D%252Fh5%252Franking%253Flevel%253Dbranch%2526period%253Dmonth&response_type=code&scope=snsapi_base&state=h5#wechat_redirect")]
    [InlineData("CLICK", "我的任务")]
    public async Task A_tap_with_a_long_or_chinese_key_is_acknowledged_and_recorded_once(string evt, string key)
    {
        var push = WechatPusher.Event("o-user-10", evt, wechat.Now, $"<EventKey><![CDATA[{key}]]></EventKey>");

        var first = await wechat.PushAsync(push);
        var again = await wechat.PushAsync(push);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(first.Reply, again.Reply);
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM wechat_inbound WHERE from_openid = 'o-user-10'"));
    }

    /// <summary>
    /// The first delivery was recorded but its process died before the reply (the hold is the only trace). WeChat's
    /// retry within the hold waits and answers "success", since a handler may still be at work; once the hold has
    /// run out, the retry handles the message itself, so the user gets the answer instead of silence.
    /// </summary>
    [Fact]
    public async Task A_retry_handles_a_message_whose_first_handler_died()
    {
        var push = WechatPusher.Text("o-user-11", "你好", 6001, wechat.Now);
        var message = InboundMessage.Parse(push);
        var receivedAt = app.Clock.GetUtcNow();
        await app.Get<InboundStore>().RecordAsync(new NewInbound(WxQmsApp.OaAppId, message.DedupeKey, message.FromUserName,
            message.MsgType, null, "{}", receivedAt, null), receivedAt + CallbackInbox.Hold, Ct);

        var withinHold = await wechat.PushAsync(push);
        app.Clock.Advance(CallbackInbox.Hold + TimeSpan.FromSeconds(1));
        var afterHold = await wechat.PushAsync(push);
        var later = await wechat.PushAsync(push);

        Assert.Equal("success", withinHold.Body);
        Assert.Equal(BotReplies.Help(WxQmsApp.SubdistrictName), InboundMessage.Parse(afterHold.Reply!).Content);
        Assert.Equal(afterHold.Reply, later.Reply);
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM wechat_inbound WHERE from_openid = 'o-user-11' AND reply IS NOT NULL"));
    }

    [Fact]
    public async Task Plaintext_is_refused_while_an_encoding_key_is_configured() =>
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await wechat.PushAsync(WechatPusher.Text("o-user-6", "hi", 3001, wechat.Now), PushMode.Plaintext)).Status);

    /// <summary>Wechat:Callback:AcceptPlaintext lets a console switch modes without refused pushes; the reply stays plain.</summary>
    [Fact]
    public async Task With_accept_plaintext_a_plaintext_push_gets_a_plaintext_reply()
    {
        var configuration = (IConfigurationRoot)app.Get<IConfiguration>();
        configuration["Wechat:Callback:AcceptPlaintext"] = "true";
        configuration.Reload();
        try
        {
            var answer = await wechat.PushAsync(WechatPusher.Text("o-user-12", "你好", 3002, wechat.Now), PushMode.Plaintext);

            Assert.Equal(HttpStatusCode.OK, answer.Status);
            Assert.DoesNotContain("<Encrypt>", answer.Body);
            Assert.Equal(BotReplies.Help(WxQmsApp.SubdistrictName), InboundMessage.Parse(answer.Body).Content);
        }
        finally
        {
            configuration["Wechat:Callback:AcceptPlaintext"] = "false";
            configuration.Reload();
        }
    }

    /// <summary>
    /// Nothing signs a plaintext body: whoever saw one push's signature, timestamp and nonce could post any message
    /// with them inside the window. A nonce comes with one body: the same push again is a retry (answered once,
    /// from the record), another body under it is refused.
    /// </summary>
    [Fact]
    public async Task A_plaintext_nonce_seen_within_the_window_is_refused_with_another_body()
    {
        var configuration = (IConfigurationRoot)app.Get<IConfiguration>();
        configuration["Wechat:Callback:AcceptPlaintext"] = "true";
        configuration.Reload();
        try
        {
            var ts = wechat.Now;
            const string nonce = "424242424";
            var push = WechatPusher.Text("o-user-13", "你好", 3003, ts);

            var first = await wechat.PushAsync(push, PushMode.Plaintext, ts, nonce: nonce);
            var again = await wechat.PushAsync(push, PushMode.Plaintext, ts, nonce: nonce);
            var forged = await wechat.PushAsync(WechatPusher.Text("o-user-13", "解绑", 3004, ts), PushMode.Plaintext, ts, nonce: nonce);
            var forgedOther = await wechat.PushAsync(WechatPusher.Text("o-user-14", "你好", 3005, ts), PushMode.Plaintext, ts, nonce: nonce);

            Assert.Equal(HttpStatusCode.OK, first.Status);
            Assert.Equal(BotReplies.Help(WxQmsApp.SubdistrictName), InboundMessage.Parse(first.Body).Content);
            Assert.Equal(first.Body, again.Body);
            Assert.Equal((HttpStatusCode.Unauthorized, ""), (forged.Status, forged.Body));
            Assert.Equal((HttpStatusCode.Unauthorized, ""), (forgedOther.Status, forgedOther.Body));
            // The bot handled the message once, and never saw the forged ones.
            Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM wechat_inbound"));
            Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM wechat_inbound WHERE from_openid = 'o-user-13' AND reply IS NOT NULL"));
        }
        finally
        {
            configuration["Wechat:Callback:AcceptPlaintext"] = "false";
            configuration.Reload();
        }
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public async Task A_push_outside_the_timestamp_window_is_refused(int skewSeconds)
    {
        var answer = await wechat.PushAsync(WechatPusher.Text("o-user-7", "hi", 4001, wechat.Now), timestamp: wechat.Now + skewSeconds);

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM wechat_inbound"));
    }

    [Fact]
    public async Task A_tampered_body_is_refused_without_being_recorded()
    {
        var answer = await wechat.PushAsync(WechatPusher.Text("o-user-8", "hi", 5001, wechat.Now),
            tamper: body => body.Replace("<Encrypt><![CDATA[", "<Encrypt><![CDATA[A"));

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM wechat_inbound"));
    }

    [Fact]
    public async Task An_xxe_payload_is_refused_without_resolving_anything()
    {
        var answer = await wechat.PushAsync("<xml/>", tamper: _ => """
            <?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><ToUserName>&xxe;</ToUserName><Encrypt>x</Encrypt></xml>
            """);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.DoesNotContain("root:", answer.Body);
    }

}
