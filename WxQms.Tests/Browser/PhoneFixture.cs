using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Playwright;
using WxQms.Domain.Services;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Browser;

/// <summary>A sandbox user as <c>GET /sandbox/wechat/users</c> lists them.</summary>
public sealed record PhoneUser(
    [property: JsonPropertyName("openid")] string OpenId,
    [property: JsonPropertyName("memberId")] long? MemberId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("follows")] bool Follows);

/// <summary>
/// One class's worth of browser testing: the Api on Kestrel over a freshly seeded demo subdistrict, and the test
/// process's one headless Chromium (<see cref="Chromium"/>). Each test opens its own browser context, so cookies and
/// storage never leak between tests.
/// </summary>
public sealed class PhoneFixture(Chromium chromium) : IAsyncLifetime
{
    /// <summary>The WebGL flavour of the process's Chromium, for a class whose page draws with WebGL.</summary>
    public Chromium Chromium { get; } = chromium;

    public PhoneApp App { get; } = new();

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Talks to the same Kestrel port as the browser.</summary>
    public HttpClient Http { get; private set; } = null!;

    public string ScreenshotDirectory { get; } = Path.Combine(TestEnvironment.RepoRoot(), ".local", "test-results", "screenshots");

    private readonly System.Diagnostics.Stopwatch lifetime = new();

    public async ValueTask InitializeAsync()
    {
        lifetime.Start();
        await App.InitializeAsync();
        Http = new HttpClient { BaseAddress = App.BaseAddress };
        await App.SeedDemoAsync();

        Browser = await Chromium.PlainAsync();
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        await App.DisposeAsync();
        Chromium.AddSpent(lifetime.Elapsed);
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
