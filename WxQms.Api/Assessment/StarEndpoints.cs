using Microsoft.AspNetCore.Http.HttpResults;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Assessment;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Assessment;
using WxQms.Domain.Storage;
using static WxQms.Api.Infrastructure.Problems;

namespace WxQms.Api.Assessment;

public sealed record StarsDto(long MemberId, string Name, long OrgId, string Period, string PeriodLabel, decimal Points, decimal PointsYear,
    int Stars, string StarsLabel, AppraisalGrade? Grade, bool Provisional, IReadOnlyList<decimal> Thresholds);

/// <summary>Members' points and star ratings for a month (issue #6): the closed month's snapshot, else live and provisional.</summary>
public static class StarEndpoints
{
    public static IEndpointRouteBuilder MapStars(this IEndpointRouteBuilder app)
    {
        var mp = app.MapGroup("/api/mp").WithTags("Assessment").RequireAuthorization(MpAuth.Policy);
        mp.MapGet("/me/stars", MyStars).WithSummary("My points and star rating for a month (default: this month, provisional)");
        mp.MapGet("/members/{id:long}/stars", MemberStars).WithSummary("A member's points and stars, for those who may read the member's org");
        return app;
    }

    internal static async Task<Results<Ok<StarsDto>, ProblemHttpResult>> MyStars(string? period, CurrentUser user,
        AssessmentService assessment, Microsoft.Extensions.Options.IOptions<AssessmentOptions> options, AssessedPeriods periods,
        CancellationToken ct)
    {
        if (user.MemberId is not { } memberId)
            return Problem(StatusCodes.Status403Forbidden, "无权访问", "请先绑定党员身份", "auth.not_bound");
        return await StarsAsync(memberId, period, assessment, options.Value, periods, ct);
    }

    internal static async Task<Results<Ok<StarsDto>, ProblemHttpResult>> MemberStars(long id, string? period, CurrentUser user,
        OrgStore orgs, MemberStore members, AssessmentService assessment, Microsoft.Extensions.Options.IOptions<AssessmentOptions> options,
        AssessedPeriods periods, CancellationToken ct)
    {
        var member = await members.GetAsync(id, ct);
        var org = member is null ? null : await orgs.GetAsync(member.OrgId, ct);
        if (member is null || org is null)
            return Problem(StatusCodes.Status404NotFound, "未找到", $"党员 {id} 不存在", "member.not_found");
        if (user.MemberId != id && !user.CanRead(org.Path))
            return Problem(StatusCodes.Status403Forbidden, "无权访问", "您无权查看该党员的星级", "auth.forbidden");
        return await StarsAsync(id, period, assessment, options.Value, periods, ct);
    }

    private static async Task<Results<Ok<StarsDto>, ProblemHttpResult>> StarsAsync(long memberId, string? period,
        AssessmentService assessment, AssessmentOptions options, AssessedPeriods periods, CancellationToken ct)
    {
        Period month;
        if (string.IsNullOrEmpty(period))
            month = periods.CurrentMonth();
        else if (!Periods.TryParse(period, out month) || month.Kind != RecurrenceKind.Monthly)
            return Problem(StatusCodes.Status400BadRequest, "参数无效", "星级按月查询，period 应如 2026-11", "request.invalid");
        else if (!periods.Exists(month))
            return RankingEndpoints.OutOfRange(period, periods);
        var (stars, provisional) = await assessment.MemberStarsAsync(memberId, month, ct);
        if (stars is null)
            return Problem(StatusCodes.Status404NotFound, "未找到", "该党员在这个月没有星级记录", "stars.not_found");
        return TypedResults.Ok(new StarsDto(stars.MemberId, stars.Name, stars.OrgId, month.Key, RankingQueries.Label(month), stars.Points,
            stars.PointsYear, stars.Stars, Stars.Label(stars.Stars), stars.Grade, provisional, options.StarThresholds));
    }
}
