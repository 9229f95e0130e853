using Dapper;
using MySqlConnector;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Tasks;
using static WxQms.Domain.Storage.DbTime;

namespace WxQms.Domain.Storage;

/// <summary>An org an ad-hoc task may go to.</summary>
public sealed record AdhocOrg(long Id, string Path, string Kind, string Name);

/// <summary>One org's copy of an ad-hoc task as stored.</summary>
public sealed record AdhocCopyRow(long TaskId, long OrgId, string OrgName, string State);

/// <summary>
/// Ad-hoc task definitions (the rows of adhoc_tasks) and their copies in tasks: issuing writes the definition and one
/// task per target org, cancelling closes every copy the state machine lets it cancel and nets its points to zero, each
/// in one transaction with its trail.
/// </summary>
public sealed class AdhocTaskStore(MySqlDataSource db)
{
    internal const string Columns = """
        id AS Id, title AS Title, description AS Description, opens_at AS OpensAt, due_at AS DueAt, period_key AS PeriodKey,
        points AS Points, late_deduction AS LateDeduction, overdue_deduction AS OverdueDeduction, min_photos AS MinPhotos,
        attendance_required AS AttendanceRequired, minutes_required AS MinutesRequired, place_required AS PlaceRequired,
        topic_required AS TopicRequired, record_label AS RecordLabel, scope_org_id AS ScopeOrgId, target_count AS TargetCount,
        issued_by AS IssuedBy, created_at AS CreatedAt, cancelled_at AS CancelledAt, cancel_reason AS CancelReason
        """;

    internal sealed record Row(long Id, string Title, string? Description, DateTime OpensAt, DateTime DueAt, string PeriodKey,
        decimal Points, decimal LateDeduction, decimal OverdueDeduction, int MinPhotos, bool AttendanceRequired, bool MinutesRequired,
        bool PlaceRequired, bool TopicRequired, string RecordLabel, long ScopeOrgId, int TargetCount, string IssuedBy,
        DateTime CreatedAt, DateTime? CancelledAt, string? CancelReason)
    {
        public AdhocTask ToModel() => new(Id, Title, Description, Utc(OpensAt), Utc(DueAt), PeriodKey, Points, LateDeduction,
            OverdueDeduction, new EvidenceRule(MinPhotos, AttendanceRequired, Quorum.None, MinutesRequired, PlaceRequired, TopicRequired,
                RecordLabel), ScopeOrgId, TargetCount, IssuedBy, Utc(CreatedAt), CancelledAt is { } c ? Utc(c) : null, CancelReason);
    }

    public async Task<AdhocTask?> GetAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM adhoc_tasks WHERE id = @id", new { id }, cancellationToken: ct));
        return row?.ToModel();
    }

    private static readonly string PrefixedColumns = string.Join(",", Columns.Split(',').Select(c => "a." + c.Trim()));

    /// <summary>The ad-hoc tasks issued within a subtree (by its scope org), newest first.</summary>
    public async Task<IReadOnlyList<AdhocTask>> ListAsync(string scopePath, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<Row>(new CommandDefinition($"""
            SELECT {PrefixedColumns}
            FROM adhoc_tasks a JOIN orgs o ON o.id = a.scope_org_id
            WHERE o.path LIKE @pattern
            ORDER BY a.created_at DESC, a.id DESC
            LIMIT @limit
            """, new { pattern = OrgPath.SubtreePattern(scopePath), limit }, cancellationToken: ct));
        return rows.Select(r => r.ToModel()).ToList();
    }

    /// <summary>Every org's copy of the ad-hoc task, in tree order.</summary>
    public async Task<IReadOnlyList<AdhocCopyRow>> CopiesAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<AdhocCopyRow>(new CommandDefinition("""
            SELECT t.id AS TaskId, t.org_id AS OrgId, o.name AS OrgName, t.state AS State
            FROM tasks t JOIN orgs o ON o.id = t.org_id
            WHERE t.adhoc_task_id = @id
            ORDER BY o.path
            """, new { id }, cancellationToken: ct))).ToList();
    }

    /// <summary>The orgs of these ids (those that exist).</summary>
    public async Task<IReadOnlyList<AdhocOrg>> OrgsAsync(IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<AdhocOrg>(new CommandDefinition(
            "SELECT id AS Id, path AS Path, kind AS Kind, name AS Name FROM orgs WHERE id IN @ids AND dissolved_on IS NULL",
            new { ids }, cancellationToken: ct))).ToList();
    }

    /// <summary>Every party branch.</summary>
    public async Task<IReadOnlyList<AdhocOrg>> BranchesAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<AdhocOrg>(new CommandDefinition(
            "SELECT id AS Id, path AS Path, kind AS Kind, name AS Name FROM orgs WHERE kind = @branch AND dissolved_on IS NULL",
            new { branch = DbNames.Of(OrgKind.Branch) }, cancellationToken: ct))).ToList();
    }

    /// <summary>The path of the org an ad-hoc task was issued over; null when it is gone.</summary>
    public async Task<string?> ScopePathAsync(long scopeOrgId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT path FROM orgs WHERE id = @id", new { id = scopeOrgId }, cancellationToken: ct));
    }

    /// <summary>
    /// Writes the definition and one pending task per target org, each with the definition's points as its possible
    /// points, and the audit entry <paramref name="audit"/> names (given the new id); returns the id.
    /// </summary>
    public async Task<long> IssueAsync(AdhocRules.Issuable t, IReadOnlyList<long> targetOrgIds, long scopeOrgId, string actor,
        long? actorMemberId, Func<long, AuditEntry> audit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var id = await IssueAsync(conn, tx, t, targetOrgIds, scopeOrgId, actor, actorMemberId, ct);
        await AuditLog.AppendAsync(conn, tx, audit(id), ct);
        await tx.CommitAsync(ct);
        return id;
    }

    /// <summary>
    /// Writes the definition and one pending task per target org inside the caller's transaction (a management review's
    /// decision issues its task with the decision); the caller appends the audit entry. Returns the new id.
    /// </summary>
    public static async Task<long> IssueAsync(MySqlConnection conn, MySqlTransaction tx, AdhocRules.Issuable t,
        IReadOnlyList<long> targetOrgIds, long scopeOrgId, string actor, long? actorMemberId, CancellationToken ct)
    {
        var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO adhoc_tasks (title, description, opens_at, due_at, period_key, points, late_deduction, overdue_deduction,
                                     min_photos, attendance_required, minutes_required, place_required, topic_required, record_label,
                                     scope_org_id, target_count, issued_by, issued_by_member_id, created_at)
            VALUES (@Title, @Description, @opensAt, @dueAt, @PeriodKey, @Points, @LateDeduction, @OverdueDeduction,
                    @minPhotos, @attendance, @minutes, @place, @topic, @label, @scopeOrgId, @count, @actor, @actorMemberId, @opensAt);
            SELECT LAST_INSERT_ID();
            """, new
        {
            t.Title, t.Description, opensAt = t.OpensAt.UtcDateTime, dueAt = t.DueAt.UtcDateTime, t.PeriodKey, t.Points,
            t.LateDeduction, t.OverdueDeduction, minPhotos = t.EvidenceRule.MinPhotos, attendance = t.EvidenceRule.AttendanceRequired,
            minutes = t.EvidenceRule.MinutesRequired, place = t.EvidenceRule.PlaceRequired, topic = t.EvidenceRule.TopicRequired,
            label = t.EvidenceRule.RecordLabel, scopeOrgId, count = targetOrgIds.Count, actor, actorMemberId,
        }, tx, cancellationToken: ct));
        foreach (var chunk in targetOrgIds.Chunk(TaskStore.BatchSize))
        {
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO tasks (unique_key, org_id, template_code, template_version, period_key, opens_at, due_at, possible_points,
                                   state, adhoc, adhoc_task_id, next_reminder_at, created_at, updated_at)
                SELECT CONCAT('adhoc:', @id, ':', o.id), o.id, @code, 1, @periodKey, @opensAt, @dueAt, @points,
                       @pending, TRUE, @id, @opensAt, @opensAt, @opensAt
                FROM orgs o WHERE o.id IN @orgIds
                """, new
            {
                id, code = AdhocTask.TemplateCode, periodKey = t.PeriodKey, opensAt = t.OpensAt.UtcDateTime, dueAt = t.DueAt.UtcDateTime,
                points = t.Points, pending = DbNames.Of(TaskState.Pending), orgIds = chunk,
            }, tx, cancellationToken: ct));
        }
        return id;
    }

    /// <summary>
    /// Withdraws the ad-hoc task: marks the definition cancelled (false if it already was), moves every copy the state
    /// machine lets it cancel to Cancelled with an audit entry, nets whatever the ledger holds for them to zero with one
    /// entry per subject, and appends the definition's own audit entry.
    /// </summary>
    public async Task<bool> CancelAsync(AdhocTask task, string why, string actor, long? actorMemberId, DateTimeOffset now,
        Func<int, AuditEntry> audit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var cancelled = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE adhoc_tasks SET cancelled_at = @now, cancelled_by = @actor, cancel_reason = @why
            WHERE id = @id AND cancelled_at IS NULL
            """, new { id = task.Id, now = now.UtcDateTime, actor, why }, tx, cancellationToken: ct));
        if (cancelled == 0)
            return false;
        var copies = (await conn.QueryAsync<(long Id, long OrgId, string State)>(new CommandDefinition(
            "SELECT id, org_id, state FROM tasks WHERE adhoc_task_id = @id AND state IN @states FOR UPDATE",
            new { id = task.Id, states = TaskTransitions.From(TaskAction.Cancel).Select(DbNames.Of).ToArray() }, tx,
            cancellationToken: ct))).ToList();
        var ids = copies.Select(c => c.Id).ToArray();
        if (ids.Length > 0)
        {
            var to = DbNames.Of(TaskState.Cancelled);
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE tasks SET state = @to, review_status = NULL, row_version = row_version + 1, updated_at = @now
                WHERE id IN @ids
                """, new { ids, to, now = now.UtcDateTime }, tx, cancellationToken: ct));
            await AuditLog.AppendAsync(conn, tx, copies.Select(c => new AuditEntry(now, actor, "task.cancelled", "task", c.Id, c.OrgId,
                actorMemberId, new { From = c.State, To = to, Reason = why })), ct);
            await LedgerStore.NetOutAsync(conn, tx, new LedgerNetting(ids, LedgerSources.Cancelled, $"临时任务“{task.Title}”已撤销：{why}",
                now), ct);
        }
        await AuditLog.AppendAsync(conn, tx, audit(ids.Length), ct);
        await tx.CommitAsync(ct);
        return true;
    }
}
