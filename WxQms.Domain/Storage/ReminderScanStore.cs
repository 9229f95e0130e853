using System.Data.Common;
using System.Globalization;
using System.Text;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Model.Reminders;

namespace WxQms.Domain.Storage;

/// <summary>A task whose reminders are due, as the reminder scan reads it.</summary>
public sealed record DueTask(long Id, long OrgId, long? PartyGroupId, string TemplateCode, int TemplateVersion, long? AdhocTaskId,
    string State, DateTime OpensAt, DateTime DueAt, DateTime? PlannedFor, string? Place, DateTime? WarnedAt);

/// <summary>A reminder row the scan writes: which task, which kind, to which member, listed under which org.</summary>
public sealed record ScannedReminder(long TaskId, ReminderKind Kind, long MemberId, long OrgId);

/// <summary>
/// What the reminder scan reads and writes, one batch in one transaction (see <see cref="ReminderScanBatch"/>): the due
/// tasks locked with SKIP LOCKED, their orgs and role holders, the reminder rows, and when to look at each task again.
/// </summary>
public sealed class ReminderScanStore(MySqlDataSource db)
{
    /// <summary>Runs <paramref name="body"/> in one transaction, committed when it returns (rolled back when it throws).</summary>
    public Task<T> InTransactionAsync<T>(Func<ReminderScanBatch, Task<T>> body, CancellationToken ct) =>
        db.InTransactionAsync((conn, tx) => body(new ReminderScanBatch(conn, tx, ct)), ct);
}

/// <summary>The statements of one scan batch, inside its transaction.</summary>
public sealed class ReminderScanBatch(DbConnection conn, DbTransaction tx, CancellationToken ct)
{
    /// <summary>The tasks whose next reminder has come, locked; tasks only (locking the joined org rows too would make two scanners skip each other's tasks).</summary>
    public async Task<IReadOnlyList<DueTask>> DueTasksAsync(DateTimeOffset now, int batch, int maxFailures) =>
        (await conn.QueryAsync<DueTask>(new CommandDefinition("""
            SELECT id AS Id, org_id AS OrgId, party_group_id AS PartyGroupId, template_code AS TemplateCode,
                   template_version AS TemplateVersion, adhoc_task_id AS AdhocTaskId, state AS State, opens_at AS OpensAt,
                   due_at AS DueAt, planned_for AS PlannedFor, place AS Place, warned_at AS WarnedAt
            FROM tasks
            WHERE next_reminder_at <= @now AND reminder_failures < @maxFailures
            ORDER BY next_reminder_at
            LIMIT @batch
            FOR UPDATE SKIP LOCKED
            """, new { now = now.UtcDateTime, batch, maxFailures }, tx, cancellationToken: ct))).ToList();

    /// <summary>The orgs by id, with their parents and paths.</summary>
    public async Task<IReadOnlyDictionary<long, (long Id, long? ParentId, string Path)>> OrgsAsync(long[] orgIds) =>
        (await conn.QueryAsync<(long Id, long? ParentId, string Path)>(new CommandDefinition(
            "SELECT id, parent_id, path FROM orgs WHERE id IN @orgIds", new { orgIds }, tx, cancellationToken: ct)))
            .ToDictionary(o => o.Id);

    /// <summary>Everyone on the roll holding one of the roles in these orgs, in one query.</summary>
    public async Task<ILookup<long, (long OrgId, string Role, long MemberId)>> RoleHoldersAsync(long[] orgIds, string[] roles,
        string[] onTheRoll) =>
        (await conn.QueryAsync<(long OrgId, string Role, long MemberId)>(new CommandDefinition("""
            SELECT r.org_id, r.role, r.member_id FROM member_roles r JOIN members m ON m.id = r.member_id
            WHERE r.org_id IN @roleOrgIds AND r.role IN @roles AND m.status IN @onTheRoll
            """, new { roleOrgIds = orgIds, roles, onTheRoll }, tx, cancellationToken: ct)))
            .ToLookup(h => h.OrgId);

    /// <summary>The roster of an org (see <see cref="MemberStore.RosterAsync(DbConnection, DbTransaction?, long, RosterScope, CancellationToken)"/>).</summary>
    public Task<IReadOnlyList<RosterEntry>> RosterAsync(long orgId, RosterScope scope) => MemberStore.RosterAsync(conn, tx, orgId, scope, ct);

    /// <summary>
    /// One multi-row INSERT per 500 reminders. The unique (task, kind, member) key makes a reminder fired
    /// again (a reopened task, a second scanner) a no-op; the count is of rows actually written.
    /// </summary>
    public async Task<int> InsertAsync(IReadOnlyList<ScannedReminder> rows, DateTimeOffset dueAt, DateTimeOffset now)
    {
        var written = 0;
        foreach (var chunk in rows.Chunk(500))
        {
            var sql = new StringBuilder("""
                INSERT INTO reminders (subject_type, subject_id, task_id, kind, member_id, recipient, org_id, status, due_at, created_at, updated_at)
                VALUES
                """);
            var args = new DynamicParameters(new { dueAt = dueAt.UtcDateTime, now = now.UtcDateTime });
            for (var i = 0; i < chunk.Length; i++)
            {
                sql.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $" ('task', @t{i}, @t{i}, @k{i}, @m{i}, CONCAT('m:', @m{i}), @o{i}, 'pending', @dueAt, @now, @now)");
                args.Add($"t{i}", chunk[i].TaskId);
                args.Add($"k{i}", DbNames.Of(chunk[i].Kind));
                args.Add($"m{i}", chunk[i].MemberId);
                args.Add($"o{i}", chunk[i].OrgId);
            }
            sql.Append(" ON DUPLICATE KEY UPDATE id = id");
            written += await conn.ExecuteAsync(new CommandDefinition(sql.ToString(), args, tx, cancellationToken: ct));
        }
        return written;
    }

    /// <summary>When to look at each task again, in one statement.</summary>
    public async Task SetNextAsync(IReadOnlyDictionary<long, DateTimeOffset?> next)
    {
        var sql = new StringBuilder("UPDATE tasks SET next_reminder_at = CASE id");
        var args = new DynamicParameters();
        var i = 0;
        foreach (var (id, at) in next)
        {
            sql.Append(CultureInfo.InvariantCulture, $" WHEN @i{i} THEN @n{i}");
            args.Add($"i{i}", id);
            args.Add($"n{i}", at?.UtcDateTime);
            i++;
        }
        sql.Append(" END WHERE id IN @ids");
        args.Add("ids", next.Keys.ToArray());
        await conn.ExecuteAsync(new CommandDefinition(sql.ToString(), args, tx, cancellationToken: ct));
    }

    /// <summary>The same-day warning fired: the task is marked warned, with the audit entry.</summary>
    public async Task MarkWarnedAsync(DueTask task, DateTimeOffset now)
    {
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE tasks SET warned_at = @now, updated_at = @now WHERE id = @id AND warned_at IS NULL",
            new { id = task.Id, now = now.UtcDateTime }, tx, cancellationToken: ct));
        await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, "system", "task.warned", "task", task.Id, task.OrgId,
            Data: new { task.State, PlannedFor = task.PlannedFor, Reason = "no_evidence" }), ct);
    }

    /// <summary>Counts a failed scan against each task (a task failing too often is no longer looked at).</summary>
    public Task CountFailuresAsync(IReadOnlyList<long> failed) => conn.ExecuteAsync(new CommandDefinition(
        "UPDATE tasks SET reminder_failures = reminder_failures + 1 WHERE id IN @failed", new { failed }, tx, cancellationToken: ct));
}
