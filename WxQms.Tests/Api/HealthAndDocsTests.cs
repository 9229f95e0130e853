using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Api;

[Collection(IntegrationCollection.Name)]
public sealed class HealthAndDocsTests(WxQmsApp app)
{
    private readonly HttpClient client = app.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Liveness_answers_without_touching_the_stores()
    {
        var health = await client.GetFromJsonAsync<JsonElement>("/healthz", Ct);

        Assert.Equal("Healthy", health.GetProperty("status").GetString());
        Assert.Equal(["self"], health.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Readiness_checks_mysql_and_redis()
    {
        var response = await client.GetAsync("/readyz", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var checks = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("checks").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString());
        Assert.Equal("Healthy", checks["mysql"]);
        Assert.Equal("Healthy", checks["redis"]);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_org_endpoints()
    {
        var doc = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);

        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/orgs", paths);
        Assert.Contains("/api/orgs/{id}/tree", paths);
        Assert.DoesNotContain("/healthz", paths);
    }

    [Fact]
    public async Task Without_Api_PublicDocs_the_docs_and_the_openapi_document_are_not_served()
    {
        await using var closed = app.WithWebHostBuilder(b => b.ConfigureAppConfiguration(c =>
            c.AddInMemoryCollection(new Dictionary<string, string?> { ["Api:PublicDocs"] = "false" })));
        var hidden = closed.CreateClient();

        foreach (var url in new[] { "/docs", "/openapi/v1.json", "/" })
            Assert.Equal(HttpStatusCode.NotFound, (await hidden.GetAsync(url, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await hidden.GetAsync("/healthz", Ct)).StatusCode);
    }

    [Fact]
    public void Docs_are_off_unless_a_setting_turns_them_on_as_the_sandbox_file_does()
    {
        static JsonElement Settings(string file) => JsonDocument.Parse(File.ReadAllText(
            Path.Combine(TestEnvironment.RepoRoot(), "WxQms.Api", file)), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }).RootElement;

        Assert.False(Settings("appsettings.json").TryGetProperty("Api", out var api) && api.TryGetProperty("PublicDocs", out var on) && on.GetBoolean());
        Assert.True(Settings("appsettings.Sandbox.json").GetProperty("Api").GetProperty("PublicDocs").GetBoolean());
    }

    [Fact]
    public async Task The_docs_page_renders()
    {
        var response = await client.GetAsync("/docs", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("WxQms API", await response.Content.ReadAsStringAsync(Ct));
    }
}
