using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace WxQms.Domain.Hosting;

/// <summary>
/// The product's own metrics and traces (#22 item 3), under the name <see cref="Name"/>: what OpenTelemetry exports when
/// <c>Telemetry:*</c> turns it on (<see cref="TelemetryExtensions"/>). With no listener an instrument costs a check of a
/// field, so the code records unconditionally. Labels are small fixed sets (an app, a channel, a status, an errcode, a cache
/// family, an API path without its query): never an openid, a phone or a token.
/// </summary>
public static class WxQmsTelemetry
{
    public const string Name = "WxQms";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    /// <summary>Seconds from a callback's arrival to its answer (WeChat waits 5 s at most), by <c>app</c> (oa, mp).</summary>
    public static readonly Histogram<double> CallbackAck = Meter.CreateHistogram<double>("wxqms.callback.ack.duration", "s",
        "Time from a WeChat callback's arrival to the answer that acknowledges it",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5] });

    /// <summary>Reminders that reached a status (sent, unreachable, failed, cancelled, …), by <c>status</c> and <c>channel</c>.</summary>
    public static readonly Counter<long> Reminders = Meter.CreateCounter<long>("wxqms.reminders", "{reminder}",
        "Reminders that reached a status, by status and channel");

    /// <summary>WeChat API calls answered with an errcode (an HTTP error counts as -1, busy), by <c>api</c> (the path) and <c>errcode</c>.</summary>
    public static readonly Counter<long> WechatErrors = Meter.CreateCounter<long>("wxqms.wechat.errors", "{call}",
        "WeChat API calls that answered an error, by API path and errcode");

    /// <summary>Cache lookups by <c>family</c> (tasks, orgs, rankings, …) and <c>outcome</c> (hit, miss, bypass): the hit ratio.</summary>
    public static readonly Counter<long> CacheLookups = Meter.CreateCounter<long>("wxqms.cache.lookups", "{lookup}",
        "Cache lookups by family and outcome (hit, miss, bypass when Redis is down)");

    public static void CallbackAcknowledged(string app, long startTimestamp) =>
        CallbackAck.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, new KeyValuePair<string, object?>("app", app));

    public static void ReminderReached(string status, string? channel) =>
        Reminders.Add(1, new KeyValuePair<string, object?>("status", status), new KeyValuePair<string, object?>("channel", channel ?? "none"));

    public static void CacheLookup(string family, string outcome) =>
        CacheLookups.Add(1, new KeyValuePair<string, object?>("family", family), new KeyValuePair<string, object?>("outcome", outcome));
}
