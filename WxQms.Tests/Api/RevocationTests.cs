using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using WxQms.Domain.Model;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Bot;
using WxQms.Tests.Bot;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Sandbox;

namespace WxQms.Tests.Api;

/// <summary>
/// Revocation (issue #15): a mini-program token says who the user was when it was issued; unbinding, a role
/// change or leaving the roll makes the tokens issued before refused (401 auth.revoked) within the short cache
/// of the member's token version, and the H5 pages follow the current link of the WeChat user.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class RevocationTests(WxQmsApp app, SeededSubdistrict seeded) : IClassFixture<SeededSubdistrict>, IAsyncLifetime
{
    /// <summary>
    /// These tests unbind, move and strike off branch secretaries: they take theirs from the far end of the list (DFL-C13 and
    /// C15), so the login and binding tests running beside them, which take the first few, never lose theirs mid-test.
    /// </summary>
    private const int Apart = 54;

    private readonly BotWorld world = new(app);
    private SandboxDriver wx => world.Wx;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Assert.False(seeded.Result.AlreadySeeded);
        await world.ForgetAsync();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Unbinding_in_the_chat_unbinds_the_mini_program_too_and_refuses_the_tokens_issued_before()
    {
        var secretary = await world.WithRoleAsync(Roles.Secretary, "branch", skip: Apart);
        var staff = await wx.SignInMemberAsync(world.Http, (await world.WithRoleAsync(Roles.Staff, "subdistrict")).MemberId);
        var (_, url, _) = await world.PrintCodeAsync(staff, secretary.OrgId);
        await LoginAsync(secretary.MpOpenId); // the mini program has met her before she binds in the chat
        await world.BindAsync(secretary, url);
        var token = (await LoginAsync(secretary.MpOpenId)).GetProperty("token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await MeAsync(token)).Status);

        Assert.Equal(BotReplies.Unbound(secretary.Name), await world.SayAsync(secretary, "解绑"));

        var refused = await MeAsync(token);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
        Assert.Equal("auth.revoked", refused.Code);
        Assert.Equal(0, await TestDb.ScalarAsync("SELECT COUNT(*) FROM wechat_users WHERE member_id = @m", new { m = secretary.MemberId }));
        Assert.Equal(JsonValueKind.Null, (await LoginAsync(secretary.MpOpenId)).GetProperty("member").ValueKind);
    }

    [Fact]
    public async Task A_role_taken_away_refuses_the_tokens_issued_before_and_the_next_login_has_the_new_roles()
    {
        var secretary = await world.WithRoleAsync(Roles.Secretary, "branch", skip: Apart + 1);
        var token = await wx.SignInMemberAsync(world.Http, secretary.MemberId);
        Assert.Equal(HttpStatusCode.OK, (await MeAsync(token)).Status);

        await app.Get<MemberService>().RevokeRoleAsync(secretary.MemberId, Roles.Secretary, secretary.OrgId, "test", Ct);

        var refused = await MeAsync(token);
        Assert.Equal((HttpStatusCode.Unauthorized, "auth.revoked"), (refused.Status, refused.Code));
        var again = await LoginAsync(secretary.MpOpenId);
        Assert.DoesNotContain(again.GetProperty("member").GetProperty("roles").EnumerateArray(), r => r.Str("role") == Roles.Secretary);
        Assert.Equal(HttpStatusCode.OK, (await MeAsync(again.GetProperty("token").GetString()!)).Status);
    }

    [Fact]
    public async Task Another_instance_refuses_a_revoked_token_within_its_cache_time_and_so_does_one_without_redis()
    {
        var member = await world.PlainMemberAsync(notBranch: 0);
        var token = await wx.SignInMemberAsync(world.Http, member.MemberId);
        await using var second = new SecondInstance(app);
        await using var lonely = new NoRedisApp(app);
        using var secondHttp = second.CreateClient();
        using var lonelyHttp = lonely.CreateClient();
        second.Clock.SetUtcNow(app.Clock.GetUtcNow());
        lonely.Clock.SetUtcNow(app.Clock.GetUtcNow());
        Assert.Equal(HttpStatusCode.OK, (await MeAsync(token, secondHttp)).Status);
        Assert.Equal(HttpStatusCode.OK, (await MeAsync(token, lonelyHttp)).Status);

        await app.Get<MemberService>().SetStatusAsync(member.MemberId, MemberStatus.Deceased, "test", Ct);
        second.Clock.Advance(TimeSpan.FromSeconds(6));
        lonely.Clock.Advance(TimeSpan.FromSeconds(6));

        Assert.Equal("auth.revoked", (await MeAsync(token, secondHttp)).Code);
        Assert.Equal("auth.revoked", (await MeAsync(token, lonelyHttp)).Code);
    }

    [Fact]
    public async Task A_member_who_transferred_out_signs_in_without_roles_and_cannot_bind_by_phone()
    {
        var member = await world.WithRoleAsync(Roles.Secretary, "branch", skip: Apart + 2);
        var token = await wx.SignInMemberAsync(world.Http, member.MemberId);

        await app.Get<MemberService>().SetStatusAsync(member.MemberId, MemberStatus.TransferredOut, "test", Ct);

        Assert.Equal("auth.revoked", (await MeAsync(token)).Code);
        var login = await LoginAsync(member.MpOpenId);
        Assert.Equal(JsonValueKind.Null, login.GetProperty("member").ValueKind);
        var phoneCode = (await wx.PostRawAsync("/sandbox/wechat/mp/phonecode", new { openid = member.MpOpenId })).Str("code");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/mp/bind") { Content = JsonContent.Create(new { phoneCode }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("token").GetString());
        using var bind = await world.Http.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, bind.StatusCode);
        Assert.Equal("bind.not_on_roll", (await bind.Content.ReadFromJsonAsync<JsonElement>(Ct)).Str("code"));
    }

    [Fact]
    public async Task The_ranking_pages_cookie_stops_working_once_the_wechat_user_is_unbound()
    {
        var secretary = await world.WithRoleAsync(Roles.Secretary, "branch", skip: Apart + 4);
        var staff = await wx.SignInMemberAsync(world.Http, (await world.WithRoleAsync(Roles.Staff, "subdistrict")).MemberId);
        var (_, url, _) = await world.PrintCodeAsync(staff, secretary.OrgId);
        await world.BindAsync(secretary, url);
        var token = (await LoginAsync(secretary.MpOpenId)).GetProperty("token").GetString()!;
        using var browser = app.CreateClient(); // keeps the page's cookie
        using (var first = await browser.GetAsync($"/h5/ranking?token={token}", Ct))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using (var withCookie = await browser.GetAsync("/h5/ranking", Ct))
            Assert.Equal(HttpStatusCode.OK, withCookie.StatusCode);

        await world.SayAsync(secretary, "解绑");

        using var after = await browser.GetAsync("/h5/ranking", Ct);
        Assert.Equal(HttpStatusCode.Forbidden, after.StatusCode);
        Assert.Contains("请先绑定党员身份", await after.Content.ReadAsStringAsync(Ct));
    }

    private async Task<JsonElement> LoginAsync(string mpOpenId)
    {
        var code = (await wx.PostRawAsync("/sandbox/wechat/mp/jscode", new { openid = mpOpenId })).Str("code");
        using var response = await world.Http.PostAsJsonAsync("/api/mp/login", new { code }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private async Task<(HttpStatusCode Status, string? Code)> MeAsync(string token, HttpClient? http = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/mp/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await (http ?? world.Http).SendAsync(request, Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return (response.StatusCode, body.TryGetProperty("code", out var c) ? c.GetString() : null);
    }

    /// <summary>A second Api instance on the same MySQL and Redis whose WeChat calls reach the first one's sandbox.</summary>
    private sealed class SecondInstance(WxQmsApp first) : WxQmsApp
    {
        protected override HttpMessageHandler CreateWechatHandler() => first.Server.CreateHandler();
    }

    /// <summary>An instance on the same MySQL whose Redis is unreachable (nothing listens on port 1).</summary>
    private sealed class NoRedisApp(WxQmsApp first) : WxQmsApp
    {
        protected override HttpMessageHandler CreateWechatHandler() => first.Server.CreateHandler();

        protected override string RedisConnectionString => "127.0.0.1:1,abortConnect=false,connectTimeout=200";
    }
}
