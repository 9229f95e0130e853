using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Hosting;

/// <summary>
/// OpenTelemetry for a host (#22 item 3), off unless configured: metrics (ours, <see cref="WxQmsTelemetry"/>, the
/// outbox's depth, HttpClient, the runtime, and what the host adds) when <c>Telemetry:Prometheus:Enabled</c> or
/// <c>Telemetry:Otlp:Endpoint</c> is set; traces only with an OTLP endpoint, where they can go. The standard
/// <c>OTEL_*</c> variables (headers, protocol) apply to the OTLP exporter as usual.
/// </summary>
public static class TelemetryExtensions
{
    public const string PrometheusEnabledKey = "Telemetry:Prometheus:Enabled";

    /// <summary>Whether this host serves a Prometheus scrape endpoint (the Api at /metrics; Jobs on <c>Telemetry:Prometheus:Port</c>).</summary>
    public static bool PrometheusEnabled(this IConfiguration configuration) => configuration.GetValue<bool>(PrometheusEnabledKey);

    /// <summary>
    /// Adds OpenTelemetry when configured; false (and nothing registered) otherwise. <paramref name="prometheus"/> says
    /// whether the host will add a Prometheus exporter in <paramref name="metrics"/>.
    /// </summary>
    public static bool AddWxQmsTelemetry(this IHostApplicationBuilder builder, string serviceName, bool prometheus,
        Action<MeterProviderBuilder>? metrics = null, Action<TracerProviderBuilder>? traces = null)
    {
        var otlp = builder.Configuration["Telemetry:Otlp:Endpoint"] is { Length: > 0 } endpoint ? new Uri(endpoint) : null;
        if (!prometheus && otlp is null)
            return false;

        builder.Services.AddSingleton<QueueStore>();
        builder.Services.AddSingleton<QueueGauges>();
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName, serviceInstanceId: InstanceId.Value));
        otel.WithMetrics(m =>
        {
            m.AddMeter(WxQmsTelemetry.Name).AddHttpClientInstrumentation().AddRuntimeInstrumentation()
                .AddInstrumentation(sp => sp.GetRequiredService<QueueGauges>());
            metrics?.Invoke(m);
            if (otlp is not null)
                m.AddOtlpExporter(o => o.Endpoint = otlp);
        });
        if (otlp is not null)
            otel.WithTracing(t =>
            {
                t.AddSource(WxQmsTelemetry.Name).AddHttpClientInstrumentation();
                traces?.Invoke(t);
                t.AddOtlpExporter(o => o.Endpoint = otlp);
            });
        return true;
    }
}
