using MySqlConnector;
using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services;

public sealed class MemberService(MySqlDataSource db, OrgStore orgs, MemberStore members, OrgTreeCache cache,
    TokenVersions tokenVersions, TimeProvider clock)
{
    public Task<Member?> GetAsync(long id, CancellationToken ct) => members.GetAsync(id, ct);

    public async Task<long> AddAsync(NewMember member, string actor, CancellationToken ct)
    {
        _ = await orgs.GetAsync(member.OrgId, ct) ?? throw new NotFoundException($"组织 {member.OrgId} 不存在");
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var id = await MemberStore.InsertAsync(conn, tx, member, now, ct);
        await MemberStore.InsertRolesAsync(conn, tx, [new MemberRole(id, Roles.Member, member.OrgId)], now, ct);
        await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, actor, "member.added", "member", id, member.OrgId,
            Data: new { member.Name, member.Status }), ct);
        await tx.CommitAsync(ct);
        await cache.InvalidateAsync();
        return id;
    }

    public async Task MoveAsync(long memberId, long toOrgId, string actor, CancellationToken ct)
    {
        var member = await members.GetAsync(memberId, ct) ?? throw new NotFoundException($"党员 {memberId} 不存在");
        _ = await orgs.GetAsync(toOrgId, ct) ?? throw new NotFoundException($"组织 {toOrgId} 不存在");
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await MemberStore.MoveAsync(conn, tx, memberId, toOrgId, now, ct);
        await MemberStore.BumpTokenVersionAsync(conn, tx, memberId, ct); // the plain member role moved with her
        await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, actor, "member.moved", "member", memberId, toOrgId,
            Data: new { From = member.OrgId, To = toOrgId }), ct);
        await tx.CommitAsync(ct);
        await cache.InvalidateAsync();
        await tokenVersions.PublishAsync(memberId, ct);
    }

    /// <summary>
    /// A member's status changes: transferred out, deceased (or back on the roll). There is no API for this yet;
    /// the roll is kept by the office. A member off the roll has no roles at sign-in and cannot bind.
    /// </summary>
    public async Task SetStatusAsync(long memberId, MemberStatus status, string actor, CancellationToken ct)
    {
        var member = await members.GetAsync(memberId, ct) ?? throw new NotFoundException($"党员 {memberId} 不存在");
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await MemberStore.SetStatusAsync(conn, tx, memberId, status, now, ct);
        await MemberStore.BumpTokenVersionAsync(conn, tx, memberId, ct);
        await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, actor, "member.status_changed", "member", memberId, member.OrgId,
            Data: new { From = member.Status, To = status }), ct);
        await tx.CommitAsync(ct);
        await cache.InvalidateAsync();
        await tokenVersions.PublishAsync(memberId, ct);
    }

    /// <summary>Gives a member a role in an org (secretary of a branch …). No API yet: the office keeps roles.</summary>
    public Task GrantRoleAsync(long memberId, string role, long orgId, string actor, CancellationToken ct) =>
        ChangeRoleAsync(memberId, role, orgId, grant: true, actor, ct);

    /// <summary>Takes a role away from a member.</summary>
    public Task RevokeRoleAsync(long memberId, string role, long orgId, string actor, CancellationToken ct) =>
        ChangeRoleAsync(memberId, role, orgId, grant: false, actor, ct);

    private async Task ChangeRoleAsync(long memberId, string role, long orgId, bool grant, string actor, CancellationToken ct)
    {
        _ = await members.GetAsync(memberId, ct) ?? throw new NotFoundException($"党员 {memberId} 不存在");
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (grant)
            await MemberStore.InsertRolesAsync(conn, tx, [new MemberRole(memberId, role, orgId)], now, ct);
        else
            await MemberStore.DeleteRoleAsync(conn, tx, new MemberRole(memberId, role, orgId), ct);
        await MemberStore.BumpTokenVersionAsync(conn, tx, memberId, ct);
        await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, actor, grant ? "member.role_granted" : "member.role_revoked", "member",
            memberId, orgId, Data: new { Role = role, OrgId = orgId }), ct);
        await tx.CommitAsync(ct);
        await cache.InvalidateAsync();
        await tokenVersions.PublishAsync(memberId, ct);
    }
}
