using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using MySqlConnector;
using WxQms.Sandbox;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Sandbox;

[Collection(IntegrationCollection.Name)]
public sealed class SandboxMiniProgramTests(WxQmsApp app, SeededSubdistrict seeded) : SeededWechatTests(app, seeded)
{

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<JsonElement> MemberAsync(int index = 0) => (await Wx.UsersAsync($"offset={index}&limit=1"))[0];

    private async Task<string> LoginCodeAsync(string mpOpenId) =>
        (await Wx.PostRawAsync("/sandbox/wechat/mp/jscode", new { openid = mpOpenId })).Str("code");

    private Task<JsonElement> Code2SessionAsync(string code, string? appid = null, string? secret = null) =>
        Wx.GetJsonAsync($"/sandbox/wechat/sns/jscode2session?appid={appid ?? Wx.Options.Mp.AppId}" +
            $"&secret={secret ?? Wx.Options.Mp.AppSecret}&js_code={code}&grant_type=authorization_code");

    // ---- login ----

    [Fact]
    public async Task A_login_code_gives_the_users_openid_and_unionid_once()
    {
        var user = await MemberAsync();
        var code = await LoginCodeAsync(user.Str("mpOpenid"));

        var session = await Code2SessionAsync(code);
        var again = await Code2SessionAsync(code);

        Assert.Equal(0, session.ErrCode());
        Assert.False(session.TryGetProperty("errcode", out _));
        Assert.Equal((user.Str("mpOpenid"), user.Str("unionid")), (session.Str("openid"), session.Str("unionid")));
        Assert.Equal(16, Convert.FromBase64String(session.Str("session_key")).Length);
        Assert.Equal(40029, again.ErrCode());
    }

    [Fact]
    public async Task A_login_code_expires_after_five_minutes()
    {
        var code = await LoginCodeAsync((await MemberAsync()).Str("mpOpenid"));

        await Wx.AdvanceAsync(TimeSpan.FromMinutes(5));

        Assert.Equal(40029, (await Code2SessionAsync(code)).ErrCode());
    }

    [Fact]
    public async Task Jscode2session_checks_appid_and_secret_and_keeps_codes_to_the_mini_program()
    {
        var code = await LoginCodeAsync((await MemberAsync()).Str("mpOpenid"));

        var badApp = await Code2SessionAsync(code, appid: "wx0000000000000000");
        var badSecret = await Code2SessionAsync(code, secret: "wrong");
        var officialAccount = await Code2SessionAsync(code, Wx.Options.Oa.AppId, Wx.Options.Oa.AppSecret);
        var unknown = await Code2SessionAsync("not-a-code");
        var stillGood = await Code2SessionAsync(code);

        Assert.Equal((40013, 40125, 40029, 40029), (badApp.ErrCode(), badSecret.ErrCode(), officialAccount.ErrCode(), unknown.ErrCode()));
        Assert.Equal(0, stillGood.ErrCode());
    }

    [Fact]
    public async Task The_code_helper_refuses_an_unknown_openid()
    {
        using var response = await Wx.Http.PostAsJsonAsync("/sandbox/wechat/mp/jscode", new { openid = "oNobody" }, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    // ---- subscribe messages ----

    private static object Reminder(string touser, string thing1 = "第四季度组织生活会") => new
    {
        touser,
        template_id = SandboxTemplates.MpMeetingReminder,
        page = "pages/tasks/detail?id=7",
        data = new
        {
            thing1 = new { value = thing1 },
            time2 = new { value = "2026-11-26 15:00" },
            thing3 = new { value = "社区党群服务中心" },
            thing4 = new { value = "请携带党员证" },
        },
        miniprogram_state = "formal",
        lang = "zh_CN",
    };

    private Task<JsonElement> SubscribeSendAsync(object body) => Wx.PostAsync(SandboxApp.Mp, "cgi-bin/message/subscribe/send", body);

    private Task<JsonElement> AcceptAsync(string mpOpenId, params string[] templateIds) =>
        Wx.PostRawAsync("/sandbox/wechat/mp/subscriptions", new { openid = mpOpenId, templateIds });

    [Fact]
    public async Task A_send_without_consent_is_43101()
    {
        var mpOpenId = (await MemberAsync()).Str("mpOpenid");

        var sent = await SubscribeSendAsync(Reminder(mpOpenId));

        Assert.Equal(43101, sent.ErrCode());
        Assert.StartsWith("user refuse to accept the msg rid: ", sent.ErrMsg());
    }

    [Fact]
    public async Task Each_accept_allows_exactly_one_send()
    {
        var user = await MemberAsync();
        var mpOpenId = user.Str("mpOpenid");
        await AcceptAsync(mpOpenId, SandboxTemplates.MpMeetingReminder, SandboxTemplates.MpTaskWarning);
        var accepted = await AcceptAsync(mpOpenId, SandboxTemplates.MpMeetingReminder);

        var sends = new List<int>();
        for (var i = 0; i < 3; i++)
            sends.Add((await SubscribeSendAsync(Reminder(mpOpenId))).ErrCode());

        Assert.Equal("accept", accepted.GetProperty("results").Str(SandboxTemplates.MpMeetingReminder));
        Assert.Equal(2, accepted.GetProperty("remaining").GetProperty(SandboxTemplates.MpMeetingReminder).GetInt32());
        Assert.Equal([0, 0, 43101], sends);
        Assert.Equal(1, Wx.Sandbox.Messages.RemainingConsents(mpOpenId, SandboxTemplates.MpTaskWarning));
        var inbox = await Wx.InboxAsync(user.Str("openid"));
        Assert.Equal(2, inbox.Length);
        Assert.All(inbox, m => Assert.Equal(("subscribe", "mp", "pages/tasks/detail?id=7"), (m.Str("kind"), m.Str("app"), m.Str("page"))));
        Assert.Equal(2, Wx.Sandbox.PendingPushes.Count(p => p.Event == "subscribe_msg_sent_event"));
    }

    [Fact]
    public async Task Consent_piles_up_to_fifty()
    {
        var mpOpenId = (await MemberAsync()).Str("mpOpenid");

        for (var i = 0; i < 60; i++)
            await AcceptAsync(mpOpenId, SandboxTemplates.MpReviewResult);

        Assert.Equal(SandboxMessages.MaxConsents, Wx.Sandbox.Messages.RemainingConsents(mpOpenId, SandboxTemplates.MpReviewResult));
    }

    [Fact]
    public async Task A_bad_field_is_47003_naming_it_and_spends_no_consent()
    {
        var mpOpenId = (await MemberAsync()).Str("mpOpenid");
        await AcceptAsync(mpOpenId, SandboxTemplates.MpMeetingReminder);

        var sent = await SubscribeSendAsync(Reminder(mpOpenId, thing1: "关于召开第四季度组织生活会暨民主评议党员大会的通知"));

        Assert.Equal(47003, sent.ErrCode());
        Assert.StartsWith("argument invalid! data.thing1.value invalid", sent.ErrMsg());
        Assert.Equal(1, Wx.Sandbox.Messages.RemainingConsents(mpOpenId, SandboxTemplates.MpMeetingReminder));
    }

    [Fact]
    public async Task Subscribe_send_refuses_other_apps_openids_templates_and_tokens()
    {
        var user = await MemberAsync();
        await AcceptAsync(user.Str("mpOpenid"), SandboxTemplates.MpMeetingReminder);

        var oaOpenId = await SubscribeSendAsync(Reminder(user.Str("openid")));
        var oaTemplate = await SubscribeSendAsync(new { touser = user.Str("mpOpenid"), template_id = SandboxTemplates.OaMeetingReminder, data = new { } });
        var oaToken = await Wx.PostAsync(SandboxApp.Oa, "cgi-bin/message/subscribe/send", Reminder(user.Str("mpOpenid")));

        Assert.Equal((40003, 40037, 48001), (oaOpenId.ErrCode(), oaTemplate.ErrCode(), oaToken.ErrCode()));
    }

    [Fact]
    public async Task The_consent_helper_refuses_unknown_templates_and_more_than_five()
    {
        var mpOpenId = (await MemberAsync()).Str("mpOpenid");

        using var unknown = await Wx.Http.PostAsJsonAsync("/sandbox/wechat/mp/subscriptions",
            new { openid = mpOpenId, templateIds = new[] { SandboxTemplates.OaMeetingReminder } }, Ct);
        using var tooMany = await Wx.Http.PostAsJsonAsync("/sandbox/wechat/mp/subscriptions",
            new { openid = mpOpenId, templateIds = Enumerable.Repeat(SandboxTemplates.MpMeetingReminder, 6) }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
    }

    // ---- phone number and content checks ----

    [Fact]
    public async Task A_phone_code_answers_the_members_phone_once()
    {
        var user = await MemberAsync(3);
        var phone = await TestDb.QuerySingleAsync<string>("SELECT phone FROM members WHERE id = @id",
            new { id = user.GetProperty("memberId").GetInt64() });
        var code = (await Wx.PostRawAsync("/sandbox/wechat/mp/phonecode", new { openid = user.Str("mpOpenid") })).Str("code");

        var answer = await Wx.PostAsync(SandboxApp.Mp, "wxa/business/getuserphonenumber", new { code });
        var again = await Wx.PostAsync(SandboxApp.Mp, "wxa/business/getuserphonenumber", new { code });

        Assert.Equal((0, "ok"), (answer.ErrCode(), answer.ErrMsg()));
        var info = answer.GetProperty("phone_info");
        Assert.Equal((phone, phone), (info.Str("phoneNumber"), info.Str("purePhoneNumber")));
        Assert.Equal(86, info.GetProperty("countryCode").GetInt32());
        Assert.Equal(Wx.Options.Mp.AppId, info.GetProperty("watermark").Str("appid"));
        Assert.Equal(40029, again.ErrCode());
    }

    [Fact]
    public async Task A_phone_code_bound_to_another_openid_is_40029()
    {
        var (a, b) = (await MemberAsync(0), await MemberAsync(1));
        var code = (await Wx.PostRawAsync("/sandbox/wechat/mp/phonecode", new { openid = a.Str("mpOpenid") })).Str("code");

        var answer = await Wx.PostAsync(SandboxApp.Mp, "wxa/business/getuserphonenumber", new { code, openid = b.Str("mpOpenid") });

        Assert.Equal(40029, answer.ErrCode());
    }

    [Theory]
    [InlineData("请大家周五下午参加主题党日活动", "pass", 100)]
    [InlineData("低价代开发票，欢迎联系", "risky", 20006)]
    [InlineData("想了解详情请加微信", "review", 10001)]
    public async Task Text_check_v2_answers_a_verdict_with_a_numeric_label(string content, string suggest, int label)
    {
        var mpOpenId = (await MemberAsync()).Str("mpOpenid");

        var check = await Wx.PostAsync(SandboxApp.Mp, "wxa/msg_sec_check", new { version = 2, openid = mpOpenId, scene = 2, content });

        Assert.Equal((0, "ok"), (check.ErrCode(), check.ErrMsg()));
        Assert.Equal(suggest, check.GetProperty("result").Str("suggest"));
        Assert.Equal(JsonValueKind.Number, check.GetProperty("result").GetProperty("label").ValueKind);
        Assert.Equal(label, check.GetProperty("result").GetProperty("label").GetInt32());
        Assert.False(string.IsNullOrEmpty(check.Str("trace_id")));
    }

    [Fact]
    public async Task Text_check_v1_answers_87014_for_risky_text()
    {
        var risky = await Wx.PostAsync(SandboxApp.Mp, "wxa/msg_sec_check", new { content = "网络赌博" });
        var fine = await Wx.PostAsync(SandboxApp.Mp, "wxa/msg_sec_check", new { content = "学习二十大精神" });

        Assert.Equal((87014, 0), (risky.ErrCode(), fine.ErrCode()));
    }
}
