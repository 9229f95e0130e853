using Microsoft.AspNetCore.Http.HttpResults;
using WxQms.Api.Admin;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Services.Assessment;
using WxQms.Domain.Services.Members;
using static WxQms.Api.Infrastructure.Problems;

namespace WxQms.Api.MiniProgram;

/// <summary>
/// 我的 (issue #18 item 6): a member's record for a year, for herself (/api/mp/me/record) and for her branch secretary
/// (/api/mp/members/{id}/record); and the stars of a branch's members (item 7, /api/mp/stars/{orgId}).
/// </summary>
public static class RecordEndpoints
{
    public static IEndpointRouteBuilder MapMpRecord(this IEndpointRouteBuilder app)
    {
        var mp = app.MapGroup("/api/mp").WithTags("Mini program: members").RequireAuthorization(MpAuth.Policy);
        mp.MapGet("/me/record", Mine).WithSummary("My record for a year: meetings, dues, every point with its source and reason, stars by month");
        mp.MapGet("/members/{id:long}/record", OfMember).WithSummary("A member's record, for her branch secretary");
        mp.MapGet("/stars/{orgId:long}", OfOrg).WithSummary("The stars of an org's members for a year (星级党员), most stars first");
        return app;
    }

    internal static async Task<Results<Ok<MemberYearRecord>, ProblemHttpResult>> Mine(int? year, HttpContext http, CurrentUser user,
        MemberRecordService records, CancellationToken ct)
    {
        if (user.MemberId is not { } me)
            return Problem(StatusCodes.Status403Forbidden, "无权访问", "请先绑定党员身份", "auth.not_bound");
        var (record, outcome) = await records.GetAsync(MemberAdminEndpoints.Editor(user), me, year, ct);
        http.Response.SetCacheOutcome(outcome);
        return TypedResults.Ok(record);
    }

    internal static async Task<Ok<MemberYearRecord>> OfMember(long id, int? year, HttpContext http, CurrentUser user, MemberRecordService records,
        CancellationToken ct)
    {
        var (record, outcome) = await records.GetAsync(MemberAdminEndpoints.Editor(user), id, year, ct);
        http.Response.SetCacheOutcome(outcome);
        return TypedResults.Ok(record);
    }

    internal static async Task<Ok<OrgStars>> OfOrg(long orgId, int? year, CurrentUser user, BranchStars stars, CancellationToken ct) =>
        TypedResults.Ok(await stars.GetAsync(user.Roles, orgId, year, ct));
}
