using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Playwright;
using WxQms.Domain.Services;
using WxQms.Sandbox.Demo;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Browser;

/// <summary>A sandbox user as <c>GET /sandbox/wechat/users</c> lists them.</summary>
public sealed record PhoneUser(
    [property: JsonPropertyName("openid")] string OpenId,
    [property: JsonPropertyName("memberId")] long? MemberId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("follows")] bool Follows);

/// <summary>
/// One class's worth of browser testing: the Api on Kestrel over a freshly seeded demo subdistrict,
/// and one headless Debian Chromium (nothing is downloaded; <c>scripts/test.sh</c> installs it).
/// Each test opens its own browser context, so cookies and storage never leak between tests.
/// </summary>
public sealed class PhoneFixture : IAsyncLifetime
{
    /// <summary>Debian's wrapper script; <c>WXQMS_CHROMIUM</c> points elsewhere.</summary>
    public static string ChromiumPath { get; } = Environment.GetEnvironmentVariable("WXQMS_CHROMIUM") ?? "/usr/bin/chromium";

    /// <summary>What works on these machines (env notes): without the networking flags Chromium keeps dialling Google.</summary>
    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
    ];

    private IPlaywright? playwright;

    public PhoneApp App { get; } = new();

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Talks to the same Kestrel port as the browser.</summary>
    public HttpClient Http { get; private set; } = null!;

    public string ScreenshotDirectory { get; } = Path.Combine(TestEnvironment.RepoRoot(), ".local", "test-results", "screenshots");

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"Chromium not found at {ChromiumPath}: scripts/test.sh installs it " +
                "(apt-get install --no-install-recommends chromium fonts-noto-cjk), or set WXQMS_CHROMIUM");
        }

        await App.InitializeAsync();
        Http = new HttpClient { BaseAddress = App.BaseAddress };
        await App.ResetAsync();
        await App.Get<DemoSeeder>().SeedAsync(CancellationToken.None);

        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
        });
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
            await Browser.CloseAsync();
        playwright?.Dispose();
        Http?.Dispose();
        await App.DisposeAsync();
    }

    /// <summary>The <paramref name="index"/>-th user of a kind, so that each test has people of its own.</summary>
    public async Task<PhoneUser> UserAsync(bool follows, int index, CancellationToken ct)
    {
        var page = await Http.GetFromJsonAsync<JsonElement>($"/sandbox/wechat/users?follows={follows}&offset={index}&limit=1", ct);
        var user = page.GetProperty("users").Deserialize<PhoneUser[]>()!.Single();
        Assert.NotNull(user.MemberId); // members come first in the directory, residents after them
        return user;
    }

    /// <summary>The conversation as the sandbox records it.</summary>
    public async Task<IReadOnlyList<JsonElement>> ChatAsync(string openid, CancellationToken ct)
    {
        var chat = await Http.GetFromJsonAsync<JsonElement>($"/sandbox/wechat/users/{openid}/chat", ct);
        return chat.GetProperty("messages").EnumerateArray().ToList();
    }
}
