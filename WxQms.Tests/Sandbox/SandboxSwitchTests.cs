using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Sandbox;

[Collection(IntegrationCollection.Name)]
public sealed class SandboxSwitchTests
{
    /// <summary>The same Api with Wechat:Sandbox:Enabled off, as in production.</summary>
    private sealed class WithoutSandbox : WxQmsApp
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(
                new Dictionary<string, string?> { ["Wechat:Sandbox:Enabled"] = "false" }));
        }
    }

    [Theory]
    [InlineData("GET", "/sandbox/wechat/users")]
    [InlineData("GET", "/sandbox/wechat/cgi-bin/token?grant_type=client_credential&appid=wx0a0000000000test&secret=test-oa-secret")]
    [InlineData("POST", "/sandbox/wechat/cgi-bin/message/template/send?access_token=x")]
    [InlineData("POST", "/sandbox/wechat/media")]
    [InlineData("GET", "/sandbox/open/connect/oauth2/authorize?appid=wx0a0000000000test&redirect_uri=https%3A%2F%2Fa.example&response_type=code&scope=snsapi_base")]
    public async Task Every_sandbox_route_is_not_found_when_the_sandbox_is_off(string method, string url)
    {
        await using var production = new WithoutSandbox();
        using var client = production.CreateClient();

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url)
        {
            Content = method == "POST" ? new StringContent("{}") : null,
        }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
