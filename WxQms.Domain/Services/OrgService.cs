using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services;

/// <summary>Reads and changes the org tree; every change is audited and retires the cached trees.</summary>
public sealed class OrgService(OrgStore orgs, OrgTreeCache cache, TimeProvider clock)
{
    public Task<IReadOnlyList<Org>> GetRootsAsync(CancellationToken ct) => orgs.GetRootsAsync(ct);

    public Task<Org?> GetAsync(long id, CancellationToken ct) => orgs.GetAsync(id, ct);

    public Task<(OrgTreeNode? Tree, CacheOutcome Outcome)> GetTreeAsync(long id, CancellationToken ct) =>
        cache.GetOrLoadAsync(id, async token =>
            await orgs.GetSubtreeAsync(id, token) is { } subtree
                ? OrgTree.Build(id, subtree.Orgs, subtree.DirectMembers)
                : null, ct);

    public async Task<Org> CreateAsync(long parentId, OrgKind kind, string name, string code, string actor,
        CancellationToken ct)
    {
        var parent = await orgs.GetAsync(parentId, ct) ?? throw new NotFoundException($"上级组织 {parentId} 不存在");
        if (!OrgTree.CanContain(parent.Kind, kind))
            throw new RuleViolationException("org.kind_not_allowed",
                $"{OrgTree.KindLabel(parent.Kind)}下不能设立{OrgTree.KindLabel(kind)}");

        var now = clock.GetUtcNow();
        var org = await orgs.CreateAsync(parent, kind, name, code, now, created => new AuditEntry(now, actor, "org.created", "org", created.Id,
            created.Id, Data: new { created.Name, created.Kind, created.ParentId }), ct);
        await cache.InvalidateAsync();
        return org;
    }

    public async Task RenameAsync(long id, string name, string actor, CancellationToken ct)
    {
        var org = await orgs.GetAsync(id, ct) ?? throw new NotFoundException($"组织 {id} 不存在");
        await orgs.SetNameAsync(id, name, new AuditEntry(clock.GetUtcNow(), actor, "org.renamed", "org", id, id,
            Data: new { From = org.Name, To = name }), ct);
        await cache.InvalidateAsync();
    }
}
