using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using WxQms.Domain.Services;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Api;

/// <summary>
/// Redis is a cache, never the only copy: with it gone the tree still answers from MySQL and
/// readiness says which store is missing; when it returns, both recover without a restart.
/// The test runs its own redis-server so it can stop and restart it.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class RedisOutageTests(WxQmsApp shared) : IAsyncLifetime
{
    private readonly int port = FreePort();
    private Process? redis;
    private OwnRedisApp? app;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await shared.SeedDemoAsync();
        redis = await StartRedisAsync(port);
        app = new OwnRedisApp($"127.0.0.1:{port},abortConnect=false,connectTimeout=1000");
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
            await app.DisposeAsync();
        Stop(redis);
    }

    [Fact]
    public async Task The_tree_is_served_from_mysql_while_redis_is_down_and_recovers_after()
    {
        var client = app!.CreateClient();
        var staff = new Assessment.AssessmentWorld(app); // a token this app issues, on its own clock
        client.DefaultRequestHeaders.Authorization = new("Bearer", await staff.TokenAsync(await staff.HolderAsync("staff", "DFL")));
        var rootId = (await client.GetFromJsonAsync<JsonElement>("/api/orgs", Ct))[0].GetProperty("id").GetInt64();
        var tree = $"/api/orgs/{rootId}/tree";
        Assert.Equal("miss", (await client.GetAsync(tree, Ct)).Headers.GetValues("X-Cache").Single());

        Stop(redis);

        var duringOutage = await client.GetAsync(tree, Ct);
        Assert.Equal(HttpStatusCode.OK, duringOutage.StatusCode);
        Assert.Equal("bypass", duringOutage.Headers.GetValues("X-Cache").Single());
        Assert.Contains("东风路街道党工委", await duringOutage.Content.ReadAsStringAsync(Ct));
        var ready = await client.GetAsync("/readyz", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var checks = await ChecksAsync(ready);
        Assert.Equal("Unhealthy", checks["redis"]);
        Assert.Equal("Healthy", checks["mysql"]);
        Assert.DoesNotContain($"{port}", await ready.Content.ReadAsStringAsync(Ct)); // the address stays in the log

        redis = await StartRedisAsync(port);

        await Eventually(async () => (await client.GetAsync("/readyz", Ct)).StatusCode == HttpStatusCode.OK);
        await Eventually(async () =>
            (await client.GetAsync(tree, Ct)).Headers.GetValues("X-Cache").Single() == "miss"
            && (await client.GetAsync(tree, Ct)).Headers.GetValues("X-Cache").Single() == "hit");
    }

    private static async Task<Dictionary<string, string?>> ChecksAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("checks").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString());

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
                Assert.Fail("condition not met within 30 s");
            await Task.Delay(250, Ct);
        }
    }

    private static async Task<Process> StartRedisAsync(int port)
    {
        var process = Process.Start(new ProcessStartInfo("redis-server",
            ["--bind", "127.0.0.1", "--port", port.ToString(), "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        process.BeginOutputReadLine();
        await Eventually(async () =>
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync("127.0.0.1", port, Ct);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        });
        return process;
    }

    private static void Stop(Process? process)
    {
        if (process is null || process.HasExited)
            return;
        process.Kill(entireProcessTree: true);
        process.WaitForExit(TimeSpan.FromSeconds(10));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class OwnRedisApp(string redis) : WxQmsApp
    {
        protected override string RedisConnectionString => redis;
    }
}
