using System.Data.Common;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;

namespace WxQms.Domain.Storage;

/// <summary>A <c>wechat_users</c> row as login sees it: who it is, and the member it is linked to, if any.</summary>
public sealed record WechatUserLink(long Id, string AppId, string OpenId, string? UnionId, long? MemberId);

/// <summary>
/// The member a WeChat user turned out to be, with the roles they hold and where, and the token version their
/// mini-program tokens carry (see TokenVersions).
/// </summary>
public sealed record MemberProfile(long Id, string Name, long OrgId, IReadOnlyList<Grant> Roles, int TokenVersion = 0);

/// <summary>
/// Links between WeChat identities and members: the mini program's login and binding. One connection per
/// method; the link itself is written inside the caller's transaction with its audit entry.
/// </summary>
public sealed class WechatLinkStore(MySqlDataSource db)
{
    private const string LinkColumns =
        "id AS Id, app_id AS AppId, openid AS OpenId, unionid AS UnionId, member_id AS MemberId";

    /// <summary>Creates or refreshes the row for (app, openid); a unionid WeChat now reports is kept.</summary>
    public async Task<WechatUserLink> UpsertAsync(string appId, string openId, string? unionId, DateTimeOffset now,
        CancellationToken ct)
    {
        const string upsert = """
            INSERT INTO wechat_users (app_id, openid, unionid, created_at, updated_at)
            VALUES (@appId, @openId, @unionId, @now, @now)
            ON DUPLICATE KEY UPDATE unionid = COALESCE(VALUES(unionid), unionid), updated_at = VALUES(updated_at)
            """;
        const string select = $"SELECT {LinkColumns} FROM wechat_users WHERE app_id = @appId AND openid = @openId";
        await using var conn = await db.OpenConnectionAsync(ct);
        var args = new { appId, openId, unionId, now = now.UtcDateTime };
        await conn.ExecuteAsync(new CommandDefinition(upsert, args, cancellationToken: ct));
        return await conn.QuerySingleAsync<WechatUserLink>(new CommandDefinition(select, args, cancellationToken: ct));
    }

    public async Task<WechatUserLink?> GetAsync(long id, CancellationToken ct)
    {
        const string sql = $"SELECT {LinkColumns} FROM wechat_users WHERE id = @id";
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<WechatUserLink>(new CommandDefinition(sql, new { id }, cancellationToken: ct));
    }

    /// <summary>
    /// The member behind this identity: its own link, else the link of another identity of the same person
    /// (same unionid, e.g. the official-account openid a secretary bound earlier), else none.
    /// </summary>
    public async Task<long?> LinkedMemberAsync(WechatUserLink user, CancellationToken ct)
    {
        if (user.MemberId is { } own)
            return own;
        if (user.UnionId is null)
            return null;
        const string sql = """
            SELECT member_id FROM wechat_users
            WHERE unionid = @UnionId AND member_id IS NOT NULL AND id <> @Id
            ORDER BY updated_at DESC, id DESC LIMIT 1
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long?>(new CommandDefinition(sql, new { user.UnionId, user.Id }, cancellationToken: ct));
    }

    public async Task<long?> MemberIdByPhoneAsync(string phone, CancellationToken ct)
    {
        const string sql = "SELECT id FROM members WHERE phone = @phone";
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long?>(new CommandDefinition(sql, new { phone }, cancellationToken: ct));
    }

    private sealed record ProfileRow(long Id, string Name, long OrgId, int TokenVersion);

    private sealed record GrantRow(string Role, long OrgId, string Path, string Kind);

    /// <summary>
    /// The member with their roles (role, org, the org's path and kind), or null: also for a member no longer on
    /// the roll (transferred out, deceased), who signs in as a WeChat user without roles.
    /// </summary>
    public async Task<MemberProfile?> ProfileAsync(long memberId, CancellationToken ct)
    {
        const string sql = """
            SELECT id AS Id, name AS Name, org_id AS OrgId, token_version AS TokenVersion FROM members
            WHERE id = @memberId AND status IN ('full', 'probationary');

            SELECT r.role AS Role, r.org_id AS OrgId, o.path AS Path, o.kind AS Kind
            FROM member_roles r JOIN orgs o ON o.id = r.org_id
            WHERE r.member_id = @memberId
            ORDER BY r.role, r.org_id;
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var grid = await conn.QueryMultipleAsync(new CommandDefinition(sql, new { memberId }, cancellationToken: ct));
        var member = await grid.ReadSingleOrDefaultAsync<ProfileRow>();
        var grants = (await grid.ReadAsync<GrantRow>())
            .Select(g => new Grant(g.Role, g.OrgId, g.Path, DbNames.Parse<OrgKind>(g.Kind)))
            .ToList();
        return member is null ? null : new MemberProfile(member.Id, member.Name, member.OrgId, grants, member.TokenVersion);
    }

    /// <summary>
    /// Unlinks every WeChat identity linked to the member (official account, mini program, …) and makes the tokens
    /// issued to them stale, inside the caller's transaction; returns the ids unlinked.
    /// </summary>
    public static async Task<IReadOnlyList<long>> UnlinkAllAsync(DbConnection conn, DbTransaction tx, long memberId, DateTimeOffset now,
        CancellationToken ct)
    {
        var ids = (await conn.QueryAsync<long>(new CommandDefinition(
            "SELECT id FROM wechat_users WHERE member_id = @memberId FOR UPDATE", new { memberId }, tx, cancellationToken: ct))).ToList();
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE wechat_users SET member_id = NULL, updated_at = @now WHERE member_id = @memberId",
            new { memberId, now = now.UtcDateTime }, tx, cancellationToken: ct));
        await MemberStore.BumpTokenVersionAsync(conn, tx, memberId, ct);
        return ids;
    }

    /// <summary>
    /// Links the identity to the member unless it is already linked to someone else. False when it is:
    /// the caller answers a conflict. Re-linking to the same member changes nothing and is true.
    /// </summary>
    public static async Task<bool> LinkAsync(DbConnection conn, DbTransaction tx, long wechatUserId, long memberId,
        DateTimeOffset now, CancellationToken ct)
    {
        const string sql = """
            UPDATE wechat_users SET member_id = @memberId, updated_at = @now
            WHERE id = @wechatUserId AND (member_id IS NULL OR member_id = @memberId)
            """;
        return await conn.ExecuteAsync(new CommandDefinition(sql, new { wechatUserId, memberId, now = now.UtcDateTime },
            tx, cancellationToken: ct)) > 0;
    }

    /// <summary>Links the identity to the member with the audit entry, in one transaction; false (nothing written) when it is someone else's.</summary>
    public async Task<bool> LinkAuditedAsync(long wechatUserId, long memberId, AuditEntry audit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (!await LinkAsync(conn, tx, wechatUserId, memberId, audit.OccurredAt, ct))
            return false;
        await AuditLog.AppendAsync(conn, tx, audit, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// A follower bound through a branch QR code, in one transaction: the identity is marked subscribed and linked to the
    /// member (false, nothing written, when it is someone else's), and the same person's other identities (by unionid) that
    /// are no one's yet are linked too; with the audit entry.
    /// </summary>
    public async Task<bool> BindFollowerAsync(long wechatUserId, long memberId, string? unionId, AuditEntry audit, CancellationToken ct)
    {
        var now = audit.OccurredAt;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE wechat_users SET subscribed = TRUE WHERE id = @id", new { id = wechatUserId }, tx, cancellationToken: ct));
        if (!await LinkAsync(conn, tx, wechatUserId, memberId, now, ct))
            return false;
        if (unionId is not null)
        {
            // The same person's other identities (the mini program) that are not yet anyone's.
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE wechat_users SET member_id = @memberId, updated_at = @now
                WHERE unionid = @unionId AND id <> @id AND member_id IS NULL
                """, new { memberId, now = now.UtcDateTime, unionId, id = wechatUserId }, tx, cancellationToken: ct));
        }
        await AuditLog.AppendAsync(conn, tx, audit, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// 解绑: unlinks every identity of the member (see <see cref="UnlinkAllAsync"/>) with the audit entry made from the ids
    /// unlinked, in one transaction; returns those ids.
    /// </summary>
    public async Task<IReadOnlyList<long>> UnbindAllAsync(long memberId, DateTimeOffset now, Func<IReadOnlyList<long>, AuditEntry> audit,
        CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var unlinked = await UnlinkAllAsync(conn, tx, memberId, now, ct);
        await AuditLog.AppendAsync(conn, tx, audit(unlinked), ct);
        await tx.CommitAsync(ct);
        return unlinked;
    }
}
