using System.Data.Common;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using static WxQms.Domain.Storage.DbTime;

namespace WxQms.Domain.Storage;

/// <summary>A transfer as it is written: the letter's particulars where there is a letter; <see cref="Numbered"/> gives it a number.</summary>
public sealed record NewTransfer(TransferKind Kind, TransferState State, long MemberId, long? FromOrgId, long? ToOrgId, string FromOrgName,
    string ToOrgName, DateOnly? IssuedOn, DateOnly? ValidUntil, DuesPaidThrough? DuesPaidThrough, string? Reason, long? StartedByOrgId,
    DateOnly? ClosedOn, long? ReplacesId, bool Numbered, string? LetterNo, string Actor);

/// <summary>Which transfers to list: touching an org's subtree (from or to), one member's, or only those in transit.</summary>
public sealed record TransferListQuery(string? OrgPath, long? MemberId, bool InTransitOnly, int Limit);

/// <summary>A transfer of the year with the paths of both sides (null outside the subdistrict), for the report per community.</summary>
public sealed record TransferYearRow(TransferKind Kind, TransferState State, string? FromPath, string? ToPath);

/// <summary>
/// The transfers of organisational relationship (<c>transfers</c>): letters, their states and dates; the member's side
/// of a transfer (the move through <see cref="MemberAdminStore"/>'s one path, leaving the roll when the receipt comes
/// back, a member placed from a letter received); the scan's reads; the year's rows for the report.
/// </summary>
public sealed class TransferStore(MySqlDataSource db)
{
    private const string Columns = """
        t.id AS Id, t.kind AS Kind, t.state AS State, t.member_id AS MemberId, m.name AS MemberName, t.from_org_id AS FromOrgId,
        t.to_org_id AS ToOrgId, t.from_org_name AS FromOrgName, t.to_org_name AS ToOrgName, t.letter_no AS LetterNo,
        t.issued_on AS IssuedOn, t.valid_until AS ValidUntil, t.dues_paid_through AS DuesPaidThrough, t.reason AS Reason,
        t.accepted_on AS AcceptedOn, t.receipt_due_on AS ReceiptDueOn, t.receipt_on AS ReceiptOn, t.closed_on AS ClosedOn,
        t.replaces_id AS ReplacesId, t.void_reason AS VoidReason, t.created_at AS CreatedAt
        """;

    private sealed record Row(long Id, string Kind, string State, long MemberId, string MemberName, long? FromOrgId, long? ToOrgId,
        string FromOrgName, string ToOrgName, string? LetterNo, DateTime? IssuedOn, DateTime? ValidUntil, DateTime? DuesPaidThrough,
        string? Reason, DateTime? AcceptedOn, DateTime? ReceiptDueOn, DateTime? ReceiptOn, DateTime? ClosedOn, long? ReplacesId,
        string? VoidReason, DateTime CreatedAt)
    {
        public Transfer ToTransfer() => new(Id, DbNames.Parse<TransferKind>(Kind), DbNames.Parse<TransferState>(State), MemberId, MemberName,
            FromOrgId, ToOrgId, FromOrgName, ToOrgName, LetterNo, Day(IssuedOn), Day(ValidUntil),
            DuesPaidThrough is { } d ? new DuesPaidThrough(d.Year, d.Month) : null, Reason, Day(AcceptedOn), Day(ReceiptDueOn), Day(ReceiptOn),
            Day(ClosedOn), ReplacesId, VoidReason, Utc(CreatedAt));
    }

    private static DateOnly? Day(DateTime? d) => d is { } v ? DateOnly.FromDateTime(v) : null;

    private static DateTime? Db(DateOnly? d) => d?.ToDateTime(TimeOnly.MinValue);

    public Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> body, CancellationToken ct) => db.InTransactionAsync(body, ct);

    /// <summary>Writes a transfer; a numbered one gets its letter number from its id (or keeps the number it was given). Its id.</summary>
    public static async Task<long> InsertAsync(DbConnection conn, DbTransaction tx, NewTransfer t, DateTimeOffset now, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO transfers (kind, state, member_id, from_org_id, to_org_id, from_org_name, to_org_name, letter_no, issued_on, valid_until,
                                   dues_paid_through, reason, started_by_org_id, closed_on, replaces_id, actor, created_at, updated_at)
            VALUES (@kind, @state, @MemberId, @FromOrgId, @ToOrgId, @FromOrgName, @ToOrgName, @LetterNo, @issuedOn, @validUntil,
                    @dues, @Reason, @StartedByOrgId, @closedOn, @ReplacesId, @Actor, @now, @now);
            SELECT LAST_INSERT_ID();
            """;
        var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition(sql, new
        {
            kind = DbNames.Of(t.Kind), state = DbNames.Of(t.State), t.MemberId, t.FromOrgId, t.ToOrgId, t.FromOrgName, t.ToOrgName, t.LetterNo,
            issuedOn = Db(t.IssuedOn), validUntil = Db(t.ValidUntil),
            dues = t.DuesPaidThrough is { } d ? new DateTime(d.Year, d.Month, 1) : (DateTime?)null, t.Reason, t.StartedByOrgId,
            closedOn = Db(t.ClosedOn), t.ReplacesId, t.Actor, now = now.UtcDateTime,
        }, tx, cancellationToken: ct));
        if (t.Numbered && t.LetterNo is null && t.IssuedOn is { } issued)
            await conn.ExecuteAsync(new CommandDefinition("UPDATE transfers SET letter_no = @no WHERE id = @id",
                new { id, no = Rules.Transfers.TransferRules.LetterNumber(issued, id) }, tx, cancellationToken: ct));
        return id;
    }

    public async Task<Transfer?> GetAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM transfers t JOIN members m ON m.id = t.member_id WHERE t.id = @id", new { id }, cancellationToken: ct)))?.ToTransfer();
    }

    /// <summary>The transfer locked for the caller's transaction, so two acceptances cannot both pass.</summary>
    public static async Task<Transfer?> LockAsync(DbConnection conn, DbTransaction tx, long id, CancellationToken ct) =>
        (await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM transfers t JOIN members m ON m.id = t.member_id WHERE t.id = @id FOR UPDATE", new { id }, tx,
            cancellationToken: ct)))?.ToTransfer();

    /// <summary>Whether the member has a transfer still travelling (one at a time).</summary>
    public async Task<bool> HasOpenAsync(long memberId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM transfers WHERE member_id = @memberId AND state IN ('requested', 'issued', 'accepted'))",
            new { memberId }, cancellationToken: ct));
    }

    /// <summary>Moves a transfer to its next state with the dates the step records.</summary>
    public static Task UpdateAsync(DbConnection conn, DbTransaction tx, long id, TransferState state, DateOnly? acceptedOn, DateOnly? receiptDueOn,
        DateOnly? receiptOn, DateOnly? closedOn, string? voidReason, DateTimeOffset now, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            UPDATE transfers SET state = @state, accepted_on = COALESCE(@acceptedOn, accepted_on),
                receipt_due_on = COALESCE(@receiptDueOn, receipt_due_on), receipt_on = COALESCE(@receiptOn, receipt_on),
                closed_on = COALESCE(@closedOn, closed_on), void_reason = COALESCE(@voidReason, void_reason), updated_at = @now
            WHERE id = @id
            """, new
        {
            id, state = DbNames.Of(state), acceptedOn = Db(acceptedOn), receiptDueOn = Db(receiptDueOn), receiptOn = Db(receiptOn),
            closedOn = Db(closedOn), voidReason, now = now.UtcDateTime,
        }, tx, cancellationToken: ct));

    /// <summary>Transfers touching an org's subtree (sent from or received into it), or one member's, newest first.</summary>
    public async Task<IReadOnlyList<Transfer>> ListAsync(TransferListQuery q, CancellationToken ct)
    {
        var sql = $"""
            SELECT {Columns} FROM transfers t JOIN members m ON m.id = t.member_id
            LEFT JOIN orgs f ON f.id = t.from_org_id LEFT JOIN orgs o ON o.id = t.to_org_id
            WHERE (@pattern IS NULL OR f.path LIKE @pattern OR o.path LIKE @pattern)
              AND (@memberId IS NULL OR t.member_id = @memberId)
              {(q.InTransitOnly ? "AND t.state IN ('requested', 'issued', 'accepted')" : "")}
            ORDER BY t.created_at DESC, t.id DESC LIMIT @limit
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<Row>(new CommandDefinition(sql, new
        {
            pattern = q.OrgPath is null ? null : OrgPath.SubtreePattern(q.OrgPath), memberId = q.MemberId, limit = q.Limit,
        }, cancellationToken: ct));
        return rows.Select(r => r.ToTransfer()).ToList();
    }

    /// <summary>The letters out still travelling (issued or accepted), locked for the scan's transaction (SKIP LOCKED).</summary>
    public static async Task<IReadOnlyList<Transfer>> LettersOutAsync(DbConnection conn, DbTransaction tx, CancellationToken ct) =>
        (await conn.QueryAsync<Row>(new CommandDefinition($"""
            SELECT {Columns} FROM transfers t JOIN members m ON m.id = t.member_id
            WHERE t.kind = 'out' AND t.state IN ('issued', 'accepted') ORDER BY t.id
            FOR UPDATE SKIP LOCKED
            """, transaction: tx, cancellationToken: ct))).Select(r => r.ToTransfer()).ToList();

    /// <summary>Who hears of a letter out: the sending branch's secretary and workers, and (a warning) the office staff; members on the roll.</summary>
    public static async Task<IReadOnlyList<long>> AlertRecipientsAsync(DbConnection conn, DbTransaction tx, long branchId, bool office,
        CancellationToken ct) =>
        (await conn.QueryAsync<long>(new CommandDefinition("""
            SELECT DISTINCT r.member_id FROM member_roles r JOIN members m ON m.id = r.member_id
            WHERE ((r.role IN ('secretary', 'worker') AND r.org_id = @branchId) OR (@office AND r.role = 'staff'))
              AND m.status IN ('full', 'probationary')
            ORDER BY r.member_id
            """, new { branchId, office }, tx, cancellationToken: ct))).ToList();

    /// <summary>
    /// The receipt is back: the member leaves the roll (status transferred out), her roles end that day, her tokens are
    /// refused. She stays recorded at the branch that sent her.
    /// </summary>
    public static async Task LeaveRollAsync(DbConnection conn, DbTransaction tx, long memberId, DateOnly on, DateTimeOffset now, CancellationToken ct)
    {
        await MemberAdminStore.EndRolesAsync(conn, tx, memberId, OrgPath.Root, on, now, ct);
        await conn.ExecuteAsync(new CommandDefinition("UPDATE members SET status = @status, updated_at = @now WHERE id = @memberId",
            new { memberId, status = DbNames.Of(MemberStatus.TransferredOut), now = now.UtcDateTime }, tx, cancellationToken: ct));
        await MemberStore.BumpTokenVersionAsync(conn, tx, memberId, ct);
    }

    /// <summary>
    /// The reminders already queued for the member about the old branch's meetings, not yet sent, are cancelled: she is
    /// no longer expected there (the new branch's reminders find her when they fire, as its roster does).
    /// </summary>
    public static Task<int> CancelQueuedRemindersAsync(DbConnection conn, DbTransaction tx, long memberId, string oldBranchPath,
        DateTimeOffset now, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            UPDATE reminders r JOIN orgs o ON o.id = r.org_id
            SET r.status = 'cancelled', r.last_error = '党员已转出本支部，不再需要', r.updated_at = @now
            WHERE r.member_id = @memberId AND r.subject_type = 'task' AND r.status = 'pending' AND o.path LIKE @pattern
            """, new { memberId, pattern = OrgPath.SubtreePattern(oldBranchPath), now = now.UtcDateTime }, tx, cancellationToken: ct));

    private sealed record YearRow(string Kind, string State, string? FromPath, string? ToPath);

    /// <summary>The transfers started in [from, to) (UTC), voided and cancelled ones left out, with both sides' paths.</summary>
    public async Task<IReadOnlyList<TransferYearRow>> YearAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<YearRow>(new CommandDefinition("""
            SELECT t.kind AS Kind, t.state AS State, f.path AS FromPath, o.path AS ToPath
            FROM transfers t LEFT JOIN orgs f ON f.id = t.from_org_id LEFT JOIN orgs o ON o.id = t.to_org_id
            WHERE t.created_at >= @from AND t.created_at < @to AND t.state NOT IN ('voided', 'cancelled')
            """, new { from = from.UtcDateTime, to = to.UtcDateTime }, cancellationToken: ct));
        return rows.Select(r => new TransferYearRow(DbNames.Parse<TransferKind>(r.Kind), DbNames.Parse<TransferState>(r.State), r.FromPath, r.ToPath))
            .ToList();
    }
}
