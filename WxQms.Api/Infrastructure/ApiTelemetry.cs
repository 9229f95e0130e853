using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using WxQms.Domain.Hosting;

namespace WxQms.Api.Infrastructure;

/// <summary>
/// The Api's telemetry (#22 item 3): <see cref="TelemetryExtensions.AddWxQmsTelemetry"/> plus ASP.NET Core's request
/// metrics (<c>http.server.request.duration</c> by route template) and spans, and the Prometheus scrape endpoint
/// <c>/metrics</c> when <c>Telemetry:Prometheus:Enabled</c> (otherwise there is no such route: 404).
/// </summary>
public static class ApiTelemetry
{
    public static WebApplicationBuilder AddApiTelemetry(this WebApplicationBuilder builder)
    {
        var prometheus = builder.Configuration.PrometheusEnabled();
        builder.AddWxQmsTelemetry("WxQms.Api", prometheus,
            m =>
            {
                m.AddAspNetCoreInstrumentation();
                if (prometheus)
                    m.AddPrometheusExporter();
            },
            t => t.AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/metrics")));
        return builder;
    }

    public static WebApplication MapMetrics(this WebApplication app)
    {
        if (app.Configuration.PrometheusEnabled())
            app.MapPrometheusScrapingEndpoint().DisableRateLimiting();
        return app;
    }
}
