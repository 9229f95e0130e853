using System.Net.Http.Json;
using System.Text.Json;
using System.Web;
using WxQms.Sandbox;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Sandbox;

namespace WxQms.Tests.Wechat;

/// <summary>Our own clients, over HTTP, against the sandbox's imitation of WeChat.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class WechatClientTests(WxQmsApp app, SeededSubdistrict seeded) : SeededWechatTests(app, seeded)
{
    private OfficialAccountClient Oa => App.Get<OfficialAccountClient>();
    private MiniProgramClient Mp => App.Get<MiniProgramClient>();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_mini_program_login_code_gives_the_users_ids_once()
    {
        var (openid, mpOpenid) = await Wx.FollowerAsync();
        var code = (await Wx.PostRawAsync("/sandbox/wechat/mp/jscode", new { openid = mpOpenid })).Str("code");

        var session = await Mp.Code2SessionAsync(code, Ct);
        var again = await Mp.Code2SessionAsync(code, Ct);

        Assert.True(session.IsOk, session.ErrMsg);
        Assert.Equal(mpOpenid, session.Value!.OpenId);
        Assert.NotEqual(openid, session.Value.OpenId);
        Assert.NotNull(session.Value.UnionId);
        Assert.DoesNotContain(session.Value.SessionKey, session.Value.ToString());
        Assert.Equal(WechatErrors.InvalidCode, again.ErrCode);
    }

    [Fact]
    public async Task A_subscribe_message_needs_the_users_consent_for_each_send()
    {
        var (_, mpOpenid) = await Wx.FollowerAsync();
        var message = new SubscribeMessage(mpOpenid, SandboxTemplates.MpMeetingReminder, new Dictionary<string, string>
        {
            ["thing1"] = "主题党日活动", ["time2"] = "2026年12月5日 14:00", ["thing3"] = "社区党群服务中心", ["thing4"] = "请提前十分钟签到",
        });

        var refused = await Mp.SendSubscribeAsync(message, Ct);
        await Wx.PostRawAsync("/sandbox/wechat/mp/subscriptions", new { openid = mpOpenid, templateIds = new[] { SandboxTemplates.MpMeetingReminder } });
        var sent = await Mp.SendSubscribeAsync(message, Ct);
        var spent = await Mp.SendSubscribeAsync(message, Ct);

        Assert.Equal(WechatErrors.SubscribeRefused, refused.ErrCode);
        Assert.True(sent.IsOk, sent.ErrMsg);
        Assert.Equal(WechatErrors.SubscribeRefused, spent.ErrCode);
    }

    [Fact]
    public async Task A_subscribe_value_wechat_would_refuse_fails_before_the_call()
    {
        var (_, mpOpenid) = await Wx.FollowerAsync();

        var result = await Mp.SendSubscribeAsync(new SubscribeMessage(mpOpenid, SandboxTemplates.MpMeetingReminder,
            new Dictionary<string, string> { ["thing1"] = "会议", ["time2"] = "明天下午", ["thing3"] = "会议室" }), Ct);

        Assert.Equal(WechatErrors.ArgumentInvalid, result.ErrCode);
        Assert.Contains("data.time2.value", result.ErrMsg);
        Assert.Equal(0, Wx.Sandbox.Attempts("message/subscribe/send"));
    }

    [Fact]
    public async Task An_image_check_verdict_arrives_as_a_json_push_and_is_kept_by_trace_id()
    {
        var (_, mpOpenid) = await Wx.FollowerAsync();

        var started = await Mp.CheckImageAsync(mpOpenid, "https://example.org/evidence/1.jpg", scene: 3, Ct);
        var delivered = await SandboxConversation.DeliverPendingAsync(Wx.Sandbox, App.Get<SandboxPush>(), Ct);

        Assert.True(started.IsOk, started.ErrMsg);
        Assert.Equal(1, delivered);
        var verdict = await App.Get<MediaCheckStore>().GetAsync(started.Value!.TraceId, Ct);
        Assert.Equal(new MediaCheckVerdict(started.Value.TraceId, "pass", "100"), verdict);
    }

    [Fact]
    public async Task The_phone_number_comes_from_a_single_use_code()
    {
        var (_, mpOpenid) = await Wx.FollowerAsync();
        var code = (await Wx.PostRawAsync("/sandbox/wechat/mp/phonecode", new { openid = mpOpenid })).Str("code");

        var phone = await Mp.GetPhoneNumberAsync(code, Ct);

        Assert.True(phone.IsOk, phone.ErrMsg);
        Assert.Matches("^1[3-9][0-9]{9}$", phone.Value!.PhoneInfo.PureNumber);
        Assert.Equal(WechatErrors.InvalidCode, (await Mp.GetPhoneNumberAsync(code, Ct)).ErrCode);
    }

    [Fact]
    public async Task Text_checks_pass_ordinary_text()
    {
        var (_, mpOpenid) = await Wx.FollowerAsync();

        var check = await Mp.CheckTextAsync(mpOpenid, "本周六上午九点社区清洁志愿活动，欢迎参加", scene: 2, Ct);

        Assert.True(check.IsOk, check.ErrMsg);
        Assert.True(check.Value!.Result!.Passed);
    }

    [Fact]
    public async Task Web_oauth_turns_a_code_into_the_users_openid()
    {
        var (openid, _) = await Wx.FollowerAsync();
        // Not /h5/ranking: that page now redeems the code itself when the redirect is followed into this test server.
        var url = new Uri(Oa.AuthorizeUrl("http://127.0.0.1:8080/h5/oauth-probe", "r1"));
        Assert.Equal("snsapi_base", HttpUtility.ParseQueryString(url.Query)["scope"]);

        var choose = await Wx.Http.GetAsync($"/sandbox/open/connect/oauth2/authorize/choose{url.Query}&openid={openid}", Ct);
        var back = choose.RequestMessage!.RequestUri!;
        var code = HttpUtility.ParseQueryString(back.Query)["code"]
            ?? HttpUtility.ParseQueryString(choose.Headers.Location?.Query ?? "")["code"];
        var access = await Oa.ExchangeOAuthCodeAsync(code!, Ct);

        Assert.True(access.IsOk, access.ErrMsg);
        Assert.Equal(openid, access.Value!.OpenId);
        Assert.Equal(WechatErrors.InvalidCode, (await Oa.ExchangeOAuthCodeAsync(code!, Ct)).ErrCode);
    }

    [Fact]
    public async Task Menus_are_created_read_back_and_deleted()
    {
        MenuButton[] menu =
        [
            new("我的任务", "click", Key: "MY_TASKS"),
            new("排名", "view", Url: "http://127.0.0.1:8080/h5/ranking"),
            new("更多", SubButtons: [new("微心愿", "view", Url: "http://127.0.0.1:8080/h5/wishes"), new("工作台", "click", Key: "DESK")]),
        ];

        var created = await Oa.CreateMenuAsync(menu, Ct);
        var read = await Oa.GetMenuAsync(Ct);
        var deleted = await Oa.DeleteMenuAsync(Ct);

        Assert.True(created.IsOk, created.ErrMsg);
        Assert.Equal(["我的任务", "排名", "更多"], read.Value!.Menu!.Buttons.Select(b => b.Name));
        Assert.Equal("DESK", read.Value.Menu.Buttons[2].SubButtons![1].Key);
        Assert.True(deleted.IsOk);
        Assert.False((await Oa.GetMenuAsync(Ct)).IsOk);
    }

    [Fact]
    public async Task A_menu_name_wechat_would_refuse_comes_back_as_its_errcode()
    {
        var result = await Oa.CreateMenuAsync([new MenuButton("一个太长的菜单名字", "click", Key: "K")], Ct);

        Assert.Equal(40018, result.ErrCode);
    }

    [Fact]
    public async Task User_info_tells_followers_from_others()
    {
        var (openid, _) = await Wx.FollowerAsync();
        Wx.Sandbox.Users.SetFollows(openid, false);

        var info = await Oa.GetUserAsync(openid, Ct);

        Assert.True(info.IsOk, info.ErrMsg);
        Assert.False(info.Value!.Follows);
    }

    [Fact]
    public async Task A_binding_qr_code_carries_an_opaque_scene()
    {
        var qr = await Oa.CreateTemporaryQrCodeAsync("bind-7Hq2xK", TimeSpan.FromDays(7), Ct);

        Assert.True(qr.IsOk, qr.ErrMsg);
        Assert.Equal(7 * 86400, qr.Value!.ExpireSeconds);
        Assert.False(string.IsNullOrEmpty(qr.Value.Ticket));
        Assert.Throws<ArgumentException>(() => { _ = Oa.CreateTemporaryQrCodeAsync(new string('x', 65), TimeSpan.FromDays(1), Ct); });
    }

    [Fact]
    public async Task Uploaded_media_comes_back_byte_for_byte_and_unknown_media_is_40007()
    {
        var photo = SandboxDriver.Jpeg(4096);

        var uploaded = await Oa.UploadImageAsync(photo, "evidence.jpg", Ct);
        var media = await Oa.GetMediaAsync(uploaded.Value!.MediaId, Ct);
        var unknown = await Oa.GetMediaAsync("no-such-media", Ct);

        Assert.True(media.IsOk, media.ErrMsg);
        Assert.Equal(photo, media.Value!.Content);
        Assert.Equal("image/jpeg", media.Value.ContentType);
        Assert.Equal(WechatErrors.InvalidMediaId, unknown.ErrCode);
    }

    [Fact]
    public async Task A_customer_service_text_reaches_the_users_inbox()
    {
        var (openid, _) = await Wx.FollowerAsync();

        var sent = await Oa.SendTextAsync(openid, "您的会议纪要已收到，请补充参会人员名单。", Ct);

        Assert.True(sent.IsOk, sent.ErrMsg);
        var last = (await Wx.InboxAsync(openid))[^1];
        Assert.Equal("您的会议纪要已收到，请补充参会人员名单。", last.Str("text"));
    }
}
