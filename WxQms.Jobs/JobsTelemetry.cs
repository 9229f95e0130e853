using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using WxQms.Domain.Hosting;

namespace WxQms.Jobs;

/// <summary>
/// The Jobs process's telemetry (#22 item 3). It has no HTTP server, and what it counts (reminders sent, WeChat errors
/// of its sends, its caches) happens only here, so it is scraped on its own port: with
/// <c>Telemetry:Prometheus:Enabled</c> and <c>Telemetry:Prometheus:Port</c>, an HttpListener serves
/// <c>http://{Telemetry:Prometheus:Host}:{port}/metrics</c> (localhost unless set; one port per process on a machine).
/// OTLP as the Api.
/// </summary>
public static class JobsTelemetry
{
    public static IHostApplicationBuilder AddJobsTelemetry(this IHostApplicationBuilder builder)
    {
        var port = builder.Configuration.GetValue<int?>("Telemetry:Prometheus:Port");
        var prometheus = builder.Configuration.PrometheusEnabled() && port is > 0;
        builder.AddWxQmsTelemetry("WxQms.Jobs", prometheus, m =>
        {
            if (prometheus)
                m.AddPrometheusHttpListener(o =>
                {
                    o.Host = builder.Configuration["Telemetry:Prometheus:Host"] is { Length: > 0 } host ? host : "localhost";
                    o.Port = port!.Value;
                });
        });
        return builder;
    }
}
