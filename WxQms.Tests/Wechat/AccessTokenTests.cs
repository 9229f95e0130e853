using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using WxQms.Sandbox;
using WxQms.Domain.Hosting;
using WxQms.Domain.Wechat;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Wechat;

[Collection(IntegrationCollection.Name)]
public sealed class AccessTokenTests(WxQmsApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly SandboxWechat sandbox = app.Get<SandboxWechat>();
    private WechatAppOptions Oa => app.Get<IOptions<WechatOptions>>().Value.Oa;

    /// <summary>A user the sandbox knows without seeding (it answers 40003 to unknown openids).</summary>
    private static readonly string Someone = SandboxUsers.Residents[0].OpenId;

    public async ValueTask InitializeAsync() => await app.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed record UserInfo([property: JsonPropertyName("openid")] string? OpenId);

    [Fact]
    public async Task Two_instances_share_one_token_and_never_rotate_each_others()
    {
        await using var second = new SecondInstance(app);

        var first = await app.Get<AccessTokenProvider>().GetAsync(Oa, Ct);
        var theirs = await second.Get<AccessTokenProvider>().GetAsync(Oa, Ct);

        Assert.Equal(first, theirs);
        Assert.Equal(1, sandbox.Calls(Oa.AppId, "stable_token"));
        Assert.Equal(1, sandbox.StableTokensIssued(Oa.AppId));
        Assert.True((await UserInfoAsync(app)).IsOk);
        Assert.True((await UserInfoAsync(second)).IsOk);
    }

    /// <summary>Every refresh says which app, which instance and why, so a rotation storm can be traced; never the secret.</summary>
    [Fact]
    public async Task A_refresh_is_logged_with_the_app_the_instance_and_the_reason_but_not_the_secret()
    {
        await using var logged = new LoggedInstance(app);

        await logged.Get<AccessTokenProvider>().GetAsync(Oa, Ct);

        var refresh = Assert.Single(logged.Get<FakeLogCollector>().GetSnapshot(),
            r => r.Category == typeof(AccessTokenProvider).FullName && r.Message.Contains("refreshed", StringComparison.Ordinal));
        Assert.Equal(Oa.AppId, refresh.StructuredState!.Single(p => p.Key == "AppId").Value);
        Assert.Equal(InstanceId.Value, refresh.StructuredState!.Single(p => p.Key == "Instance").Value);
        Assert.False(string.IsNullOrWhiteSpace(refresh.StructuredState!.Single(p => p.Key == "Reason").Value));
        Assert.DoesNotContain(Oa.AppSecret, refresh.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_first_calls_fetch_one_token()
    {
        await using var second = new SecondInstance(app);

        var tokens = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            (i % 2 == 0 ? app : second).Get<AccessTokenProvider>().GetAsync(Oa, Ct)));

        Assert.Single(tokens.Distinct());
        Assert.Equal(1, sandbox.Calls(Oa.AppId, "stable_token"));
    }

    [Fact]
    public async Task A_refused_token_is_refreshed_once_and_the_call_retried_once()
    {
        var stale = await app.Get<AccessTokenProvider>().GetAsync(Oa, Ct);
        sandbox.RevokeTokens(Oa.AppId);
        var minted = sandbox.StableTokensIssued(Oa.AppId);
        var attempts = sandbox.Attempts("user/info");

        var result = await UserInfoAsync(app);

        Assert.True(result.IsOk, result.ErrMsg);
        Assert.Equal(Someone, result.Value!.OpenId);
        Assert.Equal(minted + 1, sandbox.StableTokensIssued(Oa.AppId));
        Assert.Equal(attempts + 2, sandbox.Attempts("user/info"));
        Assert.NotEqual(stale, await app.Get<AccessTokenProvider>().GetAsync(Oa, Ct));
    }

    [Fact]
    public async Task A_token_refused_again_after_the_refresh_is_not_retried_in_a_loop()
    {
        _ = await app.Get<AccessTokenProvider>().GetAsync(Oa, Ct);
        sandbox.RejectAllTokens(Oa.AppId);
        var fetches = sandbox.Calls(Oa.AppId, "stable_token");
        var attempts = sandbox.Attempts("user/info");

        var result = await UserInfoAsync(app);

        Assert.Equal(WechatErrors.InvalidCredential, result.ErrCode);
        Assert.Equal(attempts + 2, sandbox.Attempts("user/info"));
        Assert.Equal(fetches + 1, sandbox.Calls(Oa.AppId, "stable_token"));
    }

    [Fact]
    public async Task A_daily_quota_error_is_returned_without_a_retry()
    {
        var used = sandbox.Calls(Oa.AppId, "user/info");
        sandbox.SetDailyLimit(Oa.AppId, "user/info", used);

        var result = await UserInfoAsync(app);

        Assert.Equal(WechatErrors.DailyQuota, result.ErrCode);
        Assert.Contains("rid:", result.ErrMsg);
        Assert.Equal(used + 1, sandbox.Calls(Oa.AppId, "user/info"));
    }

    [Fact]
    public async Task The_shared_token_is_cached_until_300_seconds_before_it_expires()
    {
        var provider = app.Get<AccessTokenProvider>();
        var token = await provider.GetAsync(Oa, Ct);
        var minted = sandbox.StableTokensIssued(Oa.AppId);

        var redis = app.Get<StackExchange.Redis.IConnectionMultiplexer>().GetDatabase();
        var ttl = await redis.KeyTimeToLiveAsync(WxQms.Domain.Caching.RedisKeys.WxAccessToken(Oa.AppId));

        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(6890), TimeSpan.FromSeconds(6900));
        Assert.Equal(token, await provider.GetAsync(Oa, Ct));
        Assert.Equal(minted, sandbox.StableTokensIssued(Oa.AppId));
    }

    [Fact]
    public async Task With_redis_down_each_instance_keeps_its_own_copy_of_the_stable_token()
    {
        await using var lonely = new NoRedisApp();
        var sandboxOfLonely = lonely.Get<SandboxWechat>();
        var oa = lonely.Get<IOptions<WechatOptions>>().Value.Oa;

        var first = await lonely.Get<AccessTokenProvider>().GetAsync(oa, Ct);
        var second = await lonely.Get<AccessTokenProvider>().GetAsync(oa, Ct);
        var call = await UserInfoAsync(lonely);

        Assert.Equal(first, second);
        Assert.Equal(1, sandboxOfLonely.Calls(oa.AppId, "stable_token"));
        Assert.True(call.IsOk, call.ErrMsg);
    }

    [Fact]
    public async Task A_wrong_secret_is_reported_not_retried()
    {
        var wrong = new WechatAppOptions { AppId = Oa.AppId, AppSecret = "not-the-secret" };

        var ex = await Assert.ThrowsAsync<WechatApiException>(() => app.Get<AccessTokenProvider>().GetAsync(wrong, Ct));

        Assert.Equal(WechatErrors.InvalidAppSecret, ex.ErrCode);
    }

    [Fact]
    public async Task The_sandbox_token_endpoints_answer_like_wechat()
    {
        var client = app.CreateClient();

        var stable1 = await client.PostAsJsonAsync("/sandbox/wechat/cgi-bin/stable_token",
            new { grant_type = "client_credential", appid = Oa.AppId, secret = Oa.AppSecret }, Ct);
        var stable2 = await client.PostAsJsonAsync("/sandbox/wechat/cgi-bin/stable_token",
            new { grant_type = "client_credential", appid = Oa.AppId, secret = Oa.AppSecret }, Ct);
        var plain1 = await client.GetFromJsonAsync<JsonElement>(
            $"/sandbox/wechat/cgi-bin/token?grant_type=client_credential&appid={Oa.AppId}&secret={Oa.AppSecret}", Ct);
        var plain2 = await client.GetFromJsonAsync<JsonElement>(
            $"/sandbox/wechat/cgi-bin/token?grant_type=client_credential&appid={Oa.AppId}&secret={Oa.AppSecret}", Ct);
        var badApp = await client.GetFromJsonAsync<JsonElement>(
            "/sandbox/wechat/cgi-bin/token?grant_type=client_credential&appid=wx0000000000000000&secret=x", Ct);

        var s1 = await stable1.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var s2 = await stable2.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(s1.GetProperty("access_token").GetString(), s2.GetProperty("access_token").GetString());
        Assert.False(s1.TryGetProperty("errcode", out _));
        Assert.NotEqual(plain1.GetProperty("access_token").GetString(), plain2.GetProperty("access_token").GetString());
        Assert.Equal(40013, badApp.GetProperty("errcode").GetInt32());

        // The old cgi-bin/token stays valid for the 5-minute grace period, then 40001.
        var old = plain1.GetProperty("access_token").GetString();
        Assert.False((await UserInfoRawAsync(client, old)).TryGetProperty("errcode", out _));
        app.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        Assert.Equal(40001, (await UserInfoRawAsync(client, old)).GetProperty("errcode").GetInt32());
    }

    private static Task<WechatResult<UserInfo>> UserInfoAsync(WxQmsApp instance) =>
        instance.Get<WechatApi>().GetAsync<UserInfo>(instance.Get<IOptions<WechatOptions>>().Value.Oa,
            $"cgi-bin/user/info?openid={Someone}&lang=zh_CN", Ct);

    private static async Task<JsonElement> UserInfoRawAsync(HttpClient client, string? token) =>
        await client.GetFromJsonAsync<JsonElement>($"/sandbox/wechat/cgi-bin/user/info?access_token={token}&openid={Someone}", Ct);

    /// <summary>An instance whose Redis is unreachable (nothing listens on port 1).</summary>
    private sealed class NoRedisApp : WxQmsApp
    {
        protected override string RedisConnectionString => "127.0.0.1:1,abortConnect=false,connectTimeout=200";
    }

    /// <summary>A second instance, as below, whose token provider's log is collected.</summary>
    private sealed class LoggedInstance(WxQmsApp first) : WxQmsApp
    {
        protected override HttpMessageHandler CreateWechatHandler() => first.Server.CreateHandler();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(s => s.AddFakeLogging());
            builder.ConfigureLogging(l => l.AddFilter<FakeLoggerProvider>(typeof(AccessTokenProvider).FullName, LogLevel.Information));
        }
    }

    /// <summary>A second Api instance on the same Redis whose WeChat calls reach the first one's sandbox.</summary>
    private sealed class SecondInstance(WxQmsApp first) : WxQmsApp
    {
        protected override HttpMessageHandler CreateWechatHandler() => first.Server.CreateHandler();
    }
}
