using Microsoft.AspNetCore.Http.HttpResults;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Storage;
using static WxQms.Api.Infrastructure.Problems;

namespace WxQms.Api.MiniProgram;

public sealed record RosterMember(long Id, string Name, string Status, long OrgId, IReadOnlyList<string> Roles);

/// <summary>The roster of a branch (its members and its party groups' on the roll), to take attendance from in the evidence form.</summary>
public static class RosterEndpoints
{
    public static IEndpointRouteBuilder MapMpRoster(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/mp/orgs/{id:long}/members", Roster).WithTags("Mini program: tasks").RequireAuthorization(MpAuth.Policy)
            .WithSummary("The members on the roll (full and probationary) of an org's subtree (a branch and its party groups) for attendance; no phone numbers");
        return app;
    }

    internal static async Task<Results<Ok<IReadOnlyList<RosterMember>>, ProblemHttpResult>> Roster(long id, CurrentUser user,
        OrgStore orgs, MemberStore members, CancellationToken ct)
    {
        var org = await orgs.GetAsync(id, ct);
        if (org is null)
            return Problem(StatusCodes.Status404NotFound, "未找到", $"组织 {id} 不存在", "org.not_found");
        if (!user.CanRead(org.Path))
            return Problem(StatusCodes.Status403Forbidden, "无权访问", "您无权查看该组织的党员名单", "auth.forbidden");
        var roster = await members.RosterAsync(org.Id, new RosterScope(OnTheRollOnly: true), ct); // not the deceased or transferred out
        return TypedResults.Ok<IReadOnlyList<RosterMember>>(roster.Select(m => new RosterMember(m.Id, m.Name, DbNames.Of(m.Status), m.OrgId,
            m.Roles.Select(r => r.Role).Distinct().Order(StringComparer.Ordinal).ToList())).ToList());
    }
}
