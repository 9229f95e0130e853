using Microsoft.AspNetCore.Http.HttpResults;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Nonconformities;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Nonconformities;
using WxQms.Domain.Storage;
using static WxQms.Api.Infrastructure.Problems;

namespace WxQms.Api.MiniProgram;

/// <summary>One step of the trail: what was done in which cycle, by whom, with its text, how many photos and where each is served.</summary>
public sealed record NonconformityStepDto(string Kind, string KindText, int Cycle, string? Cause, string? Note, DateOnly? DueOn, string Actor,
    DateTimeOffset At, int Photos, IReadOnlyList<string> PhotoUrls);

/// <summary>A corrective action (one cycle): its cause, countermeasure, due date, completion and how its check went.</summary>
public sealed record CorrectiveActionDto(int Cycle, string? Cause, string? Action, DateOnly? DueOn, DateOnly? CompletedOn, string? CompletionNote,
    DateOnly? CheckDueOn, bool? Passed, string? CheckNote);

/// <summary>A nonconformity as the mini program and the console show it; <c>version</c> goes back with every step.</summary>
public sealed record NonconformityDto(long Id, long OrgId, string OrgName, string Source, string SourceText, string SourceRef, string? Clause,
    string Severity, string SeverityText, string Description, string State, string StateText, int Cycle, string? Cause, string? Action,
    DateOnly? ActionDueOn, DateOnly? CompletedOn, DateOnly? CheckDueOn, DateTimeOffset RaisedAt, string RaisedBy, DateTimeOffset? ClosedAt,
    bool PastDue, bool MayAct, bool MayCheck, bool CheckDueNow, int Version, IReadOnlyList<CorrectiveActionDto>? CorrectiveActions,
    IReadOnlyList<NonconformityStepDto>? Trail)
{
    public static NonconformityDto From(NonconformityView v, bool withTrail)
    {
        var n = v.Item;
        return new(n.Id, n.OrgId, n.OrgName, DbNames.Of(n.Source), CapaRules.Describe(n.Source), n.SourceRef, n.Clause, DbNames.Of(n.Severity),
            CapaRules.Describe(n.Severity), n.Description, DbNames.Of(n.State), CapaRules.Describe(n.State), n.Cycle, n.Cause, n.Action,
            n.ActionDueOn, n.CompletedOn, n.CheckDueOn, n.RaisedAt, n.RaisedBy, n.ClosedAt, v.PastDue, v.MayAct, v.MayCheck, v.CheckDueNow,
            n.Version, withTrail ? Actions(v.Trail) : null,
            withTrail ? v.Trail.Select(s => new NonconformityStepDto(DbNames.Of(s.Kind), CapaRules.Describe(s.Kind), s.Cycle, s.Cause, s.Note, s.DueOn,
                s.Actor, s.At, s.Photos.Count, s.Photos.Select(p => $"/api/mp/nonconformities/{n.Id}/photos/{p.Sha256}").ToList())).ToList() : null);
    }

    /// <summary>The trail folded into one corrective action per cycle (the latest recorded cause and countermeasure of each).</summary>
    public static IReadOnlyList<CorrectiveActionDto> Actions(IReadOnlyList<NonconformityStep> trail) =>
        trail.Where(s => s.Kind != NonconformityStepKind.Raised).GroupBy(s => s.Cycle).OrderBy(g => g.Key).Select(g =>
        {
            var recorded = g.LastOrDefault(s => s.Kind == NonconformityStepKind.ActionRecorded);
            var done = g.LastOrDefault(s => s.Kind == NonconformityStepKind.Completed);
            var check = g.LastOrDefault(s => s.Kind is NonconformityStepKind.CheckPassed or NonconformityStepKind.CheckFailed);
            return new CorrectiveActionDto(g.Key, recorded?.Cause, recorded?.Note, recorded?.DueOn, done is null ? null : Periods(done.At), done?.Note,
                done?.DueOn, check is null ? null : check.Kind == NonconformityStepKind.CheckPassed, check?.Note);
        }).ToList();

    private static DateOnly Periods(DateTimeOffset at) => WxQms.Domain.Rules.Tasks.Periods.LocalDate(at);
}

public sealed record NonconformityListDto(IReadOnlyList<NonconformityDto> Items);

public sealed record NonconformityActionBody(string? Cause, string? Action, DateOnly? DueOn, int Version);

public sealed record NonconformityCompletionBody(string? Note, IReadOnlyList<string>? PhotoTokens, int Version);

public sealed record NonconformityCheckBody(bool? Passed, string? Note, int Version);

/// <summary>
/// Nonconformities and their corrective action for the mini program (issue #19 items 4, 5, 7): the branch's list (我们的问题),
/// one with its trail and corrective actions, the secretary's cause and countermeasure and completion, the committee's
/// checks due and its verdict. Who may is decided by <see cref="NonconformityService"/>.
/// </summary>
public static class NonconformityEndpoints
{
    public static IEndpointRouteBuilder MapMpNonconformities(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/mp/nonconformities").WithTags("Mini program: nonconformities").RequireAuthorization(MpAuth.Policy);
        api.MapGet("", List).WithSummary("An org's nonconformities (default: the caller's own branch or community), newest first");
        api.MapGet("/checks", Checks).WithSummary("The effectiveness checks the caller may make (community secretary or committee, the office)");
        api.MapGet("/{id:long}", Get).WithSummary("One nonconformity with its corrective actions and its trail");
        api.MapPost("/{id:long}/actions", RecordAction).WithSummary("The branch secretary records the cause, the countermeasure and its due date");
        api.MapPost("/{id:long}/completion", Complete).WithSummary("The branch secretary reports the countermeasure done, with a note and photos");
        api.MapPost("/{id:long}/checks", Check).WithSummary("The effectiveness check: passed closes it, failed reopens it to the secretary");
        api.MapGet("/{id:long}/photos/{sha256}", Photo).WithSummary("One photo of its trail (a completion's evidence), only to those who may see it");
        return app;
    }

    internal static NcActor Actor(CurrentUser user) => new(user.Roles, TaskEndpoints.Actor(user), user.MemberId, user.WechatUserId);

    internal static async Task<Results<Ok<NonconformityListDto>, ProblemHttpResult>> List(long? orgId, CurrentUser user, OrgService orgs,
        NonconformityService service, CancellationToken ct)
    {
        string? path;
        if (orgId is { } id)
            path = (await orgs.GetAsync(id, ct))?.Path ?? throw new NotFoundException($"组织 {id} 不存在", "org.not_found");
        else
            path = user.Roles.Where(g => g.Role is not (Roles.Member or Roles.Inspector)).OrderBy(g => g.OrgPath.Length).Select(g => g.OrgPath)
                .FirstOrDefault();
        if (path is null)
            return Problem(StatusCodes.Status403Forbidden, "无权访问", "只有支部书记、党务工作者、委员、社区党委和街道党建办可以查看不符合项", "auth.forbidden");
        var items = await service.ForOrgAsync(path, Actor(user), ct);
        return TypedResults.Ok(new NonconformityListDto(items.Select(v => NonconformityDto.From(v, false)).ToList()));
    }

    internal static async Task<Results<Ok<NonconformityListDto>, ProblemHttpResult>> Checks(CurrentUser user, NonconformityService service,
        CancellationToken ct) =>
        !user.Roles.Any(g => Access.IssueScope(g) is not null)
            ? Problem(StatusCodes.Status403Forbidden, "无权访问", "有效性验证由社区党委（书记、委员）和街道党建办进行", "auth.forbidden")
            : TypedResults.Ok(new NonconformityListDto((await service.ChecksAsync(Actor(user), ct)).Select(v => NonconformityDto.From(v, false)).ToList()));

    internal static async Task<Ok<NonconformityDto>> Get(long id, CurrentUser user, NonconformityService service, CancellationToken ct) =>
        TypedResults.Ok(NonconformityDto.From(await service.GetAsync(id, Actor(user), ct), true));

    /// <summary>Named by its hash, a photo never changes: kept privately by the client; nosniff, as the tasks' photos.</summary>
    internal static async Task<IResult> Photo(long id, string sha256, HttpContext http, CurrentUser user, NonconformityService service,
        IFileStore files, CancellationToken ct)
    {
        var view = await service.GetAsync(id, Actor(user), ct);
        var photo = view.Trail.SelectMany(s => s.Photos).FirstOrDefault(p => p.Sha256 == sha256);
        var bytes = photo is null ? null : await files.ReadVerifiedAsync(new StoredFile(photo.Sha256, photo.Size, photo.RelativePath), ct);
        if (photo is null || bytes is null)
            return Problem(StatusCodes.Status404NotFound, "未找到", "没有这张照片", "photo.not_found");
        http.Response.Headers.CacheControl = "private, max-age=31536000, immutable";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        return TypedResults.File(bytes, photo.ContentType, entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{photo.Sha256}\""));
    }

    internal static async Task<Ok<NonconformityDto>> RecordAction(long id, NonconformityActionBody body, CurrentUser user, NonconformityService service,
        CancellationToken ct) =>
        TypedResults.Ok(NonconformityDto.From(await service.RecordActionAsync(id, body.Cause, body.Action, body.DueOn, body.Version, Actor(user), ct),
            true));

    internal static async Task<Ok<NonconformityDto>> Complete(long id, NonconformityCompletionBody body, CurrentUser user,
        NonconformityService service, CancellationToken ct) =>
        TypedResults.Ok(NonconformityDto.From(await service.CompleteAsync(id, body.Note, body.PhotoTokens, body.Version, Actor(user), ct), true));

    internal static async Task<Ok<NonconformityDto>> Check(long id, NonconformityCheckBody body, CurrentUser user, NonconformityService service,
        CancellationToken ct) =>
        TypedResults.Ok(NonconformityDto.From(await service.CheckAsync(id, body.Passed, body.Note, body.Version, Actor(user), ct), true));
}
