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

/// <summary>
/// Which members a roster lists: those in the org's whole subtree (<paramref name="Subtree"/>) or sitting in the org
/// itself; only those on the roll (正式 and 预备); only those of one name.
/// </summary>
public sealed record RosterScope(bool Subtree = true, bool OnTheRollOnly = false, string? Name = null);

/// <summary>
/// A member on a roster: where she sits, her status and her roles (in any org). The phone is there for matching a binding
/// answer only; no roster route shows it.
/// </summary>
public sealed record RosterEntry(long Id, string Name, MemberStatus Status, long OrgId, string? Phone, IReadOnlyList<MemberRole> Roles);

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

    /// <summary>A new member, with the plain member role and the audit entry, in one transaction; her id.</summary>
    public async Task<long> AddAsync(NewMember member, DateTimeOffset now, Func<long, AuditEntry> audit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var id = await InsertAsync(conn, tx, member, now, ct);
        await InsertRolesAsync(conn, tx, [new MemberRole(id, Roles.Member, member.OrgId)], now, ct);
        await AuditLog.AppendAsync(conn, tx, audit(id), ct);
        await tx.CommitAsync(ct);
        return id;
    }

    /// <summary>Moves the member (see <see cref="MoveAsync"/>) and makes her tokens stale, with the audit entry.</summary>
    public async Task MoveToAsync(long memberId, long toOrgId, AuditEntry audit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await MoveAsync(conn, tx, memberId, toOrgId, audit.OccurredAt, ct);
        await BumpTokenVersionAsync(conn, tx, memberId, ct); // the plain member role moved with her
        await AuditLog.AppendAsync(conn, tx, audit, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Changes the member's status and makes her tokens stale, with the audit entry.</summary>
    public async Task ChangeStatusAsync(long memberId, MemberStatus status, AuditEntry audit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await SetStatusAsync(conn, tx, memberId, status, audit.OccurredAt, ct);
        await BumpTokenVersionAsync(conn, tx, memberId, ct);
        await AuditLog.AppendAsync(conn, tx, audit, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Grants or revokes a role and makes the member's tokens stale, with the audit entry.</summary>
    public async Task ChangeRoleAsync(MemberRole role, bool grant, AuditEntry audit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (grant)
            await InsertRolesAsync(conn, tx, [role], audit.OccurredAt, ct);
        else
            await DeleteRoleAsync(conn, tx, role, ct);
        await BumpTokenVersionAsync(conn, tx, role.MemberId, ct);
        await AuditLog.AppendAsync(conn, tx, audit, ct);
        await tx.CommitAsync(ct);
    }

    private sealed record RosterRow(long Id, string Name, string Status, long OrgId, string? Phone, string? Roles);

    private static readonly string[] OnTheRoll = [DbNames.Of(MemberStatus.Full), DbNames.Of(MemberStatus.Probationary)];

    /// <summary>An org's roster (see <see cref="RosterScope"/>), by org and id.</summary>
    public async Task<IReadOnlyList<RosterEntry>> RosterAsync(long orgId, RosterScope scope, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await RosterAsync(conn, null, orgId, scope, ct);
    }

    /// <summary>
    /// The roster query, the one place that lists an org's members: those sitting in the org's subtree (a branch and its
    /// party groups) or in the org itself, with their roles in any org, inside the caller's transaction if any.
    /// </summary>
    public static async Task<IReadOnlyList<RosterEntry>> RosterAsync(DbConnection conn, DbTransaction? tx, long orgId, RosterScope scope,
        CancellationToken ct)
    {
        const string sql = """
            SELECT m.id AS Id, m.name AS Name, m.status AS Status, m.org_id AS OrgId, m.phone AS Phone,
                   (SELECT GROUP_CONCAT(CONCAT(r.role, ':', r.org_id) ORDER BY r.role, r.org_id)
                    FROM member_roles r WHERE r.member_id = m.id) AS Roles
            FROM members m JOIN orgs o ON o.id = m.org_id
            WHERE (o.id = @orgId OR (@subtree AND o.path LIKE (SELECT CONCAT(path, '%') FROM orgs WHERE id = @orgId)))
              AND (NOT @onTheRollOnly OR m.status IN @onTheRoll)
              AND (@name IS NULL OR m.name = @name)
            ORDER BY m.org_id, m.id
            """;
        var rows = await conn.QueryAsync<RosterRow>(new CommandDefinition(sql, new
        {
            orgId, subtree = scope.Subtree, onTheRollOnly = scope.OnTheRollOnly, onTheRoll = OnTheRoll, name = scope.Name,
        }, tx, cancellationToken: ct));
        return rows.Select(r => new RosterEntry(r.Id, r.Name, DbNames.Parse<MemberStatus>(r.Status), r.OrgId, r.Phone,
            r.Roles is null ? [] : r.Roles.Split(',').Select(x => x.Split(':')).Select(x =>
                new MemberRole(r.Id, x[0], long.Parse(x[1], System.Globalization.CultureInfo.InvariantCulture))).ToList())).ToList();
    }
}
