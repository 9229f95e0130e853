using System.Data.Common;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;

namespace WxQms.Domain.Storage;

public sealed class OrgStore(MySqlDataSource db)
{
    private const string Columns = "id AS Id, parent_id AS ParentId, path AS Path, depth AS Depth, kind AS Kind, name AS Name, code AS Code, sort_order AS SortOrder";

    private sealed record Row(long Id, long? ParentId, string Path, int Depth, string Kind, string Name, string Code, int SortOrder)
    {
        public Org ToOrg() => new(Id, ParentId, Path, Depth, DbNames.Parse<OrgKind>(Kind), Name, Code, SortOrder);
    }

    public async Task<IReadOnlyList<Org>> GetRootsAsync(CancellationToken ct)
    {
        const string sql = $"SELECT {Columns} FROM orgs WHERE parent_id IS NULL AND dissolved_on IS NULL ORDER BY sort_order, id";
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<Row>(new CommandDefinition(sql, cancellationToken: ct));
        return rows.Select(r => r.ToOrg()).ToList();
    }

    /// <summary>The orgs office staff mark as communities (orgs.is_community), not dissolved, in the tree's order.</summary>
    public async Task<IReadOnlyList<Org>> GetCommunitiesAsync(CancellationToken ct)
    {
        const string sql = $"SELECT {Columns} FROM orgs WHERE is_community AND dissolved_on IS NULL ORDER BY path";
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<Row>(new CommandDefinition(sql, cancellationToken: ct));
        return rows.Select(r => r.ToOrg()).ToList();
    }

    public async Task<Org?> GetAsync(long id, CancellationToken ct)
    {
        const string sql = $"SELECT {Columns} FROM orgs WHERE id = @id AND dissolved_on IS NULL";
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(sql, new { id }, cancellationToken: ct));
        return row?.ToOrg();
    }

    /// <summary>
    /// The org, everything under it, and the members placed directly in each. The subtree is a range
    /// scan on ix_orgs_path with the root's path as a constant prefix.
    /// </summary>
    public async Task<(IReadOnlyList<Org> Orgs, IReadOnlyDictionary<long, int> DirectMembers)?> GetSubtreeAsync(
        long id, CancellationToken ct)
    {
        const string pathSql = "SELECT path FROM orgs WHERE id = @id AND dissolved_on IS NULL";
        const string subtreeSql = $"""
            SELECT {Columns} FROM orgs WHERE path LIKE @pattern AND dissolved_on IS NULL;

            SELECT m.org_id AS OrgId, COUNT(*) AS Members
            FROM orgs o JOIN members m ON m.org_id = o.id
            WHERE o.path LIKE @pattern AND m.status IN ('full', 'probationary')
            GROUP BY m.org_id;
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var path = await conn.ExecuteScalarAsync<string?>(new CommandDefinition(pathSql, new { id }, cancellationToken: ct));
        if (path is null)
            return null;
        var pattern = OrgPath.SubtreePattern(path);
        await using var grid = await conn.QueryMultipleAsync(new CommandDefinition(subtreeSql, new { pattern }, cancellationToken: ct));
        var orgs = (await grid.ReadAsync<Row>()).Select(r => r.ToOrg()).ToList();
        var counts = (await grid.ReadAsync<(long OrgId, long Members)>()).ToDictionary(c => c.OrgId, c => (int)c.Members);
        return (orgs, counts);
    }

    public async Task<int> CountDirectMembersAsync(long orgId, CancellationToken ct)
    {
        const string sql = "SELECT COUNT(*) FROM members WHERE org_id = @orgId AND status IN ('full', 'probationary')";
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<int>(new CommandDefinition(sql, new { orgId }, cancellationToken: ct));
    }

    /// <summary>Inserts an org under its parent and fills in its path, inside the caller's transaction.</summary>
    public static async Task<Org> InsertAsync(DbConnection conn, DbTransaction tx, Org? parent, OrgKind kind,
        string name, string code, int sortOrder, DateTimeOffset now, CancellationToken ct)
    {
        const string insert = """
            INSERT INTO orgs (parent_id, path, depth, kind, is_community, name, code, sort_order, created_at, updated_at)
            VALUES (@ParentId, '/', @Depth, @Kind, @IsCommunity, @Name, @Code, @SortOrder, @Now, @Now);
            SELECT LAST_INSERT_ID();
            """;
        const string setPath = "UPDATE orgs SET path = @Path WHERE id = @Id";

        var depth = parent is null ? 0 : parent.Depth + 1;
        var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition(insert, new
        {
            ParentId = parent?.Id,
            Depth = depth,
            Kind = DbNames.Of(kind),
            IsCommunity = kind == OrgKind.CommunityCommittee, // a 党总支 or 党支部 that is a community is marked so by staff
            Name = name,
            Code = code,
            SortOrder = sortOrder,
            Now = now.UtcDateTime,
        }, tx, cancellationToken: ct));
        var path = OrgPath.Child(parent?.Path ?? OrgPath.Root, id);
        await conn.ExecuteAsync(new CommandDefinition(setPath, new { Path = path, Id = id }, tx, cancellationToken: ct));
        return new Org(id, parent?.Id, path, depth, kind, name, code, sortOrder);
    }

    public static async Task<bool> RenameAsync(DbConnection conn, DbTransaction tx, long id, string name,
        DateTimeOffset now, CancellationToken ct)
    {
        const string sql = "UPDATE orgs SET name = @name, updated_at = @now WHERE id = @id";
        return await conn.ExecuteAsync(new CommandDefinition(sql, new { id, name, now = now.UtcDateTime }, tx,
            cancellationToken: ct)) > 0;
    }

    /// <summary>A new org under its parent (see <see cref="InsertAsync"/>) with the audit entry, in one transaction.</summary>
    public async Task<Org> CreateAsync(Org parent, OrgKind kind, string name, string code, DateTimeOffset now, Func<Org, AuditEntry> audit,
        CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var org = await InsertAsync(conn, tx, parent, kind, name, code, sortOrder: 0, now, ct);
        await AuditLog.AppendAsync(conn, tx, audit(org), ct);
        await tx.CommitAsync(ct);
        return org;
    }

    /// <summary>Renames the org, with the audit entry, in one transaction.</summary>
    public async Task SetNameAsync(long id, string name, AuditEntry audit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await RenameAsync(conn, tx, id, name, audit.OccurredAt, ct);
        await AuditLog.AppendAsync(conn, tx, audit, ct);
        await tx.CommitAsync(ct);
    }
}
