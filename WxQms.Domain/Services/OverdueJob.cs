using Dapper;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using WxQms.Domain.Hosting;
using WxQms.Domain.Rules.Tasks;

namespace WxQms.Domain.Services;

/// <summary>
/// Marks open tasks whose due time has passed as overdue, books the template's overdue deduction in
/// the points ledger and leaves an audit entry for each — in batches, each batch one transaction over
/// rows locked with SKIP LOCKED, so several workers share the work and none marks a task twice.
/// A task marked overdue can still be submitted; it then completes late (TaskTransitions).
/// </summary>
public sealed class OverdueJob(MySqlDataSource db, ILogger<OverdueJob> log) : IPeriodicJob
{
    public const int BatchSize = 500;

    public string Name => "overdue";

    public TimeSpan Interval => TimeSpan.FromMinutes(5);

    private sealed record Due(long Id, long OrgId, string TemplateCode, int TemplateVersion, string PeriodKey, string State);

    public async Task RunAsync(DateTimeOffset now, CancellationToken ct)
    {
        var total = 0;
        while (await MarkBatchAsync(now, ct) is var marked and > 0)
            total += marked;
        if (total > 0)
            log.LogInformation("Marked {Count} tasks overdue", total);
    }

    public async Task<int> MarkBatchAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var due = (await conn.QueryAsync<Due>(new CommandDefinition("""
            SELECT id AS Id, org_id AS OrgId, template_code AS TemplateCode, template_version AS TemplateVersion,
                   period_key AS PeriodKey, state AS State
            FROM tasks
            WHERE state IN ('pending', 'planned', 'returned') AND due_at <= @now
            ORDER BY due_at, id
            LIMIT @batch
            FOR UPDATE SKIP LOCKED
            """, new { now = now.UtcDateTime, batch = BatchSize }, tx, cancellationToken: ct))).ToList();
        if (due.Count == 0)
            return 0;

        var ids = due.Select(d => d.Id).ToArray();
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE tasks SET state = 'overdue', row_version = row_version + 1, updated_at = @now WHERE id IN @ids
            """, new { ids, now = now.UtcDateTime }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO audit_log (occurred_at, actor, action, entity_type, entity_id, org_id, data)
            VALUES (@now, 'system', 'task.overdue', 'task', @Id, @OrgId, @Data)
            """, due.Select(d => new { now = now.UtcDateTime, d.Id, d.OrgId, Data = $$"""{"from":"{{d.State}}","to":"overdue"}""" }),
            tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO points_ledger (subject_type, subject_id, period_key, points, source, task_id, reason, created_at)
            VALUES ('org', @OrgId, @PeriodKey, @Points, 'task.overdue', @Id, @Reason, @now)
            ON DUPLICATE KEY UPDATE id = id
            """, due.Select(d =>
        {
            var template = TaskCatalogue.Default.Get(d.TemplateCode, d.TemplateVersion);
            return new
            {
                d.OrgId, d.PeriodKey, Points = -template.OverdueDeduction, d.Id,
                Reason = $"{template.Name}（{d.PeriodKey}）逾期未完成", now = now.UtcDateTime,
            };
        }), tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return due.Count;
    }
}
