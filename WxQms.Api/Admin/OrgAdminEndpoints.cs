using Microsoft.AspNetCore.Http.HttpResults;
using WxQms.Api.Infrastructure;
using WxQms.Api.MiniProgram;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Orgs;
using WxQms.Domain.Services.Orgs;
using WxQms.Domain.Storage;
using static WxQms.Api.Infrastructure.Problems;

namespace WxQms.Api.Admin;

/// <param name="Kind">community_committee, general_branch, branch or party_group.</param>
public sealed record CreateOrgBody(long? ParentId, string? Kind, string? Name, string? Code, DateOnly? EstablishedOn, bool? Community = null);

public sealed record RenameOrgBody(string? Name);

public sealed record MoveOrgBody(long? ParentId);

/// <param name="Community">Whether the org is a community (社区): offered to residents posting wishes.</param>
public sealed record CommunityBody(bool? Community);

/// <param name="Years">The term's length; the kind's <c>Orgs:TermYears</c> when left out.</param>
public sealed record TermBody(DateOnly? ElectedOn, int? Years);

public sealed record FindingDto(string Code, bool Refusal, string Text, string Regulation)
{
    public static FindingDto From(OrgFinding f) => new(f.Code, f.Refusal, f.Text, f.Regulation);
}

public sealed record TermDto(long Id, long OrgId, DateOnly ElectedOn, int Years, DateOnly EndsOn, bool Reminded6, bool Reminded3)
{
    public static TermDto From(OrgTerm t) => new(t.Id, t.OrgId, t.ElectedOn, t.Years, t.EndsOn, t.Reminded6, t.Reminded3);
}

public sealed record AdminOrgDto(long Id, long? ParentId, string Code, string Name, string Kind, string KindLabel, string Path, int Depth)
{
    public static AdminOrgDto From(Org o) => new(o.Id, o.ParentId, o.Code, o.Name, DbNames.Of(o.Kind), OrgTree.KindLabel(o.Kind), o.Path, o.Depth);
}

public sealed record OrgDetailDto(AdminOrgDto Org, AdminOrgDto? Parent, OrgCounts Counts, IReadOnlyList<FindingDto> Warnings, TermDto? Term,
    bool MayReshape, bool MayRename, bool Community)
{
    public static OrgDetailDto From(OrgDetail d) => new(AdminOrgDto.From(d.Org), d.Parent is null ? null : AdminOrgDto.From(d.Parent),
        d.Counts, d.Warnings.Select(FindingDto.From).ToList(), d.Term is null ? null : TermDto.From(d.Term), d.MayReshape, d.MayRename,
        d.Community);
}

public sealed record AdminTreeNodeDto(long Id, string Code, string Name, string Kind, string KindLabel, int MemberCount, int TotalMemberCount,
    IReadOnlyList<FindingDto> Warnings, IReadOnlyList<AdminTreeNodeDto> Children)
{
    public static AdminTreeNodeDto From(OrgTreeNode n, IReadOnlyDictionary<long, IReadOnlyList<OrgFinding>> warnings) => new(n.Id, n.Code,
        n.Name, DbNames.Of(n.Kind), n.KindLabel, n.MemberCount, n.TotalMemberCount,
        warnings.GetValueOrDefault(n.Id, []).Select(FindingDto.From).ToList(), n.Children.Select(c => From(c, warnings)).ToList());
}

public sealed record ExpiringTermDto(TermDto Term, long OrgId, string OrgName, string Kind, string Status);

/// <summary>
/// The console's organisations as JSON under /api/admin/orgs: the tree with warnings, one org, create, rename, move,
/// dissolve, record a term, and the terms expiring soon. Who may do what is <c>OrgAdmin</c>'s (403 <c>auth.forbidden</c>);
/// a bad field is 400 <c>request.invalid</c> with <c>errors</c> by field; a refusal by rule 409 with its code.
/// </summary>
public static class OrgAdminEndpoints
{
    public static void MapAdminOrgs(this IEndpointRouteBuilder app)
    {
        var api = app.AdminApi().MapGroup("/orgs");
        api.MapGet("/", Tree).WithSummary("The org tree with member counts and each org's warnings (default: the widest the caller reads)");
        api.MapPost("/", Create).WithSummary("Create an org under a parent (office staff; a community's secretary or committee within it)");
        api.MapGet("/terms", ExpiringTerms).WithSummary("Terms (换届) in the caller's subtree ending within six months, or overdue");
        api.MapGet("/{id:long}", Get).WithSummary("One org: where it sits, its counts, warnings with their regulation, its term");
        api.MapPost("/{id:long}/rename", Rename).WithSummary("Rename an org");
        api.MapPost("/{id:long}/move", Move).WithSummary("Move an org and everything under it to another parent");
        api.MapPost("/{id:long}/dissolve", Dissolve).WithSummary("Dissolve an org with nobody on its roll, no org under it and no open task");
        api.MapPut("/{id:long}/community", SetCommunity).WithSummary("Office staff: mark the org a community (社区, offered to residents posting wishes) or not");
        api.MapPut("/{id:long}/term", RecordTerm).WithSummary("Record the org's new term: elected on, years");
        AdminOrgPages.Map(app.AdminPages().MapGroup("/orgs"));
    }

    internal static async Task<Ok<AdminTreeNodeDto>> Tree(long? orgId, CurrentUser user, OrgAdmin orgs, CancellationToken ct)
    {
        var view = await orgs.TreeAsync(orgId, user.Roles, ct);
        return TypedResults.Ok(AdminTreeNodeDto.From(view.Root, view.Warnings));
    }

    internal static async Task<Ok<OrgDetailDto>> Get(long id, CurrentUser user, OrgAdmin orgs, CancellationToken ct) =>
        TypedResults.Ok(OrgDetailDto.From(await orgs.GetAsync(id, user.Roles, ct)));

    internal static async Task<Results<Created<AdminOrgDto>, ProblemHttpResult>> Create(CreateOrgBody body, CurrentUser user, OrgAdmin orgs,
        CancellationToken ct)
    {
        if (body.ParentId is not { } parentId)
            return Invalid(new Dictionary<string, string> { ["parentId"] = "请选择上级组织" });
        return await Guard(async () =>
        {
            var org = await orgs.CreateAsync(new NewOrg(parentId, body.Kind, body.Name, body.Code, body.EstablishedOn, body.Community), user.Roles,
                TaskEndpoints.Actor(user), user.MemberId, ct);
            return TypedResults.Created($"/api/admin/orgs/{org.Id}", AdminOrgDto.From(org));
        });
    }

    internal static Task<Results<Ok<AdminOrgDto>, ProblemHttpResult>> Rename(long id, RenameOrgBody body, CurrentUser user, OrgAdmin orgs,
        CancellationToken ct) =>
        Guard(async () => TypedResults.Ok(AdminOrgDto.From(await orgs.RenameAsync(id, body.Name, user.Roles, TaskEndpoints.Actor(user), user.MemberId, ct))));

    internal static Task<Results<Ok<AdminOrgDto>, ProblemHttpResult>> Move(long id, MoveOrgBody body, CurrentUser user, OrgAdmin orgs,
        CancellationToken ct) =>
        Guard(async () => TypedResults.Ok(AdminOrgDto.From(await orgs.MoveAsync(id, body.ParentId, user.Roles, TaskEndpoints.Actor(user), user.MemberId, ct))));

    internal static async Task<NoContent> Dissolve(long id, CurrentUser user, OrgAdmin orgs, CancellationToken ct)
    {
        await orgs.DissolveAsync(id, user.Roles, TaskEndpoints.Actor(user), user.MemberId, ct);
        return TypedResults.NoContent();
    }

    internal static Task<Results<NoContent, ProblemHttpResult>> SetCommunity(long id, CommunityBody body, CurrentUser user, OrgAdmin orgs,
        CancellationToken ct) =>
        Guard(async () =>
        {
            await orgs.SetCommunityAsync(id, body.Community, user.Roles, TaskEndpoints.Actor(user), user.MemberId, ct);
            return TypedResults.NoContent();
        });

    internal static Task<Results<Ok<TermDto>, ProblemHttpResult>> RecordTerm(long id, TermBody body, CurrentUser user, OrgAdmin orgs,
        CancellationToken ct) =>
        Guard(async () => TypedResults.Ok(TermDto.From(await orgs.RecordTermAsync(id, body.ElectedOn, body.Years, user.Roles,
            TaskEndpoints.Actor(user), user.MemberId, ct))));

    internal static async Task<Ok<IReadOnlyList<ExpiringTermDto>>> ExpiringTerms(CurrentUser user, OrgAdmin orgs, TimeProvider clock,
        CancellationToken ct)
    {
        var today = Domain.Rules.Tasks.Periods.LocalDate(clock.GetUtcNow());
        var terms = await orgs.ExpiringTermsAsync(user.Roles, ct);
        return TypedResults.Ok<IReadOnlyList<ExpiringTermDto>>(terms.Select(t => new ExpiringTermDto(TermDto.From(t.Term), t.Term.OrgId,
            t.OrgName, DbNames.Of(t.OrgKind), Terms.Describe(t.Term.EndsOn, today))).ToList());
    }

    /// <summary>Bad fields as 400 <c>request.invalid</c>, with each field's error.</summary>
    private static async Task<Results<T, ProblemHttpResult>> Guard<T>(Func<Task<T>> action) where T : IResult
    {
        try
        {
            return await action();
        }
        catch (OrgInputException bad)
        {
            return Invalid(bad.Errors);
        }
    }

    private static ProblemHttpResult Invalid(IReadOnlyDictionary<string, string> errors) =>
        Problems.Invalid(StatusCodes.Status400BadRequest, "请求无效", "request.invalid", errors);
}
