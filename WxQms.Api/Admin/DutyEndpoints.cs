using Microsoft.AspNetCore.Http.HttpResults;
using WxQms.Api.Infrastructure;
using WxQms.Api.MiniProgram;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;

namespace WxQms.Api.Admin;

/// <summary>A new version of a duty as sent: any field left out stays as in the version it follows.</summary>
/// <param name="EffectiveFrom">The first day (Shanghai) of a future period from which it is in force.</param>
/// <param name="Source">The regulation or document clause it cites.</param>
/// <param name="Frequency">monthly, monthly_per_group, quarterly, yearly, yearly_q1 … yearly_q4.</param>
/// <param name="Quorum">none, more_than_half_of_voting, more_than_half_of_committee.</param>
public sealed record DutyVersionBody(DateOnly? EffectiveFrom, string? Name, string? Source, string? Frequency, decimal? Points,
    decimal? LateDeduction, decimal? OverdueDeduction, int? MinPhotos, bool? AttendanceRequired, string? Quorum,
    bool? MinutesRequired, bool? PlaceRequired, bool? TopicRequired, string? RecordLabel, bool? PlanRequired, int? PlanDaysAhead,
    int? OrganiserDaysBefore, bool? MembersDayBefore, bool? SameDayWarning, int? EscalateAfterDays, int? PlanReportAfterDays)
{
    public DutyVersionRequest ToRequest() => new(EffectiveFrom, Name, Source, Frequency, Points, LateDeduction, OverdueDeduction,
        MinPhotos, AttendanceRequired, Quorum, MinutesRequired, PlaceRequired, TopicRequired, RecordLabel, PlanRequired, PlanDaysAhead,
        OrganiserDaysBefore, MembersDayBefore, SameDayWarning, EscalateAfterDays, PlanReportAfterDays);
}

public sealed record DutyVersionDto(string Code, int Version, DateOnly EffectiveFrom, string Name, string Source, string Frequency,
    string FrequencyLabel, string AppliesTo, decimal Points, decimal LateDeduction, decimal OverdueDeduction, EvidenceRule EvidenceRule,
    PlanRule PlanRule, ReminderRule ReminderRule, string? AddedBy, DateTimeOffset? AddedAt, bool InForce, bool Scheduled)
{
    public static DutyVersionDto From(TaskTemplate t, DutyVersionInfo? info = null) => new(t.Code, t.Version, t.EffectiveFrom, t.Name,
        t.Source, DutyRules.FrequencyKey(t.Recurrence), t.Recurrence.Label, t.AppliesTo.Label, t.Points, t.LateDeduction,
        t.OverdueDeduction, t.EvidenceRule, t.PlanRule, t.ReminderRule, info?.AddedBy, info?.AddedAt, info?.InForce ?? false,
        info?.Scheduled ?? false);
}

public sealed record DutyDto(string Code, string Name, DutyVersionDto? InForce, DutyVersionDto? Next, IReadOnlyList<DutyVersionDto> Versions)
{
    public static DutyDto From(DutyOverview d) => new(d.Code, (d.InForce ?? d.Latest).Template.Name,
        d.InForce is { } f ? DutyVersionDto.From(f.Template, f) : null, d.Next is { } n ? DutyVersionDto.From(n.Template, n) : null,
        d.Versions.Select(v => DutyVersionDto.From(v.Template, v)).ToList());
}

/// <summary>A checked version: what it would be and how many tasks of the coming plan it affects.</summary>
public sealed record DutyPreviewDto(DutyVersionDto Version, DutyImpact Impact);

/// <summary>
/// The duty catalogue under /api/admin/duties: every console role reads it; office staff preview and add a version
/// (and rewrite the newest while no task uses it). Invalid fields answer 400 <c>duty.invalid</c> with <c>errors</c> by
/// field, in Chinese.
/// </summary>
public static class DutyEndpoints
{
    public static void MapAdminDuties(this IEndpointRouteBuilder app)
    {
        var api = app.AdminApi();
        api.MapGet("/duties", List).WithSummary("The duty catalogue: each duty with its versions, the one in force and the next");
        api.MapGet("/duties/{code}", Get).WithSummary("One duty with every version and the clause each cites");
        api.MapPost("/duties/{code}/preview", Preview)
            .WithSummary("Check a new version and count the tasks of the coming plan it affects; saves nothing (office staff)");
        api.MapPost("/duties/{code}/versions", Add).WithSummary("Add a version of a duty from a future date (office staff)");
        api.MapPut("/duties/{code}/versions/{version}", Replace)
            .WithSummary("Rewrite the newest version while no task uses it; 409 duty.version_in_use once one does (office staff)");
        DutyPages.Map(app.AdminPages());
    }

    internal static async Task<Ok<IReadOnlyList<DutyDto>>> List(DutyService duties, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<DutyDto>>((await duties.ListAsync(ct)).Select(DutyDto.From).ToList());

    internal static async Task<Ok<DutyDto>> Get(string code, DutyService duties, CancellationToken ct) =>
        TypedResults.Ok(DutyDto.From(await duties.GetAsync(code, ct)));

    internal static async Task<Results<Ok<DutyPreviewDto>, ProblemHttpResult>> Preview(string code, DutyVersionBody body, CurrentUser user,
        DutyService duties, CancellationToken ct)
    {
        var draft = await duties.PreviewAsync(code, body.ToRequest(), user.Roles, ct);
        return draft.Valid ? TypedResults.Ok(new DutyPreviewDto(DutyVersionDto.From(draft.Template!), draft.Impact!)) : Invalid(draft);
    }

    internal static async Task<Results<Created<DutyPreviewDto>, ProblemHttpResult>> Add(string code, DutyVersionBody body,
        CurrentUser user, DutyService duties, CancellationToken ct)
    {
        var draft = await duties.AddAsync(code, body.ToRequest(), user.Roles, TaskEndpoints.Actor(user), user.MemberId, ct);
        return draft.Valid
            ? TypedResults.Created($"/api/admin/duties/{code}", new DutyPreviewDto(DutyVersionDto.From(draft.Template!), draft.Impact!))
            : Invalid(draft);
    }

    internal static async Task<Results<Ok<DutyPreviewDto>, ProblemHttpResult>> Replace(string code, int version, DutyVersionBody body,
        CurrentUser user, DutyService duties, CancellationToken ct)
    {
        var draft = await duties.ReplaceAsync(code, version, body.ToRequest(), user.Roles, TaskEndpoints.Actor(user), user.MemberId, ct);
        return draft.Valid ? TypedResults.Ok(new DutyPreviewDto(DutyVersionDto.From(draft.Template!), draft.Impact!)) : Invalid(draft);
    }

    private static ProblemHttpResult Invalid(DutyDraft draft) =>
        Problems.Invalid(StatusCodes.Status400BadRequest, "参数无效", "duty.invalid", draft.Errors);
}
