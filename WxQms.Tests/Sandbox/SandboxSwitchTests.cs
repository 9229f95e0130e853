using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WxQms.Sandbox;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Sandbox;

[Collection(IntegrationCollection.Name)]
public sealed class SandboxSwitchTests(WxQmsApp app)
{
    /// <summary>The same Api with Wechat:Sandbox:Enabled off, as in production.</summary>
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

    /// <summary>
    /// Off, the sandbox is not in the Api at all: no imitation of WeChat to resolve, no phone page, and no background
    /// delivery of its pushes running; on (the tests' Api), its delivery runs.
    /// </summary>
    [Fact]
    public async Task Nothing_of_the_sandbox_is_registered_or_runs_when_it_is_off()
    {
        await using var production = new WithoutSandbox();
        using var client = production.CreateClient(); // starts the host and its hosted services

        using var phone = await client.GetAsync("/sandbox/phone", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, phone.StatusCode);
        Assert.Null(production.Services.GetService<SandboxWechat>());
        Assert.DoesNotContain(production.Services.GetServices<IHostedService>(),
            s => s is SandboxPushDelivery || s.GetType().Assembly == typeof(SandboxWechat).Assembly);
        Assert.Contains(app.Services.GetServices<IHostedService>(), s => s is SandboxPushDelivery);
    }
}
