using System.Net;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Api;

/// <summary>The pages' browser libraries come from our own build (scripts/vendor.sh), cacheable, and nothing else of the package is reachable.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class VendorAssetsTests(WxQmsApp app)
{
    private readonly HttpClient client = app.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/vendor/echarts/echarts.min.js", "text/javascript")]
    [InlineData("/vendor/pannellum/pannellum.js", "text/javascript")]
    [InlineData("/vendor/pannellum/pannellum.css", "text/css")]
    public async Task A_pages_library_is_served_from_our_build_and_cached_by_the_browser(string url, string type)
    {
        using var response = await client.GetAsync(url, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("max-age=86400", response.Headers.CacheControl?.ToString());
        Assert.True((await response.Content.ReadAsByteArrayAsync(Ct)).Length > 1_000);
    }

    [Theory]
    [InlineData("/vendor/echarts/../package.json")]
    [InlineData("/vendor/echarts/%2e%2e/package.json")]
    [InlineData("/vendor/package.json")]
    [InlineData("/vendor/zrender/zrender.js")]
    public async Task Nothing_outside_a_packages_build_folder_is_served(string url)
    {
        using var response = await client.GetAsync(url, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
