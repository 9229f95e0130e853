using System.Data.Common;
using Dapper;
using MySqlConnector;

namespace WxQms.Domain.Storage;

/// <summary>A member's own declaration of her base for a year (pending, confirmed or refused), with her name.</summary>
public sealed record DuesDeclarationRow(long Id, long MemberId, string Name, int Year, string Category, int BaseFen, string State, string? Refusal,
    DateTime DeclaredAt, string? DecidedBy, DateTime? DecidedAt);

/// <summary>Members' declarations of their dues base (dues_declarations): one per member and year.</summary>
public sealed class DuesDeclarationStore(MySqlDataSource db)
{
    private const string Select = """
        SELECT d.id, d.member_id AS MemberId, m.name, d.year, d.category, d.base_fen AS BaseFen, d.state, d.refusal,
               d.declared_at AS DeclaredAt, d.decided_by AS DecidedBy, d.decided_at AS DecidedAt
        FROM dues_declarations d JOIN members m ON m.id = d.member_id
        """;

    /// <summary>Declares (or declares again): the declaration waits for the secretary, whatever it was before.</summary>
    public static Task DeclareAsync(DbConnection conn, DbTransaction tx, long memberId, int year, string category, int baseFen, DateTimeOffset now,
        CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO dues_declarations (member_id, year, category, base_fen, state, declared_at)
            VALUES (@memberId, @year, @category, @baseFen, 'pending', @now)
            ON DUPLICATE KEY UPDATE category = VALUES(category), base_fen = VALUES(base_fen), state = 'pending', refusal = NULL,
                declared_at = VALUES(declared_at), decided_by = NULL, decided_at = NULL
            """, new { memberId, year, category, baseFen, now = now.UtcDateTime }, tx, cancellationToken: ct));

    /// <summary>The member's pending declaration of the year, locked; null when there is none.</summary>
    public static Task<DuesDeclarationRow?> LockPendingAsync(DbConnection conn, DbTransaction tx, long memberId, int year, CancellationToken ct) =>
        conn.QuerySingleOrDefaultAsync<DuesDeclarationRow?>(new CommandDefinition(
            Select + " WHERE d.member_id = @memberId AND d.year = @year AND d.state = 'pending' FOR UPDATE",
            new { memberId, year }, tx, cancellationToken: ct));

    public static Task DecideAsync(DbConnection conn, DbTransaction tx, long id, string state, string? refusal, string actor, DateTimeOffset now,
        CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            UPDATE dues_declarations SET state = @state, refusal = @refusal, decided_by = @actor, decided_at = @now WHERE id = @id
            """, new { id, state, refusal, actor, now = now.UtcDateTime }, tx, cancellationToken: ct));

    /// <summary>A member's declarations from <paramref name="fromYear"/> on, newest year first.</summary>
    public async Task<IReadOnlyList<DuesDeclarationRow>> MineAsync(long memberId, int fromYear, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<DuesDeclarationRow>(new CommandDefinition(
            Select + " WHERE d.member_id = @memberId AND d.year >= @fromYear ORDER BY d.year DESC", new { memberId, fromYear },
            cancellationToken: ct))).ToList();
    }

    /// <summary>The declarations of a branch's members (of its party groups too) from <paramref name="fromYear"/> on, pending first.</summary>
    public async Task<IReadOnlyList<DuesDeclarationRow>> BranchAsync(string branchPath, int fromYear, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<DuesDeclarationRow>(new CommandDefinition(Select + """
             JOIN orgs o ON o.id = m.org_id
            WHERE o.path LIKE CONCAT(@branchPath, '%') AND d.year >= @fromYear
            ORDER BY d.state = 'pending' DESC, d.declared_at DESC
            """, new { branchPath, fromYear }, cancellationToken: ct))).ToList();
    }
}
