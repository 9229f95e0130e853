using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WxQms.Api.Infrastructure;
using Microsoft.Extensions.Options;
using MySqlConnector;
using WxQms.Sandbox;
using WxQms.Domain.Model;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Sandbox;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Api;

/// <summary>Mini-program login, binding and /me over the real pipeline, with the sandbox playing WeChat.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class LoginTests(WxQmsApp app, SeededSubdistrict seeded) : IClassFixture<SeededSubdistrict>, IAsyncLifetime
{
    private readonly HttpClient client = app.CreateClient();
    private readonly SandboxDriver wx = new(app);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Assert.False(seeded.Result.AlreadySeeded);
        await wx.ResetWechatAsync();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task A_branch_secretary_logs_in_unbound_binds_by_phone_and_then_logs_in_with_roles()
    {
        var (memberId, branchId, name) = await BranchSecretaryAsync(0);
        var mpOpenid = await MpOpenIdAsync(memberId);

        var first = await LoginAsync(mpOpenid);
        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(JsonValueKind.Null, first.Body.GetProperty("member").ValueKind);
        var expiresAt = first.Body.GetProperty("expiresAt").GetDateTimeOffset();
        Assert.Equal(app.Clock.GetUtcNow().AddHours(2), expiresAt, TimeSpan.FromSeconds(1));
        var unbound = await SendAsync(HttpMethod.Get, "/api/mp/me", first.Token);
        Assert.Equal(HttpStatusCode.OK, unbound.Status);
        Assert.Equal(JsonValueKind.Null, unbound.Body.GetProperty("member").ValueKind);
        var wechatUserId = unbound.Body.GetProperty("wechatUserId").GetInt64();

        var bound = await BindAsync(mpOpenid, first.Token);
        Assert.Equal(HttpStatusCode.OK, bound.Status);
        AssertMember(bound.Body.GetProperty("member"), memberId, name, branchId);
        Assert.Equal(memberId.ToString(), Payload(bound.Token).GetProperty("mid").GetString());

        var again = await LoginAsync(mpOpenid);
        Assert.Equal(HttpStatusCode.OK, again.Status);
        var member = again.Body.GetProperty("member");
        AssertMember(member, memberId, name, branchId);
        Assert.Contains(member.GetProperty("roles").EnumerateArray(), r =>
            r.GetProperty("role").GetString() == Roles.Secretary && r.GetProperty("orgId").GetInt64() == branchId);
        var orgId = await ScalarAsync("SELECT org_id FROM members WHERE id = @memberId", new { memberId });
        Assert.Equal(orgId, member.GetProperty("orgId").GetInt64());
        Assert.Equal(orgId.ToString(), Payload(again.Token).GetProperty("oid").GetString());

        var me = await SendAsync(HttpMethod.Get, "/api/mp/me", again.Token);
        Assert.True(me.Body.TryGetProperty("wechatUserId", out _), me.Body.ToString());
        Assert.Equal(wechatUserId, me.Body.GetProperty("wechatUserId").GetInt64());
        AssertMember(me.Body.GetProperty("member"), memberId, name, branchId);

        Assert.Equal(memberId, await ScalarAsync("SELECT member_id FROM wechat_users WHERE id = @wechatUserId", new { wechatUserId }));
        Assert.Equal(1, await ScalarAsync("""
            SELECT COUNT(*) FROM audit_log
            WHERE action = 'wechat_user.bound' AND entity_type = 'wechat_user' AND entity_id = @wechatUserId
              AND actor_member_id = @memberId
            """, new { wechatUserId, memberId }));
    }

    [Fact]
    public async Task A_member_bound_through_the_official_account_is_recognised_by_unionid()
    {
        var (memberId, branchId, name) = await BranchSecretaryAsync(1);
        var user = (await wx.UsersAsync($"memberId={memberId}"))[0];
        await ExecuteAsync("""
            INSERT INTO wechat_users (app_id, openid, unionid, member_id, created_at, updated_at)
            VALUES (@app, @openid, @unionid, @memberId, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))
            """, new { app = WxQmsApp.OaAppId, openid = user.Str("openid"), unionid = user.Str("unionid"), memberId });

        var login = await LoginAsync(user.Str("mpOpenid"));

        Assert.Equal(HttpStatusCode.OK, login.Status);
        AssertMember(login.Body.GetProperty("member"), memberId, name, branchId);
    }

    [Fact]
    public async Task A_used_login_code_is_refused_with_a_problem()
    {
        var mpOpenid = await MpOpenIdAsync((await BranchSecretaryAsync(2)).MemberId);
        var code = (await wx.PostRawAsync("/sandbox/wechat/mp/jscode", new { openid = mpOpenid })).Str("code");
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/api/mp/login", new { code })).Status);

        var reused = await PostAsync("/api/mp/login", new { code });
        var forged = await PostAsync("/api/mp/login", new { code = "not-a-code", openid = mpOpenid });

        AssertProblem(reused, HttpStatusCode.Unauthorized, "login.invalid_code");
        AssertProblem(forged, HttpStatusCode.Unauthorized, "login.invalid_code");
        Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", reused.Body.GetProperty("detail").GetString()!);
    }

    [Fact]
    public async Task An_empty_login_code_is_a_bad_request()
    {
        AssertProblem(await PostAsync("/api/mp/login", new { code = " " }), HttpStatusCode.BadRequest, "login.code_required");
    }

    [Fact]
    public async Task Me_without_a_token_is_a_401_problem()
    {
        var answer = await SendAsync(HttpMethod.Get, "/api/mp/me", token: null);

        AssertProblem(answer, HttpStatusCode.Unauthorized, "auth.required");
        Assert.Equal("application/problem+json", answer.ContentType);
        AssertProblem(await SendAsync(HttpMethod.Post, "/api/mp/bind", null, new { phoneCode = "x" }),
            HttpStatusCode.Unauthorized, "auth.required");
    }

    [Fact]
    public async Task A_forged_token_is_a_401_problem()
    {
        var login = await LoginAsync(await MpOpenIdAsync((await BranchSecretaryAsync(3)).MemberId));
        var parts = login.Token.Split('.');
        // Same header and signature, a different subject: the signature no longer matches.
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace("\"sub\":\"", "\"sub\":\"9");
        var tampered = $"{parts[0]}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";

        AssertProblem(await SendAsync(HttpMethod.Get, "/api/mp/me", tampered), HttpStatusCode.Unauthorized, "auth.invalid_token");
        AssertProblem(await SendAsync(HttpMethod.Get, "/api/mp/me", "garbage"), HttpStatusCode.Unauthorized, "auth.invalid_token");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/api/mp/me", login.Token)).Status);
    }

    [Fact]
    public async Task A_token_expires_after_two_hours_of_the_apps_clock()
    {
        var login = await LoginAsync(await MpOpenIdAsync((await BranchSecretaryAsync(4)).MemberId));
        await wx.AdvanceAsync(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(59));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/api/mp/me", login.Token)).Status);

        await wx.AdvanceAsync(TimeSpan.FromMinutes(2));
        var expired = await SendAsync(HttpMethod.Get, "/api/mp/me", login.Token);

        AssertProblem(expired, HttpStatusCode.Unauthorized, "auth.token_expired");
    }

    [Fact]
    public async Task A_phone_that_belongs_to_no_member_is_a_polite_404()
    {
        var resident = SandboxUsers.Residents[0];
        var login = await LoginAsync(resident.MpOpenId);
        Assert.Equal(JsonValueKind.Null, login.Body.GetProperty("member").ValueKind);

        var bind = await BindAsync(resident.MpOpenId, login.Token);

        AssertProblem(bind, HttpStatusCode.NotFound, "bind.no_member");
        Assert.Contains("抱歉", bind.Body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_wechat_user_bound_to_one_member_cannot_be_bound_to_another()
    {
        var (memberA, _, _) = await BranchSecretaryAsync(5);
        var (memberB, _, _) = await BranchSecretaryAsync(6);
        var mpOpenid = await MpOpenIdAsync(memberA);
        var login = await LoginAsync(mpOpenid);
        var wechatUserId = (await SendAsync(HttpMethod.Get, "/api/mp/me", login.Token)).Body.GetProperty("wechatUserId").GetInt64();
        // Someone linked this WeChat user to member B (say, a secretary by hand); A's phone must not re-link it.
        await ExecuteAsync("UPDATE wechat_users SET member_id = @memberB WHERE id = @wechatUserId", new { memberB, wechatUserId });

        var bind = await BindAsync(mpOpenid, login.Token);

        AssertProblem(bind, HttpStatusCode.Conflict, "bind.already_bound");
        Assert.Equal(memberB, await ScalarAsync("SELECT member_id FROM wechat_users WHERE id = @wechatUserId", new { wechatUserId }));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'wechat_user.bound' AND entity_id = @wechatUserId",
            new { wechatUserId }));
    }

    [Fact]
    public async Task Binding_twice_to_the_same_member_is_harmless()
    {
        var (memberId, branchId, name) = await BranchSecretaryAsync(7);
        var mpOpenid = await MpOpenIdAsync(memberId);
        var login = await LoginAsync(mpOpenid);

        var first = await BindAsync(mpOpenid, login.Token);
        var second = await BindAsync(mpOpenid, first.Token);

        Assert.Equal(HttpStatusCode.OK, second.Status);
        AssertMember(second.Body.GetProperty("member"), memberId, name, branchId);
    }

    [Fact]
    public async Task The_endpoints_are_in_the_openapi_document()
    {
        var doc = await client.GetStringAsync("/openapi/v1.json", Ct);

        Assert.Contains("\"/api/mp/login\"", doc);
        Assert.Contains("\"/api/mp/bind\"", doc);
        Assert.Contains("\"/api/mp/me\"", doc);
    }

    [Fact]
    public async Task When_wechat_is_busy_login_is_a_503_problem()
    {
        await using var busy = new WechatBusyApp();
        using var busyClient = busy.CreateClient();

        using var response = await busyClient.PostAsJsonAsync("/api/mp/login", new { code = "any" }, Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("wechat.unavailable", body.GetProperty("code").GetString());
    }

    /// <summary>
    /// Starts a host with the Api's own auth registration (through WebApplicationFactory, a failed start
    /// can surface as ObjectDisposedException on a busy machine, hiding the validation error).
    /// </summary>
    [Fact]
    public async Task The_api_does_not_start_with_a_short_signing_key()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Auth:JwtSigningKey"] = "too-short-for-hs256" });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddMpAuth();
        using var host = builder.Build();

        var error = await Assert.ThrowsAnyAsync<OptionsValidationException>(() => host.StartAsync(Ct));
        Assert.Contains("JwtSigningKey", error.Message);
    }

    /// <summary>
    /// The sandbox file's signing key is public: in a real deployment anyone could forge a member's token with it,
    /// so outside the Sandbox and Development environments the Api refuses to start and names the variable to set,
    /// whether or not the sandbox is switched on.
    /// </summary>
    [Theory]
    [InlineData("Sandbox", "true", true)]
    [InlineData("Development", "false", true)]
    [InlineData("Production", "false", false)]
    [InlineData("Production", "true", false)]
    [InlineData("Staging", "true", false)]
    public async Task The_sandbox_demo_signing_key_serves_only_the_sandbox_and_development(string environment, string sandboxEnabled, bool starts)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = environment });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:JwtSigningKey"] = "sandbox-demo-jwt-key-NOT-A-SECRET-0123456789abcdef",
            ["Wechat:Sandbox:Enabled"] = sandboxEnabled,
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddMpAuth();
        using var host = builder.Build();

        if (starts)
        {
            await host.StartAsync(Ct);
            await host.StopAsync(Ct);
            return;
        }
        var error = await Assert.ThrowsAnyAsync<OptionsValidationException>(() => host.StartAsync(Ct));
        Assert.Contains("Auth:JwtSigningKey", error.Message);
        Assert.Contains("Auth__JwtSigningKey", error.Message);
    }

    /// <summary>WeChat answers every call with errcode -1, "system busy".</summary>
    private sealed class WechatBusyApp : WxQmsApp
    {
        protected override HttpMessageHandler CreateWechatHandler() => new BusyHandler();

        private sealed class BusyHandler : HttpMessageHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct) =>
                Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
                {
                    Content = new StringContent("""{"errcode":-1,"errmsg":"system error"}""", Encoding.UTF8, "application/json"),
                });
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    private sealed record Answer(HttpStatusCode Status, JsonElement Body, string? ContentType)
    {
        public string Token => Body.GetProperty("token").GetString()!;
    }

    private static void AssertMember(JsonElement member, long id, string name, long branchId)
    {
        Assert.Equal(id, member.GetProperty("id").GetInt64());
        Assert.Equal(name, member.GetProperty("name").GetString());
        Assert.True(member.GetProperty("orgId").GetInt64() > 0);
        Assert.Contains(member.GetProperty("roles").EnumerateArray(), r =>
            r.GetProperty("role").GetString() == Roles.Secretary && r.GetProperty("orgId").GetInt64() == branchId);
    }

    private static void AssertProblem(Answer answer, HttpStatusCode status, string code)
    {
        Assert.Equal(status, answer.Status);
        Assert.Equal((int)status, answer.Body.GetProperty("status").GetInt32());
        Assert.Equal(code, answer.Body.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(answer.Body.GetProperty("title").GetString()));
    }

    /// <summary>The n-th branch secretary (by member id) who has a phone on record.</summary>
    private static async Task<(long MemberId, long BranchId, string Name)> BranchSecretaryAsync(int n)
    {
        return await QuerySingleAsync<(long, long, string)>("""
            SELECT m.id, r.org_id, m.name
            FROM member_roles r JOIN orgs o ON o.id = r.org_id JOIN members m ON m.id = r.member_id
            WHERE r.role = 'secretary' AND o.kind = 'branch' AND m.phone IS NOT NULL
            ORDER BY m.id LIMIT 1 OFFSET @n
            """, new { n });
    }

    private async Task<string> MpOpenIdAsync(long memberId) =>
        (await wx.UsersAsync($"memberId={memberId}"))[0].Str("mpOpenid");

    private async Task<Answer> LoginAsync(string mpOpenid)
    {
        var code = (await wx.PostRawAsync("/sandbox/wechat/mp/jscode", new { openid = mpOpenid })).Str("code");
        var answer = await PostAsync("/api/mp/login", new { code });
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        return answer;
    }

    private async Task<Answer> BindAsync(string mpOpenid, string token)
    {
        var phoneCode = (await wx.PostRawAsync("/sandbox/wechat/mp/phonecode", new { openid = mpOpenid })).Str("code");
        return await SendAsync(HttpMethod.Post, "/api/mp/bind", token, new { phoneCode });
    }

    private Task<Answer> PostAsync(string url, object body) => SendAsync(HttpMethod.Post, url, null, body);

    private async Task<Answer> SendAsync(HttpMethod method, string url, string? token, object? body = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
            request.Content = JsonContent.Create(body, body.GetType());
        using var response = await client.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.False(string.IsNullOrEmpty(text), $"{method} {url} answered {(int)response.StatusCode} with an empty body");
        AssertNoSessionLeak(text);
        return new Answer(response.StatusCode, JsonDocument.Parse(text).RootElement.Clone(),
            response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>No body says anything of WeChat's session, and a token carries exactly our claims.</summary>
    private static void AssertNoSessionLeak(string body)
    {
        Assert.DoesNotContain("session", body, StringComparison.OrdinalIgnoreCase);
        if (JsonDocument.Parse(body).RootElement is { ValueKind: JsonValueKind.Object } root
            && root.TryGetProperty("token", out var token))
        {
            Assert.All(Payload(token.GetString()!).EnumerateObject(), p => Assert.Contains(p.Name,
                new[] { "sub", "jti", "mid", "oid", "ver", "role", "iss", "aud", "iat", "nbf", "exp" }));
            Assert.DoesNotContain("session", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.GetString()!.Split('.')[1])),
                StringComparison.OrdinalIgnoreCase);
        }
    }

    private static JsonElement Payload(string jwt) =>
        JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[1])).RootElement.Clone();

}
