using Microsoft.Extensions.Logging;
using WxQms.Domain.Caching;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services;

/// <summary>
/// Marks open tasks whose due time has passed as overdue (as the state machine allows), books the template's overdue
/// deduction in the points ledger and leaves an audit entry for each — in batches, each batch one transaction over
/// rows locked with SKIP LOCKED, so several workers share the work and none marks a task twice.
/// A task marked overdue can still be submitted; it then completes late (TaskTransitions).
/// </summary>
public sealed class OverdueMarker(TaskStore tasks, TaskCache cache, ITaskCatalogueSource duties, ILogger<OverdueMarker> log)
{
    public const int BatchSize = 500;

    /// <summary>A task the job failed on this often is no longer claimed (its error is in the log).</summary>
    public const int MaxFailures = 5;

    /// <summary>Marks every task now past due, batch after batch, and retires the cached task lists when any was.</summary>
    public async Task MarkDueAsync(DateTimeOffset now, CancellationToken ct)
    {
        var total = 0;
        while (await MarkBatchAsync(now, ct) is var marked and > 0)
            total += marked;
        if (total > 0)
        {
            await cache.InvalidateAsync();
            log.LogInformation("Marked {Count} tasks overdue", total);
        }
    }

    /// <summary>One batch in one transaction (run again whole if InnoDB picked it as a deadlock's loser).</summary>
    public async Task<int> MarkBatchAsync(DateTimeOffset now, CancellationToken ct)
    {
        var catalogue = await duties.GetAsync(ct);
        return await Deadlocks.RetryAsync(
            () => tasks.MarkDueAsync(now, BatchSize, MaxFailures, (due, adhoc) => Decide(due, adhoc, now, catalogue), ct), ct);
    }

    /// <summary>
    /// Asks the state machine about each due task and names its trail entry and deduction. A task whose data the rules
    /// cannot read (a template version not in the catalogue …) is counted as failed and left out; the rest are marked.
    /// </summary>
    private (IReadOnlyList<OverdueMarking> Marked, IReadOnlyList<long> Failed) Decide(IReadOnlyList<DueTaskRow> due,
        IReadOnlyDictionary<long, AdhocDeduction> adhoc, DateTimeOffset now, TaskCatalogue catalogue)
    {
        var marked = new List<OverdueMarking>();
        var failed = new List<long>();
        foreach (var d in due)
        {
            try
            {
                var from = DbNames.Parse<TaskState>(d.State);
                var transition = TaskTransitions.Apply(from, TaskAction.MarkOverdue, new TaskFacts(PastDue: now >= DbTime.Utc(d.DueAt)));
                var to = transition.To ?? throw new InvalidOperationException(transition.Refusal);
                // Ad-hoc tasks carry their own deduction; the rest follow the catalogue version they were made under.
                var (name, deduction) = d.AdhocTaskId is { } adhocId
                    ? (adhoc[adhocId].Title, adhoc[adhocId].Deduction)
                    : catalogue.Get(d.TemplateCode, d.TemplateVersion) is var template
                        ? (template.Name, template.OverdueDeduction)
                        : default;
                marked.Add(new OverdueMarking(d.Id, to,
                    new AuditEntry(now, "system", "task.overdue", "task", d.Id, d.OrgId, Data: new { From = from, To = to }),
                    new LedgerEntry(LedgerSubjects.Org, d.OrgId, d.PeriodKey, -deduction, LedgerSources.Overdue,
                        $"{name}（{d.PeriodKey}）逾期未完成", now, d.Id, d.RowVersion)));
            }
            catch (Exception ex) when (ex is KeyNotFoundException or ArgumentException or InvalidOperationException or FormatException)
            {
                failed.Add(d.Id);
                log.LogError(ex, "Task {TaskId} could not be marked overdue; skipped after {Max} failures", d.Id, MaxFailures);
            }
        }
        return (marked, failed);
    }
}
