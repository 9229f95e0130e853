using Microsoft.AspNetCore.Http.HttpResults;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Services;
using static WxQms.Api.Infrastructure.Problems;

namespace WxQms.Api.Orgs;

public sealed record OrgDto(long Id, long? ParentId, string Code, string Name, OrgKind Kind, string KindLabel, int Depth)
{
    public static OrgDto From(Org o) => new(o.Id, o.ParentId, o.Code, o.Name, o.Kind, OrgTree.KindLabel(o.Kind), o.Depth);
}

/// <summary>
/// The org tree, for signed-in callers (the mini program's bearer token) and only as far as their roles let them read
/// (<see cref="Access.ReadScope"/>): the tree of an org with its member counts inside a readable subtree; one org's
/// name and kind also for the orgs above the caller's own (the mini program names a member's branch and community).
/// Anyone else gets 401 or 403 (ProblemDetails with a code).
/// </summary>
public static class OrgEndpoints
{
    public static RouteGroupBuilder MapOrgs(this IEndpointRouteBuilder app)
    {
        var orgs = app.MapGroup("/api/orgs").WithTags("Orgs").RequireAuthorization(MpAuth.Policy);
        orgs.MapGet("/", GetRoots).WithSummary("The widest organisations the caller may read (office staff: the roots, one per subdistrict)");
        orgs.MapGet("/{id}", GetOrg).WithSummary("One organisation the caller may read, or one above the caller's own")
            .ProducesProblem(StatusCodes.Status403Forbidden);
        orgs.MapGet("/{id}/tree", GetTree)
            .WithSummary("An organisation the caller may read and its subtree, with member counts (cached; answered from MySQL when Redis is down)")
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return orgs;
    }

    internal static async Task<Ok<IEnumerable<OrgDto>>> GetRoots(CurrentUser user, OrgService orgs, CancellationToken ct)
    {
        var tops = Access.ReadableTops(user.Roles);
        if (tops.Contains(OrgPath.Root))
            return TypedResults.Ok((await orgs.GetRootsAsync(ct)).Select(OrgDto.From));
        var found = new List<OrgDto>(tops.Count);
        foreach (var path in tops)
        {
            if (await orgs.GetAsync(OrgPath.Ids(path)[^1], ct) is { } org && org.Path == path)
                found.Add(OrgDto.From(org));
        }
        return TypedResults.Ok<IEnumerable<OrgDto>>(found);
    }

    internal static async Task<Results<Ok<OrgDto>, ProblemHttpResult>> GetOrg(long id, CurrentUser user, OrgService orgs, CancellationToken ct)
    {
        if (await orgs.GetAsync(id, ct) is not { } org)
            return OrgNotFound(id);
        // An org above one of the caller's is named in their rankings anyway; its subtree stays closed.
        var above = user.Roles.Any(g => OrgPath.IsWithin(g.OrgPath, org.Path));
        return user.CanRead(org.Path) || above ? TypedResults.Ok(OrgDto.From(org)) : Forbidden();
    }

    internal static async Task<Results<Ok<OrgTreeNode>, ProblemHttpResult>> GetTree(
        long id, CurrentUser user, OrgService orgs, HttpResponse response, CancellationToken ct)
    {
        if (await orgs.GetAsync(id, ct) is not { } org)
            return OrgNotFound(id);
        if (!user.CanRead(org.Path))
            return Forbidden();
        var (tree, outcome) = await orgs.GetTreeAsync(id, ct);
        response.SetCacheOutcome(outcome);
        return tree is null ? OrgNotFound(id) : TypedResults.Ok(tree);
    }

    private static ProblemHttpResult Forbidden() =>
        Problem(StatusCodes.Status403Forbidden, "无权访问", "您无权查看该组织", "auth.forbidden");

    private static ProblemHttpResult OrgNotFound(long id) =>
        Problem(StatusCodes.Status404NotFound, "未找到", $"组织 {id} 不存在", "org.not_found");
}
