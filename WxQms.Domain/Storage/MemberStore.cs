using System.Data.Common;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Model;

namespace WxQms.Domain.Storage;

public sealed record NewMember(
    long OrgId,
    string Name,
    Sex Sex,
    DateOnly? BirthDate,
    DateOnly? JoinedOn,
    MemberStatus Status,
    string? Phone,
    bool Retired,
    bool Mobile,
    string Code);

public sealed class MemberStore(MySqlDataSource db)
{
    private sealed record Row(long Id, long OrgId, string Name, string Sex, DateTime? BirthDate, DateTime? JoinedOn,
        string Status, string? Phone, bool Retired, bool Mobile, string Code)
    {
        public Member ToMember() => new(Id, OrgId, Name, DbNames.Parse<Sex>(Sex),
            BirthDate is { } b ? DateOnly.FromDateTime(b) : null,
            JoinedOn is { } j ? DateOnly.FromDateTime(j) : null,
            DbNames.Parse<MemberStatus>(Status), Phone, Retired, Mobile, Code);
    }

    public async Task<Member?> GetAsync(long id, CancellationToken ct)
    {
        const string sql = """
            SELECT id AS Id, org_id AS OrgId, name AS Name, sex AS Sex, birth_date AS BirthDate,
                   joined_on AS JoinedOn, status AS Status, phone AS Phone, retired AS Retired, mobile AS Mobile,
                   code AS Code
            FROM members WHERE id = @id
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(sql, new { id }, cancellationToken: ct));
        return row?.ToMember();
    }

    public async Task<IReadOnlyList<MemberRole>> GetRolesAsync(long memberId, CancellationToken ct)
    {
        const string sql = "SELECT member_id AS MemberId, role AS Role, org_id AS OrgId FROM member_roles WHERE member_id = @memberId ORDER BY role, org_id";
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<MemberRole>(new CommandDefinition(sql, new { memberId }, cancellationToken: ct));
        return rows.ToList();
    }

    public static Task<long> InsertAsync(DbConnection conn, DbTransaction tx, NewMember m, DateTimeOffset now,
        CancellationToken ct)
    {
        const string sql = """
            INSERT INTO members (org_id, name, sex, birth_date, joined_on, status, phone, retired, mobile, code,
                                 created_at, updated_at)
            VALUES (@OrgId, @Name, @Sex, @BirthDate, @JoinedOn, @Status, @Phone, @Retired, @Mobile, @Code, @Now, @Now);
            SELECT LAST_INSERT_ID();
            """;
        return conn.ExecuteScalarAsync<long>(new CommandDefinition(sql, new
        {
            m.OrgId,
            m.Name,
            Sex = DbNames.Of(m.Sex),
            BirthDate = m.BirthDate?.ToDateTime(TimeOnly.MinValue),
            JoinedOn = m.JoinedOn?.ToDateTime(TimeOnly.MinValue),
            Status = DbNames.Of(m.Status),
            m.Phone,
            m.Retired,
            m.Mobile,
            m.Code,
            Now = now.UtcDateTime,
        }, tx, cancellationToken: ct));
    }

    public static Task InsertRolesAsync(DbConnection conn, DbTransaction tx, IEnumerable<MemberRole> roles,
        DateTimeOffset now, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO member_roles (member_id, role, org_id, created_at) VALUES (@MemberId, @Role, @OrgId, @Now)
            """;
        return conn.ExecuteAsync(new CommandDefinition(sql,
            roles.Select(r => new { r.MemberId, r.Role, r.OrgId, Now = now.UtcDateTime }), tx, cancellationToken: ct));
    }

    /// <summary>Makes the member's tokens issued so far stale (inside the change's transaction); see TokenVersions.</summary>
    public static Task BumpTokenVersionAsync(DbConnection conn, DbTransaction tx, long memberId, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("UPDATE members SET token_version = token_version + 1 WHERE id = @memberId",
            new { memberId }, tx, cancellationToken: ct));

    public static Task SetStatusAsync(DbConnection conn, DbTransaction tx, long memberId, MemberStatus status, DateTimeOffset now,
        CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("UPDATE members SET status = @status, updated_at = @now WHERE id = @memberId",
            new { memberId, status = DbNames.Of(status), now = now.UtcDateTime }, tx, cancellationToken: ct));

    public static Task DeleteRoleAsync(DbConnection conn, DbTransaction tx, MemberRole role, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition(
            "DELETE FROM member_roles WHERE member_id = @MemberId AND role = @Role AND org_id = @OrgId", role, tx, cancellationToken: ct));

    public static async Task<bool> MoveAsync(DbConnection conn, DbTransaction tx, long memberId, long toOrgId,
        DateTimeOffset now, CancellationToken ct)
    {
        // The plain "member" role follows the member; roles held elsewhere (secretary, staff) stay put.
        const string sql = """
            UPDATE members SET org_id = @toOrgId, updated_at = @now WHERE id = @memberId;
            UPDATE member_roles SET org_id = @toOrgId WHERE member_id = @memberId AND role = 'member';
            """;
        return await conn.ExecuteAsync(new CommandDefinition(sql, new { memberId, toOrgId, now = now.UtcDateTime }, tx,
            cancellationToken: ct)) > 0;
    }
}
