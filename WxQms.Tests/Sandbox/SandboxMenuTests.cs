using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using WxQms.Sandbox;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Sandbox;

[Collection(IntegrationCollection.Name)]
public sealed class SandboxMenuTests(WxQmsApp app) : IAsyncLifetime
{
    private readonly SandboxDriver wx = new(app);

    public async ValueTask InitializeAsync() => await app.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string OurMenu = """
        {"button":[
          {"type":"view","name":"排名","url":"https://wxqms.example/h5/ranking"},
          {"type":"view","name":"微心愿","url":"https://wxqms.example/h5/wishes"},
          {"name":"更多","sub_button":[
            {"type":"miniprogram","name":"任务","url":"https://wxqms.example","appid":"wx0b0000000000test","pagepath":"pages/index/index"},
            {"type":"click","name":"联系我们","key":"CONTACT"}]}]}
        """;

    private async Task<JsonElement> CreateAsync(string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await wx.Http.PostAsync(
            $"/sandbox/wechat/cgi-bin/menu/create?access_token={await wx.TokenAsync(SandboxApp.Oa)}", content, Ct);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    [Fact]
    public async Task Creates_reads_and_deletes_the_menu()
    {
        var created = await CreateAsync(OurMenu);
        var read = await wx.GetAsync(SandboxApp.Oa, "cgi-bin/menu/get");
        var deleted = await wx.GetAsync(SandboxApp.Oa, "cgi-bin/menu/delete");
        var gone = await wx.GetAsync(SandboxApp.Oa, "cgi-bin/menu/get");

        Assert.Equal((0, "ok"), (created.ErrCode(), created.ErrMsg()));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(OurMenu)!["button"], JsonNode.Parse(read.GetProperty("menu").GetProperty("button").GetRawText())));
        Assert.True(read.GetProperty("menu").GetProperty("menuid").GetInt64() > 0);
        Assert.Equal((0, "ok"), (deleted.ErrCode(), deleted.ErrMsg()));
        Assert.Equal(46003, gone.ErrCode());
    }

    private static string Buttons(params string[] buttons) => $$"""{"button":[{{string.Join(",", buttons)}}]}""";

    private static string Click(string name = "签到", string key = "SIGN") => $$"""{"type":"click","name":"{{name}}","key":"{{key}}"}""";

    private static string Parent(params string[] subs) => $$"""{"name":"更多","sub_button":[{{string.Join(",", subs)}}]}""";

    public static TheoryData<string, string, int> Limits => new()
    {
        { "no buttons", Buttons(), 40016 },
        { "four buttons", Buttons(Click(), Click(), Click(), Click()), 40016 },
        { "no button array", """{"menu":[]}""", 40016 },
        { "top name of 17 bytes", Buttons(Click(name: "五个汉字abcde")), 40018 },
        { "empty top name", Buttons(Click(name: "")), 40018 },
        { "unknown type", Buttons("""{"type":"teleport","name":"传送"}"""), 40017 },
        { "click without key", Buttons("""{"type":"click","name":"签到"}"""), 40019 },
        { "key of 129 bytes", Buttons(Click(key: new string('K', 129))), 40019 },
        { "view url of 1025 bytes", Buttons($$"""{"type":"view","name":"网页","url":"https://x.example/{{new string('a', 1007)}}"}"""), 40020 },
        { "mini program without page", Buttons("""{"type":"miniprogram","name":"小程序","url":"https://x.example","appid":"wx1"}"""), 40017 },
        { "six sub-buttons", Buttons(Parent(Click(), Click(), Click(), Click(), Click(), Click())), 40023 },
        { "sub name of 61 bytes", Buttons(Parent(Click(name: new string('名', 20) + "x"))), 40025 },
        { "sub with unknown type", Buttons(Parent("""{"type":"teleport","name":"传送"}""")), 40024 },
        { "sub click without key", Buttons(Parent("""{"type":"click","name":"签到"}""")), 40026 },
        { "sub view url too long", Buttons(Parent($$"""{"type":"view","name":"网页","url":"https://x.example/{{new string('a', 1007)}}"}""")), 40027 },
        { "third level", Buttons(Parent(Parent(Click()))), 40022 },
    };

    [Theory]
    [MemberData(nameof(Limits))]
    public async Task Refuses_a_menu_beyond_wechats_limits(string why, string json, int errcode)
    {
        var created = await CreateAsync(json);

        Assert.True(errcode == created.ErrCode(), $"{why}: expected {errcode}, got {created.GetRawText()}");
        Assert.Equal(46003, (await wx.GetAsync(SandboxApp.Oa, "cgi-bin/menu/get")).ErrCode());
    }

    [Fact]
    public async Task Accepts_names_at_the_byte_limits()
    {
        var created = await CreateAsync(Buttons(Click(name: "五个汉字abcd"), Parent(Click(name: new string('名', 20)))));

        Assert.Equal(0, created.ErrCode());
    }

    [Fact]
    public async Task Refuses_unicode_escapes_with_40033()
    {
        var created = await CreateAsync("""{"button":[{"type":"click","name":"\u7b7e\u5230","key":"SIGN"}]}""");

        Assert.Equal(40033, created.ErrCode());
    }

    [Fact]
    public async Task Menus_belong_to_the_official_account()
    {
        var fromMp = await wx.GetAsync(SandboxApp.Mp, "cgi-bin/menu/get");

        Assert.Equal(48001, fromMp.ErrCode());
    }

    [Fact]
    public async Task A_temporary_string_qr_code_defaults_to_sixty_seconds_and_then_expires()
    {
        var qr = await wx.PostAsync(SandboxApp.Oa, "cgi-bin/qrcode/create",
            new { action_name = "QR_STR_SCENE", action_info = new { scene = new { scene_str = "bind:Xk29fQ" } } });

        Assert.False(qr.TryGetProperty("errcode", out _));
        Assert.Equal(60, qr.GetProperty("expire_seconds").GetInt32());
        Assert.StartsWith("http://weixin.qq.com/q/", qr.Str("url"));
        Assert.Equal("bind:Xk29fQ", wx.Sandbox.Menus.ResolveQrTicket(qr.Str("ticket"))?.SceneStr);
        app.Clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Null(wx.Sandbox.Menus.ResolveQrTicket(qr.Str("ticket")));
    }

    [Fact]
    public async Task A_permanent_qr_code_has_no_expiry_and_a_long_one_stops_at_thirty_days()
    {
        var permanent = await wx.PostAsync(SandboxApp.Oa, "cgi-bin/qrcode/create",
            new { action_name = "QR_LIMIT_SCENE", action_info = new { scene = new { scene_id = 42 } } });
        var longest = await wx.PostAsync(SandboxApp.Oa, "cgi-bin/qrcode/create",
            new { expire_seconds = 9_999_999, action_name = "QR_SCENE", action_info = new { scene = new { scene_id = 7 } } });

        Assert.False(permanent.TryGetProperty("expire_seconds", out _));
        Assert.Equal(42, wx.Sandbox.Menus.ResolveQrTicket(permanent.Str("ticket"))?.SceneId);
        Assert.Equal(2_592_000, longest.GetProperty("expire_seconds").GetInt32());
    }

    [Theory]
    [InlineData("QR_STR_SCENE", null, "")]
    [InlineData("QR_STR_SCENE", null, "a-scene-string-that-is-far-too-long-for-wechat-to-accept-0123456789")]
    [InlineData("QR_LIMIT_SCENE", 100_001L, null)]
    [InlineData("QR_SCENE", 0L, null)]
    [InlineData("QR_MAGIC", 1L, null)]
    public async Task Refuses_a_bad_scene_with_40053(string action, long? sceneId, string? sceneStr)
    {
        var qr = await wx.PostAsync(SandboxApp.Oa, "cgi-bin/qrcode/create",
            new { action_name = action, action_info = new { scene = new { scene_id = sceneId, scene_str = sceneStr } } });

        Assert.Equal(40053, qr.ErrCode());
    }
}
