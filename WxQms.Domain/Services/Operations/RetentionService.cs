using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Operations;

/// <summary>What one retention run removed, per kind.</summary>
public sealed record RetentionRun(IReadOnlyDictionary<RetainedKind, int> Removed, int Statements, int AuditMonthsAdded);

/// <summary>
/// The <c>retention</c> job (#22): removes working records past their time (<see cref="RetentionOptions"/>) in small
/// batches with a pause between them, so that a year of callbacks goes without a long lock on a table the live traffic uses.
/// </summary>
public sealed class RetentionService(RetentionStore store, IOptions<RetentionOptions> options, TimeProvider clock,
    ILogger<RetentionService> log)
{
    public async Task<RetentionRun> RunAsync(DateTimeOffset now, CancellationToken ct)
    {
        var o = options.Value;
        // The audit trail is kept, by month: the coming two months' partitions exist before their first entry.
        var auditMonths = await store.EnsureAuditMonthsAsync(DateOnly.FromDateTime(now.UtcDateTime).AddMonths(2), ct);
        if (auditMonths > 0)
            log.LogInformation("Retention: added {Months} monthly partitions to the audit trail", auditMonths);
        var removed = new Dictionary<RetainedKind, int>();
        var statements = 0;
        foreach (var (kind, days) in Periods(o))
        {
            var cutoff = now.AddDays(-days);
            var total = 0;
            while (true)
            {
                var n = await store.PurgeBatchAsync(kind, cutoff, o.BatchSize, ct);
                statements++;
                total += n;
                if (n < o.BatchSize)
                    break;
                if (o.Pause > TimeSpan.Zero)
                    await Task.Delay(o.Pause, clock, ct);
            }
            removed[kind] = total;
            if (total > 0)
                log.LogInformation("Retention: removed {Rows} {Kind} rows older than {Days} days", total, kind, days);
        }
        return new RetentionRun(removed, statements, auditMonths);
    }

    private static IEnumerable<(RetainedKind Kind, int Days)> Periods(RetentionOptions o) =>
    [
        (RetainedKind.Inbound, o.InboundDays),
        (RetainedKind.Outbound, o.OutboundDays),
        (RetainedKind.Uploads, o.UploadDays),
        (RetainedKind.MediaChecks, o.MediaCheckDays),
        (RetainedKind.Reminders, o.ReminderDays),
        (RetainedKind.Dialogues, o.DialogueDays),
    ];
}
