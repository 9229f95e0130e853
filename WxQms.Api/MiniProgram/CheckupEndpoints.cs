using Microsoft.AspNetCore.Http.HttpResults;
using WxQms.Api.Admin;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Rules.Assessment;
using WxQms.Domain.Rules.Members;
using WxQms.Domain.Services.Members;
using WxQms.Domain.Storage;
using static WxQms.Api.Infrastructure.Problems;

namespace WxQms.Api.MiniProgram;

public sealed record CheckupItemDto(long Id, string Section, string Text, int Weight);

public sealed record CheckupRating(long ItemId, int Rating);

public sealed record CheckupRatingsRequest(IReadOnlyList<CheckupRating>? Ratings);

public sealed record CheckupDto(int Year, long MemberId, string MemberName, IReadOnlyList<CheckupItemDto> Items, IReadOnlyList<CheckupRating>? Self,
    DateTimeOffset? SelfAt, IReadOnlyList<CheckupRating>? Branch, DateTimeOffset? BranchAt, decimal? Score, CheckupGrade? Grade, string? GradeLabel,
    IReadOnlyList<CheckupItemDto> ToImprove, bool MayAssessAsBranch);

public sealed record CheckupStatusDto(long MemberId, string Name, bool SelfDone, bool BranchDone, decimal? Score, string? GradeLabel);

public sealed record CheckupTopicsDto(long TaskId, int Year, IReadOnlyList<CheckupTopic> Topics);

public sealed record AppraisalGradeEntry(long MemberId, AppraisalGrade Grade);

public sealed record AppraisalRequest(IReadOnlyList<AppraisalGradeEntry>? Grades);

public sealed record FollowUpRequest(DateOnly? TalkedOn, string? Plan, bool Close);

/// <summary>
/// 党性体检 (/api/mp/checkups…) and 民主评议 (/api/mp/appraisals…) in the mini program (issue #18 items 3 and 4). The rules
/// and who may are the services'; these only read requests and shape answers.
/// </summary>
public static class CheckupEndpoints
{
    public static IEndpointRouteBuilder MapMpCheckups(this IEndpointRouteBuilder app)
    {
        var mp = app.MapGroup("/api/mp").WithTags("Mini program: members").RequireAuthorization(MpAuth.Policy);
        mp.MapGet("/checkups/form", Form).WithSummary("The year's 党性体检 questionnaire (default: this year)");
        mp.MapGet("/checkups/me", (int? year, CurrentUser user, CheckupService s, CancellationToken ct) =>
            Mine(user, year, s, ct)).WithSummary("My check-up: the items, my ratings, the branch's, the result");
        mp.MapPut("/checkups/me", (CheckupRatingsRequest body, CurrentUser user, CheckupService s, CancellationToken ct) =>
            RateAsync(body, null, user, s, ct)).WithSummary("My self-assessment for this year");
        mp.MapGet("/checkups/members/{id:long}", (long id, int? year, CurrentUser user, CheckupService s, CancellationToken ct) =>
            OfMember(id, year, user, s, ct)).WithSummary("A member's check-up, for the member and her branch secretary only");
        mp.MapPut("/checkups/members/{id:long}", (long id, CheckupRatingsRequest body, CurrentUser user, CheckupService s, CancellationToken ct) =>
            RateAsync(body, id, user, s, ct)).WithSummary("The branch's assessment of a member, by her branch secretary");
        mp.MapGet("/checkups/branches/{orgId:long}", Branch).WithSummary("Where each member of the branch stands (branch secretary)");
        mp.MapGet("/checkups/topics", Topics).WithSummary("The topics a 组织生活会 task takes from the branch's check-ups (counts, no names)");

        mp.MapGet("/appraisals/{orgId:long}", (long orgId, int? year, CurrentUser user, AppraisalService s, CancellationToken ct) =>
            GetAppraisal(orgId, year, user, s, ct)).WithSummary("A branch's 民主评议 for a year: members, grades, the 优秀 limit, follow-ups");
        mp.MapPut("/appraisals/{orgId:long}", RecordAppraisal).WithSummary("Record the grades of the branch's full members (after its 组织生活会)");
        mp.MapPut("/appraisals/follow-ups/{followUpId:long}", FollowUp).WithSummary("The secretary records a 不合格's talk and plan, and closes it");
        return app;
    }

    private static MemberEditor Viewer(CurrentUser user) => MemberAdminEndpoints.Editor(user);

    internal static async Task<Ok<IReadOnlyList<CheckupItemDto>>> Form(int? year, CheckupService s, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<CheckupItemDto>>((await s.ItemsAsync(year ?? s.CurrentYear(), ct)).Select(Item).ToList());

    internal static async Task<Results<Ok<CheckupDto>, ProblemHttpResult>> Mine(CurrentUser user, int? year, CheckupService s, CancellationToken ct)
    {
        if (user.MemberId is not { } me)
            return Problem(StatusCodes.Status403Forbidden, "无权访问", "请先绑定党员身份", "auth.not_bound");
        return TypedResults.Ok(Dto(await s.GetAsync(Viewer(user), me, year ?? s.CurrentYear(), ct)));
    }

    internal static async Task<Ok<CheckupDto>> OfMember(long id, int? year, CurrentUser user, CheckupService s, CancellationToken ct) =>
        TypedResults.Ok(Dto(await s.GetAsync(Viewer(user), id, year ?? s.CurrentYear(), ct)));

    internal static async Task<Results<Ok<CheckupDto>, ProblemHttpResult>> RateAsync(CheckupRatingsRequest body, long? memberId, CurrentUser user,
        CheckupService s, CancellationToken ct)
    {
        var ratings = body.Ratings ?? [];
        if (ratings.Select(r => r.ItemId).Distinct().Count() != ratings.Count)
            return Problem(StatusCodes.Status400BadRequest, "参数无效", "每道题只打一次分", "request.invalid");
        var byItem = ratings.ToDictionary(r => r.ItemId, r => r.Rating);
        var view = memberId is { } id
            ? await s.AssessForBranchAsync(Viewer(user), id, s.CurrentYear(), byItem, ct)
            : await s.AssessSelfAsync(Viewer(user), s.CurrentYear(), byItem, ct);
        return TypedResults.Ok(Dto(view));
    }

    internal static async Task<Ok<IReadOnlyList<CheckupStatusDto>>> Branch(long orgId, int? year, CurrentUser user, CheckupService s,
        CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<CheckupStatusDto>>((await s.BranchAsync(Viewer(user), orgId, year ?? s.CurrentYear(), ct))
            .Select(m => new CheckupStatusDto(m.MemberId, m.Name, m.SelfDone, m.BranchDone, m.Score,
                m.Grade is { } g ? Checkups.Label(g) : null)).ToList());

    internal static async Task<Ok<CheckupTopicsDto>> Topics(long task, CurrentUser user, CheckupService s, CancellationToken ct)
    {
        var (year, topics) = await s.TopicsAsync(user.Roles, task, ct);
        return TypedResults.Ok(new CheckupTopicsDto(task, year, topics));
    }

    internal static async Task<Ok<BranchAppraisal>> GetAppraisal(long orgId, int? year, CurrentUser user, AppraisalService s, CancellationToken ct) =>
        TypedResults.Ok(await s.GetAsync(Viewer(user), orgId, year ?? DefaultYear(s), ct));

    internal static async Task<Results<Ok<BranchAppraisal>, ProblemHttpResult>> RecordAppraisal(long orgId, int? year, AppraisalRequest body,
        CurrentUser user, AppraisalService s, CancellationToken ct)
    {
        var grades = body.Grades ?? [];
        if (grades.Select(g => g.MemberId).Distinct().Count() != grades.Count)
            return Problem(StatusCodes.Status400BadRequest, "参数无效", "每名党员只评定一个等次", "request.invalid");
        return TypedResults.Ok(await s.RecordAsync(Viewer(user), orgId, year ?? DefaultYear(s),
            grades.ToDictionary(g => g.MemberId, g => g.Grade), ct));
    }

    internal static async Task<Ok<AppraisalFollowUp>> FollowUp(long followUpId, FollowUpRequest body, CurrentUser user, AppraisalService s,
        CancellationToken ct) =>
        TypedResults.Ok(await s.UpdateFollowUpAsync(Viewer(user), followUpId, body.TalkedOn, body.Plan, body.Close, ct));

    private static int DefaultYear(AppraisalService s) => s.CurrentYear();

    private static CheckupItemDto Item(CheckupItem i) => new(i.Id, i.Section, i.Text, i.Weight);

    private static IReadOnlyList<CheckupRating>? Ratings(IReadOnlyDictionary<long, int>? r) =>
        r?.OrderBy(p => p.Key).Select(p => new CheckupRating(p.Key, p.Value)).ToList();

    private static CheckupDto Dto(CheckupView v) => new(v.Year, v.MemberId, v.MemberName, v.Items.Select(Item).ToList(), Ratings(v.Self), v.SelfAt,
        Ratings(v.Branch), v.BranchAt, v.Score, v.Grade, v.Grade is { } g ? Checkups.Label(g) : null, v.ToImprove.Select(Item).ToList(),
        v.MayAssessAsBranch);
}
