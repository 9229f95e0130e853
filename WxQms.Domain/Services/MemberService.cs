using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services;

public sealed class MemberService(OrgStore orgs, MemberStore members, OrgTreeCache cache, TokenVersions tokenVersions, TimeProvider clock)
{
    public Task<Member?> GetAsync(long id, CancellationToken ct) => members.GetAsync(id, ct);

    public async Task<long> AddAsync(NewMember member, string actor, CancellationToken ct)
    {
        _ = await orgs.GetAsync(member.OrgId, ct) ?? throw new NotFoundException($"组织 {member.OrgId} 不存在");
        var now = clock.GetUtcNow();
        var id = await members.AddAsync(member, now, added => new AuditEntry(now, actor, "member.added", "member", added, member.OrgId,
            Data: new { member.Name, member.Status }), ct);
        await cache.InvalidateAsync();
        return id;
    }

    public async Task MoveAsync(long memberId, long toOrgId, string actor, CancellationToken ct)
    {
        var member = await members.GetAsync(memberId, ct) ?? throw new NotFoundException($"党员 {memberId} 不存在");
        _ = await orgs.GetAsync(toOrgId, ct) ?? throw new NotFoundException($"组织 {toOrgId} 不存在");
        var now = clock.GetUtcNow();
        await members.MoveToAsync(memberId, toOrgId, new AuditEntry(now, actor, "member.moved", "member", memberId, toOrgId,
            Data: new { From = member.OrgId, To = toOrgId }), ct);
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
        await members.ChangeStatusAsync(memberId, status, new AuditEntry(now, actor, "member.status_changed", "member", memberId,
            member.OrgId, Data: new { From = member.Status, To = status }), ct);
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
        await members.ChangeRoleAsync(new MemberRole(memberId, role, orgId), grant, new AuditEntry(now, actor,
            grant ? "member.role_granted" : "member.role_revoked", "member", memberId, orgId, Data: new { Role = role, OrgId = orgId }), ct);
        await cache.InvalidateAsync();
        await tokenVersions.PublishAsync(memberId, ct);
    }
}
