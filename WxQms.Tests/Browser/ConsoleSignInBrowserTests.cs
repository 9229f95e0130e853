using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using WxQms.Domain.Services.Bot;
using WxQms.Domain.Storage;
using WxQms.Sandbox;
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
        await using var conn = new MySqlConnector.MySqlConnection(TestEnvironment.MySql);
        var (memberId, name, phoneNumber, orgId) = await Dapper.SqlMapper.QueryFirstAsync<(long, string, string, long)>(conn, """
            SELECT m.id, m.name, m.phone, r.org_id FROM member_roles r JOIN members m ON m.id = r.member_id
            WHERE r.role = 'staff' AND m.phone IS NOT NULL ORDER BY m.id LIMIT 1
            """);
        var openid = (await fx.Http.GetFromJsonAsync<JsonElement>($"/sandbox/wechat/users?memberId={memberId}", Ct))
            .GetProperty("users")[0].GetProperty("openid").GetString()!;
        var sandbox = fx.App.Get<SandboxWechat>();
        sandbox.Users.SetFollows(openid, true);
        // Bound to the official account once, with the subdistrict's code (as the binding tests do it on the phone page).
        var (code, _) = await fx.App.Get<BindCodeService>().PrintAsync(orgId, null, Ct);
        (await fx.Http.PostAsJsonAsync($"/sandbox/wechat/users/{openid}/scan", new { url = code.QrUrl }, Ct)).EnsureSuccessStatusCode();
        (await fx.Http.PostAsJsonAsync($"/sandbox/wechat/users/{openid}/messages", new { msgType = "text", content = $"{name} {phoneNumber[^4..]}" }, Ct))
            .EnsureSuccessStatusCode();
        Assert.NotNull(await fx.App.Get<BotStore>().OaUserAsync(WxQmsApp.OaAppId, openid, Ct) is { MemberId: { } m } && m == memberId ? m : null);
        sandbox.Menus.Reset(); // the phone's 扫一扫 then lists only the console's code

        var console = await desktop.NewPageAsync();
        Watch(console);
        await console.GotoAsync("/admin");
        await Expect(console).ToHaveURLAsync(new Regex("/admin/sign-in\\?returnUrl=%2Fadmin$"));
        await Expect(console.Locator("#qr")).ToBeVisibleAsync();
        await Expect(console.Locator("#sandbox-phone")).ToBeVisibleAsync();

        var handset = await phone.NewPageAsync();
        Watch(handset);
        await handset.GotoAsync($"/sandbox/phone?openid={Uri.EscapeDataString(openid)}");
        await Expect(handset.Locator("#who")).ToContainTextAsync(name);
        await handset.Locator("#more-actions").ClickAsync();
        await handset.Locator("#sheet-scan").ClickAsync();
        await handset.Locator(".scan-code").First.ClickAsync();
        var theirs = handset.Locator(".row.theirs[data-kind='passive'] .bubble");
        await Expect(theirs.Last).ToHaveTextAsync(BotReplies.ConsoleConfirm);
        await Expect(console.Locator("#state")).ToContainTextAsync("已扫码");
        await handset.Locator("#text").FillAsync("1");
        await handset.Locator("#text").PressAsync("Enter");
        await Expect(theirs.Last).ToHaveTextAsync(BotReplies.ConsoleConfirmed);

        await Expect(console).ToHaveURLAsync(new Regex("/admin$"));
        await Expect(console.Locator("main h1")).ToHaveTextAsync("首页");
        await Expect(console.Locator("header .who")).ToContainTextAsync(name);
        var cookie = (await desktop.CookiesAsync()).Single(c => c.Name == "wxqms_admin");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
