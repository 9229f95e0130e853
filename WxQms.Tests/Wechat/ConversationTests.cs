using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using MySqlConnector;
using WxQms.Sandbox;
using WxQms.Domain.Services.Bot;
using WxQms.Domain.Services;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat;
using WxQms.Domain.Wechat.Callbacks;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Sandbox;

namespace WxQms.Tests.Wechat;

/// <summary>
/// A seeded member talks to the official account through the sandbox, which pushes to our callback
/// over HTTP exactly as WeChat does; what the member would see comes back, and lands in the chat.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class ConversationTests(WxQmsApp app) : IAsyncLifetime
{
    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xFF, 0xD9];
    private readonly HttpClient client = app.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private string member = "";

    public async ValueTask InitializeAsync()
    {
        await app.SeedDemoAsync();
        var users = await client.GetFromJsonAsync<JsonElement>("/sandbox/wechat/users?memberId=100", Ct);
        member = users.GetProperty("users")[0].GetProperty("openid").GetString()!;
        await SendAsync(new { msgType = "event", @event = "subscribe" });
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Saying_hello_gets_the_bots_answer_in_the_chat()
    {
        var answer = await SendAsync(new { msgType = "text", content = "你好" });

        Assert.Equal("replied", answer.GetProperty("outcome").GetString());
        Assert.Equal(1, answer.GetProperty("deliveries").GetInt32());
        Assert.Equal(BotReplies.Help(WxQmsApp.SubdistrictName), answer.GetProperty("reply").GetProperty("text").GetString());
        var chat = await client.GetFromJsonAsync<JsonElement>($"/sandbox/wechat/users/{member}/chat", Ct);
        var lines = chat.GetProperty("messages").EnumerateArray()
            .Select(m => (m.GetProperty("kind").GetString(), m.GetProperty("text").GetString())).ToList();
        Assert.Equal([("user", null), ("passive", BotReplies.Welcome(WxQmsApp.SubdistrictName)), ("user", "你好"), ("passive", BotReplies.Help(WxQmsApp.SubdistrictName))], lines);
        var inbox = await client.GetFromJsonAsync<JsonElement>($"/sandbox/wechat/users/{member}/inbox", Ct);
        Assert.DoesNotContain(inbox.GetProperty("messages").EnumerateArray(), m => m.GetProperty("kind").GetString() == "user");
    }

    /// <summary>The bot speaks of the subdistrict the configuration names (Subdistrict:Name), not of the demo's.</summary>
    [Fact]
    public async Task The_bot_names_the_configured_subdistrict()
    {
        var answer = await SendAsync(new { msgType = "text", content = "帮助" });

        var text = answer.GetProperty("reply").GetProperty("text").GetString();
        Assert.Contains($"这里是{WxQmsApp.SubdistrictName}党建", text);
        Assert.DoesNotContain("东风路", text);
    }

    [Fact]
    public async Task A_photo_sent_in_the_chat_is_downloaded_and_stored_by_its_hash()
    {
        var mediaId = await UploadAsync(Jpeg);

        var answer = await SendAsync(new { msgType = "image", mediaId });
        await app.Get<InboundMediaDownloader>().DownloadDueAsync(app.Clock.GetUtcNow(), Ct);

        Assert.Equal(BotReplies.PhotoBeforeBinding, answer.GetProperty("reply").GetProperty("text").GetString());
        var stored = await TestDb.QuerySingleAsync<(string Sha256, long Size, string ContentType, string Path, string From)>(
            "SELECT sha256, size_bytes, content_type, storage_path, from_openid FROM inbound_media");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Jpeg)), stored.Sha256);
        Assert.Equal(Jpeg.Length, stored.Size);
        Assert.Equal("image/jpeg", stored.ContentType);
        Assert.Equal(member, stored.From);
        Assert.Equal(Jpeg, await File.ReadAllBytesAsync(Path.Combine(app.UploadRoot, stored.Path), Ct));
        Assert.Equal("done", await TestDb.QuerySingleAsync<string>("SELECT work_status FROM wechat_inbound WHERE work IS NOT NULL"));
    }

    [Fact]
    public async Task A_photo_sent_in_the_mini_programs_chat_is_downloaded_with_the_mini_programs_token()
    {
        // A media_id belongs to the app the user sent it to: the official account's token would get 40007.
        var users = await client.GetFromJsonAsync<JsonElement>("/sandbox/wechat/users?memberId=100", Ct);
        var mpOpenId = users.GetProperty("users")[0].GetProperty("mpOpenid").GetString()!;
        var mediaId = await UploadAsync(Jpeg, app: "mp", openid: mpOpenId);

        await SendAsync(new { msgType = "image", mediaId }, mpOpenId);
        await app.Get<InboundMediaDownloader>().DownloadDueAsync(app.Clock.GetUtcNow(), Ct);

        var (status, error) = await TestDb.QuerySingleAsync<(string, string?)>(
            "SELECT work_status, last_error FROM wechat_inbound WHERE work IS NOT NULL");
        Assert.True(status == "done", $"{status}: {error}");
        var stored = await TestDb.QuerySingleAsync<(string AppId, string From, string Sha256)>(
            "SELECT app_id, from_openid, sha256 FROM inbound_media");
        Assert.Equal((WxQmsApp.MpAppId, mpOpenId, Convert.ToHexStringLower(SHA256.HashData(Jpeg))), stored);
    }

    [Fact]
    public async Task A_photo_that_wechat_no_longer_has_is_given_up_not_retried_forever()
    {
        var mediaId = await UploadAsync(Jpeg);
        await SendAsync(new { msgType = "image", mediaId });
        app.Clock.Advance(SandboxMedia.Lifetime + TimeSpan.FromMinutes(1)); // WeChat deletes user media after 3 days

        await new SandboxDriver(app).AdvanceAsync(TimeSpan.Zero);
        await app.Get<InboundMediaDownloader>().DownloadDueAsync(app.Clock.GetUtcNow(), Ct);

        var (status, error) = await TestDb.QuerySingleAsync<(string, string)>(
            "SELECT work_status, last_error FROM wechat_inbound WHERE work IS NOT NULL");
        Assert.Equal("failed", status);
        Assert.StartsWith("40007", error);
        Assert.Equal(0, await TestDb.ScalarAsync("SELECT COUNT(*) FROM inbound_media"));
    }

    [Fact]
    public async Task Two_workers_never_download_the_same_photo_twice()
    {
        await SendAsync(new { msgType = "image", mediaId = await UploadAsync(Jpeg) });
        var store = app.Get<InboundStore>();

        var first = await store.ClaimAsync(InboundWorkKinds.DownloadMedia, app.Clock.GetUtcNow(), TimeSpan.FromMinutes(2), 10, Ct);
        var second = await store.ClaimAsync(InboundWorkKinds.DownloadMedia, app.Clock.GetUtcNow(), TimeSpan.FromMinutes(2), 10, Ct);
        app.Clock.Advance(TimeSpan.FromMinutes(3)); // the first worker died: its lease runs out
        var third = await store.ClaimAsync(InboundWorkKinds.DownloadMedia, app.Clock.GetUtcNow(), TimeSpan.FromMinutes(2), 10, Ct);

        Assert.Single(first);
        Assert.Empty(second);
        Assert.Equal(first[0].Id, Assert.Single(third).Id);
        Assert.False(await store.CompleteAsync(first[0], Ct)); // the dead worker's late completion is refused
        Assert.True(await store.CompleteAsync(third[0], Ct));
    }

    [Fact]
    public async Task A_template_message_reports_its_delivery_back_to_our_callback()
    {
        var outbound = app.Get<OutboundStore>();
        var oa = app.Get<OfficialAccountClient>();
        var data = new Dictionary<string, string> { ["thing1"] = "第三季度党员大会", ["time2"] = "2026年12月1日 09:30", ["thing3"] = "社区三楼会议室" };
        var (id, _) = await outbound.RecordAsync(new NewOutbound(WxQmsApp.OaAppId, "template", member, SandboxTemplates.OaMeetingReminder,
            "reminder-1", JsonSerializer.Serialize(data)), app.Clock.GetUtcNow(), Ct);

        var sent = await oa.SendTemplateAsync(new TemplateMessage(member, SandboxTemplates.OaMeetingReminder, data, ClientMsgId: "reminder-1"), Ct);
        await outbound.RecordResultAsync(id, sent.Value, sent.ErrCode, sent.ErrMsg, app.Clock.GetUtcNow(), Ct);
        await SandboxConversation.DeliverPendingAsync(app.Get<SandboxWechat>(), app.Get<SandboxPush>(), Ct);

        Assert.True(sent.IsOk, sent.ErrMsg);
        Assert.Equal((sent.Value, "success"), await outbound.GetAsync(id, Ct));
    }

    [Fact]
    public async Task A_template_value_wechat_would_refuse_fails_here_naming_the_field()
    {
        var result = await app.Get<OfficialAccountClient>().SendTemplateAsync(new TemplateMessage(member,
            SandboxTemplates.OaMeetingReminder, new Dictionary<string, string>
            {
                ["thing1"] = "一个远远超过二十个字符限制的会议名称会被微信拒绝的",
                ["time2"] = "2026年12月1日 09:30",
                ["thing3"] = "会议室",
            }), Ct);

        Assert.Equal(WechatErrors.ArgumentInvalid, result.ErrCode);
        Assert.Contains("data.thing1.value", result.ErrMsg);
        Assert.Equal(0, app.Get<SandboxWechat>().Calls(WxQmsApp.OaAppId, "message/template/send"));
    }

    [Fact]
    public async Task Bad_input_to_the_phone_helpers_gets_a_clear_problem()
    {
        var empty = await client.PostAsJsonAsync($"/sandbox/wechat/users/{member}/messages", new { msgType = "text", content = "" }, Ct);
        var noMedia = await client.PostAsJsonAsync($"/sandbox/wechat/users/{member}/messages", new { msgType = "image", mediaId = "nope" }, Ct);
        var stranger = await client.PostAsJsonAsync("/sandbox/wechat/users/o-nobody/messages", new { msgType = "text", content = "hi" }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noMedia.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);
    }

    [Fact]
    public async Task Someone_who_unfollowed_cannot_chat()
    {
        await SendAsync(new { msgType = "event", @event = "unsubscribe" });

        var response = await client.PostAsJsonAsync($"/sandbox/wechat/users/{member}/messages", new { msgType = "text", content = "你好" }, Ct);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    private async Task<JsonElement> SendAsync(object message, string? from = null)
    {
        using var response = await client.PostAsJsonAsync($"/sandbox/wechat/users/{from ?? member}/messages", message, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private async Task<string> UploadAsync(byte[] bytes, string app = "oa", string? openid = null)
    {
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(bytes);
        part.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(part, "media", "photo.jpg");
        using var response = await client.PostAsync($"/sandbox/wechat/media?app={app}&openid={openid ?? member}", form, Ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("mediaId").GetString()!;
    }
}
