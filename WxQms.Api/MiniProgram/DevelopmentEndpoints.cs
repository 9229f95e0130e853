using Microsoft.AspNetCore.Http.HttpResults;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Development;
using WxQms.Domain.Services.Development;
using WxQms.Domain.Storage;
using static WxQms.Api.Infrastructure.Problems;

namespace WxQms.Api.MiniProgram;

public sealed record ApplicantBody(long OrgId, string? Name, string? Sex, DateOnly? BirthDate, string? Phone);

/// <param name="People">Step 5: the cultivation contacts; step 9: the two introducers (members' ids).</param>
/// <param name="Vote">Steps 15 and 23: full members with a vote (eligible), present, in favour.</param>
/// <param name="Training">Step 11: days and class hours.</param>
/// <param name="PhotoTokens">Documents or photos uploaded before through <c>POST /api/mp/uploads</c> (album or camera).</param>
/// <param name="Version">How many steps the caller saw (the applicant's <c>version</c>).</param>
public sealed record StepBody(int Step, DateOnly OccurredOn, IReadOnlyList<long>? People, DevVote? Vote, DevTraining? Training,
    string? Conclusion, string? Note, IReadOnlyList<string>? PhotoTokens, int Version);

public sealed record ExtensionBody(int Months);

public sealed record StepInfoDto(int Number, int Stage, string StageName, string Name, string Recorder, string[] Evidence);

public sealed record NextStepDto(int Number, string Name, string Recorder, DateOnly? Earliest, string? EarliestRule, DateOnly? Due,
    string? DueRule, DateOnly? Limit, string? LimitRule, int? DaysLeft);

public sealed record RecordedStepDto(long Id, int Step, string Name, DateOnly OccurredOn, string RecordedBy, DateTimeOffset RecordedAt,
    IReadOnlyList<long> People, DevVote? Vote, DevTraining? Training, string? Conclusion, string? Note, IReadOnlyList<DevFinding> Warnings,
    IReadOnlyList<string> Photos);

public sealed record ApplicantDto(long Id, string Name, string Sex, long OrgId, string OrgName, int Stage, string StageName, int LastStep,
    DateOnly? LastStepOn, NextStepDto? Next, DateOnly? AdmittedOn, DateOnly? ProbationEndsOn, DateOnly? PartyStandingOn,
    int ExtensionMonths, long? MemberId, string Status, int Version, IReadOnlyList<RecordedStepDto>? Steps)
{
    public static ApplicantDto From(ApplicantView v, DateOnly today, bool withSteps)
    {
        var a = v.Applicant;
        var stage = a.LastStep == 0 ? DevStage.Application : DevelopmentSteps.Get(a.LastStep)!.Stage;
        var w = v.Window;
        var left = (w?.Due ?? w?.Limit) is { } end ? end.DayNumber - today.DayNumber : (int?)null;
        return new ApplicantDto(a.Id, a.Name, a.Sex == WxQms.Domain.Model.Sex.Female ? "female" : "male", a.OrgId, a.OrgName, (int)stage,
            DevelopmentSteps.StageName(stage), a.LastStep, a.LastStepOn,
            v.Next is { } n ? new NextStepDto(n.Number, n.Name, Recorder(n.Recorder), w?.Earliest, w?.EarliestRule?.Text, w?.Due,
                w?.DueRule?.Text, w?.Limit, w?.LimitRule?.Text, left) : null,
            v.AdmittedOn, v.ProbationEndsOn, v.PartyStandingOn, a.ExtensionMonths, a.MemberId, StatusOf(a.LastStep), v.Version,
            withSteps ? v.Steps.Select(s => new RecordedStepDto(s.Row.Id, s.Row.Step, DevelopmentSteps.Get(s.Row.Step)!.Name, s.Row.OccurredOn,
                s.Row.RecordedBy, s.Row.CreatedAt, s.Evidence.People, s.Evidence.Vote, s.Evidence.Training, s.Evidence.Conclusion, s.Evidence.Note,
                s.Evidence.Warnings, s.Row.Photos.Select(p => p.Sha256).ToList())).ToList() : null);
    }

    /// <summary>applicant 申请人, activist 积极分子, candidate 发展对象, probationary 预备党员, full 正式党员.</summary>
    public static string StatusOf(int lastStep) => lastStep switch
    {
        >= DevelopmentSteps.FullMembershipApproval => "full",
        >= DevelopmentSteps.AdmissionApproval => "probationary",
        >= DevelopmentSteps.Candidate => "candidate",
        >= DevelopmentSteps.Activist => "activist",
        _ => "applicant",
    };

    public static string Recorder(DevRecorder r) => r == DevRecorder.Committee ? "committee" : "branch";
}

/// <summary>
/// Member development (发展党员, #17) for the mini program: the branch's pipeline and registering applicants (its
/// secretary or worker), recording each of the 25 steps with its evidence and photos, the approvals waiting for the
/// community committee, and an applicant's own progress. Rules and who may do what are the Domain's (DevelopmentService).
/// </summary>
public static class DevelopmentEndpoints
{
    public static RouteGroupBuilder MapMpDevelopment(this IEndpointRouteBuilder app)
    {
        var dev = app.MapGroup("/api/mp/development").WithTags("Mini program: member development").RequireAuthorization(MpAuth.Policy);
        dev.MapGet("/steps", Steps).WithSummary("The 25 steps in five stages: what each records and who records it");
        dev.MapGet("/applicants", List).WithSummary("The pipeline under an org (default: the widest I watch), the furthest along first");
        dev.MapPost("/applicants", Add).WithSummary("Register an applicant in a branch (its secretary or worker)");
        dev.MapGet("/applicants/{id:long}", Get).WithSummary("One applicant with every recorded step, what comes next and by when");
        dev.MapPost("/applicants/{id:long}/steps", Record).WithSummary("Record the next step with its evidence; refused with the rule that forbids it");
        dev.MapPost("/applicants/{id:long}/extension", Extend).WithSummary("Extend the probation once by 6–12 months");
        dev.MapGet("/approvals", Approvals).WithSummary("Steps waiting for the higher committee, the most urgent first, with the days left");
        dev.MapGet("/me", Mine).WithSummary("My own progress: the steps done, what comes next and when");
        dev.MapPost("/me", Apply).WithSummary("A WeChat user who is not a member registers her application to a branch");
        dev.MapGet("/branches", Branches).WithSummary("The branches one may apply to, each with its community (the application form's list)");
        return dev;
    }

    private static DevActor Actor(CurrentUser user) => new(user.Roles, TaskEndpoints.Actor(user), user.MemberId, user.WechatUserId);

    private static DateOnly Today(TimeProvider clock) => WxQms.Domain.Rules.Tasks.Periods.LocalDate(clock.GetUtcNow());

    internal static Ok<IReadOnlyList<StepInfoDto>> Steps() => TypedResults.Ok<IReadOnlyList<StepInfoDto>>(DevelopmentSteps.All
        .Select(s => new StepInfoDto(s.Number, (int)s.Stage, DevelopmentSteps.StageName(s.Stage), s.Name, ApplicantDto.Recorder(s.Recorder),
            Enum.GetValues<DevEvidence>().Where(e => e != DevEvidence.None && s.Evidence.HasFlag(e))
                .Select(e => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(e.ToString())).ToArray())).ToList());

    internal static async Task<Ok<IReadOnlyList<ApplicantDto>>> List(long? orgId, bool? all, CurrentUser user, DevelopmentService service,
        TimeProvider clock, CancellationToken ct)
    {
        var list = await service.ListAsync(orgId, all ?? false, Actor(user), ct);
        return TypedResults.Ok<IReadOnlyList<ApplicantDto>>(list.Select(v => ApplicantDto.From(v, Today(clock), false)).ToList());
    }

    internal static async Task<Results<Created<ApplicantDto>, ProblemHttpResult>> Add(ApplicantBody body, CurrentUser user,
        DevelopmentService service, TimeProvider clock, CancellationToken ct)
    {
        if (ParseSex(body.Sex) is not { } sex)
            return Problem(StatusCodes.Status400BadRequest, "参数无效", "sex 应为 male 或 female", "request.invalid");
        var view = await service.AddAsync(new ApplicantRequest(body.OrgId, body.Name, sex, body.BirthDate, body.Phone), Actor(user), ct);
        return TypedResults.Created($"/api/mp/development/applicants/{view.Applicant.Id}", ApplicantDto.From(view, Today(clock), true));
    }

    internal static async Task<Ok<IReadOnlyList<DevBranch>>> Branches(DevelopmentService service, CancellationToken ct) =>
        TypedResults.Ok(await service.BranchesAsync(ct));

    internal static async Task<Results<Created<ApplicantDto>, ProblemHttpResult>> Apply(ApplicantBody body, CurrentUser user,
        DevelopmentService service, TimeProvider clock, CancellationToken ct)
    {
        if (ParseSex(body.Sex) is not { } sex)
            return Problem(StatusCodes.Status400BadRequest, "参数无效", "sex 应为 male 或 female", "request.invalid");
        var view = await service.ApplyAsync(new ApplicantRequest(body.OrgId, body.Name, sex, body.BirthDate, body.Phone), Actor(user), ct);
        return TypedResults.Created($"/api/mp/development/applicants/{view.Applicant.Id}", ApplicantDto.From(view, Today(clock), true));
    }

    internal static async Task<Ok<ApplicantDto>> Get(long id, CurrentUser user, DevelopmentService service, TimeProvider clock,
        CancellationToken ct) =>
        TypedResults.Ok(ApplicantDto.From(await service.GetAsync(id, Actor(user), ct), Today(clock), true));

    internal static async Task<Ok<ApplicantDto>> Record(long id, StepBody body, CurrentUser user, DevelopmentService service,
        TimeProvider clock, CancellationToken ct)
    {
        var view = await service.RecordAsync(id, new StepRequest(body.Step, body.OccurredOn, body.People, body.Vote, body.Training,
            body.Conclusion, body.Note, body.PhotoTokens, body.Version), Actor(user), ct);
        return TypedResults.Ok(ApplicantDto.From(view, Today(clock), true));
    }

    internal static async Task<Ok<ApplicantDto>> Extend(long id, ExtensionBody body, CurrentUser user, DevelopmentService service,
        TimeProvider clock, CancellationToken ct) =>
        TypedResults.Ok(ApplicantDto.From(await service.ExtendAsync(id, body.Months, Actor(user), ct), Today(clock), true));

    internal static async Task<Ok<IReadOnlyList<ApplicantDto>>> Approvals(CurrentUser user, DevelopmentService service, TimeProvider clock,
        CancellationToken ct)
    {
        var list = await service.ApprovalsAsync(Actor(user), ct);
        return TypedResults.Ok<IReadOnlyList<ApplicantDto>>(list.Select(v => ApplicantDto.From(v, Today(clock), false)).ToList());
    }

    internal static async Task<Ok<IReadOnlyList<ApplicantDto>>> Mine(CurrentUser user, DevelopmentService service, TimeProvider clock,
        CancellationToken ct)
    {
        var list = await service.MineAsync(Actor(user), ct);
        return TypedResults.Ok<IReadOnlyList<ApplicantDto>>(list.Select(v => ApplicantDto.From(v, Today(clock), true)).ToList());
    }

    private static Sex? ParseSex(string? sex) => sex switch
    {
        "male" or "男" => Sex.Male,
        "female" or "女" => Sex.Female,
        _ => null,
    };
}
