using Dapper;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using WxQms.Domain.Caching;
using WxQms.Domain.Hosting;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services;

/// <summary>
/// Marks open tasks whose due time has passed as overdue, books the template's overdue deduction in
/// the points ledger and leaves an audit entry for each — in batches, each batch one transaction over
/// rows locked with SKIP LOCKED, so several workers share the work and none marks a task twice.
/// A task marked overdue can still be submitted; it then completes late (TaskTransitions).
/// </summary>
public sealed class OverdueJob(MySqlDataSource db, TaskCache cache, ILogger<OverdueJob> log) : IPeriodicJob
{
    public const int BatchSize = 500;

    /// <summary>A task the job failed on this often is no longer claimed (its error is in the log).</summary>
    public const int MaxFailures = 5;

    public string Name => "overdue";

    public TimeSpan Interval => TimeSpan.FromMinutes(5);

    private sealed record Due(long Id, long OrgId, string TemplateCode, int TemplateVersion, string PeriodKey, string State,
        int RowVersion, long? AdhocTaskId);

    public async Task RunAsync(DateTimeOffset now, CancellationToken ct)
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
    public Task<int> MarkBatchAsync(DateTimeOffset now, CancellationToken ct) =>
        Deadlocks.RetryAsync(() => TryMarkBatchAsync(now, ct), ct);

    private async Task<int> TryMarkBatchAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var due = (await conn.QueryAsync<Due>(new CommandDefinition("""
            SELECT id AS Id, org_id AS OrgId, template_code AS TemplateCode, template_version AS TemplateVersion,
                   period_key AS PeriodKey, state AS State, row_version AS RowVersion, adhoc_task_id AS AdhocTaskId
            FROM tasks
            WHERE state IN ('pending', 'planned', 'returned') AND due_at <= @now AND overdue_failures < @maxFailures
            ORDER BY due_at, id
            LIMIT @batch
            FOR UPDATE SKIP LOCKED
            """, new { now = now.UtcDateTime, batch = BatchSize, maxFailures = MaxFailures }, tx, cancellationToken: ct))).ToList();
        if (due.Count == 0)
            return 0;

        // Ad-hoc tasks carry their own name and deduction (read without locking their definition).
        var adhocIds = due.Where(d => d.AdhocTaskId is not null).Select(d => d.AdhocTaskId!.Value).Distinct().ToArray();
        var adhoc = adhocIds.Length == 0
            ? new Dictionary<long, (string Title, decimal Deduction)>()
            : (await conn.QueryAsync<(long Id, string Title, decimal Deduction)>(new CommandDefinition(
                "SELECT id, title, overdue_deduction FROM adhoc_tasks WHERE id IN @adhocIds", new { adhocIds }, tx,
                cancellationToken: ct))).ToDictionary(a => a.Id, a => (a.Title, a.Deduction));
        // A task whose data the rules cannot read (a template version not in the catalogue …) is counted and left
        // out; the rest of the batch is marked.
        var marked = new List<(Due Task, string Name, decimal Deduction)>();
        var failed = new List<long>();
        foreach (var d in due)
        {
            try
            {
                // Ad-hoc tasks carry their own deduction; the rest follow the catalogue version they were made under.
                var (name, deduction) = d.AdhocTaskId is { } adhocId
                    ? adhoc[adhocId]
                    : TaskCatalogue.Default.Get(d.TemplateCode, d.TemplateVersion) is var template
                        ? (template.Name, template.OverdueDeduction)
                        : default;
                marked.Add((d, name, deduction));
            }
            catch (Exception ex) when (ex is KeyNotFoundException or ArgumentException or InvalidOperationException)
            {
                failed.Add(d.Id);
                log.LogError(ex, "Task {TaskId} could not be marked overdue; skipped after {Max} failures", d.Id, MaxFailures);
            }
        }
        if (failed.Count > 0)
            await conn.ExecuteAsync(new CommandDefinition("UPDATE tasks SET overdue_failures = overdue_failures + 1 WHERE id IN @failed",
                new { failed }, tx, cancellationToken: ct));
        if (marked.Count == 0)
        {
            await tx.CommitAsync(ct);
            return 0;
        }

        var ids = marked.Select(m => m.Task.Id).ToArray();
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE tasks SET state = 'overdue', row_version = row_version + 1, updated_at = @now WHERE id IN @ids
            """, new { ids, now = now.UtcDateTime }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO audit_log (occurred_at, actor, action, entity_type, entity_id, org_id, data)
            VALUES (@now, 'system', 'task.overdue', 'task', @Id, @OrgId, @Data)
            """, marked.Select(m => new { now = now.UtcDateTime, m.Task.Id, m.Task.OrgId, Data = $$"""{"from":"{{m.Task.State}}","to":"overdue"}""" }),
            tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO points_ledger (subject_type, subject_id, period_key, points, source, task_id, ref_id, reason, created_at)
            VALUES ('org', @OrgId, @PeriodKey, @Points, @source, @Id, @RowVersion, @Reason, @now)
            ON DUPLICATE KEY UPDATE id = id
            """, marked.Select(m => new
        {
            m.Task.OrgId, m.Task.PeriodKey, Points = -m.Deduction, source = LedgerSources.Overdue, m.Task.Id, m.Task.RowVersion,
            Reason = $"{m.Name}（{m.Task.PeriodKey}）逾期未完成", now = now.UtcDateTime,
        }), tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return marked.Count;
    }
}
