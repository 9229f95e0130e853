using Microsoft.Playwright;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Services;
using WxQms.Domain.Storage;
using WxQms.Sandbox.Demo;
using WxQms.Tests.Assessment;
using WxQms.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace WxQms.Tests.Browser;

/// <summary>
/// /h5/dashboard in a real Chromium at a phone's and a desk's size, over the demo after a simulated month: the charts are
/// drawn (canvas, no console error), and the overdue number of one community opens a list of exactly that many tasks
/// (#20's Done-when). Screenshots: .local/test-results/screenshots/dashboard-*.png.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class DashboardBrowserTests(PhoneFixture fx) : IClassFixture<PhoneFixture>, IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly List<string> problems = [];
    private readonly List<IBrowserContext> contexts = [];

    public async ValueTask InitializeAsync()
    {
        SetDefaultExpectTimeout(15_000);
        if (await fx.App.Get<AssessmentStore>().GetCloseAsync("2026-10", Ct) is null)
            await fx.App.Get<DemoSimulation>().SimulateRecentAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var context in contexts)
            await context.CloseAsync();
        Assert.Empty(problems);
    }

    private async Task<IPage> OpenAsync(int width, int height, bool phone)
    {
        var context = await fx.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fx.App.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            DeviceScaleFactor = phone ? 2 : 1,
            IsMobile = phone,
            HasTouch = phone,
            Locale = "zh-CN",
        });
        context.SetDefaultTimeout(15_000);
        context.SetDefaultNavigationTimeout(90_000); // the year's trend reads twelve months; the shared build machine is slow
        contexts.Add(context);
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => problems.Add($"page error: {error}");
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Location.Contains("favicon", StringComparison.Ordinal)) // Chromium asks for one
                problems.Add($"console: {message.Text} ({message.Location})");
        };
        return page;
    }

    private async Task<string> StaffTokenAsync()
    {
        await using var conn = AssessmentWorld.Db();
        var staff = await Dapper.SqlMapper.ExecuteScalarAsync<long>(conn,
            "SELECT r.member_id FROM member_roles r JOIN orgs o ON o.id = r.org_id WHERE r.role = 'staff' AND o.code = 'DFL' LIMIT 1");
        var links = fx.App.Get<WechatLinkStore>();
        var user = await links.UpsertAsync(WxQmsApp.MpAppId, $"o-dash-{staff}", null, fx.App.Clock.GetUtcNow(), Ct);
        await TestDb.ExecuteAsync("UPDATE wechat_users SET member_id = @staff WHERE id = @id", new { staff, id = user.Id });
        return fx.App.Get<TokenIssuer>().Issue(new MpIdentity(user.Id, await links.ProfileAsync(staff, Ct))).Token;
    }

    [Theory]
    [InlineData("phone", 390, 844)]
    [InlineData("desktop", 1280, 900)]
    public async Task Staff_open_the_dashboard_see_the_charts_and_tap_one_communitys_overdue_number_to_get_exactly_that_many_tasks(
        string size, int width, int height)
    {
        var page = await OpenAsync(width, height, size == "phone");
        await page.GotoAsync($"/h5/dashboard?token={await StaffTokenAsync()}");

        await Expect(page.Locator("h1")).ToHaveTextAsync("工作台看板");
        foreach (var chart in new[] { "#trend", "#reminders", "#wishes" })
            await Expect(page.Locator($"{chart} canvas").First).ToBeVisibleAsync();
        await Expect(page.Locator("#heatmap tbody tr")).ToHaveCountAsync(16);
        if (size == "phone")
            Assert.True(await page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= width, "the page scrolls sideways");
        await page.ScreenshotAsync(new() { Path = Path.Combine(fx.ScreenshotDirectory, $"dashboard-{size}.png"), FullPage = true });

        // The community with the most overdue tasks: its number in the per-org table.
        var cells = page.Locator("table.orgs tbody tr a[data-tile=overdue]");
        var counts = (await cells.AllTextContentsAsync()).Select(int.Parse).ToList();
        var most = counts.IndexOf(counts.Max());
        Assert.True(counts[most] > 0, "the demo has overdue tasks");
        await cells.Nth(most).ClickAsync();

        await Expect(page.Locator("h1")).ToHaveTextAsync("逾期");
        await Expect(page.Locator("#count")).ToHaveTextAsync(counts[most].ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(page.Locator("#items tr")).ToHaveCountAsync(counts[most]);
        await page.ScreenshotAsync(new() { Path = Path.Combine(fx.ScreenshotDirectory, $"dashboard-overdue-{size}.png"), FullPage = true });
    }
}
