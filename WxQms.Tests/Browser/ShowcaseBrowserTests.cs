using System.Text.Json;
using Microsoft.Playwright;
using WxQms.Sandbox.Demo;
using WxQms.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace WxQms.Tests.Browser;

/// <summary>
/// Issue #20 in Chromium, at phone and desktop sizes: "A community's page shows a panorama the viewer can turn, with one
/// hotspot to a second scene." The demo's first community has the two-scene tour; the page loads Pannellum from our build,
/// turning changes the yaw, and the hotspot opens the second scene. Pannellum draws with WebGL, which a GPU-less Chromium
/// only offers through SwiftShader: this class uses the process's Chromium launched with it.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class ShowcaseBrowserTests(PhoneFixture fx) : IClassFixture<PhoneFixture>, IAsyncLifetime
{
    private IBrowser browser = null!;
    private long community;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        SetDefaultExpectTimeout(20_000);
        await fx.App.Get<DemoShowcase>().PostAsync(Ct);
        community = await TestDb.ScalarAsync("""
            SELECT org_id FROM panorama_scenes s WHERE EXISTS (SELECT 1 FROM panorama_hotspots h WHERE h.scene_id = s.id) ORDER BY id LIMIT 1
            """);
        browser = await fx.Chromium.WebGlAsync();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public static TheoryData<string> Sizes => ["phone", "desktop"];

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task A_community_s_page_shows_a_panorama_the_viewer_can_turn_with_one_hotspot_to_a_second_scene(string size)
    {
        var phone = size == "phone";
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fx.App.BaseAddress.ToString(), Locale = "zh-CN",
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1280, Height = 800 },
            IsMobile = phone, HasTouch = phone,
        });
        context.SetDefaultTimeout(20_000);
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.PageError += (_, error) => problems.Add($"page error: {error}");
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
                problems.Add($"console: {message.Text} {message.Location}");
        };

        await page.GotoAsync($"/h5/communities/{community}");
        await Expect(page.Locator("#panorama.pnlm-container")).ToBeVisibleAsync();
        await page.WaitForFunctionAsync("() => window.viewer && window.viewer.isLoaded()");
        await Expect(page.Locator("#panorama .pnlm-load-box")).ToBeHiddenAsync();
        await Expect(page.Locator("#panorama .pnlm-error-msg")).ToBeHiddenAsync();
        var tour = JsonDocument.Parse(await page.Locator("#tour-config").TextContentAsync() ?? "").RootElement;
        var first = tour.GetProperty("default").GetProperty("firstScene").GetString();
        Assert.Equal(first, await page.EvaluateAsync<string>("() => window.viewer.getScene()"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Shot(size, "1-hall") });

        // Turning: by dragging on a desktop, by the viewer's API everywhere.
        var yaw = await page.EvaluateAsync<double>("() => window.viewer.getYaw()");
        if (!phone)
        {
            var box = (await page.Locator("#panorama").BoundingBoxAsync())!;
            await page.Mouse.MoveAsync(box.X + box.Width / 2, box.Y + box.Height / 2);
            await page.Mouse.DownAsync();
            await page.Mouse.MoveAsync(box.X + box.Width / 2 - 200, box.Y + box.Height / 2, new MouseMoveOptions { Steps = 10 });
            await page.Mouse.UpAsync();
            await page.WaitForFunctionAsync($"() => Math.abs(window.viewer.getYaw() - ({yaw})) > 5");
            yaw = await page.EvaluateAsync<double>("() => window.viewer.getYaw()");
        }
        await page.EvaluateAsync("() => window.viewer.setYaw(window.viewer.getYaw() + 90, false)");
        var turned = await page.EvaluateAsync<double>("() => window.viewer.getYaw()");
        Assert.True(Math.Abs(Normalise(turned - yaw - 90)) < 1, $"yaw {yaw} → {turned}, not turned by 90°");

        // The hotspot: look at it, click it, and the second scene opens.
        var spot = tour.GetProperty("scenes").GetProperty(first!).GetProperty("hotSpots")[0];
        await page.EvaluateAsync($"() => window.viewer.lookAt({spot.GetProperty("pitch").GetDecimal()}, {spot.GetProperty("yaw").GetDecimal()}, 100, false)");
        var hotspot = page.Locator("#panorama .pnlm-hotspot.pnlm-scene").First;
        await Expect(hotspot).ToBeVisibleAsync();
        await hotspot.ClickAsync();
        var second = spot.GetProperty("sceneId").GetString();
        await page.WaitForFunctionAsync($"() => window.viewer.getScene() === '{second}' && window.viewer.isLoaded()");
        await Expect(page.Locator("#panorama .pnlm-title-box")).ToHaveTextAsync(
            tour.GetProperty("scenes").GetProperty(second!).GetProperty("title").GetString()!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Shot(size, "2-second-scene"), FullPage = true });
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private string Shot(string size, string step) => Path.Combine(fx.ScreenshotDirectory, $"{nameof(ShowcaseBrowserTests)}-{size}-{step}.png");

    private static double Normalise(double degrees) => ((degrees % 360) + 540) % 360 - 180;
}
