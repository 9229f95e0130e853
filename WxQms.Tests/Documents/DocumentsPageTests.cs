using Microsoft.Playwright;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Services;
using WxQms.Domain.Storage;
using WxQms.Sandbox.Demo;
using WxQms.Tests.Browser;
using WxQms.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace WxQms.Tests.Documents;

/// <summary>
/// The documents' reader in a real Chromium at a phone's size (390 × 844) over the demo's register: a member opens
/// /h5/documents from the official account, searches, opens a procedure and follows a clause link to its section; an old
/// version is marked obsolete. Screenshots go to .local/test-results/screenshots/documents-*.png.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class DocumentsPageTests(PhoneFixture fx) : IClassFixture<PhoneFixture>, IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private IBrowserContext context = null!;
    private IPage page = null!;
    private readonly List<string> problems = [];

    public async ValueTask InitializeAsync()
    {
        SetDefaultExpectTimeout(10_000);
        await fx.App.Get<DemoDocuments>().PostAsync(Ct);
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
        page.RequestFailed += (_, request) => problems.Add($"request failed: {request.Url}");
    }

    public async ValueTask DisposeAsync()
    {
        await context.CloseAsync();
        Assert.Empty(problems);
    }

    private async Task<string> TokenAsync()
    {
        var member = await TestDb.ScalarAsync("""
            SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id WHERE o.code LIKE 'DFL-C01-B01%' AND m.status = 'full' ORDER BY m.id LIMIT 1
            """);
        return (await fx.App.IssueAsync(member, $"o-docs-{member}")).Token;
    }

    [Fact]
    public async Task A_member_searches_the_documents_on_a_phone_opens_a_procedure_and_follows_a_clause_to_its_section()
    {
        await page.GotoAsync($"/h5/documents?token={await TokenAsync()}");
        Assert.DoesNotContain("token=", page.Url);
        await Expect(page.Locator("header h1")).ToHaveTextAsync("受控文件");
        await Expect(page.Locator("main h2, body > h2")).ToHaveTextAsync(["质量手册", "程序文件", "工作规范", "外来文件"]);

        await page.FillAsync("input[name=q]", "支部委员会");
        await page.ClickAsync("form.find button");
        await Expect(page.Locator("ul.docs a")).ToContainTextAsync(["DFL-QP-03"]);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fx.ScreenshotDirectory, "documents-search.png") });

        await page.ClickAsync("ul.docs a:has-text('DFL-QP-03')");
        await Expect(page.Locator("header h1")).ToHaveTextAsync("组织生活管理程序");
        await Expect(page.Locator(".obsolete")).ToHaveCountAsync(0);
        await page.ClickAsync("nav.toc a[href='#4.2']");
        Assert.EndsWith("#4.2", page.Url);
        await Expect(page.Locator("article [id='4.2']")).ToHaveTextAsync("4.2 支部委员会会议");
        await Expect(page.Locator("article [id='4.2']")).ToBeInViewportAsync();

        // A clause as a task links it: straight to the section.
        await page.GotoAsync("/h5/documents/DFL-QP-03#4.5");
        await Expect(page.Locator("article [id='4.5']")).ToBeInViewportAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fx.ScreenshotDirectory, "documents-clause.png") });

        // The manual's first version is obsolete, and says so at the top.
        await page.GotoAsync("/h5/documents/DFL-QM-01?version=1");
        await Expect(page.Locator(".obsolete")).ToContainTextAsync("已作废");
        await Expect(page.Locator(".obsolete")).ToBeInViewportAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fx.ScreenshotDirectory, "documents-obsolete.png") });
    }
}
