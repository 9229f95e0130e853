using System.Net.Http.Json;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Options;
using WxQms.Sandbox;
using WxQms.Domain.Services;
using WxQms.Domain.Wechat;
using WxQms.Sandbox.Demo;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Sandbox;

/// <summary>
/// Calls the sandbox over HTTP the way our WeChat client would (token in the query, JSON with real
/// Chinese characters), and reads the raw answers so tests see exactly WeChat's body shapes.
/// </summary>
public sealed class SandboxDriver(WxQmsApp app)
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public HttpClient Http { get; } = app.CreateClient();

    public SandboxWechat Sandbox { get; } = app.Get<SandboxWechat>();

    public WechatOptions Options => app.Get<IOptions<WechatOptions>>().Value;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public Task<string> TokenAsync(SandboxApp which) =>
        app.Get<AccessTokenProvider>().GetAsync(AppOptions(which), Ct);

    private WechatAppOptions AppOptions(SandboxApp which) => which == SandboxApp.Oa ? Options.Oa : Options.Mp;

    /// <summary>
    /// Moves the shared clock on. Redis keeps the cached tokens by real time, so the ones the sandbox
    /// now considers expired are renewed, as our client would after a 42001.
    /// </summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        var stale = new Dictionary<SandboxApp, string>
        {
            [SandboxApp.Oa] = await TokenAsync(SandboxApp.Oa),
            [SandboxApp.Mp] = await TokenAsync(SandboxApp.Mp),
        };
        app.Clock.Advance(by);
        foreach (var (which, token) in stale)
            await app.Get<AccessTokenProvider>().RenewAsync(AppOptions(which), token, "test clock advanced", Ct);
    }

    /// <summary>
    /// A fresh WeChat for the next test: the sandbox forgets everything and our cached tokens go, while
    /// the seeded members stay (seeding them again for every test would cost a second each).
    /// </summary>
    public async Task ResetWechatAsync()
    {
        Sandbox.Reset();
        var redis = app.Get<StackExchange.Redis.IConnectionMultiplexer>().GetDatabase();
        await redis.KeyDeleteAsync([WxQms.Domain.Caching.RedisKeys.WxAccessToken(Options.Oa.AppId),
            WxQms.Domain.Caching.RedisKeys.WxAccessToken(Options.Mp.AppId)]);
    }

    /// <summary>Writes the demo subdistrict (about 2,100 members) into the freshly reset database.</summary>
    public async Task SeedAsync() => await app.Get<DemoSeeder>().SeedAsync(Ct);

    /// <summary>
    /// Signs a seeded member into the mini-program API as the phone would: wx.login code → login →
    /// bind with the phone WeChat vouches for. Returns the bearer token with the member's roles.
    /// </summary>
    public async Task<string> SignInMemberAsync(HttpClient api, long memberId) =>
        await SignInAsync(api, (await UsersAsync($"memberId={memberId}"))[0].Str("mpOpenid"), bind: true);

    /// <summary>Logs a mini-program user in; without <paramref name="bind"/> the token stays unbound.</summary>
    public async Task<string> SignInAsync(HttpClient api, string mpOpenid, bool bind)
    {
        var code = (await PostRawAsync("/sandbox/wechat/mp/jscode", new { openid = mpOpenid })).Str("code");
        var login = await (await api.PostAsJsonAsync("/api/mp/login", new { code }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var token = login.GetProperty("token").GetString()!;
        if (!bind)
            return token;
        var phoneCode = (await PostRawAsync("/sandbox/wechat/mp/phonecode", new { openid = mpOpenid })).Str("code");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/mp/bind") { Content = JsonContent.Create(new { phoneCode }) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var bound = await api.SendAsync(request, Ct);
        Assert.Equal(System.Net.HttpStatusCode.OK, bound.StatusCode);
        return (await bound.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("token").GetString()!;
    }

    public async Task<JsonElement> PostAsync(SandboxApp which, string path, object body) =>
        await PostRawAsync($"/sandbox/wechat/{path}?access_token={await TokenAsync(which)}", body);

    public async Task<JsonElement> PostRawAsync(string url, object body)
    {
        using var content = JsonContent.Create(body, body.GetType(), options: Relaxed);
        using var response = await Http.PostAsync(url, content, Ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    public async Task<JsonElement> GetAsync(SandboxApp which, string pathAndQuery) =>
        await GetJsonAsync($"/sandbox/wechat/{pathAndQuery}{(pathAndQuery.Contains('?') ? '&' : '?')}access_token={await TokenAsync(which)}");

    public async Task<JsonElement> GetJsonAsync(string url) => await Http.GetFromJsonAsync<JsonElement>(url, Ct);

    /// <summary>cgi-bin/media/upload with the file in the multipart part named "media".</summary>
    public async Task<JsonElement> UploadAsync(SandboxApp which, string type, byte[] content, string fileName = "photo.jpg")
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(content), "media", fileName);
        using var response = await Http.PostAsync(
            $"/sandbox/wechat/cgi-bin/media/upload?access_token={await TokenAsync(which)}&type={type}", form, Ct);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    /// <summary>Bytes that sniff as JPEG (FF D8 FF) followed by a deterministic pattern.</summary>
    public static byte[] Jpeg(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        bytes[0] = 0xFF;
        bytes[1] = 0xD8;
        bytes[2] = 0xFF;
        return bytes;
    }

    /// <summary>GET /sandbox/wechat/users with a query such as "follows=true&amp;limit=5".</summary>
    public async Task<JsonElement[]> UsersAsync(string query = "") =>
        (await GetJsonAsync($"/sandbox/wechat/users?{query}")).GetProperty("users").EnumerateArray().ToArray();

    public async Task<JsonElement[]> InboxAsync(string openid) =>
        (await GetJsonAsync($"/sandbox/wechat/users/{openid}/inbox")).GetProperty("messages").EnumerateArray().ToArray();

    /// <summary>A user who follows the official account (made to, whatever the default draw).</summary>
    public async Task<(string OpenId, string MpOpenId)> FollowerAsync()
    {
        var user = (await UsersAsync("limit=1"))[0];
        var openid = user.GetProperty("openid").GetString()!;
        Sandbox.Users.SetFollows(openid, true);
        return (openid, user.GetProperty("mpOpenid").GetString()!);
    }
}

/// <summary>Reads WeChat's envelope: a missing errcode means success (PROTOCOL §9).</summary>
public static class WechatBody
{
    public static int ErrCode(this JsonElement body) =>
        body.TryGetProperty("errcode", out var code) ? code.GetInt32() : 0;

    public static string ErrMsg(this JsonElement body) =>
        body.TryGetProperty("errmsg", out var msg) ? msg.GetString() ?? "" : "";

    public static string Str(this JsonElement body, string name) => body.GetProperty(name).GetString()!;
}
