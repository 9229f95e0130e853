using System.Data.Common;
using System.Text;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Rules.Dues;
using static WxQms.Domain.Storage.DbTime;

namespace WxQms.Domain.Storage;

/// <summary>A member as dues see her: her branch (the branch above her party group), status and admission.</summary>
public sealed record DuesMember(long Id, string Name, long OrgId, long BranchId, string BranchName, string BranchPath, string Status,
    DateTime? AdmittedOn, DateTime? JoinedOn);

/// <summary>A member's recorded base for a year.</summary>
public sealed record DuesBaseRow(long MemberId, int Year, string Category, int BaseFen, int MonthlyFen, int? SpecialFen, string? SpecialReason,
    string RecordedBy, DateTime UpdatedAt);

/// <summary>One member's month.</summary>
public sealed record DuesMonthRow(long Id, long MemberId, long OrgId, string Month, int AmountFen, int PaidFen, string State, string? Note,
    string? Reason, long? EntryId, DateTime? SettledAt);

/// <summary>A month's row with the member's name, for the branch's lists.</summary>
public sealed record BranchMonthRow(long Id, long MemberId, string Name, string Month, int AmountFen, int PaidFen, string State, string? Note,
    string? Reason, DateTime? SettledAt);

/// <summary>One line of the branch ledger; VoluntaryFen of AmountFen is 自愿多交 (VoluntaryKind voluntary or forward_in_full).</summary>
public sealed record DuesLedgerRow(long Id, long OrgId, string Kind, string Via, int AmountFen, long? MemberId, string? MemberName,
    string? Months, string Reference, string RecordedBy, DateTime OccurredAt, int VoluntaryFen, string? VoluntaryKind)
{
    public string? VoluntaryLabel => Rules.Dues.VoluntaryDues.Label(VoluntaryFen, VoluntaryKind);
}

/// <summary>An arrears case (a talk, or the committee's), with the member's name and the committee's decision once recorded.</summary>
public sealed record DuesCaseRow(long Id, long MemberId, string Name, long OrgId, string OrgName, string Kind, string Month, int MonthsOwed,
    long? TaskId, string? Decision, string? DecidedBy, DateTime? DecidedAt, DateTime CreatedAt);

/// <summary>A new month's row for a member.</summary>
public sealed record NewDuesMonth(long MemberId, long OrgId, string Month, int AmountFen, string State, string? Note);

/// <summary>A ledger line to write.</summary>
public sealed record NewLedgerEntry(long OrgId, string Kind, string Via, int AmountFen, long? MemberId, string? Months, string Reference,
    string RecordedBy, DateTimeOffset At, int VoluntaryFen = 0, string? VoluntaryKind = null);

/// <summary>The branch ledger's totals for a year.</summary>
public sealed record LedgerTotals(long CollectedFen, long HandedUpFen);

/// <summary>An org as the subdistrict export sums it.</summary>
public sealed record BranchDuesTotals(long OrgId, string Name, string Path, long DueFen, long PaidFen, long OwedFen, long Members, long HandedUpFen);

/// <summary>Who owes a month at its end, with the run of open months ending there.</summary>
public sealed record OpenMonthRow(long RowId, long MemberId, long OrgId, string Month, string? Reason);

/// <summary>
/// Party dues (dues_bases, dues_months, dues_ledger, dues_cases, dues_disclosures). The writes that go with a payment run in
/// the caller's transaction (WeChat Pay's settlement, a cash payment), so the months, the ledger and the audit commit together.
/// </summary>
public sealed class DuesStore(MySqlDataSource db)
{
    public const string LedgerCollected = "collected";
    public const string LedgerHandedUp = "handed_up";

    private const string MemberSql = """
        SELECT m.id, m.name, m.org_id AS OrgId, b.id AS BranchId, b.name AS BranchName, b.path AS BranchPath, m.status,
               m.admitted_on AS AdmittedOn, m.joined_on AS JoinedOn
        FROM members m
        JOIN orgs o ON o.id = m.org_id
        JOIN orgs b ON b.id = CASE WHEN o.kind = 'party_group' THEN o.parent_id ELSE o.id END AND b.kind = 'branch'
        """;

    public Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> body, CancellationToken ct) =>
        db.InTransactionAsync(body, ct);

    public async Task<DuesMember?> MemberAsync(long memberId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<DuesMember>(new CommandDefinition(MemberSql + " WHERE m.id = @memberId",
            new { memberId }, cancellationToken: ct));
    }

    /// <summary>The members on the roll of a branch (and its party groups), or of every branch (null), with no death recorded.</summary>
    public async Task<IReadOnlyList<DuesMember>> MembersOnRollAsync(long? branchId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<DuesMember>(new CommandDefinition(MemberSql + """

             WHERE m.status IN ('full', 'probationary') AND m.deceased_on IS NULL AND b.dissolved_on IS NULL
               AND (@branchId IS NULL OR b.id = @branchId)
             ORDER BY b.path, m.id
            """, new { branchId }, cancellationToken: ct))).ToList();
    }

    /// <summary>The mini-program openid of a WeChat user (the payer of a JSAPI order).</summary>
    public async Task<string?> MpOpenIdAsync(long wechatUserId, string mpAppId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT openid FROM wechat_users WHERE id = @wechatUserId AND app_id = @mpAppId", new { wechatUserId, mpAppId }, cancellationToken: ct));
    }

    // ---- bases ----

    /// <summary>
    /// The members' bases that apply in <paramref name="year"/>: the one recorded for it, else the latest earlier one (a base
    /// stays until the branch records a new one, so January's rows are made before the new bases are in).
    /// </summary>
    public async Task<IReadOnlyList<DuesBaseRow>> BasesAsync(IReadOnlyCollection<long> memberIds, int year, CancellationToken ct)
    {
        if (memberIds.Count == 0)
            return [];
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<DuesBaseRow>(new CommandDefinition("""
            SELECT member_id AS MemberId, year, category, base_fen AS BaseFen, monthly_fen AS MonthlyFen, special_fen AS SpecialFen,
                   special_reason AS SpecialReason, recorded_by AS RecordedBy, updated_at AS UpdatedAt
            FROM dues_bases b
            WHERE b.member_id IN @memberIds
              AND b.year = (SELECT MAX(x.year) FROM dues_bases x WHERE x.member_id = b.member_id AND x.year <= @year)
            """, new { year, memberIds }, cancellationToken: ct))).ToList();
    }

    /// <summary>Records (or replaces) a member's base for the year.</summary>
    public static Task UpsertBaseAsync(DbConnection conn, DbTransaction tx, long memberId, int year, DuesBasis basis, int monthlyFen,
        string actor, DateTimeOffset now, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO dues_bases (member_id, year, category, base_fen, monthly_fen, special_fen, special_reason, recorded_by, created_at, updated_at)
            VALUES (@memberId, @year, @category, @baseFen, @monthlyFen, @specialFen, @specialReason, @actor, @now, @now)
            ON DUPLICATE KEY UPDATE category = VALUES(category), base_fen = VALUES(base_fen), monthly_fen = VALUES(monthly_fen),
                special_fen = VALUES(special_fen), special_reason = VALUES(special_reason), recorded_by = VALUES(recorded_by),
                updated_at = VALUES(updated_at)
            """, new
        {
            memberId, year, category = DbNames.Of(basis.Category), baseFen = basis.BaseFen, monthlyFen, specialFen = basis.SpecialFen,
            specialReason = basis.SpecialReason, actor, now = now.UtcDateTime,
        }, tx, cancellationToken: ct));

    /// <summary>Changes the amount of the member's months of the year not settled or touched yet (a new base applies from now on).</summary>
    public static Task<int> RepriceOpenMonthsAsync(DbConnection conn, DbTransaction tx, long memberId, string fromMonth, string toMonth,
        int amountFen, string state, string? note, DateTimeOffset now, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            UPDATE dues_months SET amount_fen = @amountFen, state = @state, note = @note, updated_at = @now
            WHERE member_id = @memberId AND month BETWEEN @fromMonth AND @toMonth AND paid_fen = 0 AND state IN ('owed', 'waived')
            """, new { memberId, fromMonth, toMonth, amountFen, state, note, now = now.UtcDateTime }, tx, cancellationToken: ct));

    // ---- months ----

    /// <summary>Inserts the rows not there yet (one per member and month); returns how many it added.</summary>
    public async Task<int> InsertMonthsAsync(IReadOnlyList<NewDuesMonth> rows, DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await InsertMonthsAsync(conn, null, rows, now, ct);
    }

    public static async Task<int> InsertMonthsAsync(DbConnection conn, DbTransaction? tx, IReadOnlyList<NewDuesMonth> rows, DateTimeOffset now,
        CancellationToken ct)
    {
        var added = 0;
        foreach (var chunk in rows.Chunk(500))
        {
            var sql = new StringBuilder(
                "INSERT IGNORE INTO dues_months (member_id, org_id, month, amount_fen, paid_fen, state, note, created_at, updated_at) VALUES ");
            var args = new DynamicParameters();
            args.Add("now", now.UtcDateTime);
            for (var i = 0; i < chunk.Length; i++)
            {
                var r = chunk[i];
                sql.Append(i == 0 ? "" : ",").Append($"(@m{i},@o{i},@k{i},@a{i},0,@s{i},@n{i},@now,@now)");
                args.Add($"m{i}", r.MemberId); args.Add($"o{i}", r.OrgId); args.Add($"k{i}", r.Month); args.Add($"a{i}", r.AmountFen);
                args.Add($"s{i}", r.State); args.Add($"n{i}", r.Note);
            }
            added += await conn.ExecuteAsync(new CommandDefinition(sql.ToString(), args, tx, cancellationToken: ct));
        }
        return added;
    }

    private const string MonthColumns = """
        id, member_id AS MemberId, org_id AS OrgId, month, amount_fen AS AmountFen, paid_fen AS PaidFen, state, note, reason, entry_id AS EntryId,
        settled_at AS SettledAt
        """;

    public async Task<IReadOnlyList<DuesMonthRow>> MemberMonthsAsync(long memberId, string fromMonth, string toMonth, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<DuesMonthRow>(new CommandDefinition($"""
            SELECT {MonthColumns} FROM dues_months WHERE member_id = @memberId AND month BETWEEN @fromMonth AND @toMonth ORDER BY month
            """, new { memberId, fromMonth, toMonth }, cancellationToken: ct))).ToList();
    }

    /// <summary>A member's rows for the months, locked for the payment's transaction.</summary>
    public static async Task<IReadOnlyList<DuesMonthRow>> LockMonthsAsync(DbConnection conn, DbTransaction tx, long memberId,
        IReadOnlyCollection<string> months, CancellationToken ct) =>
        (await conn.QueryAsync<DuesMonthRow>(new CommandDefinition($"""
            SELECT {MonthColumns} FROM dues_months WHERE member_id = @memberId AND month IN @months ORDER BY month FOR UPDATE
            """, new { memberId, months }, tx, cancellationToken: ct))).ToList();

    /// <summary>Records what was paid against a row and its new state.</summary>
    public static Task<int> PayMonthAsync(DbConnection conn, DbTransaction tx, long rowId, int paidFen, string state, long entryId,
        DateTimeOffset now, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            UPDATE dues_months SET paid_fen = @paidFen, state = @state, entry_id = @entryId,
                settled_at = CASE WHEN @state = 'paid' THEN @now ELSE settled_at END, updated_at = @now
            WHERE id = @rowId
            """, new { rowId, paidFen, state, entryId, now = now.UtcDateTime }, tx, cancellationToken: ct));

    /// <summary>Waives an open month with the approval's reason.</summary>
    public static Task<int> WaiveMonthAsync(DbConnection conn, DbTransaction tx, long rowId, string note, DateTimeOffset now, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            UPDATE dues_months SET state = 'waived', note = @note, settled_at = @now, updated_at = @now
            WHERE id = @rowId AND state IN ('owed', 'partly_paid')
            """, new { rowId, note, now = now.UtcDateTime }, tx, cancellationToken: ct));

    /// <summary>Records the branch's reason for a month still owed (the month stays open).</summary>
    public static Task<int> RecordReasonAsync(DbConnection conn, DbTransaction tx, long rowId, string reason, DateTimeOffset now, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            UPDATE dues_months SET reason = @reason, updated_at = @now WHERE id = @rowId AND state IN ('owed', 'partly_paid')
            """, new { rowId, reason, now = now.UtcDateTime }, tx, cancellationToken: ct));

    /// <summary>
    /// How many of the branch's rows for the month are still open without a recorded reason, and how many there are (in the
    /// transaction).
    /// </summary>
    public static Task<(int Open, int All)> BranchMonthCountsAsync(DbConnection conn, DbTransaction tx, long orgId, string month,
        CancellationToken ct) =>
        conn.QuerySingleAsync<(int, int)>(new CommandDefinition("""
            SELECT CAST(COALESCE(SUM(state IN ('owed', 'partly_paid') AND reason IS NULL), 0) AS SIGNED), COUNT(*)
            FROM dues_months WHERE org_id = @orgId AND month = @month
            """, new { orgId, month }, tx, cancellationToken: ct));

    public async Task<IReadOnlyList<BranchMonthRow>> BranchRowsAsync(long orgId, string fromMonth, string toMonth, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<BranchMonthRow>(new CommandDefinition("""
            SELECT d.id, d.member_id AS MemberId, m.name, d.month, d.amount_fen AS AmountFen, d.paid_fen AS PaidFen, d.state, d.note,
                   d.reason, d.settled_at AS SettledAt
            FROM dues_months d JOIN members m ON m.id = d.member_id
            WHERE d.org_id = @orgId AND d.month BETWEEN @fromMonth AND @toMonth
            ORDER BY m.id, d.month
            """, new { orgId, fromMonth, toMonth }, cancellationToken: ct))).ToList();
    }

    /// <summary>The open rows of months up to <paramref name="throughMonth"/> of members who owe at its end (the arrears scan).</summary>
    public async Task<IReadOnlyList<OpenMonthRow>> OpenRowsThroughAsync(string throughMonth, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<OpenMonthRow>(new CommandDefinition("""
            SELECT d.id AS RowId, d.member_id AS MemberId, d.org_id AS OrgId, d.month, d.reason
            FROM dues_months d
            WHERE d.month <= @throughMonth AND d.state IN ('owed', 'partly_paid')
              AND EXISTS (SELECT 1 FROM dues_months c WHERE c.member_id = d.member_id AND c.month = @throughMonth
                                                       AND c.state IN ('owed', 'partly_paid'))
            ORDER BY d.member_id, d.month
            """, new { throughMonth }, cancellationToken: ct))).ToList();
    }

    // ---- ledger ----

    /// <summary>Writes a ledger line; returns its id, or null when its reference is already in the branch's ledger.</summary>
    public static async Task<long?> AddLedgerAsync(DbConnection conn, DbTransaction tx, NewLedgerEntry e, CancellationToken ct)
    {
        var added = await conn.ExecuteAsync(new CommandDefinition("""
            INSERT IGNORE INTO dues_ledger (org_id, kind, via, amount_fen, voluntary_fen, voluntary_kind, member_id, months, reference, recorded_by,
                occurred_at, created_at)
            VALUES (@OrgId, @Kind, @Via, @AmountFen, @VoluntaryFen, @VoluntaryKind, @MemberId, @Months, @Reference, @RecordedBy, @at, @at)
            """, new { e.OrgId, e.Kind, e.Via, e.AmountFen, e.VoluntaryFen, e.VoluntaryKind, e.MemberId, e.Months, e.Reference, e.RecordedBy,
                at = e.At.UtcDateTime }, tx,
            cancellationToken: ct));
        return added == 0 ? null : await conn.ExecuteScalarAsync<long>(new CommandDefinition("SELECT LAST_INSERT_ID()", transaction: tx,
            cancellationToken: ct));
    }

    public async Task<IReadOnlyList<DuesLedgerRow>> LedgerAsync(long orgId, DateTimeOffset from, DateTimeOffset until, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<DuesLedgerRow>(new CommandDefinition("""
            SELECT l.id, l.org_id AS OrgId, l.kind, l.via, l.amount_fen AS AmountFen, l.member_id AS MemberId, m.name AS MemberName,
                   l.months, l.reference, l.recorded_by AS RecordedBy, l.occurred_at AS OccurredAt, l.voluntary_fen AS VoluntaryFen,
                   l.voluntary_kind AS VoluntaryKind
            FROM dues_ledger l LEFT JOIN members m ON m.id = l.member_id
            WHERE l.org_id = @orgId AND l.occurred_at >= @from AND l.occurred_at < @until
            ORDER BY l.occurred_at DESC, l.id DESC
            """, new { orgId, from = from.UtcDateTime, until = until.UtcDateTime }, cancellationToken: ct))).ToList();
    }

    /// <summary>Everything collected and handed up by the branch, ever (the balance carries over the years), in the transaction or not.</summary>
    public static Task<LedgerTotals> TotalsAsync(DbConnection conn, DbTransaction? tx, long orgId, CancellationToken ct) =>
        conn.QuerySingleAsync<LedgerTotals>(new CommandDefinition("""
            SELECT CAST(COALESCE(SUM(CASE WHEN kind = 'collected' THEN amount_fen END), 0) AS SIGNED) AS CollectedFen,
                   CAST(COALESCE(SUM(CASE WHEN kind = 'handed_up' THEN amount_fen END), 0) AS SIGNED) AS HandedUpFen
            FROM dues_ledger WHERE org_id = @orgId
            """, new { orgId }, tx, cancellationToken: ct));

    public async Task<LedgerTotals> TotalsAsync(long orgId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await TotalsAsync(conn, null, orgId, ct);
    }

    /// <summary>Locks the branch's ledger (its org row) so two hand-ups never spend the same balance.</summary>
    public static Task LockBranchAsync(DbConnection conn, DbTransaction tx, long orgId, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("SELECT id FROM orgs WHERE id = @orgId FOR UPDATE", new { orgId }, tx, cancellationToken: ct));

    /// <summary>Per branch within <paramref name="scopePath"/>: what the year's months asked, what was paid, what is owed, and handed up.</summary>
    public async Task<IReadOnlyList<BranchDuesTotals>> BranchTotalsAsync(string scopePath, int year, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<BranchDuesTotals>(new CommandDefinition("""
            SELECT o.id AS OrgId, o.name, o.path,
                   CAST(COALESCE((SELECT SUM(amount_fen) FROM dues_months d WHERE d.org_id = o.id AND d.month LIKE @prefix AND d.state <> 'waived'), 0) AS SIGNED) AS DueFen,
                   CAST(COALESCE((SELECT SUM(paid_fen) FROM dues_months d WHERE d.org_id = o.id AND d.month LIKE @prefix), 0) AS SIGNED) AS PaidFen,
                   CAST(COALESCE((SELECT SUM(amount_fen - paid_fen) FROM dues_months d WHERE d.org_id = o.id AND d.month LIKE @prefix
                                  AND d.month <= @current AND d.state IN ('owed', 'partly_paid')), 0) AS SIGNED) AS OwedFen,
                   CAST((SELECT COUNT(DISTINCT member_id) FROM dues_months d WHERE d.org_id = o.id AND d.month LIKE @prefix) AS SIGNED) AS Members,
                   CAST(COALESCE((SELECT SUM(amount_fen) FROM dues_ledger l WHERE l.org_id = o.id AND l.kind = 'handed_up'
                                  AND YEAR(l.occurred_at) = @year), 0) AS SIGNED) AS HandedUpFen
            FROM orgs o
            WHERE o.kind = 'branch' AND o.path LIKE CONCAT(@scopePath, '%')
            ORDER BY o.path
            """, new { scopePath, year, prefix = $"{year:0000}-%", current = $"{year:0000}-12" }, cancellationToken: ct))).ToList();
    }

    // ---- arrears cases ----

    /// <summary>Opens a case once (per member, kind and the run's first month); returns its id, or null when it was opened before.</summary>
    public static async Task<long?> OpenCaseAsync(DbConnection conn, DbTransaction tx, long memberId, long orgId, string kind, string month,
        int monthsOwed, DateTimeOffset now, CancellationToken ct)
    {
        var added = await conn.ExecuteAsync(new CommandDefinition("""
            INSERT IGNORE INTO dues_cases (member_id, org_id, kind, month, months_owed, created_at)
            VALUES (@memberId, @orgId, @kind, @month, @monthsOwed, @now)
            """, new { memberId, orgId, kind, month, monthsOwed, now = now.UtcDateTime }, tx, cancellationToken: ct));
        return added == 0 ? null : await conn.ExecuteScalarAsync<long>(new CommandDefinition("SELECT LAST_INSERT_ID()", transaction: tx,
            cancellationToken: ct));
    }

    public static Task SetCaseTaskAsync(DbConnection conn, DbTransaction tx, long caseId, long taskId, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("UPDATE dues_cases SET task_id = @taskId WHERE id = @caseId", new { caseId, taskId }, tx,
            cancellationToken: ct));

    /// <summary>Records the committee's decision once; false when there is no such open case.</summary>
    public static async Task<bool> DecideCaseAsync(DbConnection conn, DbTransaction tx, long caseId, string decision, string actor,
        DateTimeOffset now, CancellationToken ct) =>
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE dues_cases SET decision = @decision, decided_by = @actor, decided_at = @now
            WHERE id = @caseId AND kind = 'committee' AND decision IS NULL
            """, new { caseId, decision, actor, now = now.UtcDateTime }, tx, cancellationToken: ct)) > 0;

    public async Task<IReadOnlyList<DuesCaseRow>> CasesAsync(string scopePath, long? caseId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<DuesCaseRow>(new CommandDefinition("""
            SELECT c.id, c.member_id AS MemberId, m.name, c.org_id AS OrgId, o.name AS OrgName, c.kind, c.month, c.months_owed AS MonthsOwed,
                   c.task_id AS TaskId, c.decision, c.decided_by AS DecidedBy, c.decided_at AS DecidedAt, c.created_at AS CreatedAt
            FROM dues_cases c JOIN members m ON m.id = c.member_id JOIN orgs o ON o.id = c.org_id
            WHERE o.path LIKE CONCAT(@scopePath, '%') AND (@caseId IS NULL OR c.id = @caseId)
            ORDER BY c.created_at DESC, c.id DESC
            LIMIT 500
            """, new { scopePath, caseId }, cancellationToken: ct))).ToList();
    }

    /// <summary>
    /// Creates the branch's task to talk with a member in arrears (an ad-hoc task of the system: record only, no points, so
    /// it changes nobody's possible points) in the caller's transaction; returns the task's id.
    /// </summary>
    public static async Task<long> AddTalkTaskAsync(DbConnection conn, DbTransaction tx, long orgId, string title, string description,
        DateTimeOffset opensAt, DateTimeOffset dueAt, string periodKey, CancellationToken ct)
    {
        var adhocId = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO adhoc_tasks (title, description, opens_at, due_at, period_key, points, late_deduction, overdue_deduction,
                                     min_photos, attendance_required, minutes_required, place_required, topic_required, record_label,
                                     scope_org_id, target_count, issued_by, issued_by_member_id, created_at)
            VALUES (@title, @description, @opensAt, @dueAt, @periodKey, 0, 0, 0, 0, FALSE, TRUE, FALSE, FALSE, '谈话记录',
                    @orgId, 1, 'system', NULL, @opensAt);
            SELECT LAST_INSERT_ID();
            """, new { title, description, opensAt = opensAt.UtcDateTime, dueAt = dueAt.UtcDateTime, periodKey, orgId }, tx, cancellationToken: ct));
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO tasks (unique_key, org_id, template_code, template_version, period_key, opens_at, due_at, possible_points,
                               state, adhoc, adhoc_task_id, next_reminder_at, created_at, updated_at)
            VALUES (CONCAT('adhoc:', @adhocId, ':', @orgId), @orgId, 'adhoc', 1, @periodKey, @opensAt, @dueAt, 0,
                    'pending', TRUE, @adhocId, @opensAt, @opensAt, @opensAt);
            SELECT LAST_INSERT_ID();
            """, new { adhocId, orgId, periodKey, opensAt = opensAt.UtcDateTime, dueAt = dueAt.UtcDateTime }, tx, cancellationToken: ct));
    }

    /// <summary>The members who hold <paramref name="roles"/> at the org (the secretary, the committee), for notices.</summary>
    public static async Task<IReadOnlyList<long>> HoldersAsync(DbConnection conn, DbTransaction tx, long orgId, IReadOnlyCollection<string> roles,
        CancellationToken ct) =>
        (await conn.QueryAsync<long>(new CommandDefinition(
            "SELECT DISTINCT member_id FROM member_roles WHERE org_id = @orgId AND role IN @roles ORDER BY member_id",
            new { orgId, roles }, tx, cancellationToken: ct))).ToList();

    /// <summary>The community org above a branch (depth 1 on its path), for the committee's cases.</summary>
    public static Task<(long Id, string Name)> CommunityOfAsync(DbConnection conn, DbTransaction tx, long branchId, CancellationToken ct) =>
        conn.QuerySingleAsync<(long, string)>(new CommandDefinition("""
            SELECT c.id, c.name FROM orgs b JOIN orgs c ON b.path LIKE CONCAT(c.path, '%') AND c.depth = 1 WHERE b.id = @branchId
            """, new { branchId }, tx, cancellationToken: ct));

    // ---- the monthly task ----

    /// <summary>The branch's 党费收缴 task of the month, locked, if it is still open.</summary>
    public static Task<(long Id, int RowVersion, string State, DateTime DueAt, decimal PossiblePoints)?> OpenDuesTaskAsync(DbConnection conn,
        DbTransaction tx, long orgId, string templateCode, string month, CancellationToken ct) =>
        conn.QuerySingleOrDefaultAsync<(long, int, string, DateTime, decimal)?>(new CommandDefinition("""
            SELECT id, row_version, state, due_at, possible_points FROM tasks
            WHERE org_id = @orgId AND template_code = @templateCode AND period_key = @month AND adhoc = FALSE
              AND state IN ('pending', 'planned', 'returned', 'overdue')
            FOR UPDATE
            """, new { orgId, templateCode, month }, tx, cancellationToken: ct));

    // ---- disclosure ----

    public static Task PublishAsync(DbConnection conn, DbTransaction tx, long orgId, int year, string actor, DateTimeOffset now, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO dues_disclosures (org_id, year, published_by, published_at) VALUES (@orgId, @year, @actor, @now)
            ON DUPLICATE KEY UPDATE published_by = VALUES(published_by), published_at = VALUES(published_at)
            """, new { orgId, year, actor, now = now.UtcDateTime }, tx, cancellationToken: ct));

    public async Task<DateTimeOffset?> PublishedAtAsync(long orgId, int year, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var at = await conn.QuerySingleOrDefaultAsync<DateTime?>(new CommandDefinition(
            "SELECT published_at FROM dues_disclosures WHERE org_id = @orgId AND year = @year", new { orgId, year }, cancellationToken: ct));
        return at is { } t ? Utc(t) : null;
    }

    public async Task<(long Id, string Name, string Path, string Kind)?> OrgAsync(long orgId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<(long, string, string, string)?>(new CommandDefinition(
            "SELECT id, name, path, kind FROM orgs WHERE id = @orgId", new { orgId }, cancellationToken: ct));
    }
}
