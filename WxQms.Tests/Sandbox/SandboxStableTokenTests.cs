using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using WxQms.Sandbox;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Sandbox;

/// <summary>cgi-bin/stable_token as WeChat answers it (PROTOCOL §3.2, §9): errcode bodies, never ASP.NET's 400.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class SandboxStableTokenTests(WxQmsApp app) : IAsyncLifetime
{
    private readonly SandboxDriver wx = new(app);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await wx.ResetWechatAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Theory]
    [InlineData("", 44002)]
    [InlineData("  \n", 44002)]
    [InlineData("{\"grant_type\":", 47001)]
    [InlineData("[]", 47001)]
    [InlineData("grant_type=client_credential", 47001)]
    public async Task A_broken_body_gets_wechats_errcode(string body, int errcode)
    {
        using var response = await wx.Http.PostAsync("/sandbox/wechat/cgi-bin/stable_token",
            new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(errcode, (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).ErrCode());
    }

    [Theory]
    [InlineData("authorization_code")]
    [InlineData("")]
    [InlineData(null)]
    public async Task Only_client_credential_is_a_grant_type(string? grantType)
    {
        var answer = await StableTokenAsync(new { grant_type = grantType, appid = wx.Options.Oa.AppId, secret = wx.Options.Oa.AppSecret });

        Assert.Equal(40002, answer.ErrCode());
        Assert.Contains("rid:", answer.ErrMsg());
    }

    [Fact]
    public async Task Force_refresh_mints_a_new_token_at_most_every_30_seconds_and_20_times_a_day()
    {
        // Twenty spaced refreshes take over ten minutes of the shared clock: start them well clear of midnight in Beijing.
        var beijing = app.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8));
        if (beijing.TimeOfDay > TimeSpan.FromHours(23))
            app.Clock.Advance(TimeSpan.FromHours(24) - beijing.TimeOfDay + TimeSpan.FromMinutes(1));
        var first = await TokenAsync(force: false);

        var forced = await TokenAsync(force: true);
        var tooSoon = await TokenAsync(force: true);
        app.Clock.Advance(SandboxWechat.ForcedRefreshSpacing);
        var spaced = await TokenAsync(force: true);

        Assert.NotEqual(first, forced);
        Assert.Equal(forced, tooSoon);
        Assert.NotEqual(forced, spaced);
        var last = spaced;
        for (var i = 3; i <= SandboxWechat.ForcedRefreshesPerDay; i++)
        {
            app.Clock.Advance(SandboxWechat.ForcedRefreshSpacing);
            var next = await TokenAsync(force: true);
            Assert.NotEqual(last, next);
            last = next;
        }
        app.Clock.Advance(SandboxWechat.ForcedRefreshSpacing);
        Assert.Equal(last, await TokenAsync(force: true));
        Assert.Equal(last, await TokenAsync(force: false));
    }

    private async Task<string> TokenAsync(bool force)
    {
        var answer = await StableTokenAsync(new
        {
            grant_type = "client_credential",
            appid = wx.Options.Oa.AppId,
            secret = wx.Options.Oa.AppSecret,
            force_refresh = force,
        });
        Assert.Equal(0, answer.ErrCode());
        return answer.Str("access_token");
    }

    private async Task<JsonElement> StableTokenAsync(object body)
    {
        using var response = await wx.Http.PostAsJsonAsync("/sandbox/wechat/cgi-bin/stable_token", body, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }
}
