using Microsoft.AspNetCore.Http.HttpResults;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Inspections;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Inspections;
using WxQms.Domain.Storage;

namespace WxQms.Api.MiniProgram;

/// <summary>One checklist item: the clause it cites, what to check, and once submitted its result, note, photos (how many and where
/// each is served) and finding.</summary>
public sealed record InspectionItemDto(int No, string Clause, string Text, string? Result, string? ResultText, string? Severity, string? Note,
    long? NonconformityId, int Photos, IReadOnlyList<string> PhotoUrls);

/// <summary>An inspection (巡查, 自查, 内审) as the mini program shows it; <c>version</c> goes back with the submission.</summary>
public sealed record InspectionDto(long Id, string Kind, string KindText, long OrgId, string OrgName, string CommunityName, int Year, int Quarter,
    string? InspectorName, string State, string StateText, string? Summary, DateTimeOffset? SubmittedAt, int Findings, bool MayFill, int Version,
    IReadOnlyList<InspectionItemDto>? Items)
{
    public static InspectionDto From(Inspection i, IReadOnlyList<InspectionItem>? items, bool mayFill) =>
        new(i.Id, DbNames.Of(i.Kind), InspectionRules.Describe(i.Kind), i.OrgId, i.OrgName, i.CommunityName, i.Year, i.Quarter, i.InspectorName,
            DbNames.Of(i.State), InspectionRules.Describe(i.State), i.Summary, i.SubmittedAt, items?.Count(x => x.Result == ItemResult.Fail) ?? 0,
            mayFill, i.Version,
            items?.Select(x => new InspectionItemDto(x.No, x.Clause, x.Text, x.Result is { } r ? DbNames.Of(r) : null,
                x.Result is { } rr ? InspectionRules.Describe(rr) : null, x.Severity is { } s ? DbNames.Of(s) : null, x.Note, x.NonconformityId,
                x.Photos.Count, x.Photos.Select(p => $"/api/mp/inspections/{i.Id}/photos/{p.Sha256}").ToList())).ToList());
}

public sealed record InspectionListDto(IReadOnlyList<InspectionDto> Items);

/// <summary>One item's answer: pass, fail (a finding: its note says what was found; severity minor or major) or na; photos by upload token.</summary>
public sealed record InspectionAnswerBody(int No, string? Result, string? Severity, string? Note, IReadOnlyList<string>? PhotoTokens);

public sealed record InspectionSubmitBody(IReadOnlyList<InspectionAnswerBody>? Items, string? Summary, int Version);

public sealed record SelfInspectionBody(long? OrgId);

/// <summary>
/// Inspections for the mini program (issue #19 items 2, 3, 7): the inspector's plan (and the branch's reports), one
/// inspection with its checklist, the filled checklist submitted (its findings enter the nonconformity register), and a
/// branch's self-inspection of the quarter. Who may is decided by <see cref="InspectionService"/>.
/// </summary>
public static class InspectionEndpoints
{
    public static IEndpointRouteBuilder MapMpInspections(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/mp/inspections").WithTags("Mini program: inspections").RequireAuthorization(MpAuth.Policy);
        api.MapGet("", List).WithSummary("The inspector's plan and the inspections of the orgs the caller watches (reports), to do first");
        api.MapPost("/self", StartSelf).WithSummary("This quarter's self-inspection (自查自纠) of the caller's branch, started once");
        api.MapGet("/{id:long}", Get).WithSummary("One inspection with its checklist (each item citing its clause), results and findings");
        api.MapGet("/{id:long}/photos/{sha256}", Photo).WithSummary("One photo of its checklist, only to those who may see the inspection");
        api.MapPost("/{id:long}/submit", Submit).WithSummary("The filled checklist: a result per item, a note per finding, photos; findings enter the register");
        return app;
    }

    internal static async Task<Ok<InspectionListDto>> List(CurrentUser user, InspectionService service, CancellationToken ct) =>
        TypedResults.Ok(new InspectionListDto((await service.ListForAsync(NonconformityEndpoints.Actor(user), ct))
            .Select(i => InspectionDto.From(i, null, false)).ToList()));

    internal static async Task<Ok<InspectionDto>> Get(long id, CurrentUser user, InspectionService service, CancellationToken ct)
    {
        var v = await service.GetAsync(id, NonconformityEndpoints.Actor(user), ct);
        return TypedResults.Ok(InspectionDto.From(v.Item, v.Items, v.MayFill));
    }

    /// <summary>Named by its hash, a photo never changes: kept privately by the client; nosniff, as the nonconformities' photos.</summary>
    internal static async Task<IResult> Photo(long id, string sha256, HttpContext http, CurrentUser user, InspectionService service,
        IFileStore files, CancellationToken ct) =>
        await PhotoResultAsync(await service.GetAsync(id, NonconformityEndpoints.Actor(user), ct), sha256, http, files, ct);

    /// <summary>The photo of one of the inspection's items named by its hash, or 404 (the console's report serves them the same way).</summary>
    internal static async Task<IResult> PhotoResultAsync(InspectionView view, string sha256, HttpContext http, IFileStore files, CancellationToken ct)
    {
        var photo = view.Items.SelectMany(x => x.Photos).FirstOrDefault(p => p.Sha256 == sha256);
        var bytes = photo is null ? null : await files.ReadVerifiedAsync(new StoredFile(photo.Sha256, photo.Size, photo.RelativePath), ct);
        if (photo is null || bytes is null)
            return Problems.Problem(StatusCodes.Status404NotFound, "未找到", "没有这张照片", "photo.not_found");
        http.Response.Headers.CacheControl = "private, max-age=31536000, immutable";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        return TypedResults.File(bytes, photo.ContentType, entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{photo.Sha256}\""));
    }

    internal static async Task<Ok<InspectionDto>> Submit(long id, InspectionSubmitBody body, CurrentUser user, InspectionService service,
        CancellationToken ct)
    {
        var v = await service.SubmitAsync(id, body.Items?.Select(a => new ItemAnswer(a.No, a.Result, a.Severity, a.Note, a.PhotoTokens)).ToList(),
            body.Summary, body.Version, NonconformityEndpoints.Actor(user), ct);
        return TypedResults.Ok(InspectionDto.From(v.Item, v.Items, v.MayFill));
    }

    internal static async Task<Results<Ok<InspectionDto>, ProblemHttpResult>> StartSelf(SelfInspectionBody? body, CurrentUser user, OrgService orgs,
        InspectionService service, CancellationToken ct)
    {
        if (body?.OrgId is not { } orgId)
            return Problems.Problem(StatusCodes.Status400BadRequest, "请求无效", "请选择开展自查的支部", "request.invalid");
        var org = await orgs.GetAsync(orgId, ct) ?? throw new NotFoundException($"组织 {orgId} 不存在", "org.not_found");
        var who = NonconformityEndpoints.Actor(user);
        var id = await service.StartSelfInspectionAsync(who, org.Id, org.Path, org.Kind, ct);
        var v = await service.GetAsync(id, who, ct);
        return TypedResults.Ok(InspectionDto.From(v.Item, v.Items, v.MayFill));
    }
}
