using Dapper;
using MySqlConnector;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.ManagementReview;
using WxQms.Domain.Rules.Tasks;
using static WxQms.Domain.Storage.DbTime;

namespace WxQms.Domain.Storage;

/// <summary>A task of the review's scope and period as the pack reads it (the assessment's missed rule).</summary>
public sealed record ReviewTaskFact(long OrgId, string OrgName, string Path, string TemplateCode, int TemplateVersion, string PeriodKey, string State,
    bool Missed, bool Warned, bool OnTime, string? AdhocTitle);

/// <summary>Members owing dues in one branch.</summary>
public sealed record ReviewArrears(long OrgId, string Name, string Path, long Members);

/// <summary>A decision of a management review with its ad-hoc task's state (the worst of its copies; one owner, one copy).</summary>
public sealed record ReviewDecisionRow(long Id, long ReviewId, string PeriodKey, string Text, long OwnerOrgId, string OwnerName,
    DateOnly DueOn, long AdhocTaskId, string? TaskState, DateTimeOffset CreatedAt, string DecidedBy);

/// <summary>A decision to store: its review's period and scope, and the ad-hoc task it becomes.</summary>
public sealed record NewReviewDecision(string PeriodKey, DateTimeOffset PeriodEndsAt, long ScopeOrgId, string Text, long OwnerOrgId,
    DateOnly DueOn, AdhocRules.Issuable Task, string Actor, long? ActorMemberId, DateTimeOffset At);

/// <summary>
/// 管理评审 (issue #20 item 2): the year's targets (review_targets), the reviews and their decisions (management_reviews,
/// review_decisions, each decision one ad-hoc task issued in the same transaction), and the pack's reads over tasks,
/// reminders, wishes and dues.
/// </summary>
public sealed class ReviewStore(MySqlDataSource db)
{
    private sealed record TargetRow(long Id, int Year, long? OrgId, string? OrgLevel, string Kind, string DutyCode, decimal? Threshold);

    public async Task<IReadOnlyList<ReviewTarget>> TargetsAsync(int year, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<TargetRow>(new CommandDefinition("""
            SELECT id AS Id, year AS Year, org_id AS OrgId, org_level AS OrgLevel, kind AS Kind, duty_code AS DutyCode, threshold AS Threshold
            FROM review_targets WHERE year = @year ORDER BY id
            """, new { year }, cancellationToken: ct));
        return rows.Select(r => new ReviewTarget(r.Id, r.Year, r.OrgId, r.OrgLevel is { } l ? DbNames.Parse<TargetLevel>(l) : null,
            DbNames.Parse<TargetKind>(r.Kind), r.DutyCode.Length == 0 ? null : r.DutyCode, r.Threshold)).ToList();
    }

    /// <summary>Sets a target (the same year, scope, kind and duty replaces its threshold) with its audit entry; returns its id.</summary>
    public async Task<long> SetTargetAsync(ReviewTarget t, string actor, DateTimeOffset now, Func<long, AuditEntry> audit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var scopeKey = t.OrgId is { } org ? $"org:{org}" : $"level:{DbNames.Of(t.Level!.Value)}";
        var args = new
        {
            t.Year, scopeKey, t.OrgId, level = t.Level is { } l ? DbNames.Of(l) : null, kind = DbNames.Of(t.Kind), duty = t.DutyCode ?? "",
            t.Threshold, actor, now = now.UtcDateTime,
        };
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO review_targets (year, scope_key, org_id, org_level, kind, duty_code, threshold, set_by, created_at, updated_at)
            VALUES (@Year, @scopeKey, @OrgId, @level, @kind, @duty, @Threshold, @actor, @now, @now)
            ON DUPLICATE KEY UPDATE threshold = VALUES(threshold), set_by = VALUES(set_by), updated_at = VALUES(updated_at)
            """, args, tx, cancellationToken: ct));
        var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT id FROM review_targets WHERE year = @Year AND scope_key = @scopeKey AND kind = @kind AND duty_code = @duty",
            args, tx, cancellationToken: ct));
        await AuditLog.AppendAsync(conn, tx, audit(id), ct);
        await tx.CommitAsync(ct);
        return id;
    }

    /// <summary>Removes a target with its audit entry; false when there is no such target.</summary>
    public async Task<bool> RemoveTargetAsync(long id, AuditEntry audit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (await conn.ExecuteAsync(new CommandDefinition("DELETE FROM review_targets WHERE id = @id", new { id }, tx, cancellationToken: ct)) == 0)
            return false;
        await AuditLog.AppendAsync(conn, tx, audit, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// Records a decision: the review of its period and scope (made on its first decision), the ad-hoc task for the owner
    /// org, the decision and the audit entries of both, in one transaction. Returns the decision's id and the task's.
    /// </summary>
    public async Task<(long DecisionId, long AdhocTaskId)> RecordDecisionAsync(NewReviewDecision d, Func<long, long, IReadOnlyList<AuditEntry>> audit,
        CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT IGNORE INTO management_reviews (period_key, period_ends_at, scope_org_id, created_by, created_at)
            VALUES (@PeriodKey, @endsAt, @ScopeOrgId, @Actor, @at)
            """, new { d.PeriodKey, endsAt = d.PeriodEndsAt.UtcDateTime, d.ScopeOrgId, d.Actor, at = d.At.UtcDateTime }, tx, cancellationToken: ct));
        var reviewId = await conn.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT id FROM management_reviews WHERE scope_org_id = @ScopeOrgId AND period_key = @PeriodKey FOR UPDATE",
            new { d.ScopeOrgId, d.PeriodKey }, tx, cancellationToken: ct));
        var adhocId = await AdhocTaskStore.IssueAsync(conn, tx, d.Task, [d.OwnerOrgId], d.OwnerOrgId, d.Actor, d.ActorMemberId, ct);
        var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO review_decisions (review_id, text, owner_org_id, due_on, adhoc_task_id, decided_by, created_at)
            VALUES (@reviewId, @Text, @OwnerOrgId, @dueOn, @adhocId, @Actor, @at);
            SELECT LAST_INSERT_ID();
            """, new { reviewId, d.Text, d.OwnerOrgId, dueOn = d.DueOn.ToDateTime(TimeOnly.MinValue), adhocId, d.Actor, at = d.At.UtcDateTime },
            tx, cancellationToken: ct));
        await AuditLog.AppendAsync(conn, tx, audit(id, adhocId), ct);
        await tx.CommitAsync(ct);
        return (id, adhocId);
    }

    private const string DecisionSelect = """
        SELECT d.id AS Id, d.review_id AS ReviewId, r.period_key AS PeriodKey, d.text AS Text, d.owner_org_id AS OwnerOrgId,
               o.name AS OwnerName, d.due_on AS DueOn, d.adhoc_task_id AS AdhocTaskId,
               (SELECT t.state FROM tasks t WHERE t.adhoc_task_id = d.adhoc_task_id ORDER BY t.id LIMIT 1) AS TaskState,
               d.created_at AS CreatedAt, d.decided_by AS DecidedBy
        FROM review_decisions d JOIN management_reviews r ON r.id = d.review_id JOIN orgs o ON o.id = d.owner_org_id
        """;

    private sealed record DecisionRow(long Id, long ReviewId, string PeriodKey, string Text, long OwnerOrgId, string OwnerName, DateTime DueOn,
        long AdhocTaskId, string? TaskState, DateTime CreatedAt, string DecidedBy)
    {
        public ReviewDecisionRow ToModel() => new(Id, ReviewId, PeriodKey, Text, OwnerOrgId, OwnerName, DateOnly.FromDateTime(DueOn),
            AdhocTaskId, TaskState, Utc(CreatedAt), DecidedBy);
    }

    /// <summary>The decisions of the review of this period and scope, in the order recorded.</summary>
    public async Task<IReadOnlyList<ReviewDecisionRow>> DecisionsAsync(long scopeOrgId, string periodKey, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<DecisionRow>(new CommandDefinition(DecisionSelect + """

            WHERE r.scope_org_id = @scopeOrgId AND r.period_key = @periodKey ORDER BY d.id
            """, new { scopeOrgId, periodKey }, cancellationToken: ct));
        return rows.Select(r => r.ToModel()).ToList();
    }

    /// <summary>The period key of the scope's latest review of a period ending before <paramref name="endsAt"/>, or null.</summary>
    public async Task<string?> LastReviewBeforeAsync(long scopeOrgId, DateTimeOffset endsAt, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<string?>(new CommandDefinition("""
            SELECT period_key FROM management_reviews
            WHERE scope_org_id = @scopeOrgId AND period_ends_at < @endsAt
            ORDER BY period_ends_at DESC, id DESC LIMIT 1
            """, new { scopeOrgId, endsAt = endsAt.UtcDateTime }, cancellationToken: ct));
    }

    /// <summary>
    /// The tasks of the subtree due in [<paramref name="from"/>, <paramref name="to"/>) — a task due at a period's end belongs
    /// to it, as in the assessment: due_at in (from, to] — cancelled ones left out; missed as the assessment counts it.
    /// </summary>
    public async Task<IReadOnlyList<ReviewTaskFact>> TaskFactsAsync(string scopePath, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now,
        CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<FactRow>(new CommandDefinition("""
            SELECT t.org_id AS OrgId, o.name AS OrgName, o.path AS Path, t.template_code AS TemplateCode, t.template_version AS TemplateVersion,
                   t.period_key AS PeriodKey, t.state AS State,
                   CAST(t.state = 'overdue' OR (t.state IN ('pending', 'planned', 'returned') AND t.due_at <= @now) AS SIGNED) AS Missed,
                   CAST(t.warned_at IS NOT NULL AS SIGNED) AS Warned,
                   CAST(t.state = 'completed' AND EXISTS (SELECT 1 FROM task_evidence e WHERE e.task_id = t.id AND e.passed AND e.on_time) AS SIGNED) AS OnTime,
                   a.title AS AdhocTitle
            FROM tasks t JOIN orgs o ON o.id = t.org_id LEFT JOIN adhoc_tasks a ON a.id = t.adhoc_task_id
            WHERE o.path LIKE @pattern AND t.due_at > @from AND t.due_at <= @to AND t.state <> 'cancelled'
            """, new { pattern = OrgPath.SubtreePattern(scopePath), from = from.UtcDateTime, to = to.UtcDateTime, now = now.UtcDateTime },
            cancellationToken: ct));
        return rows.Select(r => new ReviewTaskFact(r.OrgId, r.OrgName, r.Path, r.TemplateCode, r.TemplateVersion, r.PeriodKey, r.State, r.Missed != 0,
            r.Warned != 0, r.OnTime != 0, r.AdhocTitle)).ToList();
    }

    // Properties, not a constructor: MariaDB and MySQL type the CAST flags differently (INT or BIGINT); Dapper converts either.
    private sealed class FactRow
    {
        public long OrgId { get; init; }
        public string OrgName { get; init; } = "";
        public string Path { get; init; } = "";
        public string TemplateCode { get; init; } = "";
        public int TemplateVersion { get; init; }
        public string PeriodKey { get; init; } = "";
        public string State { get; init; } = "";
        public long Missed { get; init; }
        public long Warned { get; init; }
        public long OnTime { get; init; }
        public string? AdhocTitle { get; init; }
    }

    /// <summary>The subtree's reminders due in [from, to) by status and channel (null: not sent yet).</summary>
    public async Task<IReadOnlyList<(string Status, string? Channel, long Count)>> ReminderOutcomesAsync(string scopePath, DateTimeOffset from,
        DateTimeOffset to, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<(string, string?, long)>(new CommandDefinition("""
            SELECT r.status, r.channel, COUNT(*)
            FROM reminders r JOIN orgs o ON o.id = r.org_id
            WHERE o.path LIKE @pattern AND r.due_at >= @from AND r.due_at < @to
            GROUP BY r.status, r.channel
            """, new { pattern = OrgPath.SubtreePattern(scopePath), from = from.UtcDateTime, to = to.UtcDateTime }, cancellationToken: ct)))
            .ToList();
    }

    /// <summary>The wishes of the subtree's communities posted in [from, to), by status.</summary>
    public async Task<IReadOnlyList<(string Status, long Count)>> WishStatusesAsync(string scopePath, DateTimeOffset from, DateTimeOffset to,
        CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<(string, long)>(new CommandDefinition("""
            SELECT w.status, COUNT(*)
            FROM wishes w JOIN orgs o ON o.id = w.community_id
            WHERE o.path LIKE @pattern AND w.posted_at >= @from AND w.posted_at < @to
            GROUP BY w.status
            """, new { pattern = OrgPath.SubtreePattern(scopePath), from = from.UtcDateTime, to = to.UtcDateTime }, cancellationToken: ct)))
            .ToList();
    }

    /// <summary>
    /// The register's nonconformities (#19) raised in the scope in (<paramref name="from"/>, <paramref name="to"/>], per source and
    /// current state (the dashboard's 未关闭 tile reads the same window), and how many countermeasures due on a day of
    /// [<paramref name="firstDay"/>, <paramref name="lastDay"/>] are past due on <paramref name="today"/> (the assessment's deduction).
    /// </summary>
    public async Task<(IReadOnlyList<(string Source, string State, long Count)> Raised, long PastDue)> NonconformitiesAsync(string scopePath,
        DateTimeOffset from, DateTimeOffset to, DateOnly firstDay, DateOnly lastDay, DateOnly today, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var args = new
        {
            pattern = OrgPath.SubtreePattern(scopePath), from = from.UtcDateTime, to = to.UtcDateTime,
            firstDay = firstDay.ToDateTime(TimeOnly.MinValue), lastDay = lastDay.ToDateTime(TimeOnly.MinValue), today = today.ToDateTime(TimeOnly.MinValue),
        };
        var raised = (await conn.QueryAsync<(string, string, long)>(new CommandDefinition("""
            SELECT n.source, n.state, COUNT(*)
            FROM nonconformities n JOIN orgs o ON o.id = n.org_id
            WHERE o.path LIKE @pattern AND n.raised_at > @from AND n.raised_at <= @to
            GROUP BY n.source, n.state
            """, args, cancellationToken: ct))).ToList();
        var pastDue = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            SELECT COUNT(*)
            FROM nonconformities n JOIN orgs o ON o.id = n.org_id
            WHERE o.path LIKE @pattern AND n.state = 'action_recorded' AND n.action_due_on >= @firstDay AND n.action_due_on <= @lastDay
              AND n.action_due_on < @today
            """, args, cancellationToken: ct));
        return (raised, pastDue);
    }

    /// <summary>
    /// Members owing dues at the end of <paramref name="throughMonth"/> (a month owed or partly paid, without a recorded
    /// reason), per branch of the subtree; null when the subtree keeps no dues yet.
    /// </summary>
    public async Task<IReadOnlyList<ReviewArrears>?> ArrearsAsync(string scopePath, string throughMonth, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var pattern = OrgPath.SubtreePattern(scopePath);
        if (!await conn.ExecuteScalarAsync<bool>(new CommandDefinition("""
                SELECT EXISTS (SELECT 1 FROM dues_months d JOIN orgs o ON o.id = d.org_id WHERE o.path LIKE @pattern AND d.month <= @throughMonth)
                """, new { pattern, throughMonth }, cancellationToken: ct)))
            return null;
        var rows = await conn.QueryAsync<ReviewArrears>(new CommandDefinition("""
            SELECT d.org_id AS OrgId, o.name AS Name, o.path AS Path, COUNT(DISTINCT d.member_id) AS Members
            FROM dues_months d JOIN orgs o ON o.id = d.org_id
            WHERE o.path LIKE @pattern AND d.month <= @throughMonth AND d.state IN ('owed', 'partly_paid') AND d.reason IS NULL
            GROUP BY d.org_id, o.name, o.path
            """, new { pattern, throughMonth }, cancellationToken: ct));
        return rows.ToList();
    }
}
