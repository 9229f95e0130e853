using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using WxQms.Sandbox;
using WxQms.Sandbox.Phone;
using WxQms.Domain.Wechat;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Browser;

/// <summary>What the phone page stands on, over plain HTTP: the page and its files, and the menu helper.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class PhoneRouteTests(WxQmsApp app) : IAsyncLifetime
{
    private readonly HttpClient client = app.CreateClient();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await app.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task The_phone_page_and_its_files_are_served_with_a_strict_policy()
    {
        using var page = await client.GetAsync("/sandbox/phone", Ct);
        var html = await page.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal(SandboxPhone.ContentSecurityPolicy, page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("<html lang=\"zh-CN\">", html);
        Assert.Contains("data-base=\"/sandbox\"", html);
        Assert.DoesNotContain("{{", html);
        Assert.DoesNotContain("//cdn", html, StringComparison.OrdinalIgnoreCase);

        foreach (var (file, type) in new[] { ("phone.css", "text/css"), ("phone.js", "text/javascript") })
        {
            Assert.Contains($"src=\"/sandbox/phone/{file}\"", html.Replace("href=", "src=", StringComparison.Ordinal));
            using var asset = await client.GetAsync($"/sandbox/phone/{file}", Ct);
            Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
            Assert.Equal(type, asset.Content.Headers.ContentType?.MediaType);
            Assert.Equal("nosniff", asset.Headers.GetValues("X-Content-Type-Options").Single());

            // Unchanged files answer 304 to the browser's revalidation.
            using var again = new HttpRequestMessage(HttpMethod.Get, $"/sandbox/phone/{file}");
            again.Headers.IfNoneMatch.Add(asset.Headers.ETag!);
            using var notModified = await client.SendAsync(again, Ct);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }

        using var other = await client.GetAsync("/sandbox/phone/secrets.json", Ct);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task The_menu_helper_shows_the_menu_as_created_and_an_empty_one_before()
    {
        var before = await client.GetFromJsonAsync<JsonElement>("/sandbox/wechat/menu?app=oa", Ct);
        var created = await app.Get<OfficialAccountClient>().CreateMenuAsync(
        [
            new MenuButton("我的任务", "click", Key: "MY_TASKS"),
            new MenuButton("更多", SubButtons: [new MenuButton("排行榜", "view", Url: "https://wxqms.example/h5/ranking")]),
        ], Ct);
        var after = await client.GetFromJsonAsync<JsonElement>("/sandbox/wechat/menu", Ct);
        using var mp = await client.GetAsync("/sandbox/wechat/menu?app=mp", Ct);

        Assert.Equal(0, before.GetProperty("button").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, before.GetProperty("menuid").ValueKind);
        Assert.True(created.IsOk, created.ErrMsg);
        Assert.True(after.GetProperty("menuid").GetInt64() > 0);
        var buttons = after.GetProperty("button");
        Assert.Equal(("我的任务", "click", "MY_TASKS"), (buttons[0].GetProperty("name").GetString(),
            buttons[0].GetProperty("type").GetString(), buttons[0].GetProperty("key").GetString()));
        var sub = buttons[1].GetProperty("sub_button")[0];
        Assert.Equal(("排行榜", "view", "https://wxqms.example/h5/ranking"), (sub.GetProperty("name").GetString(),
            sub.GetProperty("type").GetString(), sub.GetProperty("url").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, mp.StatusCode);
        Assert.Equal("application/problem+json", mp.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/sandbox/phone")]
    [InlineData("/sandbox/phone/phone.js")]
    [InlineData("/sandbox/wechat/menu?app=oa")]
    public async Task The_phone_page_is_not_found_when_the_sandbox_is_off(string url)
    {
        await using var production = new WithoutSandbox();
        using var http = production.CreateClient();

        using var response = await http.GetAsync(url, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private sealed class WithoutSandbox : WxQmsApp
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(
                new Dictionary<string, string?> { ["Wechat:Sandbox:Enabled"] = "false" }));
            builder.UseSetting("Wechat:Sandbox:Enabled", "false"); // read by Program before the host is built
        }
    }
}
