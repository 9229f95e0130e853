using Microsoft.AspNetCore.Http.HttpResults;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Model.Wishes;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Wishes;
using WxQms.Domain.Services.Wishes;
using static WxQms.Api.Infrastructure.Problems;

namespace WxQms.Api.MiniProgram;

/// <param name="Name">How residents want to be called (称呼, ≤ 10 characters); members are called by their name. Shown masked.</param>
/// <param name="PhotoTokens">Photos from <c>POST /api/mp/uploads</c> (optional, ≤ 9).</param>
public sealed record WishRequest(string? Title, string? Description, long CommunityId, string? Name = null,
    IReadOnlyList<string>? PhotoTokens = null);

public sealed record VersionRequest(int Version);

/// <summary>Refusing, cancelling and releasing need a reason.</summary>
public sealed record ReasonRequest(int Version, string? Reason);

public sealed record FulfilRequest(string? Note, IReadOnlyList<string>? PhotoTokens, int Version);

/// <param name="Url">Signed address of the photo, valid for one to two days (each answer carries a fresh one).</param>
/// <param name="Check">WeChat's image check: pending, pass, review, risky, unchecked. The public sees passed photos only.</param>
/// <summary>A community a wish can be posted to.</summary>
public sealed record WishCommunityDto(long Id, string Name);

public sealed record WishPhotoDto(string Url, WishPhotoStage Stage, PhotoCheck Check);

/// <param name="WisherName">Masked (张*): never more of the wisher's name, and no phone number anywhere.</param>
/// <param name="TextCheck">The text check (pass, review, unchecked), for those who moderate the wish; null for others.</param>
/// <param name="AutoConfirmAt">When a fulfilled wish lights itself if the wisher does not confirm it.</param>
public sealed record WishDto(long Id, string Title, string Description, long CommunityId, string CommunityName, WishStatus Status,
    string StatusLabel, string WisherName, string? ClaimerName, DateTimeOffset PostedAt, int Version, bool Mine, bool ClaimedByMe,
    bool CanModerate, string? TextCheck, string? RefuseReason, string? CancelReason, DateTimeOffset? ClaimedAt,
    DateTimeOffset? FulfilledAt, string? FulfilNote, DateTimeOffset? AutoConfirmAt, DateTimeOffset? LitAt, decimal? Points,
    IReadOnlyList<WishPhotoDto> Photos)
{
    public static WishDto From(Wish w, string? wisherUnionId, WishActor? viewer, WishServices service, TimeSpan autoConfirmAfter)
    {
        var mine = viewer is not null && WishReads.IsWisher(w, wisherUnionId, viewer);
        var claimer = viewer is not null && WishReads.IsClaimer(w, viewer);
        var moderator = viewer is not null && Access.CanModerateWishes(viewer.Grants, w.CommunityPath);
        var insider = mine || claimer || moderator;
        return new WishDto(w.Id, w.Title, w.Description, w.CommunityId, w.CommunityName, w.Status, WishRules.Label(w.Status),
            WishRules.Mask(w.WisherName), w.ClaimerName, w.PostedAt, w.Version, mine, claimer, moderator,
            moderator ? w.TextCheck : null, insider ? w.RefuseReason : null, insider ? w.CancelReason : null, w.ClaimedAt, w.FulfilledAt,
            w.FulfilNote, w.Status == WishStatus.Fulfilled && w.FulfilledAt is { } f ? WishRules.AutoConfirmAt(f, autoConfirmAfter) : null,
            w.LitAt, w.Points,
            w.Photos.Where(p => insider || WishRules.IsShownPublicly(p.Check))
                .Select(p => new WishPhotoDto(service.Links.PhotoUrl(w.Id, p.Sha256), p.Stage, p.Check)).ToList());
    }
}

/// <summary>
/// Micro-wishes (微心愿) for the mini program: residents (WeChat users without a member record) and members post;
/// community committees and office staff approve or refuse; members claim, release and fulfil; the wisher
/// confirms. Errors are ProblemDetails with codes (wish.invalid, wish.content_risky, wish.limit_posts,
/// wish.limit_claims, wish.wrong_status, wish.stale, wish.own, wish.member_only, wish.reason_required …).
/// </summary>
public static class WishEndpoints
{
    public static RouteGroupBuilder MapMpWishes(this IEndpointRouteBuilder app)
    {
        var wishes = app.MapGroup("/api/mp/wishes").WithTags("Mini program: micro-wishes").RequireAuthorization(MpAuth.Policy);
        wishes.MapGet("/", List).WithSummary("Wishes by community and status, newest first: the public ones, my own (mine=true: only mine), and for staff their communities' in every status");
        wishes.MapGet("/{id:long}", Get).WithSummary("One wish (public, mine, or of a community I moderate)");
        wishes.MapGet("/communities", Communities)
            .WithSummary("The communities a wish can be posted to (anyone signed in, residents included; the org tree itself is not theirs to read)");
        wishes.MapPost("/", Post).RequireRateLimiting(RateLimits.Wishes).WithSummary("Post a wish: text checked by msg_sec_check (risky is refused), photos by media_check_async; then staff review");
        wishes.MapPost("/{id:long}/approve", Approve).WithSummary("Staff: publish a wish under review (its photos' check must be done)");
        wishes.MapPost("/{id:long}/refuse", Refuse).WithSummary("Staff: refuse a wish under review, with a reason");
        wishes.MapPost("/{id:long}/cancel", Cancel).WithSummary("The wisher or staff: withdraw a wish not yet fulfilled, with a reason");
        wishes.MapPost("/{id:long}/claim", Claim).WithSummary("A member claims a published wish (open claims are limited)");
        wishes.MapPost("/{id:long}/release", Release).WithSummary("The claimer or staff: give the claim back, with a reason");
        wishes.MapPost("/{id:long}/fulfil", Fulfil).WithSummary("The claimer: done, with photos (1–9) and a note");
        wishes.MapPost("/{id:long}/confirm", Confirm).WithSummary("The wisher: confirm the fulfilment; the wish is lit and the member gets points");
        return wishes;
    }

    internal static async Task<Ok<IReadOnlyList<WishCommunityDto>>> Communities([AsParameters] WishServices service, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<WishCommunityDto>>((await service.Reads.CommunitiesAsync(ct)).Select(c => new WishCommunityDto(c.Id, c.Name)).ToList());

    private static Task<WishActor> ActorAsync(CurrentUser user, WishServices service, CancellationToken ct) =>
        service.Reads.ActorAsync(user.WechatUserId!.Value, user.MemberId, user.Roles, ct);

    /// <param name="status">reviewing, published, claimed, fulfilled, lit, refused or cancelled.</param>
    internal static async Task<Results<Ok<IReadOnlyList<WishDto>>, ProblemHttpResult>> List(string? status, bool? mine, long? community,
        int? limit, CurrentUser user, [AsParameters] WishServices service, Microsoft.Extensions.Options.IOptions<WishOptions> options, CancellationToken ct)
    {
        WishStatus? wanted = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (!Enum.TryParse<WishStatus>(status, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
                return Problem(StatusCodes.Status400BadRequest, "参数无效", $"未知的心愿状态“{status}”", "request.invalid");
            wanted = parsed;
        }
        var actor = await ActorAsync(user, service, ct);
        var list = await service.Reads.ListAsync(new WishListFilter(community, wanted, mine ?? false, limit ?? 50), actor, ct);
        return TypedResults.Ok<IReadOnlyList<WishDto>>(list
            .Select(x => WishDto.From(x.Wish, x.WisherUnionId, actor, service, options.Value.AutoConfirmAfter)).ToList());
    }

    internal static async Task<Results<Ok<WishDto>, ProblemHttpResult>> Get(long id, CurrentUser user, [AsParameters] WishServices service,
        Microsoft.Extensions.Options.IOptions<WishOptions> options, CancellationToken ct)
    {
        var actor = await ActorAsync(user, service, ct);
        var found = await service.Reads.GetAsync(id, ct);
        if (found is not { } f || !WishReads.CanSee(f.Wish, f.WisherUnionId, actor))
            return Problem(StatusCodes.Status404NotFound, "未找到", $"心愿 {id} 不存在", "wish.not_found");
        return TypedResults.Ok(WishDto.From(f.Wish, f.WisherUnionId, actor, service, options.Value.AutoConfirmAfter));
    }

    internal static async Task<Created<WishDto>> Post(WishRequest body, CurrentUser user, [AsParameters] WishServices service,
        Microsoft.Extensions.Options.IOptions<WishOptions> options, CancellationToken ct)
    {
        var actor = await ActorAsync(user, service, ct);
        var wish = await service.Submissions.PostAsync(new WishPost(body.Title, body.Description, body.CommunityId, body.Name, body.PhotoTokens ?? []),
            actor, ct);
        return TypedResults.Created($"/api/mp/wishes/{wish.Id}", await DtoAsync(wish.Id, actor, service, options, ct));
    }

    internal static Task<Ok<WishDto>> Approve(long id, VersionRequest body, CurrentUser user, [AsParameters] WishServices service,
        Microsoft.Extensions.Options.IOptions<WishOptions> options, CancellationToken ct) =>
        ActAsync(id, user, service, options, (a, c) => service.Transitions.ApproveAsync(id, body.Version, a, c), ct);

    internal static Task<Ok<WishDto>> Refuse(long id, ReasonRequest body, CurrentUser user, [AsParameters] WishServices service,
        Microsoft.Extensions.Options.IOptions<WishOptions> options, CancellationToken ct) =>
        ActAsync(id, user, service, options, (a, c) => service.Transitions.RefuseAsync(id, body.Version, body.Reason, a, c), ct);

    internal static Task<Ok<WishDto>> Cancel(long id, ReasonRequest body, CurrentUser user, [AsParameters] WishServices service,
        Microsoft.Extensions.Options.IOptions<WishOptions> options, CancellationToken ct) =>
        ActAsync(id, user, service, options, (a, c) => service.Transitions.CancelAsync(id, body.Version, body.Reason, a, c), ct);

    internal static Task<Ok<WishDto>> Claim(long id, VersionRequest body, CurrentUser user, [AsParameters] WishServices service,
        Microsoft.Extensions.Options.IOptions<WishOptions> options, CancellationToken ct) =>
        ActAsync(id, user, service, options, (a, c) => service.Transitions.ClaimAsync(id, body.Version, a, c), ct);

    internal static Task<Ok<WishDto>> Release(long id, ReasonRequest body, CurrentUser user, [AsParameters] WishServices service,
        Microsoft.Extensions.Options.IOptions<WishOptions> options, CancellationToken ct) =>
        ActAsync(id, user, service, options, (a, c) => service.Transitions.ReleaseAsync(id, body.Version, body.Reason, a, c), ct);

    internal static Task<Ok<WishDto>> Fulfil(long id, FulfilRequest body, CurrentUser user, [AsParameters] WishServices service,
        Microsoft.Extensions.Options.IOptions<WishOptions> options, CancellationToken ct) =>
        ActAsync(id, user, service, options, (a, c) => service.Submissions.FulfilAsync(id, body.Version, body.Note, body.PhotoTokens ?? [], a, c), ct);

    internal static Task<Ok<WishDto>> Confirm(long id, VersionRequest body, CurrentUser user, [AsParameters] WishServices service,
        Microsoft.Extensions.Options.IOptions<WishOptions> options, CancellationToken ct) =>
        ActAsync(id, user, service, options, (a, c) => service.Transitions.ConfirmAsync(id, body.Version, a, c), ct);

    private static async Task<Ok<WishDto>> ActAsync(long id, CurrentUser user, WishServices service,
        Microsoft.Extensions.Options.IOptions<WishOptions> options, Func<WishActor, CancellationToken, Task<Wish>> act, CancellationToken ct)
    {
        var actor = await ActorAsync(user, service, ct);
        await act(actor, ct);
        return TypedResults.Ok(await DtoAsync(id, actor, service, options, ct));
    }

    private static async Task<WishDto> DtoAsync(long id, WishActor actor, WishServices service,
        Microsoft.Extensions.Options.IOptions<WishOptions> options, CancellationToken ct)
    {
        var (wish, unionId) = (await service.Reads.GetAsync(id, ct))!.Value;
        return WishDto.From(wish, unionId, actor, service, options.Value.AutoConfirmAfter);
    }
}
