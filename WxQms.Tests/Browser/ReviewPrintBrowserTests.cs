using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.ManagementReview;
using WxQms.Domain.Rules.Tasks;
using WxQms.Sandbox.Demo;
using WxQms.Tests.Assessment;
using WxQms.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace WxQms.Tests.Browser;

/// <summary>
/// 管理评审 in Chromium (issue #20 item 2, the Done-when line): on the demo's last two months and its review, office staff
/// open this quarter's pack and print it: A4 pages in Chinese, without the console's menu, with last quarter's decisions.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed partial class ReviewPrintBrowserTests(PhoneFixture fx) : IClassFixture<PhoneFixture>, IAsyncLifetime
{
    private IBrowserContext desktop = null!;
    private readonly List<string> problems = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        SetDefaultExpectTimeout(15_000);
        await fx.App.Get<DemoSimulation>().SimulateRecentAsync(Ct);
        Assert.Equal(4, await fx.App.Get<DemoReview>().PostAsync(Ct));
        Assert.Equal(0, await fx.App.Get<DemoReview>().PostAsync(Ct)); // once only
        var world = new AssessmentWorld(fx.App);
        var token = await world.TokenAsync(await world.HolderAsync("staff", "DFL"));
        desktop = await fx.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fx.App.BaseAddress.ToString(), ViewportSize = new ViewportSize { Width = 1280, Height = 900 }, Locale = "zh-CN",
            ExtraHTTPHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + token },
        });
        desktop.SetDefaultTimeout(15_000);
    }

    public async ValueTask DisposeAsync()
    {
        if (desktop.Pages.Count > 0)
        {
            await desktop.Pages[0].ScreenshotAsync(new PageScreenshotOptions
            {
                Path = Path.Combine(fx.ScreenshotDirectory, $"{nameof(ReviewPrintBrowserTests)}-desktop.png"), FullPage = true,
                Animations = ScreenshotAnimations.Disabled,
            });
        }
        await desktop.CloseAsync();
    }

    [Fact]
    public async Task Staff_print_the_quarters_review_pack_as_A4_pages_in_Chinese_with_last_quarters_decisions()
    {
        var quarter = Periods.Containing(Recurrence.Quarterly, fx.App.Clock.GetUtcNow());
        var page = await desktop.NewPageAsync();
        page.PageError += (_, error) => problems.Add($"page error: {error}");
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
                problems.Add($"console: {message.Text} {message.Location}");
        };

        var response = await page.GotoAsync($"/admin/review?period={ReviewPeriods.Name(quarter)}");
        Assert.Equal(200, response!.Status);
        await Expect(page.Locator(".pack .cover h2")).ToContainTextAsync($"{quarter.Label}管理评审报告");
        await Expect(page.Locator(".pack")).ToContainTextAsync("六、上次评审决定落实情况");
        await Expect(page.Locator(".pack")).ToContainTextAsync("已完成");
        await Expect(page.Locator(".pack")).ToContainTextAsync("逾期未完成");
        await Expect(page.Locator(".pack")).ToContainTextAsync("五、不合格与纠正措施");
        var text = await page.Locator("body").InnerTextAsync();
        Assert.Contains("管理评审", text);

        await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
        await Expect(page.Locator("nav")).ToBeHiddenAsync(); // no menu on paper
        await Expect(page.Locator("form#decide")).ToBeHiddenAsync();
        var pdf = await page.PdfAsync(new PagePdfOptions { Format = "A4", PrintBackground = true });
        var pdfText = Encoding.Latin1.GetString(pdf);
        var pages = PdfPage().Matches(pdfText).Count;
        // Seven sections, each from a new page after the cover's: seven pages at least, each A4 (595 × 842 points).
        Assert.StartsWith("%PDF", pdfText);
        Assert.True(pages >= 7, $"{pages} pages");
        Assert.Matches(@"/MediaBox\s*\[\s*0\s+0\s+595(\.\d+)?\s+841\.9|/MediaBox\s*\[\s*0\s+0\s+595(\.\d+)?\s+842", pdfText);
        await File.WriteAllBytesAsync(Path.Combine(fx.ScreenshotDirectory, $"{nameof(ReviewPrintBrowserTests)}.pdf"), pdf, Ct);
        Assert.Empty(problems);
    }

    [GeneratedRegex(@"/Type\s*/Page[^s]")]
    private static partial Regex PdfPage();
}
