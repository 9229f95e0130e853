using System.Data.Common;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Orgs;

namespace WxQms.Domain.Storage;

/// <summary>A current term the reminder scan holds (locked in its transaction), with what the notice names.</summary>
public sealed record DueTerm(OrgTerm Term, string OrgName, OrgKind OrgKind);

/// <summary>A current term for the console's list of terms expiring soon.</summary>
public sealed record ExpiringTerm(OrgTerm Term, string OrgName, OrgKind OrgKind, string OrgPath);

/// <summary>
/// Orgs' terms (<c>org_terms</c>): the current one is the latest recorded. Recording a term commits with its audit entry;
/// the reminder scan reads due terms under SKIP LOCKED and stamps them in its own transaction with the notices it queues.
/// </summary>
public sealed class OrgTermStore(MySqlDataSource db)
{
    private sealed record Row(long Id, long OrgId, DateTime ElectedOn, int Years, DateTime EndsOn, int Reminded6, int Reminded3,
        string OrgName, string Kind, string Path)
    {
        public OrgTerm ToTerm() => new(Id, OrgId, DateOnly.FromDateTime(ElectedOn), Years, DateOnly.FromDateTime(EndsOn), Reminded6 != 0, Reminded3 != 0);
    }

    private const string Columns = """
        t.id AS Id, t.org_id AS OrgId, t.elected_on AS ElectedOn, t.years AS Years, t.ends_on AS EndsOn,
        t.reminded_6m_at IS NOT NULL AS Reminded6, t.reminded_3m_at IS NOT NULL AS Reminded3, o.name AS OrgName, o.kind AS Kind, o.path AS Path
        """;

    private const string Current = "t.id = (SELECT MAX(x.id) FROM org_terms x WHERE x.org_id = t.org_id) AND o.dissolved_on IS NULL";

    public Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> body, CancellationToken ct) =>
        db.InTransactionAsync(body, ct);

    public async Task<OrgTerm?> CurrentAsync(long orgId, CancellationToken ct)
    {
        const string sql = $"SELECT {Columns} FROM org_terms t JOIN orgs o ON o.id = t.org_id WHERE t.org_id = @orgId ORDER BY t.id DESC LIMIT 1";
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(sql, new { orgId }, cancellationToken: ct));
        return row?.ToTerm();
    }

    /// <summary>Records a new current term of the org, with its audit entry.</summary>
    public Task<OrgTerm> RecordAsync(long orgId, DateOnly electedOn, int years, DateOnly endsOn, AuditEntry audit, CancellationToken ct) =>
        db.InTransactionAsync(async (conn, tx) =>
        {
            var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
                INSERT INTO org_terms (org_id, elected_on, years, ends_on, actor, created_at)
                VALUES (@orgId, @electedOn, @years, @endsOn, @actor, @now);
                SELECT LAST_INSERT_ID();
                """, new
            {
                orgId, electedOn = electedOn.ToDateTime(TimeOnly.MinValue), years, endsOn = endsOn.ToDateTime(TimeOnly.MinValue),
                actor = audit.Actor, now = audit.OccurredAt.UtcDateTime,
            }, tx, cancellationToken: ct));
            await AuditLog.AppendAsync(conn, tx, audit with { EntityId = id }, ct);
            return new OrgTerm(id, orgId, electedOn, years, endsOn, false, false);
        }, ct);

    /// <summary>Current terms in the subtree at <paramref name="path"/> ending on or before <paramref name="until"/>, soonest first.</summary>
    public async Task<IReadOnlyList<ExpiringTerm>> ExpiringAsync(string path, DateOnly until, int limit, CancellationToken ct)
    {
        const string sql = $"""
            SELECT {Columns} FROM org_terms t JOIN orgs o ON o.id = t.org_id
            WHERE o.path LIKE @pattern AND t.ends_on <= @until AND {Current}
            ORDER BY t.ends_on, t.id LIMIT @limit
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<Row>(new CommandDefinition(sql, new
        {
            pattern = OrgPath.SubtreePattern(path), until = until.ToDateTime(TimeOnly.MinValue), limit,
        }, cancellationToken: ct));
        return rows.Select(r => new ExpiringTerm(r.ToTerm(), r.OrgName, DbNames.Parse<OrgKind>(r.Kind), r.Path)).ToList();
    }

    /// <summary>
    /// Current terms with a reminder due on <paramref name="today"/> and not yet stamped, locked for the caller's transaction
    /// (SKIP LOCKED: another scan takes the others). The month arithmetic is the database's (end of month clamps, as
    /// <see cref="Terms.ReminderDay"/>).
    /// </summary>
    public static async Task<IReadOnlyList<DueTerm>> DueAsync(DbConnection conn, DbTransaction tx, DateOnly today, int batch,
        CancellationToken ct)
    {
        const string sql = $"""
            SELECT {Columns} FROM org_terms t JOIN orgs o ON o.id = t.org_id
            WHERE t.reminded_3m_at IS NULL
              AND ((t.reminded_6m_at IS NULL AND DATE_SUB(t.ends_on, INTERVAL 6 MONTH) <= @today)
                   OR DATE_SUB(t.ends_on, INTERVAL 3 MONTH) <= @today)
              AND {Current}
            ORDER BY t.ends_on, t.id LIMIT @batch
            FOR UPDATE SKIP LOCKED
            """;
        var rows = await conn.QueryAsync<Row>(new CommandDefinition(sql, new { today = today.ToDateTime(TimeOnly.MinValue), batch }, tx,
            cancellationToken: ct));
        return rows.Select(r => new DueTerm(r.ToTerm(), r.OrgName, DbNames.Parse<OrgKind>(r.Kind))).ToList();
    }

    /// <summary>Who a term reminder goes to: the office staff and the org's secretary, members on the roll.</summary>
    public static async Task<IReadOnlyList<long>> RecipientsAsync(DbConnection conn, DbTransaction tx, long orgId, CancellationToken ct) =>
        (await conn.QueryAsync<long>(new CommandDefinition("""
            SELECT DISTINCT r.member_id FROM member_roles r JOIN members m ON m.id = r.member_id
            WHERE (r.role = 'staff' OR (r.role = 'secretary' AND r.org_id = @orgId)) AND m.status IN ('full', 'probationary')
            ORDER BY r.member_id
            """, new { orgId }, tx, cancellationToken: ct))).ToList();

    /// <summary>Stamps the reminder as queued (the three-month one stamps both: the six-month one is no longer worth sending).</summary>
    public static Task MarkAsync(DbConnection conn, DbTransaction tx, long termId, TermReminder reminder, DateTimeOffset now,
        CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition(reminder == TermReminder.SixMonths
            ? "UPDATE org_terms SET reminded_6m_at = @now WHERE id = @termId"
            : "UPDATE org_terms SET reminded_6m_at = COALESCE(reminded_6m_at, @now), reminded_3m_at = @now WHERE id = @termId",
            new { termId, now = now.UtcDateTime }, tx, cancellationToken: ct));
}
