using System.Text.Json;
using WxQms.Sandbox;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Sandbox;

[Collection(IntegrationCollection.Name)]
public sealed class SandboxCustomMessageTests(WxQmsApp app, SeededSubdistrict seeded) : SeededWechatTests(app, seeded)
{

    private Task<JsonElement> SendAsync(object body, SandboxApp which = SandboxApp.Oa) =>
        Wx.PostAsync(which, "cgi-bin/message/custom/send", body);

    private static object Text(string touser, string content = "您好，您提交的佐证材料已收到。") =>
        new { touser, msgtype = "text", text = new { content } };

    [Fact]
    public async Task Delivers_text_image_and_news_to_the_inbox_in_order()
    {
        var (openid, _) = await Wx.FollowerAsync();
        var mediaId = (await Wx.UploadAsync(SandboxApp.Oa, "image", SandboxDriver.Jpeg(2_000))).Str("media_id");

        var text = await SendAsync(Text(openid));
        var image = await SendAsync(new { touser = openid, msgtype = "image", image = new { media_id = mediaId } });
        var news = await SendAsync(new
        {
            touser = openid,
            msgtype = "news",
            news = new { articles = new[] { new { title = "本月排名", description = "第一网格党支部位列第一", url = "https://wxqms.example/h5/ranking", picurl = "" } } },
        });

        Assert.All([text, image, news], r => Assert.Equal((0, "ok"), (r.ErrCode(), r.ErrMsg())));
        var inbox = await Wx.InboxAsync(openid);
        Assert.Equal(["text", "image", "news"], inbox.Select(m => m.Str("msgType")));
        Assert.All(inbox, m => Assert.Equal("custom", m.Str("kind")));
        Assert.Equal("您好，您提交的佐证材料已收到。", inbox[0].Str("text"));
        Assert.Equal(mediaId, inbox[1].Str("mediaId"));
        Assert.Equal("本月排名", inbox[2].GetProperty("articles")[0].Str("title"));
    }

    [Fact]
    public async Task Refuses_with_45015_once_48_hours_have_passed_since_the_users_last_message()
    {
        var (openid, _) = await Wx.FollowerAsync();
        Wx.Sandbox.RecordInteraction(openid);

        await Wx.AdvanceAsync(TimeSpan.FromHours(47));
        var inside = await SendAsync(Text(openid));
        await Wx.AdvanceAsync(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        var outside = await SendAsync(Text(openid));
        Wx.Sandbox.RecordInteraction(openid);
        var reopened = await SendAsync(Text(openid));

        Assert.Equal(0, inside.ErrCode());
        Assert.Equal(45015, outside.ErrCode());
        Assert.StartsWith("response out of time limit or subscription is canceled rid: ", outside.ErrMsg());
        Assert.Equal(0, reopened.ErrCode());
    }

    [Fact]
    public async Task Refuses_with_45015_a_user_who_never_wrote_when_interaction_is_not_assumed()
    {
        var (openid, _) = await Wx.FollowerAsync();
        Wx.Sandbox.Users.AssumeInteraction = false;

        Assert.Equal(45015, (await SendAsync(Text(openid))).ErrCode());
        Assert.Empty(await Wx.InboxAsync(openid));
    }

    [Fact]
    public async Task The_window_is_configurable()
    {
        var (openid, _) = await Wx.FollowerAsync();
        Wx.Sandbox.Users.CustomerServiceWindow = TimeSpan.FromMinutes(1);
        Wx.Sandbox.RecordInteraction(openid);

        await Wx.AdvanceAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(45015, (await SendAsync(Text(openid))).ErrCode());
    }

    [Fact]
    public async Task Allows_five_replies_per_user_message_then_45047()
    {
        var (openid, _) = await Wx.FollowerAsync();
        Wx.Sandbox.RecordInteraction(openid);

        var codes = new List<int>();
        for (var i = 0; i < 6; i++)
            codes.Add((await SendAsync(Text(openid, $"第 {i + 1} 条"))).ErrCode());

        Assert.Equal([0, 0, 0, 0, 0, 45047], codes);
    }

    [Fact]
    public async Task Refuses_a_user_who_unfollowed_with_45015()
    {
        var (openid, _) = await Wx.FollowerAsync();
        Wx.Sandbox.Users.SetFollows(openid, false);

        Assert.Equal(45015, (await SendAsync(Text(openid))).ErrCode());
    }

    [Fact]
    public async Task Refuses_unknown_media_openids_and_message_types()
    {
        var (openid, _) = await Wx.FollowerAsync();

        var media = await SendAsync(new { touser = openid, msgtype = "image", image = new { media_id = "no-such-media" } });
        var user = await SendAsync(Text("oNotAUserOfThisAccount00000"));
        var type = await SendAsync(new { touser = openid, msgtype = "hologram" });
        var empty = await SendAsync(Text(openid, ""));

        Assert.Equal((40007, 40003, 40008, 44004), (media.ErrCode(), user.ErrCode(), type.ErrCode(), empty.ErrCode()));
    }

    [Fact]
    public async Task The_mini_program_sends_to_its_own_openids()
    {
        var (openid, mpOpenId) = await Wx.FollowerAsync();

        var sent = await SendAsync(Text(mpOpenId, "小程序客服回复"), SandboxApp.Mp);
        var wrongApp = await SendAsync(Text(openid), SandboxApp.Mp);

        Assert.Equal(0, sent.ErrCode());
        Assert.Equal(40003, wrongApp.ErrCode());
        Assert.Equal("mp", (await Wx.InboxAsync(openid)).Single().Str("app"));
    }
}
