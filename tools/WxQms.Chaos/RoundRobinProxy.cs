using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;

namespace WxQms.Chaos;

/// <summary>
/// What a deployment's load balancer does in front of several Apis: round-robin, a dead destination taken out by the
/// active check of /healthz (every second) or by failed connections, and put back once it answers again.
/// </summary>
public static class RoundRobinProxy
{
    public static async Task RunAsync(string listen, IReadOnlyList<string> backends)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls(listen);
        var cluster = new ClusterConfig
        {
            ClusterId = "api",
            LoadBalancingPolicy = LoadBalancingPolicies.RoundRobin,
            HealthCheck = new HealthCheckConfig
            {
                Active = new ActiveHealthCheckConfig
                {
                    Enabled = true, Interval = TimeSpan.FromSeconds(1), Timeout = TimeSpan.FromSeconds(1),
                    Policy = HealthCheckConstants.ActivePolicy.ConsecutiveFailures, Path = "/healthz",
                },
                Passive = new PassiveHealthCheckConfig
                {
                    Enabled = true, Policy = HealthCheckConstants.PassivePolicy.TransportFailureRate,
                    ReactivationPeriod = TimeSpan.FromSeconds(2),
                },
            },
            Destinations = backends.Select((b, i) => (b, i)).ToDictionary(x => $"api{x.i + 1}", x => new DestinationConfig { Address = x.b }),
        };
        var route = new RouteConfig { RouteId = "all", ClusterId = "api", Match = new RouteMatch { Path = "{**rest}" } };
        builder.Services.AddReverseProxy().LoadFromMemory([route], [cluster]);
        var app = builder.Build();
        app.MapReverseProxy();
        await app.RunAsync();
    }
}
