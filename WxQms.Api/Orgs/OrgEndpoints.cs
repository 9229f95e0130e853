using Microsoft.AspNetCore.Http.HttpResults;
using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Services;

namespace WxQms.Api.Orgs;

public sealed record OrgDto(long Id, long? ParentId, string Code, string Name, OrgKind Kind, string KindLabel, int Depth)
{
    public static OrgDto From(Org o) => new(o.Id, o.ParentId, o.Code, o.Name, o.Kind, OrgTree.KindLabel(o.Kind), o.Depth);
}

public static class OrgEndpoints
{
    public static RouteGroupBuilder MapOrgs(this IEndpointRouteBuilder app)
    {
        var orgs = app.MapGroup("/api/orgs").WithTags("Orgs");
        orgs.MapGet("/", GetRoots).WithSummary("The root organisations (one per subdistrict)");
        orgs.MapGet("/{id}", GetOrg).WithSummary("One organisation");
        orgs.MapGet("/{id}/tree", GetTree)
            .WithSummary("An organisation and its subtree, with member counts (cached; answered from MySQL when Redis is down)");
        return orgs;
    }

    internal static async Task<Ok<IEnumerable<OrgDto>>> GetRoots(OrgService orgs, CancellationToken ct) =>
        TypedResults.Ok((await orgs.GetRootsAsync(ct)).Select(OrgDto.From));

    internal static async Task<Results<Ok<OrgDto>, ProblemHttpResult>> GetOrg(long id, OrgService orgs, CancellationToken ct) =>
        await orgs.GetAsync(id, ct) is { } org ? TypedResults.Ok(OrgDto.From(org)) : OrgNotFound(id);

    internal static async Task<Results<Ok<OrgTreeNode>, ProblemHttpResult>> GetTree(
        long id, OrgService orgs, HttpResponse response, CancellationToken ct)
    {
        var (tree, outcome) = await orgs.GetTreeAsync(id, ct);
        response.Headers["X-Cache"] = outcome switch
        {
            CacheOutcome.Hit => "hit",
            CacheOutcome.Miss => "miss",
            _ => "bypass",
        };
        return tree is null ? OrgNotFound(id) : TypedResults.Ok(tree);
    }

    private static ProblemHttpResult OrgNotFound(long id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "未找到", detail: $"组织 {id} 不存在",
        extensions: new Dictionary<string, object?> { ["code"] = "org.not_found" });
}
