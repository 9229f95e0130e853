using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using WxQms.Domain.Storage;
using WxQms.Sandbox.Demo;
using WxQms.Tests.Infrastructure;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Assessment;

/// <summary>
/// #20 item 4: on 6 December the ranking opens on November (closed), the year so far is one tap away, and the live
/// December ranks only what has come due: an org with nothing due yet is unranked (暂无到期任务), not 0.0 %.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class RankingOpeningTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly DateTimeOffset SixthOfDecember = new(2026, 12, 6, 2, 0, 0, TimeSpan.Zero); // 10:00 in Shanghai
    private readonly OwnClockApp app = new();
    private AssessmentWorld world = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        await app.InitializeAsync();
        app.Clock.SetUtcNow(SixthOfDecember);
        world = new AssessmentWorld(app, thisMonth: true);
        await world.InitializeAsync();
        await app.Get<DemoSimulation>().SimulateRecentAsync(Ct); // November worked and closed, December so far
        client = app.CreateClient();
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private async Task<JsonElement> RankingAsync(string query, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/rankings" + query);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
    }

    [Fact]
    public async Task On_6_December_the_ranking_opens_on_November_with_the_live_month_and_the_year_one_tap_away()
    {
        Assert.NotNull(await app.Get<AssessmentStore>().GetCloseAsync("2026-11", Ct));
        var token = await world.TokenAsync(await world.MemberOfAsync("DFL-C02-B01"));

        var opening = await RankingAsync("?level=community", token);

        Assert.Equal("2026-11", opening.GetProperty("period").GetString());
        Assert.False(opening.GetProperty("provisional").GetBoolean());
        Assert.Equal(16, opening.GetProperty("rows").EnumerateArray().Count(r => r.GetProperty("rank").ValueKind == JsonValueKind.Number));

        // The page: November selected, the year and the live month one tap away.
        var page = await client.GetStringAsync($"/h5/ranking?token={token}", Ct);
        Assert.Contains("<option value=\"2026-11\" selected>", page);
        Assert.Contains("<a id=year href=\"/h5/ranking?period=2026&amp;level=community", page);
        Assert.Contains("<span class=closed>已结算</span>", page);
        var live = await client.GetStringAsync($"/h5/ranking?token={token}&period=2026-12", Ct);
        Assert.Contains("<span class=live>实时</span>", live);
    }
}
