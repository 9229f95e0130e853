using MySqlConnector;
using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services;

/// <summary>Reads and changes the org tree; every change is audited and retires the cached trees.</summary>
public sealed class OrgService(MySqlDataSource db, OrgStore orgs, OrgTreeCache cache, TimeProvider clock)
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
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var org = await OrgStore.InsertAsync(conn, tx, parent, kind, name, code, sortOrder: 0, now, ct);
        await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, actor, "org.created", "org", org.Id, org.Id,
            Data: new { org.Name, org.Kind, org.ParentId }), ct);
        await tx.CommitAsync(ct);
        await cache.InvalidateAsync();
        return org;
    }

    public async Task RenameAsync(long id, string name, string actor, CancellationToken ct)
    {
        var org = await orgs.GetAsync(id, ct) ?? throw new NotFoundException($"组织 {id} 不存在");
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await OrgStore.RenameAsync(conn, tx, id, name, now, ct);
        await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, actor, "org.renamed", "org", id, id,
            Data: new { From = org.Name, To = name }), ct);
        await tx.CommitAsync(ct);
        await cache.InvalidateAsync();
    }
}
