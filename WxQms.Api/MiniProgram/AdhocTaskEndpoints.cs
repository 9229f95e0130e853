using Microsoft.AspNetCore.Http.HttpResults;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules;
using WxQms.Domain.Services;
using WxQms.Domain.Storage;
using static WxQms.Api.Infrastructure.Problems;

namespace WxQms.Api.MiniProgram;

/// <param name="DueOn">The last day (Shanghai) to complete it; it is due at the end of that day.</param>
/// <param name="OrgIds">Where it goes: with <c>target</c> "branches", every branch under these orgs; with "orgs", these orgs.</param>
public sealed record AdhocTaskBody(string? Title, string? Description, DateOnly DueOn, decimal Points, decimal? LateDeduction,
    decimal? OverdueDeduction, int MinPhotos, bool AttendanceRequired, bool MinutesRequired, bool PlaceRequired, bool TopicRequired,
    IReadOnlyList<long>? OrgIds, AdhocTargetMode Target = AdhocTargetMode.Branches);

public sealed record CancelBody(string? Reason);

public sealed record AdhocTaskDto(long Id, string Title, string? Description, DateTimeOffset OpensAt, DateTimeOffset DueAt,
    string PeriodKey, decimal Points, decimal LateDeduction, decimal OverdueDeduction, EvidenceRule EvidenceRule, long ScopeOrgId,
    int TargetCount, string IssuedBy, DateTimeOffset CreatedAt, bool Cancelled, DateTimeOffset? CancelledAt, string? CancelReason,
    IReadOnlyDictionary<string, int> StateCounts, IReadOnlyList<AdhocTarget> Targets)
{
    public static AdhocTaskDto From(AdhocTask t, IReadOnlyList<AdhocTarget>? targets = null) => new(t.Id, t.Title, t.Description,
        t.OpensAt, t.DueAt, t.PeriodKey, t.Points, t.LateDeduction, t.OverdueDeduction, t.EvidenceRule, t.ScopeOrgId, t.TargetCount,
        t.IssuedBy, t.CreatedAt, t.Cancelled, t.CancelledAt, t.CancelReason,
        (targets ?? []).GroupBy(x => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(x.State.ToString()))
            .ToDictionary(g => g.Key, g => g.Count()),
        targets ?? []);
}

/// <summary>
/// Ad-hoc tasks (临时性工作): office staff issue them anywhere, a community committee within its
/// community; the issuer's side cancels them with a reason, which takes them out of every org's
/// possible points. Who may do which is the Domain's (AdhocTaskService).
/// </summary>
public static class AdhocTaskEndpoints
{
    public static RouteGroupBuilder MapMpAdhocTasks(this IEndpointRouteBuilder app)
    {
        var adhoc = app.MapGroup("/api/mp/adhoc-tasks").WithTags("Mini program: ad-hoc tasks").RequireAuthorization(MpAuth.Policy);
        adhoc.MapPost("/", Issue).WithSummary("Issue an ad-hoc task to the branches under some orgs, or to exactly those orgs");
        adhoc.MapGet("/", List).WithSummary("Ad-hoc tasks issued within my scope, newest first");
        adhoc.MapGet("/{id:long}", Get).WithSummary("One ad-hoc task with every org's copy and its state");
        adhoc.MapPost("/{id:long}/cancel", Cancel).WithSummary("Cancel with a reason: every copy is closed and drops out of possible points");
        return adhoc;
    }

    internal static async Task<Results<Created<AdhocTaskDto>, ProblemHttpResult>> Issue(AdhocTaskBody body, CurrentUser user,
        AdhocTaskService service, CancellationToken ct)
    {
        AdhocTaskService.EnsureIssuer(user.Roles);
        if (!Enum.IsDefined(body.Target))
            return Problem(StatusCodes.Status400BadRequest, "参数无效", "target 应为 branches 或 orgs", "request.invalid");
        var issued = await service.IssueAsync(new AdhocTaskRequest(body.Title, body.Description, body.DueOn, body.Points,
            body.LateDeduction, body.OverdueDeduction, body.MinPhotos, body.AttendanceRequired, body.MinutesRequired, body.PlaceRequired,
            body.TopicRequired, body.OrgIds ?? [], body.Target), user.Roles, TaskEndpoints.Actor(user), user.MemberId, ct);
        return TypedResults.Created($"/api/mp/adhoc-tasks/{issued.Task.Id}", AdhocTaskDto.From(issued.Task, issued.Targets));
    }

    internal static async Task<Results<Ok<IReadOnlyList<AdhocTaskDto>>, ProblemHttpResult>> List(int? limit, CurrentUser user,
        AdhocTaskService service, CancellationToken ct)
    {
        var list = await service.ListAsync(user.Roles, limit ?? 50, ct);
        return TypedResults.Ok<IReadOnlyList<AdhocTaskDto>>(list.Select(t => AdhocTaskDto.From(t)).ToList());
    }

    internal static async Task<Results<Ok<AdhocTaskDto>, ProblemHttpResult>> Get(long id, CurrentUser user, AdhocTaskService service,
        CancellationToken ct)
    {
        var detail = await service.GetForAsync(id, user.Roles, ct);
        return TypedResults.Ok(AdhocTaskDto.From(detail.Task, detail.Targets));
    }

    internal static async Task<Results<Ok<AdhocTaskDto>, ProblemHttpResult>> Cancel(long id, CancelBody body, CurrentUser user,
        AdhocTaskService service, CancellationToken ct)
    {
        var cancelled = await service.CancelAsync(id, body.Reason, user.Roles, TaskEndpoints.Actor(user), user.MemberId, ct);
        return TypedResults.Ok(AdhocTaskDto.From(cancelled.Task, cancelled.Targets));
    }
}
