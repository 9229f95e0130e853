using System.Data.Common;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using static WxQms.Domain.Storage.DbTime;

namespace WxQms.Domain.Storage;

/// <summary>A nonconformity as it is written when raised.</summary>
public sealed record NonconformityInsert(long OrgId, NonconformitySource Source, string SourceRef, string? Clause, NonconformitySeverity Severity,
    string Description, string RaisedBy, long? RaisedByMemberId);

/// <summary>The register's filter: an org's subtree, a state, a source; newest first.</summary>
public sealed record NonconformityQuery(string? OrgPath, NonconformityState? State, NonconformitySource? Source, int Limit);

/// <summary>The row's next state and the fields of its current cycle (null leaves a field as it is unless <see cref="ClearCycle"/>).</summary>
public sealed record NonconformityChange(NonconformityState State, int Cycle, string? Cause, string? Action, DateOnly? ActionDueOn,
    DateOnly? CompletedOn, DateOnly? CheckDueOn, bool ClearCycle, bool Close);

/// <summary>A step of the trail as it is written.</summary>
public sealed record NonconformityStepInsert(long NonconformityId, NonconformityStepKind Kind, int Cycle, string? Cause, string? Note, DateOnly? DueOn,
    string Actor, long? MemberId, IReadOnlyList<StoredPhoto> Photos);

/// <summary>A task of a branch that was warned or went overdue (the rule's read).</summary>
public sealed record MarkedTaskRow(long OrgId, long TaskId, DateTimeOffset DueAt, bool Warned, bool Overdue);

/// <summary>A meeting judged without quorum (the rule's read).</summary>
public sealed record QuorumMissRow(long OrgId, long TaskId, DateTimeOffset HeldAt);

/// <summary>
/// The register of nonconformities (<c>nonconformities</c>), the trail of each (<c>nonconformity_steps</c>, its photos in
/// <c>nonconformity_photos</c>), and the reads of the rules that raise them and the scan that reminds of them. A
/// nonconformity is written once per (source, source ref): a second raise, sequential or concurrent, finds the first.
/// </summary>
public sealed class NonconformityStore(MySqlDataSource db)
{
    private const string Columns = """
        n.id AS Id, n.org_id AS OrgId, o.name AS OrgName, o.path AS OrgPath, n.source AS Source, n.source_ref AS SourceRef, n.clause AS Clause,
        n.severity AS Severity, n.description AS Description, n.state AS State, n.cycle AS Cycle, n.cause AS Cause, n.action_text AS Action,
        n.action_due_on AS ActionDueOn, n.completed_on AS CompletedOn, n.check_due_on AS CheckDueOn, n.raised_at AS RaisedAt,
        n.raised_by AS RaisedBy, n.closed_at AS ClosedAt, n.row_version AS Version
        """;

    private sealed record Row(long Id, long OrgId, string OrgName, string OrgPath, string Source, string SourceRef, string? Clause, string Severity,
        string Description, string State, int Cycle, string? Cause, string? Action, DateTime? ActionDueOn, DateTime? CompletedOn, DateTime? CheckDueOn,
        DateTime RaisedAt, string RaisedBy, DateTime? ClosedAt, int Version)
    {
        public Nonconformity ToModel() => new(Id, OrgId, OrgName, OrgPath, DbNames.Parse<NonconformitySource>(Source), SourceRef, Clause,
            DbNames.Parse<NonconformitySeverity>(Severity), Description, DbNames.Parse<NonconformityState>(State), Cycle, Cause, Action,
            Day(ActionDueOn), Day(CompletedOn), Day(CheckDueOn), Utc(RaisedAt), RaisedBy, ClosedAt is { } c ? Utc(c) : null, Version);
    }

    private sealed record StepRow(long Id, string Kind, int Cycle, string? Cause, string? Note, DateTime? DueOn, string Actor, long? MemberId,
        DateTime CreatedAt);

    private sealed record PhotoRow(long StepId, string Sha256, long Size, string ContentType, string RelativePath, DateTime? TakenAt);

    private static DateOnly? Day(DateTime? d) => d is { } v ? DateOnly.FromDateTime(v) : null;

    private static DateTime? Db(DateOnly? d) => d?.ToDateTime(TimeOnly.MinValue);

    public Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> body, CancellationToken ct) => db.InTransactionAsync(body, ct);

    /// <summary>
    /// Writes a nonconformity in the caller's transaction; its id, or null when one with the same (source, source ref) exists
    /// (a concurrent raise waits on the key and then finds it).
    /// </summary>
    public static async Task<long?> InsertAsync(DbConnection conn, DbTransaction tx, NonconformityInsert n, DateTimeOffset now, CancellationToken ct)
    {
        try
        {
            return await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
                INSERT INTO nonconformities (org_id, source, source_ref, clause, severity, description, state, cycle, raised_at, raised_by,
                                             raised_by_member_id, updated_at)
                VALUES (@OrgId, @source, @SourceRef, @Clause, @severity, @Description, 'open', 1, @now, @RaisedBy, @RaisedByMemberId, @now);
                SELECT LAST_INSERT_ID();
                """, new
            {
                n.OrgId, source = DbNames.Of(n.Source), n.SourceRef, n.Clause, severity = DbNames.Of(n.Severity), n.Description, n.RaisedBy,
                n.RaisedByMemberId, now = now.UtcDateTime,
            }, tx, cancellationToken: ct));
        }
        catch (MySqlException ex) when (ex.ErrorCode == MySqlErrorCode.DuplicateKeyEntry)
        {
            return null; // raised before; the failed statement leaves the caller's transaction as it was
        }
    }

    public async Task<Nonconformity?> GetAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM nonconformities n JOIN orgs o ON o.id = n.org_id WHERE n.id = @id", new { id }, cancellationToken: ct)))?.ToModel();
    }

    /// <summary>The id of the nonconformity raised from (source, source ref), if any.</summary>
    public async Task<long?> IdOfAsync(NonconformitySource source, string sourceRef, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT id FROM nonconformities WHERE source = @source AND source_ref = @sourceRef", new { source = DbNames.Of(source), sourceRef },
            cancellationToken: ct));
    }

    /// <summary>The nonconformity locked for the caller's transaction.</summary>
    public static async Task<Nonconformity?> LockAsync(DbConnection conn, DbTransaction tx, long id, CancellationToken ct) =>
        (await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM nonconformities n JOIN orgs o ON o.id = n.org_id WHERE n.id = @id FOR UPDATE", new { id }, tx,
            cancellationToken: ct)))?.ToModel();

    /// <summary>Moves the row if its version is still <paramref name="version"/>; false when someone changed it first.</summary>
    public static async Task<bool> UpdateAsync(DbConnection conn, DbTransaction tx, long id, int version, NonconformityChange c, DateTimeOffset now,
        CancellationToken ct) =>
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE nonconformities SET state = @state, cycle = @Cycle,
                cause = CASE WHEN @ClearCycle THEN NULL ELSE COALESCE(@Cause, cause) END,
                action_text = CASE WHEN @ClearCycle THEN NULL ELSE COALESCE(@Action, action_text) END,
                action_due_on = CASE WHEN @ClearCycle THEN NULL ELSE COALESCE(@due, action_due_on) END,
                completed_on = CASE WHEN @ClearCycle THEN NULL ELSE COALESCE(@completed, completed_on) END,
                check_due_on = CASE WHEN @ClearCycle THEN NULL ELSE COALESCE(@check, check_due_on) END,
                closed_at = CASE WHEN @Close THEN @now ELSE closed_at END,
                row_version = row_version + 1, updated_at = @now
            WHERE id = @id AND row_version = @version
            """, new
        {
            id, version, state = DbNames.Of(c.State), c.Cycle, c.ClearCycle, c.Cause, c.Action, due = Db(c.ActionDueOn), completed = Db(c.CompletedOn),
            check = Db(c.CheckDueOn), c.Close, now = now.UtcDateTime,
        }, tx, cancellationToken: ct)) == 1;

    /// <summary>Appends a step of the trail with its photos; its id.</summary>
    public static async Task<long> AddStepAsync(DbConnection conn, DbTransaction tx, NonconformityStepInsert s, DateTimeOffset now, CancellationToken ct)
    {
        var stepId = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO nonconformity_steps (nonconformity_id, kind, cycle, cause, note, due_on, actor, member_id, created_at)
            VALUES (@NonconformityId, @kind, @Cycle, @Cause, @Note, @due, @Actor, @MemberId, @now);
            SELECT LAST_INSERT_ID();
            """, new { s.NonconformityId, kind = DbNames.Of(s.Kind), s.Cycle, s.Cause, s.Note, due = Db(s.DueOn), s.Actor, s.MemberId, now = now.UtcDateTime },
            tx, cancellationToken: ct));
        foreach (var p in s.Photos)
        {
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO nonconformity_photos (step_id, sha256, size_bytes, content_type, storage_path, taken_at)
                VALUES (@stepId, @Sha256, @Size, @ContentType, @RelativePath, @takenAt)
                """, new { stepId, p.Sha256, p.Size, p.ContentType, p.RelativePath, takenAt = p.TakenAt?.UtcDateTime }, tx, cancellationToken: ct));
        }
        return stepId;
    }

    /// <summary>The trail of a nonconformity, oldest first, with each step's photos.</summary>
    public async Task<IReadOnlyList<NonconformityStep>> StepsAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var steps = await conn.QueryAsync<StepRow>(new CommandDefinition("""
            SELECT id AS Id, kind AS Kind, cycle AS Cycle, cause AS Cause, note AS Note, due_on AS DueOn, actor AS Actor, member_id AS MemberId,
                   created_at AS CreatedAt
            FROM nonconformity_steps WHERE nonconformity_id = @id ORDER BY id
            """, new { id }, cancellationToken: ct));
        var photos = (await conn.QueryAsync<PhotoRow>(new CommandDefinition("""
            SELECT p.step_id AS StepId, p.sha256 AS Sha256, p.size_bytes AS Size, p.content_type AS ContentType, p.storage_path AS RelativePath,
                   p.taken_at AS TakenAt
            FROM nonconformity_photos p JOIN nonconformity_steps s ON s.id = p.step_id WHERE s.nonconformity_id = @id ORDER BY p.id
            """, new { id }, cancellationToken: ct))).ToLookup(p => p.StepId);
        return steps.Select(s => new NonconformityStep(s.Id, DbNames.Parse<NonconformityStepKind>(s.Kind), s.Cycle, s.Cause, s.Note, Day(s.DueOn),
            s.Actor, s.MemberId, Utc(s.CreatedAt),
            photos[s.Id].Select(p => new StoredPhoto(p.Sha256, p.Size, p.ContentType, p.RelativePath, p.TakenAt is { } t ? Utc(t) : null)).ToList()))
            .ToList();
    }

    /// <summary>The register: nonconformities in an org's subtree, of a state and source, newest first.</summary>
    public async Task<IReadOnlyList<Nonconformity>> ListAsync(NonconformityQuery q, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<Row>(new CommandDefinition($"""
            SELECT {Columns} FROM nonconformities n JOIN orgs o ON o.id = n.org_id
            WHERE (@pattern IS NULL OR o.path LIKE @pattern) AND (@state IS NULL OR n.state = @state) AND (@source IS NULL OR n.source = @source)
            ORDER BY n.raised_at DESC, n.id DESC LIMIT @limit
            """, new
        {
            pattern = q.OrgPath is null ? null : OrgPath.SubtreePattern(q.OrgPath), state = q.State is { } s ? DbNames.Of(s) : null,
            source = q.Source is { } src ? DbNames.Of(src) : null, limit = q.Limit,
        }, cancellationToken: ct));
        return rows.Select(r => r.ToModel()).ToList();
    }

    /// <summary>Nonconformities whose dates the scan watches (action recorded, awaiting check), locked SKIP LOCKED for its transaction.</summary>
    public static async Task<IReadOnlyList<Nonconformity>> WatchedAsync(DbConnection conn, DbTransaction tx, CancellationToken ct)
    {
        var ids = (await conn.QueryAsync<long>(new CommandDefinition("""
            SELECT id FROM nonconformities WHERE state IN ('action_recorded', 'awaiting_check') ORDER BY id FOR UPDATE SKIP LOCKED
            """, transaction: tx, cancellationToken: ct))).ToArray();
        if (ids.Length == 0)
            return [];
        return (await conn.QueryAsync<Row>(new CommandDefinition($"""
            SELECT {Columns} FROM nonconformities n JOIN orgs o ON o.id = n.org_id WHERE n.id IN @ids ORDER BY n.id
            """, new { ids }, tx, cancellationToken: ct))).Select(r => r.ToModel()).ToList();
    }

    /// <summary>The branch's secretary (the one a nonconformity is assigned to), on the roll; the worker where there is no secretary.</summary>
    public static async Task<IReadOnlyList<long>> SecretariesAsync(DbConnection conn, DbTransaction tx, long branchId, CancellationToken ct)
    {
        var people = (await conn.QueryAsync<(long MemberId, string Role)>(new CommandDefinition("""
            SELECT DISTINCT r.member_id, r.role FROM member_roles r JOIN members m ON m.id = r.member_id
            WHERE r.org_id = @branchId AND r.role IN ('secretary', 'worker') AND m.status IN ('full', 'probationary')
            ORDER BY r.member_id
            """, new { branchId }, tx, cancellationToken: ct))).ToList();
        var secretaries = people.Where(p => p.Role == Roles.Secretary).Select(p => p.MemberId).ToList();
        return secretaries.Count > 0 ? secretaries : people.Select(p => p.MemberId).Distinct().ToList();
    }

    /// <summary>Who checks a branch's corrective action: its community's secretary and committee, on the roll.</summary>
    public static async Task<IReadOnlyList<long>> CheckersAsync(DbConnection conn, DbTransaction tx, long communityId, CancellationToken ct) =>
        (await conn.QueryAsync<long>(new CommandDefinition("""
            SELECT DISTINCT r.member_id FROM member_roles r JOIN members m ON m.id = r.member_id
            WHERE r.org_id = @communityId AND r.role IN ('secretary', 'committee') AND m.status IN ('full', 'probationary')
            ORDER BY r.member_id
            """, new { communityId }, tx, cancellationToken: ct))).ToList();

    /// <summary>Branches' tasks due since <paramref name="since"/> that were warned or went overdue (cancelled ones left out).</summary>
    public async Task<IReadOnlyList<MarkedTaskRow>> MarkedTasksAsync(DateTimeOffset since, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(long OrgId, long TaskId, DateTime DueAt, bool Warned, bool Overdue)>(new CommandDefinition("""
            SELECT t.org_id, t.id, t.due_at, t.warned_at IS NOT NULL, t.state = 'overdue'
            FROM tasks t JOIN orgs o ON o.id = t.org_id
            WHERE o.kind = 'branch' AND t.due_at >= @since AND t.state <> 'cancelled' AND (t.warned_at IS NOT NULL OR t.state = 'overdue')
            """, new { since = since.UtcDateTime }, cancellationToken: ct));
        return rows.Select(r => new MarkedTaskRow(r.OrgId, r.TaskId, Utc(r.DueAt), r.Warned, r.Overdue)).ToList();
    }

    /// <summary>
    /// Meetings of branches held since <paramref name="since"/> whose evidence was judged without quorum: the judgment's
    /// reason reads 「…未超过…半数…」 (<c>Rules/Tasks/Judgment</c>), the only place a missed quorum is recorded.
    /// </summary>
    public async Task<IReadOnlyList<QuorumMissRow>> QuorumMissesAsync(DateTimeOffset since, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(long OrgId, long TaskId, DateTime HeldAt)>(new CommandDefinition("""
            SELECT t.org_id, t.id, e.held_at
            FROM task_evidence e JOIN tasks t ON t.id = e.task_id JOIN orgs o ON o.id = t.org_id
            WHERE o.kind = 'branch' AND e.held_at >= @since AND e.passed = FALSE AND e.reasons LIKE '%未超过%半数%'
            """, new { since = since.UtcDateTime }, cancellationToken: ct));
        return rows.Select(r => new QuorumMissRow(r.OrgId, r.TaskId, Utc(r.HeldAt))).ToList();
    }

    /// <summary>The committee's arrears cases (six months or more) with the member's branch.</summary>
    public async Task<IReadOnlyList<Rules.Nonconformities.ArrearsCase>> ArrearsCasesAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<Rules.Nonconformities.ArrearsCase>(new CommandDefinition("""
            SELECT c.id AS CaseId, b.id AS OrgId, c.month AS Month, c.months_owed AS MonthsOwed
            FROM dues_cases c JOIN orgs o ON o.id = c.org_id
            JOIN orgs b ON b.kind = 'branch' AND o.path LIKE CONCAT(b.path, '%')
            WHERE c.kind = 'committee'
            ORDER BY c.id
            """, cancellationToken: ct))).ToList();
    }

    /// <summary>
    /// Per branch, how many nonconformities whose countermeasure fell due on a day in [<paramref name="from"/>,
    /// <paramref name="to"/>] are past due on <paramref name="today"/> (recorded and not done).
    /// </summary>
    public async Task<IReadOnlyDictionary<long, int>> PastDueInAsync(DateOnly from, DateOnly to, DateOnly today, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(long OrgId, int N)>(new CommandDefinition("""
            SELECT org_id, COUNT(*) FROM nonconformities
            WHERE state = 'action_recorded' AND action_due_on >= @from AND action_due_on <= @to AND action_due_on < @today
            GROUP BY org_id
            """, new { from = Db(from), to = Db(to), today = Db(today) }, cancellationToken: ct));
        return rows.ToDictionary(r => r.OrgId, r => r.N);
    }

    /// <summary>Per branch, how many nonconformities are past due on <paramref name="today"/> (a countermeasure recorded and not done).</summary>
    public async Task<IReadOnlyDictionary<long, int>> PastDueByOrgAsync(DateOnly today, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(long OrgId, int N)>(new CommandDefinition("""
            SELECT org_id, COUNT(*) FROM nonconformities WHERE state = 'action_recorded' AND action_due_on < @today GROUP BY org_id
            """, new { today = today.ToDateTime(TimeOnly.MinValue) }, cancellationToken: ct));
        return rows.ToDictionary(r => r.OrgId, r => r.N);
    }
}
