using Microsoft.Extensions.Logging;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Nonconformities;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Nonconformities;

/// <summary>
/// The <c>nonconformities</c> job: raises the nonconformities the rules find in the task data of the last twelve months
/// (two warned or overdue tasks of a branch in a quarter, two meetings without quorum in a quarter, six months' dues
/// arrears) through <see cref="NonconformityService.RaiseAsync"/>, whose key (source, source ref) makes a second run, or a
/// second worker at once, raise nothing more; then queues the reminders: the secretary before the countermeasure's due
/// date and after it, the community's secretary and committee when a check is due (once each per cycle, by the outbox's
/// key; the watched rows are locked SKIP LOCKED so several Jobs processes share them).
/// </summary>
public sealed class NonconformityScan(NonconformityService service, NonconformityStore store, ILogger<NonconformityScan> log)
{
    public sealed record Outcome(int Raised, int Notices);

    public async Task<Outcome> ScanAsync(DateTimeOffset now, CancellationToken ct)
    {
        var raised = await RaiseByRulesAsync(now, ct);
        var notices = await RemindAsync(now, ct);
        if (raised > 0 || notices > 0)
            log.LogInformation("Nonconformity scan raised {Raised} and queued {Notices} notices", raised, notices);
        return new Outcome(raised, notices);
    }

    /// <summary>Raises what the rules find; how many were new.</summary>
    public async Task<int> RaiseByRulesAsync(DateTimeOffset now, CancellationToken ct)
    {
        var since = Periods.StartOf(Periods.LocalDate(now).AddMonths(-12));
        var tasks = (await store.MarkedTasksAsync(since, ct))
            .Select(t => new TaskMark(t.OrgId, t.TaskId, Periods.LocalDate(t.DueAt.AddTicks(-1)), t.Warned, t.Overdue));
        var quorum = (await store.QuorumMissesAsync(since, ct)).Select(q => new QuorumMiss(q.OrgId, q.TaskId, Periods.LocalDate(q.HeldAt)));
        var findings = RaisedByRule.FromTasks(tasks).Concat(RaisedByRule.FromQuorum(quorum))
            .Concat(RaisedByRule.FromArrears(await store.ArrearsCasesAsync(ct)));
        var created = 0;
        foreach (var f in findings)
        {
            var (_, isNew) = await service.RaiseAsync(new NewNonconformity(f.OrgId, NonconformitySource.Rule, f.SourceRef, f.Clause, f.Severity,
                f.Description), NcActor.System, ct);
            if (isNew)
                created++;
        }
        return created;
    }

    /// <summary>Queues the reminders due today; how many it queued.</summary>
    public Task<int> RemindAsync(DateTimeOffset now, CancellationToken ct)
    {
        var today = Periods.LocalDate(now);
        return Deadlocks.RetryAsync(() => store.InTransactionAsync(async (conn, tx) =>
        {
            var written = 0;
            foreach (var n in await NonconformityStore.WatchedAsync(conn, tx, ct))
            {
                if (CapaRules.Due(n.State, n.ActionDueOn, n.CheckDueOn, today) is not { } alert)
                    continue;
                var recipients = alert != CapaAlert.CheckDue ? await NonconformityStore.SecretariesAsync(conn, tx, n.OrgId, ct)
                    : Rules.OrgPath.IdAt(n.OrgPath, 1) is { } community ? await NonconformityStore.CheckersAsync(conn, tx, community, ct)
                    : [];
                foreach (var member in recipients)
                {
                    if (await OutboxStore.EnqueueAsync(conn, tx, NonconformityNotices.Alert(n, alert, member), now, ct))
                        written++;
                }
            }
            return written;
        }, ct), ct);
    }
}
