using MySqlConnector;
using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services;

public sealed class MemberService(MySqlDataSource db, OrgStore orgs, MemberStore members, OrgTreeCache cache,
    TimeProvider clock)
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
        await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, actor, "member.moved", "member", memberId, toOrgId,
            Data: new { From = member.OrgId, To = toOrgId }), ct);
        await tx.CommitAsync(ct);
        await cache.InvalidateAsync();
    }
}
