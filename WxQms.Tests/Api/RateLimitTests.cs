using System.Net;
using System.Text.Json;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Wishes;

namespace WxQms.Tests.Api;

/// <summary>
/// HTTP rate limits over the real pipeline, in an Api of their own with small limits (the shared test app
/// raises them all so the other tests' bursts pass): a burst past the limit answers 429 with Retry-After and
/// <c>rate.limited</c>, per signed-in user, and per IP address for the anonymous login.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class RateLimitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_resident_meets_429_in_a_burst_of_uploads_and_another_resident_does_not()
    {
        await using var app = new LimitedApp();
        var w = new WishWorld(app);
        await w.InitializeAsync();
        var resident = await w.ResidentAsync("刘桂兰");
        var neighbour = await w.ResidentAsync("杨晓燕");

        for (var i = 0; i < LimitedApp.UploadBurst; i++)
            await w.UploadAsync(resident, WishWorld.Png(i));
        using var refused = await UploadAsync(w, resident, WishWorld.Png(9));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(int.TryParse(refused.Headers.GetValues("Retry-After").Single(), out var seconds) && seconds >= 1,
            "Retry-After names whole seconds");
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("rate.limited", problem.GetProperty("code").GetString());
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.StartsWith("application/problem+json", refused.Content.Headers.ContentType!.ToString());

        // The neighbour has a bucket of her own.
        await w.UploadAsync(neighbour, WishWorld.Png(10));
    }

    [Fact]
    public async Task The_anonymous_login_is_limited_per_IP_address_and_X_Forwarded_For_is_not_trusted_by_default()
    {
        await using var app = new LimitedApp();
        var first = IPAddress.Parse("203.0.113.7");

        for (var i = 0; i < LimitedApp.LoginBurst; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(app, first)).StatusCode);
        using var refused = await LoginAsync(app, first);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.Contains("Retry-After"));
        Assert.Equal("rate.limited", JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("code").GetString());
        // Claiming to be someone else through a header changes nothing unless the deployer trusts a proxy.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await LoginAsync(app, first, forwardedFor: "198.51.100.1")).StatusCode);

        // Another address still signs in (here: a wrong code, refused as such).
        Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(app, IPAddress.Parse("203.0.113.8"))).StatusCode);
    }

    /// <summary>An anonymous login with a wrong code from <paramref name="from"/>: 401 unless limited.</summary>
    private static async Task<HttpResponseMessage> LoginAsync(LimitedApp app, IPAddress from, string? forwardedFor = null)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/mp/login") { Content = JsonContent.Create(new { code = "not-a-code" }) };
        request.Headers.Add(LimitedApp.ClientAddressHeader, from.ToString());
        if (forwardedFor is not null)
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        return await client.SendAsync(request, Ct);
    }

    private static async Task<HttpResponseMessage> UploadAsync(WishWorld w, WishWorld.Person who, byte[] png)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(png);
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
        form.Add(file, "file", "photo.png");
        return await w.SendAsync(HttpMethod.Post, "/api/mp/uploads", who, form);
    }

    /// <summary>The Api with small limits: bursts of a few requests, refilled slowly.</summary>
    private sealed class LimitedApp : WxQmsApp
    {
        public const int UploadBurst = 3;
        public const int LoginBurst = 3;

        /// <summary>The test server has no sockets: a request names the address it comes from here.</summary>
        public const string ClientAddressHeader = "X-Test-Client-Address";

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(s => s.AddSingleton<IStartupFilter, ClientAddress>());
            builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["RateLimits:Uploads:PerMinute"] = "1",
                ["RateLimits:Uploads:Burst"] = UploadBurst.ToString(),
                ["RateLimits:Login:PerMinute"] = "1",
                ["RateLimits:Login:Burst"] = LoginBurst.ToString(),
            }));
        }
    }

    private sealed class ClientAddress : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((http, then) =>
            {
                if (IPAddress.TryParse(http.Request.Headers[LimitedApp.ClientAddressHeader], out var address))
                    http.Connection.RemoteIpAddress = address;
                return then(http);
            });
            next(app);
        };
    }
}
