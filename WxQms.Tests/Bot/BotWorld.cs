using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using WxQms.Api.MiniProgram;
using WxQms.Domain.Services.Bot;
using WxQms.Domain.Wechat.Callbacks;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Sandbox;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Bot;

/// <summary>A seeded member as the bot tests use them: who they are, and their two WeChat identities.</summary>
public sealed record Person(long MemberId, string Name, string Phone, long OrgId, string OrgName, string OpenId, string MpOpenId)
{
    public string Answer => $"{Name} {Phone[^4..]}";
}

/// <summary>
/// The demo subdistrict seen from the official-account chat: finds seeded people by role, lets them scan,
/// type and send photos through the sandbox over HTTP (signed and encrypted, as WeChat pushes), and runs
/// the work that follows the acknowledgement (downloads, settling bursts) on the test clock.
/// </summary>
public sealed class BotWorld(WxQmsApp app, SandboxDriver wx)
{
    /// <summary>A world driving a sandbox of its own.</summary>
    public BotWorld(WxQmsApp app) : this(app, new SandboxDriver(app))
    {
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public SandboxDriver Wx => wx;

    public HttpClient Http => wx.Http;

    /// <summary>Forgets what the bot knows (bindings, dialogues, codes, photos, the trail, Redis), keeping members and tasks.</summary>
    public async Task ForgetAsync()
    {
        await ExecuteAsync("""
            SET FOREIGN_KEY_CHECKS = 0;
            TRUNCATE TABLE chat_photos; TRUNCATE TABLE task_chat_photos; TRUNCATE TABLE chat_photo_sets;
            TRUNCATE TABLE bot_dialogues; TRUNCATE TABLE bind_attempts; TRUNCATE TABLE bind_codes; TRUNCATE TABLE inbound_media;
            TRUNCATE TABLE wechat_inbound; TRUNCATE TABLE wechat_users; TRUNCATE TABLE audit_log;
            SET FOREIGN_KEY_CHECKS = 1;
            """);
        await app.FlushRedisAsync();
        await wx.ResetWechatAsync();
    }

    /// <summary>The n-th holder (by member id) of a role in an org of a kind, with a phone number.</summary>
    public async Task<Person> WithRoleAsync(string role, string orgKind, int skip = 0)
    {
        return await FirstPersonAsync("""
            SELECT m.id, m.name, m.phone, r.org_id, o.name
            FROM member_roles r JOIN members m ON m.id = r.member_id JOIN orgs o ON o.id = r.org_id
            WHERE r.role = @role AND o.kind = @orgKind AND m.phone IS NOT NULL AND m.status IN ('full', 'probationary')
            ORDER BY m.id LIMIT 1 OFFSET @skip
            """, new { role, orgKind, skip });
    }

    /// <summary>
    /// The first holder (by member id) of a role in the org with that code, with a phone number; one holding no role
    /// elsewhere first (a secretary who also sits on the community's committee sees the community on her 工作台).
    /// </summary>
    public async Task<Person> HolderAsync(string role, string orgCode)
    {
        return await FirstPersonAsync("""
            SELECT m.id, m.name, m.phone, r.org_id, o.name
            FROM member_roles r JOIN members m ON m.id = r.member_id JOIN orgs o ON o.id = r.org_id
            WHERE r.role = @role AND o.code = @orgCode AND m.phone IS NOT NULL
            ORDER BY (SELECT COUNT(*) FROM member_roles x WHERE x.member_id = m.id AND x.org_id <> r.org_id AND x.role <> 'member'), m.id
            LIMIT 1
            """, new { role, orgCode });
    }

    /// <summary>A plain member of a branch other than <paramref name="notBranch"/>.</summary>
    public async Task<Person> PlainMemberAsync(long notBranch)
    {
        return await FirstPersonAsync("""
            SELECT m.id, m.name, m.phone, o.id, o.name
            FROM members m JOIN orgs o ON o.id = m.org_id
            WHERE o.kind = 'branch' AND o.id <> @notBranch AND m.phone IS NOT NULL AND m.status = 'full'
              AND NOT EXISTS (SELECT 1 FROM member_roles r WHERE r.member_id = m.id AND r.role <> 'member')
            ORDER BY m.id LIMIT 1
            """, new { notBranch });
    }

    /// <summary>The n-th sandbox resident: someone with WeChat and no member record (a stranger to every branch).</summary>
    public static Person Resident(int n)
    {
        var r = WxQms.Sandbox.SandboxUsers.Residents[n];
        return new Person(0, r.Name, r.Phone, 0, "", r.OpenId, r.MpOpenId);
    }

    /// <summary>The first row of a query for (member id, name, phone, org id, org name), with the member's WeChat identities.</summary>
    private async Task<Person> FirstPersonAsync(string sql, object args)
    {
        var row = (await QueryAsync<(long Id, string Name, string Phone, long OrgId, string OrgName)>(sql, args)).First();
        var user = (await wx.UsersAsync($"memberId={row.Id}"))[0];
        return new Person(row.Id, row.Name, row.Phone, row.OrgId, row.OrgName, user.Str("openid"), user.Str("mpOpenid"));
    }

    /// <summary>Office staff print the org's binding QR code: the PNG and the url the sandbox says it encodes.</summary>
    public async Task<(byte[] Png, string Url, DateTimeOffset ExpiresAt)> PrintCodeAsync(string staffToken, long orgId)
    {
        using var response = await Http.SendAsync(HttpMethod.Get, $"/api/mp/orgs/{orgId}/bind-qrcode", staffToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        var expires = DateTimeOffset.Parse(response.Headers.GetValues(BindCodeEndpoints.ExpiresHeader).Single(),
            System.Globalization.CultureInfo.InvariantCulture);
        var png = await response.Content.ReadAsByteArrayAsync(Ct);
        var url = await QuerySingleAsync<string>(
            "SELECT qr_url FROM bind_codes WHERE org_id = @orgId ORDER BY id DESC LIMIT 1", new { orgId });
        // The code WeChat made is live in the sandbox, where phones scan it.
        Assert.Contains((await wx.GetJsonAsync("/sandbox/wechat/qrcodes")).GetProperty("qrcodes").EnumerateArray(),
            q => q.Str("url") == url);
        return (png, url!, expires);
    }

    /// <summary>
    /// The user scans a code; the answer of the sandbox helper (410 for a dead code). The clock moves a
    /// second first: an event has no MsgId, so WeChat (and our inbox) take two scans in the same second
    /// by the same user for one delivery retried.
    /// </summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> ScanAsync(Person who, string url)
    {
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        using var response = await Http.PostAsJsonAsync($"/sandbox/wechat/users/{who.OpenId}/scan", new { url }, Ct);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(Ct));
    }

    public async Task<string?> ScanReplyAsync(Person who, string url)
    {
        var (status, body) = await ScanAsync(who, url);
        Assert.Equal(HttpStatusCode.OK, status);
        return Reply(body);
    }

    public async Task<JsonElement> SendAsync(Person who, object message)
    {
        using var response = await Http.PostAsJsonAsync($"/sandbox/wechat/users/{who.OpenId}/messages", message, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    public async Task<string?> SayAsync(Person who, string text) => Reply(await SendAsync(who, new { msgType = "text", content = text }));

    public async Task<string?> TapAsync(Person who, string key) =>
        Reply(await SendAsync(who, new { msgType = "event", @event = "CLICK", eventKey = key }));

    public static string? Reply(JsonElement answer) =>
        answer.TryGetProperty("reply", out var r) && r.ValueKind == JsonValueKind.Object && r.TryGetProperty("text", out var t)
            ? t.GetString()
            : null;

    public async Task FollowAsync(Person who) => await SendAsync(who, new { msgType = "event", @event = "subscribe" });

    /// <summary>Scans the org's code and answers with name and phone digits: bound.</summary>
    public async Task BindAsync(Person who, string url)
    {
        await ScanReplyAsync(who, url);
        Assert.StartsWith("绑定成功", await SayAsync(who, who.Answer));
    }

    /// <summary>
    /// A complete JPEG as far as headers go (SOI, a 640×480 SOF0, SOS, scan data, EOI) whose bytes differ with
    /// <paramref name="seed"/>.
    /// </summary>
    public static byte[] Jpeg(int seed)
    {
        var body = new byte[64 + seed % 50];
        new Random(seed).NextBytes(body);
        return
        [
            0xFF, 0xD8,
            0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0xE0, 0x02, 0x80, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01,
            0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3F, 0x00,
            .. body, 0xFF, 0xD9,
        ];
    }

    /// <summary>The user uploads a photo to WeChat and sends it in the chat; the answer WeChat got from us.</summary>
    public async Task<JsonElement> SendPhotoAsync(Person who, byte[] bytes)
    {
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(bytes);
        part.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(part, "media", "photo.jpg");
        using var uploaded = await Http.PostAsync($"/sandbox/wechat/media?app=oa&openid={who.OpenId}", form, Ct);
        uploaded.EnsureSuccessStatusCode();
        var mediaId = (await uploaded.Content.ReadFromJsonAsync<JsonElement>(Ct)).Str("mediaId");
        return await SendAsync(who, new { msgType = "image", mediaId });
    }

    /// <summary>What happens after the acknowledgements: photos downloaded, the burst goes quiet and is settled.</summary>
    public async Task AfterTheBurstAsync()
    {
        await app.Get<InboundMediaDownloader>().DownloadDueAsync(app.Clock.GetUtcNow(), Ct);
        app.Clock.Advance(app.Get<Microsoft.Extensions.Options.IOptionsMonitor<BotOptions>>().CurrentValue.PhotoBurstQuiet
            + TimeSpan.FromSeconds(1));
        await app.Get<ChatPhotoService>().SettleDueAsync(app.Clock.GetUtcNow(), Ct);
    }

    /// <summary>Customer-service texts the account sent the user (not passive replies).</summary>
    public async Task<string[]> CustomerServiceTextsAsync(Person who) =>
        (await wx.InboxAsync(who.OpenId)).Where(m => m.Str("kind") == "custom").Select(m => m.Str("text")).ToArray();

    public async Task<JsonElement> GetAsync(string url, string token)
    {
        using var response = await Http.SendAsync(HttpMethod.Get, url, token);
        return await response.JsonAsync();
    }
}
