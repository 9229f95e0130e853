using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using WxQms.Sandbox;
using WxQms.Tests.Browser;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Sandbox;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Wishes;

/// <summary>
/// The people of the micro-wish tests over the demo subdistrict: residents signed in to the mini program
/// through the sandbox (wx.login → /api/mp/login, no member record), members and staff with tokens of their
/// own sandbox identity, and helpers for the wish routes.
/// </summary>
public sealed class WishWorld(WxQmsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public HttpClient Api { get; } = app.CreateClient();

    public SandboxDriver Wx { get; } = new(app);

    public long Community { get; private set; }

    public long OtherCommunity { get; private set; }

    public async Task InitializeAsync()
    {
        await app.SeedDemoAsync();
        Community = await Seeded.OrgAsync("DFL-C01");
        OtherCommunity = await Seeded.OrgAsync("DFL-C02");
    }

    public sealed record Person(long WechatUserId, long? MemberId, string MpOpenId, string Token, string Name);

    /// <summary>A resident (a sandbox user without a member record) signed in to the mini program.</summary>
    public async Task<Person> ResidentAsync(string name)
    {
        var user = (await Wx.UsersAsync($"q={Uri.EscapeDataString(name)}")).Single(u => u.GetProperty("memberId").ValueKind == JsonValueKind.Null);
        var mpOpenId = user.Str("mpOpenid");
        var token = await Wx.SignInAsync(Api, mpOpenId, bind: false);
        var id = await ScalarAsync("SELECT id FROM wechat_users WHERE app_id = @app AND openid = @mpOpenId",
            new { app = WxQmsApp.MpAppId, mpOpenId });
        return new Person(id, null, mpOpenId, token, name);
    }

    /// <summary>A member signed in to the mini program with their own sandbox identity and their roles.</summary>
    public async Task<Person> MemberAsync(long memberId)
    {
        var signedIn = await app.IssueAsync(memberId);
        return new Person(signedIn.WechatUserId, memberId, signedIn.MpOpenId, signedIn.Token, signedIn.Name);
    }

    /// <summary>The n-th plain full member of the community's branches (no other role).</summary>
    public async Task<Person> PlainMemberAsync(int n, string community = "DFL-C01") => await MemberAsync(await ScalarAsync("""
        SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id
        WHERE o.code LIKE CONCAT(@community, '-%') AND m.status = 'full'
          AND NOT EXISTS (SELECT 1 FROM member_roles r WHERE r.member_id = m.id AND r.role <> 'member')
        ORDER BY m.id LIMIT 1 OFFSET @n
        """, new { community, n }));

    /// <summary>A holder of the role at the org with this code.</summary>
    public async Task<Person> HolderAsync(string role, string orgCode) => await MemberAsync(await Seeded.HolderAsync(role, orgCode));

    public async Task<string> UploadAsync(Person who, byte[] png)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(png);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "file", "photo.png");
        using var response = await SendAsync(HttpMethod.Post, "/api/mp/uploads", who, form);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("token").GetString()!;
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, Person who, HttpContent? content = null) =>
        Api.SendAsync(method, url, who.Token, content);

    public Task<HttpResponseMessage> PostAsync(string url, Person who, object body) =>
        SendAsync(HttpMethod.Post, url, who, JsonContent.Create(body));

    /// <summary>POSTs and insists on the status; the body as JSON.</summary>
    public async Task<JsonElement> ExpectAsync(System.Net.HttpStatusCode status, string url, Person who, object body)
    {
        using var response = await PostAsync(url, who, body);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(status == response.StatusCode, $"{url}: expected {status}, got {(int)response.StatusCode} {json}");
        return json;
    }

    public async Task<System.Net.HttpStatusCode> ExpectNoContentAsync(string url, Person who, object body)
    {
        using var response = await PostAsync(url, who, body);
        return response.StatusCode;
    }

    public async Task<JsonElement> GetAsync(string url, Person who)
    {
        using var response = await SendAsync(HttpMethod.Get, url, who);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    public Task<JsonElement> PostWishAsync(Person who, string title = "帮忙更换楼道灯泡", string description = "三楼楼道灯坏了，老人晚上上下楼不方便",
        IReadOnlyList<string>? photos = null, long? community = null, string? name = null) =>
        ExpectAsync(System.Net.HttpStatusCode.Created, "/api/mp/wishes", who,
            new { title, description, communityId = community ?? Community, name, photoTokens = photos ?? [] });

    /// <summary>Posted, approved by the community's committee: published.</summary>
    public async Task<JsonElement> PublishedWishAsync(Person wisher, Person moderator, string title = "帮忙更换楼道灯泡")
    {
        var wish = await PostWishAsync(wisher, title);
        return await ExpectAsync(System.Net.HttpStatusCode.OK, $"/api/mp/wishes/{wish.Id()}/approve", moderator, new { version = wish.Version() });
    }

    public Task<int> DeliverPushesAsync() => SandboxConversation.DeliverPendingAsync(Wx.Sandbox, app.Get<SandboxPush>(), Ct);

    public static byte[] Png(int seed) => TestPng.Create(16 + seed, 12 + seed);
}

public static class WishJson
{
    public static long Id(this JsonElement w) => w.GetProperty("id").GetInt64();

    public static int Version(this JsonElement w) => w.GetProperty("version").GetInt32();

    public static string Status(this JsonElement w) => w.GetProperty("status").GetString()!;

    public static string Code(this JsonElement problem) => problem.GetProperty("code").GetString()!;
}
