using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Hosting;

/// <summary>
/// The outbox's depth and the age of its oldest due reminder, observed from MySQL when metrics are collected (the
/// queue is shared: every process reports the same numbers, so a dashboard takes their max). One read serves both
/// instruments of a collection; when MySQL does not answer, nothing is reported rather than a zero.
/// </summary>
public sealed class QueueGauges
{
    private readonly QueueStore store;
    private readonly TimeProvider clock;
    private readonly ILogger<QueueGauges> log;
    private readonly Lock gate = new();
    private (long At, OutboxBacklog? Backlog) last;

    public QueueGauges(IMeterFactory meters, QueueStore store, TimeProvider clock, ILogger<QueueGauges> log)
    {
        this.store = store;
        this.clock = clock;
        this.log = log;
        var meter = meters.Create(WxQmsTelemetry.Name);
        meter.CreateObservableGauge<long>("wxqms.outbox.due", () => Read() is { } b ? [new Measurement<long>(b.Due)] : [],
            "{reminder}", "Reminders due and not yet sent");
        meter.CreateObservableGauge<double>("wxqms.outbox.oldest_due.age", () => Read() is { } b
                ? [new Measurement<double>(b.OldestDueAt is { } due ? Math.Max(0, (clock.GetUtcNow().UtcDateTime - due).TotalSeconds) : 0)]
                : [],
            "s", "How long the oldest reminder due and not yet sent has waited (0 when none)");
    }

    private OutboxBacklog? Read()
    {
        lock (gate) // collections are rare (a scrape, an export interval): the lock is never on a request's path
        {
            if (last.Backlog is not null && Stopwatch.GetElapsedTime(last.At) < TimeSpan.FromSeconds(1))
                return last.Backlog;
            try
            {
                last = (Stopwatch.GetTimestamp(), store.Outbox(clock.GetUtcNow()));
                return last.Backlog;
            }
            catch (Exception ex) when (ex is MySqlConnector.MySqlException or InvalidOperationException or TimeoutException)
            {
                log.LogWarning("The outbox's depth could not be read for the metrics: {Reason}", ex.Message);
                return null;
            }
        }
    }
}
