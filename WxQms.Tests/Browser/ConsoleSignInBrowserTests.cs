using Microsoft.Playwright;
using WxQms.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace WxQms.Tests.Browser;

/// <summary>
/// Issue #16 in Chromium: office staff open the console on a desktop, scan its QR code with the sandbox's phone page,
/// reply 1 in the chat, and the desktop page lands in the console signed in.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class ConsoleSignInBrowserTests(PhoneFixture fx) : IClassFixture<PhoneFixture>, IAsyncLifetime
{
    private IBrowserContext desktop = null!;
    private IBrowserContext phone = null!;
    private readonly List<string> problems = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        SetDefaultExpectTimeout(15_000);
        desktop = await fx.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fx.App.BaseAddress.ToString(), ViewportSize = new ViewportSize { Width = 1280, Height = 800 }, Locale = "zh-CN",
        });
        phone = await fx.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fx.App.BaseAddress.ToString(), ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true,
            HasTouch = true, Locale = "zh-CN",
        });
        desktop.SetDefaultTimeout(15_000);
        phone.SetDefaultTimeout(15_000);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (context, name) in new[] { (desktop, "desktop"), (phone, "phone") })
        {
            if (context.Pages.Count > 0)
            {
                await context.Pages[0].ScreenshotAsync(new PageScreenshotOptions
                {
                    Path = Path.Combine(fx.ScreenshotDirectory, $"{nameof(ConsoleSignInBrowserTests)}-{name}.png"),
                    Animations = ScreenshotAnimations.Disabled,
                });
            }
            await context.CloseAsync();
        }
    }

    private void Watch(IPage page)
    {
        page.PageError += (_, error) => problems.Add($"page error: {error}");
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
                problems.Add($"console: {message.Text} {message.Location}");
        };
    }

    [Fact]
    public async Task Staff_open_the_console_scan_its_code_on_the_phone_page_reply_1_and_land_in_the_console()
    {
        var staff = await ConsoleBrowser.BoundStaffAsync(fx, Ct);

        var console = await desktop.NewPageAsync();
        Watch(console);
        var handset = await phone.NewPageAsync();
        Watch(handset);
        await ConsoleBrowser.SignInAsync(console, handset, "/admin", staff);

        await Expect(console.Locator("main h1")).ToHaveTextAsync("首页");
        var cookie = (await desktop.CookiesAsync()).Single(c => c.Name == "wxqms_admin");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
