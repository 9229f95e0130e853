using Microsoft.Playwright;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Assessment;
using WxQms.Domain.Storage;
using WxQms.Sandbox.Demo;
using WxQms.Tests.Browser;
using WxQms.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace WxQms.Tests.Assessment;

/// <summary>
/// /h5/ranking in a real Chromium at an iPhone's size (390 × 844), over the demo subdistrict after a
/// simulated month of work (last month closed, this month so far). Screenshots go to
/// .local/test-results/screenshots/ranking-*.png.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class RankingPageTests(PhoneFixture fx) : IClassFixture<PhoneFixture>, IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private IBrowserContext context = null!;
    private IPage page = null!;
    private readonly List<string> problems = [];

    public async ValueTask InitializeAsync()
    {
        SetDefaultExpectTimeout(10_000);
        if (await fx.App.Get<AssessmentStore>().GetCloseAsync("2026-10", Ct) is null)
            await fx.App.Get<DemoSimulation>().SimulateRecentAsync(Ct);
        context = await fx.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fx.App.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            DeviceScaleFactor = 2,
            IsMobile = true,
            HasTouch = true,
            Locale = "zh-CN",
        });
        context.SetDefaultTimeout(10_000);
        page = await context.NewPageAsync();
        page.PageError += (_, error) => problems.Add($"page error: {error}");
        page.RequestFailed += (_, request) =>
        {
            if (!request.Url.Contains(".xlsx", StringComparison.Ordinal)) // a download ends its navigation
                problems.Add($"request failed: {request.Url}");
        };
    }

    public async ValueTask DisposeAsync()
    {
        await context.CloseAsync();
        Assert.Empty(problems);
    }

    private async Task<(long Member, string Token)> MemberAsync(string branchCode)
    {
        var member = await Seeded.MemberOfAsync(branchCode);
        // Bound, as /api/mp/bind leaves a member's mini-program login: the page follows the link.
        return (member, (await fx.App.IssueAsync(member, $"o-page-{member}")).Token);
    }

    [Fact]
    public async Task A_member_opens_the_ranking_on_a_phone_and_finds_their_branch_and_community_highlighted()
    {
        var (_, token) = await MemberAsync("DFL-C02-B01");

        await page.GotoAsync($"/h5/ranking?level=branch&token={token}");

        Assert.DoesNotContain("token=", page.Url); // swapped for the page's cookie
        await Expect(page.Locator("h1")).ToHaveTextAsync("党建工作排名");
        await Expect(page.Locator(".tabs a.on")).ToHaveTextAsync("支部");
        await Expect(page.Locator("tr.me")).ToHaveCountAsync(1);
        await Expect(page.Locator("svg.chart g.bar.me")).ToHaveCountAsync(1);
        await Expect(page.Locator(".status .closed")).ToHaveTextAsync("已结算"); // it opens on the last closed month
        await Expect(page.Locator(".quick a.on")).ToHaveTextAsync("上月");
        await page.Locator(".quick #this-month").ClickAsync();
        await Expect(page.Locator(".status .live")).ToHaveTextAsync("实时");
        await Expect(page.Locator(".tabs a.on")).ToHaveTextAsync("支部");
        await page.ScreenshotAsync(new() { Path = Path.Combine(fx.ScreenshotDirectory, "ranking-branch-phone.png"), FullPage = true });

        await page.Locator(".tabs a[data-level=community]").ClickAsync();
        await Expect(page.Locator("tbody tr")).ToHaveCountAsync(16);
        await Expect(page.Locator("tr.me")).ToHaveCountAsync(1);
        await Expect(page.Locator("svg.chart g.bar")).ToHaveCountAsync(16);

        await page.Locator("#period").SelectOptionAsync("2026-10");
        await Expect(page.Locator(".status .closed")).ToHaveTextAsync("已结算");
        var width = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.True(width <= 390, $"the page is {width}px wide on a 390px screen");
        await page.ScreenshotAsync(new() { Path = Path.Combine(fx.ScreenshotDirectory, "ranking-community-phone.png"), FullPage = true });
        Assert.Equal(0, await page.Locator(".exports").CountAsync()); // exports are for the office only
    }

    [Fact]
    public async Task Office_staff_download_the_rankings_spreadsheet_from_the_page()
    {
        var staff = await Seeded.HolderAsync("staff", "DFL");
        var token = (await fx.App.IssueAsync(staff, $"o-page-{staff}")).Token;
        await page.GotoAsync($"/h5/ranking?token={token}&period=2026-10");

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator(".exports a").First.ClickAsync());

        var path = Path.Combine(fx.ScreenshotDirectory, "ranking-export.xlsx");
        await download.SaveAsAsync(path);
        var rows = MiniExcelLibs.MiniExcel.Query(path, useHeaderRow: true, sheetName: "社区排名").ToList();
        Assert.Equal(16, rows.Count);
    }

    [Fact]
    public async Task A_visitor_without_a_session_is_sent_through_wechat_sign_in_and_told_to_bind_when_not_a_member()
    {
        var response = await page.GotoAsync("/h5/ranking");

        Assert.Contains("/sandbox/open/connect/oauth2/authorize", page.Url); // WeChat's (sandbox) silent authorisation
        await page.Locator("li a").First.ClickAsync();
        await page.WaitForURLAsync("**/h5/ranking**");

        await Expect(page.Locator("h1")).ToHaveTextAsync("请先绑定党员身份");
        Assert.NotNull(response);
    }
}
