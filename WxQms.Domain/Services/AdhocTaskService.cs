using Dapper;
using MySqlConnector;
using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services;

/// <summary>One org's copy of an ad-hoc task.</summary>
public sealed record AdhocTarget(long TaskId, long OrgId, string OrgName, TaskState State);

public sealed record AdhocTaskDetail(AdhocTask Task, IReadOnlyList<AdhocTarget> Targets);

/// <summary>
/// Issuing and cancelling ad-hoc tasks (临时性工作). Issuing writes the definition and one task per
/// target org in one transaction; each task carries the definition's points as its possible points,
/// so only the orgs that received it have more to earn (DESIGN.md, Scoring). Cancelling closes every
/// copy, whatever its state, and nets each copy's ledger entries to zero: the assessment then reads
/// as if the task had never been issued.
/// </summary>
public sealed class AdhocTaskService(MySqlDataSource db, TimeProvider clock, AdhocTaskStore store, TaskCache cache)
{
    private sealed record OrgRow(long Id, string Path, string Kind, string Name);

    public async Task<AdhocTaskDetail> IssueAsync(AdhocTaskRequest request, IReadOnlyList<Grant> grants, string actor,
        long? actorMemberId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync(ct);
        // Scope first: someone who may not issue there learns nothing from the validation.
        var listedIds = (request.OrgIds ?? []).Distinct().ToArray();
        var listed = (await conn.QueryAsync<OrgRow>(new CommandDefinition(
            "SELECT id AS Id, path AS Path, kind AS Kind, name AS Name FROM orgs WHERE id IN @listedIds",
            new { listedIds }, cancellationToken: ct))).ToList();
        if (listedIds.Except(listed.Select(o => o.Id)).FirstOrDefault() is var missing and > 0)
            throw new NotFoundException($"组织 {missing} 不存在");
        if (listed.FirstOrDefault(o => !Access.CanIssue(grants, o.Path)) is { } outside)
            throw new ForbiddenException("auth.forbidden", $"您无权向“{outside.Name}”下发任务");
        var (issuable, refusal) = AdhocRules.Check(request, now);
        if (issuable is null)
            throw new RuleViolationException("adhoc.invalid", refusal!);

        IReadOnlyList<OrgRow> targets = listed;
        if (request.Target == AdhocTargetMode.Branches)
        {
            var branches = await conn.QueryAsync<OrgRow>(new CommandDefinition(
                "SELECT id AS Id, path AS Path, kind AS Kind, name AS Name FROM orgs WHERE kind = @branch",
                new { branch = DbNames.Of(OrgKind.Branch) }, cancellationToken: ct));
            targets = branches.Where(b => listed.Any(o => OrgPath.IsWithin(b.Path, o.Path))).OrderBy(b => b.Path, StringComparer.Ordinal)
                .ToList();
            if (targets.Count == 0)
                throw new RuleViolationException("adhoc.no_targets", "所选组织下没有党支部");
        }
        if (targets.Count > AdhocRules.MaxTargets)
            throw new RuleViolationException("adhoc.invalid", $"一次最多下发给{AdhocRules.MaxTargets}个组织");
        var scopePath = OrgPath.CommonAncestor(listed.Select(o => o.Path));
        var scopeOrgId = scopePath == OrgPath.Root ? listed[0].Id : OrgPath.Ids(scopePath)[^1];

        var t = issuable;
        await using var tx = await conn.BeginTransactionAsync(ct);
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
            label = t.EvidenceRule.RecordLabel, scopeOrgId, count = targets.Count, actor, actorMemberId,
        }, tx, cancellationToken: ct));
        foreach (var chunk in targets.Chunk(TaskStore.BatchSize))
        {
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO tasks (unique_key, org_id, template_code, template_version, period_key, opens_at, due_at, possible_points,
                                   state, adhoc, adhoc_task_id, next_reminder_at, created_at, updated_at)
                SELECT CONCAT('adhoc:', @id, ':', o.id), o.id, @code, 1, @periodKey, @opensAt, @dueAt, @points,
                       'pending', TRUE, @id, @opensAt, @opensAt, @opensAt
                FROM orgs o WHERE o.id IN @orgIds
                """, new
            {
                id, code = AdhocTask.TemplateCode, periodKey = t.PeriodKey, opensAt = t.OpensAt.UtcDateTime, dueAt = t.DueAt.UtcDateTime,
                points = t.Points, orgIds = chunk.Select(o => o.Id).ToArray(),
            }, tx, cancellationToken: ct));
        }
        await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, actor, "adhoc.issued", "adhoc_task", id, scopeOrgId, actorMemberId,
            new { t.Title, DueAt = t.DueAt, t.Points, request.Target, Listed = listedIds, Targets = targets.Count }), ct);
        await tx.CommitAsync(ct);
        await cache.InvalidateAsync();
        return (await GetAsync(id, ct))!;
    }

    /// <summary>
    /// Withdraws the task from every org it went to. Each copy becomes Cancelled (with an audit entry),
    /// and whatever the ledger holds for it — completion, attendance, review, overdue — is netted to
    /// zero by one entry per subject, so results read as if the task had never been issued.
    /// </summary>
    public async Task<AdhocTaskDetail> CancelAsync(long id, string? reason, IReadOnlyList<Grant> grants, string actor,
        long? actorMemberId, CancellationToken ct)
    {
        // Who may cancel before what they sent: a caller who may not learns nothing from the validation.
        var task = await store.GetAsync(id, ct) ?? throw new NotFoundException($"临时任务 {id} 不存在");
        await EnsureIssuerAsync(task, grants, ct);
        var why = reason?.Trim();
        if (string.IsNullOrEmpty(why))
            throw new RuleViolationException("adhoc.reason_required", "撤销任务须填写原因");
        if (why.Length > TaskCommands.MaxTextLength)
            throw new RuleViolationException("adhoc.reason_required", $"撤销原因不超过{TaskCommands.MaxTextLength}字");
        var now = clock.GetUtcNow();

        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var cancelled = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE adhoc_tasks SET cancelled_at = @now, cancelled_by = @actor, cancel_reason = @why
            WHERE id = @id AND cancelled_at IS NULL
            """, new { id, now = now.UtcDateTime, actor, why }, tx, cancellationToken: ct));
        if (cancelled == 0)
            throw new RuleViolationException("adhoc.already_cancelled", "该临时任务已撤销");
        var copies = (await conn.QueryAsync<(long Id, long OrgId, string State)>(new CommandDefinition(
            "SELECT id, org_id, state FROM tasks WHERE adhoc_task_id = @id AND state <> 'cancelled' FOR UPDATE",
            new { id }, tx, cancellationToken: ct))).ToList();
        var ids = copies.Select(c => c.Id).ToArray();
        if (ids.Length > 0)
        {
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE tasks SET state = 'cancelled', review_status = NULL, row_version = row_version + 1, updated_at = @now
                WHERE id IN @ids
                """, new { ids, now = now.UtcDateTime }, tx, cancellationToken: ct));
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO audit_log (occurred_at, actor, actor_member_id, action, entity_type, entity_id, org_id, data)
                VALUES (@now, @actor, @actorMemberId, 'task.cancelled', 'task', @Id, @OrgId, @Data)
                """, copies.Select(c => new
            {
                now = now.UtcDateTime, actor, actorMemberId, c.Id, c.OrgId,
                Data = System.Text.Json.JsonSerializer.Serialize(new { From = c.State, To = "cancelled", Reason = why }, JsonDefaults.Storage),
            }), tx, cancellationToken: ct));
            await LedgerStore.NetOutAsync(conn, tx, new LedgerNetting(ids, LedgerSources.Cancelled, $"临时任务“{task.Title}”已撤销：{why}",
                now), ct);
        }
        await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, actor, "adhoc.cancelled", "adhoc_task", id, task.ScopeOrgId,
            actorMemberId, new { Reason = why, Tasks = ids.Length }), ct);
        await tx.CommitAsync(ct);
        await cache.InvalidateAsync();
        return (await GetAsync(id, ct))!;
    }

    public async Task<AdhocTaskDetail?> GetAsync(long id, CancellationToken ct)
    {
        var task = await store.GetAsync(id, ct);
        if (task is null)
            return null;
        await using var conn = await db.OpenConnectionAsync(ct);
        var targets = await conn.QueryAsync<(long TaskId, long OrgId, string OrgName, string State)>(new CommandDefinition("""
            SELECT t.id, t.org_id, o.name, t.state
            FROM tasks t JOIN orgs o ON o.id = t.org_id
            WHERE t.adhoc_task_id = @id
            ORDER BY o.path
            """, new { id }, cancellationToken: ct));
        return new AdhocTaskDetail(task, targets.Select(r => new AdhocTarget(r.TaskId, r.OrgId, r.OrgName, DbNames.Parse<TaskState>(r.State)))
            .ToList());
    }

    /// <summary>The ad-hoc tasks issued within a subtree (by its scope org), newest first.</summary>
    public async Task<IReadOnlyList<AdhocTask>> ListAsync(string scopePath, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<AdhocTaskStore.Row>(new CommandDefinition($"""
            SELECT {PrefixedColumns}
            FROM adhoc_tasks a JOIN orgs o ON o.id = a.scope_org_id
            WHERE o.path LIKE @pattern
            ORDER BY a.created_at DESC, a.id DESC
            LIMIT @limit
            """, new { pattern = OrgPath.SubtreePattern(scopePath), limit = Math.Clamp(limit, 1, 200) }, cancellationToken: ct));
        return rows.Select(r => r.ToModel()).ToList();
    }

    /// <summary>Who issued it, or anyone who may issue over its whole scope, may cancel it.</summary>
    private async Task EnsureIssuerAsync(AdhocTask task, IReadOnlyList<Grant> grants, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var scopePath = await conn.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT path FROM orgs WHERE id = @id", new { id = task.ScopeOrgId }, cancellationToken: ct));
        if (scopePath is null || !Access.CanIssue(grants, scopePath))
            throw new ForbiddenException("auth.forbidden", "您无权撤销该临时任务");
    }

    private static readonly string PrefixedColumns = string.Join(",", AdhocTaskStore.Columns.Split(',')
        .Select(c => "a." + c.Trim()));
}
