using System.Net.Http.Json;
using System.Text.Json;
using WxQms.Sandbox;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Sandbox;

[Collection(IntegrationCollection.Name)]
public sealed class SandboxTemplateMessageTests(WxQmsApp app, SeededSubdistrict seeded) : SeededWechatTests(app, seeded)
{

    private static object Meeting(string touser, string? clientMsgId = null, string time = "2026年11月26日 15:00") => new
    {
        touser,
        template_id = SandboxTemplates.OaMeetingReminder,
        url = "https://wxqms.example/h5/meetings/7",
        data = new
        {
            thing1 = new { value = "第四季度支部委员会会议" },
            time2 = new { value = time },
            thing3 = new { value = "社区党群服务中心二楼" },
        },
        client_msg_id = clientMsgId,
    };

    private Task<JsonElement> SendAsync(object body) => Wx.PostAsync(SandboxApp.Oa, "cgi-bin/message/template/send", body);

    [Fact]
    public async Task Delivers_to_a_follower_with_a_msgid_and_queues_the_job_finished_push()
    {
        var (openid, _) = await Wx.FollowerAsync();

        var sent = await SendAsync(Meeting(openid));

        Assert.Equal((0, "ok"), (sent.ErrCode(), sent.ErrMsg()));
        var msgId = sent.GetProperty("msgid").GetInt64();
        Assert.True(msgId > int.MaxValue);
        var message = Assert.Single(await Wx.InboxAsync(openid));
        Assert.Equal(("template", SandboxTemplates.OaMeetingReminder, "会议提醒"),
            (message.Str("kind"), message.Str("templateId"), message.Str("title")));
        Assert.Equal(msgId, message.GetProperty("msgId").GetInt64());
        Assert.Equal("https://wxqms.example/h5/meetings/7", message.Str("url"));
        Assert.Equal(["会议名称:第四季度支部委员会会议", "会议时间:2026年11月26日 15:00", "会议地点:社区党群服务中心二楼"],
            message.GetProperty("fields").EnumerateArray().Select(f => $"{f.Str("label")}:{f.Str("value")}"));
        var push = Assert.Single(Wx.Sandbox.PendingPushes);
        Assert.Equal(("TEMPLATESENDJOBFINISH", msgId, "success", openid), (push.Event, push.MsgId, push.Status, push.OpenId));
        Assert.Single(Wx.Sandbox.DrainPendingPushes());
        Assert.Empty(Wx.Sandbox.PendingPushes);
    }

    [Fact]
    public async Task Refuses_a_user_who_does_not_follow_with_43004()
    {
        var (openid, _) = await Wx.FollowerAsync();
        Wx.Sandbox.Users.SetFollows(openid, false);

        var sent = await SendAsync(Meeting(openid));

        Assert.Equal(43004, sent.ErrCode());
        Assert.StartsWith("require subscribe rid: ", sent.ErrMsg());
        Assert.Empty(await Wx.InboxAsync(openid));
    }

    [Fact]
    public async Task Refuses_unknown_and_mini_program_openids_with_40003()
    {
        var (_, mpOpenId) = await Wx.FollowerAsync();

        Assert.Equal(40003, (await SendAsync(Meeting("oNotAUserOfThisAccount00000"))).ErrCode());
        Assert.Equal(40003, (await SendAsync(Meeting(mpOpenId))).ErrCode());
    }

    [Theory]
    [InlineData("sbx-oa-no-such-template")]
    [InlineData(SandboxTemplates.MpMeetingReminder)]
    public async Task Refuses_a_template_the_account_does_not_have_with_40037(string templateId)
    {
        var (openid, _) = await Wx.FollowerAsync();

        var sent = await SendAsync(new { touser = openid, template_id = templateId, data = new { thing1 = new { value = "会议" } } });

        Assert.Equal(40037, sent.ErrCode());
    }

    [Theory]
    [InlineData("明天下午三点", "time2")]
    [InlineData("2026年11月26日\n15:00", "time2")]
    [InlineData("", "time2")]
    public async Task Refuses_a_bad_field_with_47003_naming_it(string time, string field)
    {
        var (openid, _) = await Wx.FollowerAsync();

        var sent = await SendAsync(Meeting(openid, time: time));

        Assert.Equal(47003, sent.ErrCode());
        Assert.StartsWith($"argument invalid! data.{field}.value invalid rid: ", sent.ErrMsg());
    }

    [Fact]
    public async Task Refuses_a_missing_field_and_an_overlong_thing_with_47003()
    {
        var (openid, _) = await Wx.FollowerAsync();

        var missing = await SendAsync(new
        {
            touser = openid,
            template_id = SandboxTemplates.OaMeetingReminder,
            data = new { thing1 = new { value = "会议" }, time2 = new { value = "15:00" } },
        });
        var tooLong = await SendAsync(new
        {
            touser = openid,
            template_id = SandboxTemplates.OaMeetingReminder,
            data = new
            {
                thing1 = new { value = "关于开展第四季度主题党日暨支部委员会扩大会议的通知" },
                time2 = new { value = "15:00" },
                thing3 = new { value = "会议室" },
            },
        });

        Assert.StartsWith("argument invalid! data.thing3.value invalid", missing.ErrMsg());
        Assert.StartsWith("argument invalid! data.thing1.value invalid", tooLong.ErrMsg());
    }

    [Fact]
    public async Task Sends_once_per_client_msg_id_within_ten_minutes_and_again_after()
    {
        var (openid, _) = await Wx.FollowerAsync();

        var first = (await SendAsync(Meeting(openid, "reminder-7-2026-11-26"))).GetProperty("msgid").GetInt64();
        var repeat = (await SendAsync(Meeting(openid, "reminder-7-2026-11-26"))).GetProperty("msgid").GetInt64();
        await Wx.AdvanceAsync(TimeSpan.FromMinutes(9) + TimeSpan.FromSeconds(59));
        var stillRepeat = (await SendAsync(Meeting(openid, "reminder-7-2026-11-26"))).GetProperty("msgid").GetInt64();
        var other = (await SendAsync(Meeting(openid, "reminder-8-2026-11-26"))).GetProperty("msgid").GetInt64();
        await Wx.AdvanceAsync(TimeSpan.FromSeconds(2));
        var later = (await SendAsync(Meeting(openid, "reminder-7-2026-11-26"))).GetProperty("msgid").GetInt64();

        Assert.Equal(first, repeat);
        Assert.Equal(first, stillRepeat);
        Assert.NotEqual(first, other);
        Assert.NotEqual(first, later);
        Assert.Equal([first, other, later], (await Wx.InboxAsync(openid)).Select(m => m.GetProperty("msgId").GetInt64()));
        Assert.Equal(3, Wx.Sandbox.PendingPushes.Count);
    }

    [Fact]
    public async Task The_same_client_msg_id_for_another_user_is_another_message()
    {
        var users = await Wx.UsersAsync("follows=true&limit=2");

        var a = await SendAsync(Meeting(users[0].Str("openid"), "same-id"));
        var b = await SendAsync(Meeting(users[1].Str("openid"), "same-id"));

        Assert.NotEqual(a.GetProperty("msgid").GetInt64(), b.GetProperty("msgid").GetInt64());
    }

    [Fact]
    public async Task An_old_template_folds_long_values_and_drops_first_and_remark()
    {
        var (openid, _) = await Wx.FollowerAsync();

        var sent = await SendAsync(new
        {
            touser = openid,
            template_id = SandboxTemplates.OaLegacyNotice,
            data = new
            {
                first = new { value = "您好，您有一条新通知" },
                keyword1 = new { value = "请各支部于本周五前完成第四季度党费收缴情况的统计上报工作" },
                keyword2 = new { value = "东风路街道党工委" },
                keyword3 = new { value = "2026年11月25日" },
                remark = new { value = "请及时处理" },
            },
        });

        Assert.Equal(0, sent.ErrCode());
        var fields = Assert.Single(await Wx.InboxAsync(openid)).GetProperty("fields").EnumerateArray().ToList();
        Assert.Equal(["keyword1", "keyword2", "keyword3"], fields.Select(f => f.Str("key")));
        Assert.Equal("请各支部于本周五前完成第四季度党费收缴情…", fields[0].Str("value"));
    }

    [Fact]
    public async Task Template_registry_is_configurable()
    {
        var (openid, _) = await Wx.FollowerAsync();
        Wx.Sandbox.Messages.SetTemplate(new SandboxTemplate("sbx-oa-points", SandboxApp.Oa, "积分变动",
            [new("number1", "积分"), new("thing2", "原因")]));
        Wx.Sandbox.Messages.RemoveTemplate(SandboxTemplates.OaMeetingReminder);

        var points = await SendAsync(new
        {
            touser = openid,
            template_id = "sbx-oa-points",
            data = new { number1 = new { value = "5" }, thing2 = new { value = "按时完成任务" } },
        });
        var removed = await SendAsync(Meeting(openid));

        Assert.Equal(0, points.ErrCode());
        Assert.Equal(40037, removed.ErrCode());
    }

    [Fact]
    public async Task Refuses_the_mini_programs_token_and_revoked_tokens()
    {
        var (openid, _) = await Wx.FollowerAsync();
        var fromMp = await Wx.PostAsync(SandboxApp.Mp, "cgi-bin/message/template/send", Meeting(openid));
        var token = await Wx.TokenAsync(SandboxApp.Oa);
        Wx.Sandbox.RevokeTokens(Wx.Options.Oa.AppId);

        var revoked = await Wx.PostRawAsync($"/sandbox/wechat/cgi-bin/message/template/send?access_token={token}", Meeting(openid));
        var missing = await Wx.PostRawAsync("/sandbox/wechat/cgi-bin/message/template/send", Meeting(openid));

        Assert.Equal(48001, fromMp.ErrCode());
        Assert.Equal(40001, revoked.ErrCode());
        Assert.Equal(41001, missing.ErrCode());
    }

    [Fact]
    public async Task A_daily_quota_applies_to_template_sends()
    {
        var (openid, _) = await Wx.FollowerAsync();
        Wx.Sandbox.SetDailyLimit(Wx.Options.Oa.AppId, "message/template/send", 1);

        var first = await SendAsync(Meeting(openid));
        var second = await SendAsync(Meeting(openid));

        Assert.Equal(0, first.ErrCode());
        Assert.Equal(45009, second.ErrCode());
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_47001_and_an_empty_one_44002()
    {
        var token = await Wx.TokenAsync(SandboxApp.Oa);
        var url = $"/sandbox/wechat/cgi-bin/message/template/send?access_token={token}";

        using var notJson = await Wx.Http.PostAsync(url, new StringContent("touser=o1"), TestContext.Current.CancellationToken);
        using var empty = await Wx.Http.PostAsync(url, new StringContent(""), TestContext.Current.CancellationToken);

        Assert.Equal(47001, (await notJson.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).ErrCode());
        Assert.Equal(44002, (await empty.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).ErrCode());
    }
}
