using Microsoft.Extensions.Options;
using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Orgs;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Orgs;

/// <summary>An org as its console page shows it: where it sits, its counts, the rules it breaks, its term.</summary>
public sealed record OrgDetail(Org Org, Org? Parent, OrgCounts Counts, IReadOnlyList<OrgFinding> Warnings, OrgTerm? Term,
    bool MayReshape, bool MayRename, bool Community = false, bool MayMarkCommunity = false);

/// <summary>A subtree for the console's tree, with each org's warnings.</summary>
public sealed record OrgTreeView(OrgTreeNode Root, IReadOnlyDictionary<long, IReadOnlyList<OrgFinding>> Warnings);

/// <summary>What the console's forms and the JSON routes send to create an org.</summary>
/// <summary>A new org; <see cref="Community"/> null: a 社区党委 is a community, other kinds are not (office staff may say otherwise).</summary>
public sealed record NewOrg(long ParentId, string? Kind, string? Name, string? Code, DateOnly? EstablishedOn, bool? Community = null);

/// <summary>
/// The console's organisations (issue #16 item 3): create, rename, move and dissolve orgs and record their terms. Who may
/// is <see cref="OrgAccess"/>; the shape rules are <see cref="OrgRules"/>; each change is one audit entry in its
/// transaction, and the org trees and task lists are retired after the commit (tokens too, when paths change).
/// </summary>
public sealed class OrgAdmin(OrgStore orgs, OrgAdminStore admin, OrgTermStore terms, OrgTreeCache trees, TaskCache tasks,
    RankingCache rankings, TokenVersions tokens, IOptions<OrgOptions> options, TimeProvider clock)
{
    public const string Subject = "org";

    public async Task<OrgDetail> GetAsync(long id, IReadOnlyList<Grant> grants, CancellationToken ct)
    {
        var org = await LoadAsync(id, ct);
        if (!Access.CanRead(grants, org.Path))
            throw Forbidden();
        var counts = await admin.CountsAsync(org, clock.GetUtcNow(), ct);
        var parent = org.ParentId is { } p ? await orgs.GetAsync(p, ct) : null;
        return new OrgDetail(org, parent, counts,
            OrgRules.Warnings(new OrgFacts(org.Kind, counts.OnTheRoll, counts.FullMembers, counts.CommitteeMembers, counts.Secretaries)),
            await terms.CurrentAsync(id, ct), OrgAccess.CanReshape(grants, org.Path), OrgAccess.CanRename(grants, org),
            await admin.IsCommunityAsync(id, ct), OrgAccess.CanMarkCommunity(grants));
    }

    /// <summary>The subtree at <paramref name="id"/> (default: the widest the caller reads) with every org's warnings.</summary>
    public async Task<OrgTreeView> TreeAsync(long? id, IReadOnlyList<Grant> grants, CancellationToken ct)
    {
        var rootId = id ?? await DefaultRootAsync(grants, ct);
        var root = await LoadAsync(rootId, ct);
        if (!Access.CanRead(grants, root.Path))
            throw Forbidden();
        var (tree, _) = await trees.GetOrLoadAsync(rootId, async token =>
            await orgs.GetSubtreeAsync(rootId, token) is { } subtree ? OrgTree.Build(rootId, subtree.Orgs, subtree.DirectMembers) : null, ct);
        if (tree is null)
            throw new NotFoundException($"组织 {rootId} 不存在", "org.not_found");
        var rolls = (await admin.RollsAsync(root.Path, ct)).ToDictionary(r => r.OrgId);
        var warnings = new Dictionary<long, IReadOnlyList<OrgFinding>>();
        foreach (var node in OrgTree.Flatten(tree))
        {
            // A branch counts the full members of its party groups as its own.
            var own = rolls.GetValueOrDefault(node.Id);
            var full = (own?.FullMembers ?? 0) + (node.Kind == OrgKind.Branch
                ? node.Children.Where(c => c.Kind == OrgKind.PartyGroup).Sum(c => rolls.GetValueOrDefault(c.Id)?.FullMembers ?? 0)
                : 0);
            var found = OrgRules.Warnings(new OrgFacts(node.Kind, node.TotalMemberCount, full, own?.CommitteeMembers ?? 0, own?.Secretaries ?? 0));
            if (found.Count > 0)
                warnings[node.Id] = found;
        }
        return new OrgTreeView(tree, warnings);
    }

    public async Task<Org> CreateAsync(NewOrg input, IReadOnlyList<Grant> grants, string actor, long? actorMemberId, CancellationToken ct)
    {
        var parent = await LoadAsync(input.ParentId, ct);
        if (!OrgAccess.CanPlaceUnder(grants, parent.Path))
            throw Forbidden();
        var errors = new Dictionary<string, string>();
        var kind = ParseKind(input.Kind);
        if (kind is null)
            errors["kind"] = "请选择组织类型";
        if (OrgRules.NameError(input.Name) is { } nameError)
            errors["name"] = nameError;
        if (OrgRules.CodeError(input.Code) is { } codeError)
            errors["code"] = codeError;
        if (input.EstablishedOn is { } established && established > Periods.LocalDate(clock.GetUtcNow()))
            errors["establishedOn"] = "成立日期不能晚于今天";
        var community = input.Community ?? kind == OrgKind.CommunityCommittee;
        if (input.Community is not null && community != (kind == OrgKind.CommunityCommittee) && !OrgAccess.CanMarkCommunity(grants))
            errors["community"] = "只有街道党建办可以设置社区";
        if (errors.Count > 0)
            throw new OrgInputException(errors);
        if (OrgRules.Placement(parent.Kind, kind!.Value) is { } refusal)
            throw new RuleViolationException(refusal.Code, refusal.Text);

        var now = clock.GetUtcNow();
        var org = await admin.CreateAsync(parent, kind.Value, input.Name!.Trim(), input.Code!.Trim(), input.EstablishedOn, community, now,
            created => new AuditEntry(now, actor, "org.created", Subject, created.Id, created.Id, actorMemberId,
                new { created.Name, created.Code, Kind = DbNames.Of(created.Kind), created.ParentId, input.EstablishedOn, Community = community }), ct);
        await RetireAsync([]);
        return org;
    }

    public async Task<Org> RenameAsync(long id, string? name, IReadOnlyList<Grant> grants, string actor, long? actorMemberId,
        CancellationToken ct)
    {
        var org = await LoadAsync(id, ct);
        if (!OrgAccess.CanRename(grants, org))
            throw Forbidden();
        if (OrgRules.NameError(name) is { } error)
            throw new OrgInputException(new Dictionary<string, string> { ["name"] = error });
        var trimmed = name!.Trim();
        await orgs.SetNameAsync(id, trimmed, new AuditEntry(clock.GetUtcNow(), actor, "org.renamed", Subject, id, id, actorMemberId,
            new { From = org.Name, To = trimmed }), ct);
        await RetireAsync([]);
        return org with { Name = trimmed };
    }

    public async Task<Org> MoveAsync(long id, long? parentId, IReadOnlyList<Grant> grants, string actor, long? actorMemberId,
        CancellationToken ct)
    {
        var org = await LoadAsync(id, ct);
        if (!OrgAccess.CanReshape(grants, org.Path))
            throw Forbidden();
        if (parentId is null)
            throw new OrgInputException(new Dictionary<string, string> { ["parentId"] = "请选择新的上级组织" });
        var parent = await LoadAsync(parentId.Value, ct);
        if (!OrgAccess.CanPlaceUnder(grants, parent.Path))
            throw Forbidden();
        if ((OrgRules.Move(org.Path, parent.Path) ?? OrgRules.Placement(parent.Kind, org.Kind)) is { } refusal)
            throw new RuleViolationException(refusal.Code, refusal.Text);
        if (org.ParentId == parent.Id)
            return org;
        var members = await admin.MoveAsync(org, parent, new AuditEntry(clock.GetUtcNow(), actor, "org.moved", Subject, id, id,
            actorMemberId, new { From = org.ParentId, To = parent.Id, FromPath = org.Path }), ct);
        await RetireAsync(members, ct);
        return await LoadAsync(id, ct);
    }

    /// <summary>Marks the org a community (社区: offered to residents posting wishes) or not; office staff only.</summary>
    public async Task SetCommunityAsync(long id, bool? community, IReadOnlyList<Grant> grants, string actor, long? actorMemberId,
        CancellationToken ct)
    {
        var org = await LoadAsync(id, ct);
        if (!OrgAccess.CanMarkCommunity(grants))
            throw Forbidden();
        if (community is not { } value)
            throw new OrgInputException(new Dictionary<string, string> { ["community"] = "请选择是否为社区" });
        await admin.SetCommunityAsync(id, value, new AuditEntry(clock.GetUtcNow(), actor, "org.community_set", Subject, id, id, actorMemberId,
            new { org.Name, Community = value }), ct);
    }

    public async Task<int> DissolveAsync(long id, IReadOnlyList<Grant> grants, string actor, long? actorMemberId, CancellationToken ct)
    {
        var org = await LoadAsync(id, ct);
        if (!OrgAccess.CanReshape(grants, org.Path))
            throw Forbidden();
        var now = clock.GetUtcNow();
        var cancelled = await admin.DissolveAsync(org, Periods.LocalDate(now),
            new AuditEntry(now, actor, "org.dissolved", Subject, id, id, actorMemberId), ct);
        await RetireAsync([]);
        return cancelled;
    }

    /// <summary>Records the org's new term: elected on a day, for the kind's configured years unless given.</summary>
    public async Task<OrgTerm> RecordTermAsync(long id, DateOnly? electedOn, int? years, IReadOnlyList<Grant> grants, string actor,
        long? actorMemberId, CancellationToken ct)
    {
        var org = await LoadAsync(id, ct);
        if (!OrgAccess.CanReshape(grants, org.Path))
            throw Forbidden();
        var errors = new Dictionary<string, string>();
        if (!Terms.HasTerm(org.Kind))
            errors["electedOn"] = $"{OrgTree.KindLabel(org.Kind)}不实行任期制";
        else if (electedOn is null)
            errors["electedOn"] = "请填写选举日期";
        else if (electedOn > Periods.LocalDate(clock.GetUtcNow()))
            errors["electedOn"] = "选举日期不能晚于今天";
        var length = years ?? options.Value.YearsOf(org.Kind);
        if (Terms.YearsError(length) is { } yearsError)
            errors["years"] = yearsError;
        if (errors.Count > 0)
            throw new OrgInputException(errors);
        var endsOn = Terms.EndsOn(electedOn!.Value, length);
        return await terms.RecordAsync(id, electedOn.Value, length, endsOn, new AuditEntry(clock.GetUtcNow(), actor, "org.term_recorded",
            "org_term", null, id, actorMemberId, new { ElectedOn = electedOn, Years = length, EndsOn = endsOn }), ct);
    }

    /// <summary>Terms in the caller's readable subtrees ending within six months (or already over), soonest first.</summary>
    public async Task<IReadOnlyList<ExpiringTerm>> ExpiringTermsAsync(IReadOnlyList<Grant> grants, CancellationToken ct)
    {
        var today = Periods.LocalDate(clock.GetUtcNow());
        var list = new List<ExpiringTerm>();
        foreach (var top in Access.ReadableTops(grants.Where(g => g.Role != Roles.Member)))
            list.AddRange(await terms.ExpiringAsync(top, today.AddMonths(6), 200, ct));
        return list.OrderBy(t => t.Term.EndsOn).ToList();
    }

    /// <summary>The orgs a caller may place an org under, for the forms' choice: the readable subtree's orgs they may reshape under.</summary>
    public async Task<IReadOnlyList<Org>> PlacesAsync(IReadOnlyList<Grant> grants, CancellationToken ct)
    {
        var places = new List<Org>();
        foreach (var top in await TopIdsAsync(grants, ct))
        {
            if (await orgs.GetSubtreeAsync(top, ct) is not { } subtree)
                continue;
            places.AddRange(subtree.Orgs.Where(o => o.Kind != OrgKind.PartyGroup && OrgAccess.CanPlaceUnder(grants, o.Path)));
        }
        return places.OrderBy(o => o.Path, StringComparer.Ordinal).ToList();
    }

    public Task<Org> OrgAsync(long id, CancellationToken ct) => LoadAsync(id, ct);

    /// <summary>The orgs at the top of what the grants watch (office staff: the roots).</summary>
    private async Task<IReadOnlyList<long>> TopIdsAsync(IReadOnlyList<Grant> grants, CancellationToken ct)
    {
        var tops = Access.ReadableTops(grants.Where(g => g.Role != Roles.Member));
        return tops.Contains(OrgPath.Root)
            ? (await orgs.GetRootsAsync(ct)).Select(o => o.Id).ToList()
            : tops.Select(t => OrgPath.Ids(t)[^1]).ToList();
    }

    private async Task<long> DefaultRootAsync(IReadOnlyList<Grant> grants, CancellationToken ct)
    {
        if (Access.DefaultMonitorScope(grants) is { } scope && scope != OrgPath.Root)
            return OrgPath.Ids(scope)[^1];
        var roots = await orgs.GetRootsAsync(ct);
        return roots.Count > 0 && Access.CanRead(grants, roots[0].Path) ? roots[0].Id : throw Forbidden();
    }

    private async Task<Org> LoadAsync(long id, CancellationToken ct) =>
        await orgs.GetAsync(id, ct) ?? throw new NotFoundException($"组织 {id} 不存在", "org.not_found");

    private static ForbiddenException Forbidden() => new("auth.forbidden", "无权调整该组织");

    private static OrgKind? ParseKind(string? kind) => kind switch
    {
        "community_committee" => OrgKind.CommunityCommittee,
        "general_branch" => OrgKind.GeneralBranch,
        "branch" => OrgKind.Branch,
        "party_group" => OrgKind.PartyGroup,
        _ => null,
    };

    /// <summary>After the commit: cached trees, task lists and rankings (they name orgs) go, and members whose grants changed get new tokens.</summary>
    private async Task RetireAsync(IReadOnlyList<long> members, CancellationToken ct = default)
    {
        await trees.InvalidateAsync();
        await tasks.InvalidateAsync();
        await rankings.InvalidateAsync();
        foreach (var member in members)
            await tokens.PublishAsync(member, ct);
    }
}
