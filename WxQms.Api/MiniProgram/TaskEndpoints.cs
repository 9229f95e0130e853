using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Meetings;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Documents;
using WxQms.Domain.Services.Meetings;
using WxQms.Domain.Storage;
using static WxQms.Api.Infrastructure.Problems;

namespace WxQms.Api.MiniProgram;

public sealed record PlanRequest(DateTimeOffset PlannedFor, string? Place, string? Topic, int Version);

public sealed record AttendanceMark(long MemberId, Presence Presence);

public sealed record ReviewBody(ReviewDecision Decision, decimal Adjustment, string? Reason, int Version);

/// <summary>
/// One task as the mini program shows it. <see cref="Evidence"/> (newest first) and <see cref="History"/>
/// (oldest first) come with the single-task read only; lists and changes leave them empty.
/// </summary>
public sealed record TaskDto(long Id, long OrgId, string TemplateCode, string Name, string PeriodKey, DateTimeOffset OpensAt,
    DateTimeOffset DueAt, TaskState State, string StateLabel, int Version, DateTimeOffset? PlannedFor, string? Place, string? Topic,
    decimal Points, EvidenceRule EvidenceRule, bool AdHoc, long? AdhocTaskId, string? ReviewStatus, decimal MaxReviewAdjustment,
    IReadOnlyList<PhotoDto> Photos, IReadOnlyList<TaskQueries.EvidenceItem> Evidence, IReadOnlyList<TaskQueries.HistoryItem> History,
    DateTimeOffset? WarnedAt, IReadOnlyList<ChatPhotoDto> ChatPhotos, TaskFeedbackDto? Feedback = null, ClauseDto? Clause = null)
{
    public static TaskDto From(TaskSnapshot t, IReadOnlyList<StoredPhoto>? photos = null,
        IReadOnlyList<TaskQueries.EvidenceItem>? evidence = null, IReadOnlyList<TaskQueries.HistoryItem>? history = null,
        IReadOnlyList<ChatPhoto>? chatPhotos = null)
    {
        var template = t.Template;
        return new TaskDto(t.Id, t.OrgId, t.TemplateCode, template.Name, t.PeriodKey, t.OpensAt, t.DueAt, t.State,
            TaskTransitions.StatusLabel(t.State), t.RowVersion, t.PlannedFor, t.Place, t.Topic, t.PossiblePoints, template.EvidenceRule,
            t.AdHoc, t.AdhocTaskId, t.ReviewStatus, TaskScoring.ReviewBound(t.PossiblePoints),
            (photos ?? []).Select(p => new PhotoDto(p.Sha256, p.ContentType, p.Size, $"/api/mp/tasks/{t.Id}/photos/{p.Sha256}",
                p.TakenAt, PhotoChecks.TakenOnMeetingDay(p.TakenAt, evidence?.FirstOrDefault()?.HeldAt))).ToList(),
            evidence ?? [], history ?? [], t.WarnedAt,
            (chatPhotos ?? []).Select(c => new ChatPhotoDto(c.Photo.Sha256, c.Photo.ContentType, c.Photo.Size,
                $"/api/mp/tasks/{t.Id}/photos/{c.Photo.Sha256}", c.Photo.TakenAt, c.ReceivedAt, c.SentBy)).ToList());
    }
}

/// <summary>
/// A meeting's feedback as its task shows it (#18 item 5): how many rated it and the average (1–5, one decimal; null before
/// anyone has), never who; only on the single-task read of a meeting.
/// </summary>
public sealed record TaskFeedbackDto(int Count, decimal? Average);

/// <summary>
/// <see cref="TakenAt"/>: the capture time from the photo's EXIF data, when it has one.
/// <see cref="TakenOnMeetingDay"/>: whether that is the day the meeting was held (a flag for the
/// reviewer, never a block); null when either is unknown.
/// </summary>
public sealed record PhotoDto(string Sha256, string ContentType, long Size, string Url, DateTimeOffset? TakenAt = null,
    bool? TakenOnMeetingDay = null);

public sealed record SubmissionDto(TaskDto Task, bool Passed, IReadOnlyList<string> Reasons, bool OnTime, decimal PointsEarned)
{
    public static SubmissionDto From(SubmissionResult r) =>
        new(TaskDto.From(r.Task), r.Judgment.Passed, r.Judgment.ReasonsInChinese, r.Judgment.OnTime, r.Judgment.PointsEarned);
}

/// <summary>
/// A photo sent in the official-account chat and attached to the task (source: chat), not yet part of a
/// submission: the evidence form includes it by naming its <see cref="Sha256"/> in <c>chatPhotos</c>.
/// </summary>
public sealed record ChatPhotoDto(string Sha256, string ContentType, long Size, string Url, DateTimeOffset? TakenAt,
    DateTimeOffset ReceivedAt, string? SentBy, string Source = "chat");

/// <summary>
/// Evidence as JSON: <see cref="PhotoTokens"/> come from POST /api/mp/uploads; <see cref="ChatPhotos"/> name,
/// by hash, photos sent in the official-account chat and attached to this task (the task's <c>chatPhotos</c>).
/// </summary>
public sealed record EvidenceBody(DateTimeOffset HeldAt, string? Place, string? Topic, string? Minutes, int Version,
    IReadOnlyList<AttendanceMark>? Attendance, IReadOnlyList<string>? PhotoTokens, IReadOnlyList<string>? ChatPhotos = null);

/// <summary>
/// The task lifecycle for branches and their superiors: lists and the live summary of a subtree,
/// one task, plan reporting and evidence. Every route has the Domain check the caller's scope
/// (TaskQueries, by the Access rules): reading needs read scope over the task's org, changing needs act scope.
/// </summary>
public static class TaskEndpoints
{
    /// <summary>Nine photos of at most 10 MB each, and the form around them.</summary>
    private const long MaxEvidenceBody = PhotoIntake.MaxPerSubmission * PhotoIntake.MaxBytes + 1024 * 1024;

    public static RouteGroupBuilder MapMpTasks(this IEndpointRouteBuilder app)
    {
        var tasks = app.MapGroup("/api/mp/tasks").WithTags("Mini program: tasks").RequireAuthorization(MpAuth.Policy);
        tasks.MapGet("/", List).WithSummary("Tasks of an org's subtree (default: my org), soonest due first");
        tasks.MapGet("/summary", Summary).WithSummary("The superior's live view: in progress, due this month/quarter, overdue, warned");
        tasks.MapGet("/{id:long}", Get).WithSummary("One task with its rules");
        tasks.MapGet("/{id:long}/photos/{sha256}", Photo).WithSummary("One evidence photo, only to those who may see the task");
        tasks.MapPut("/{id:long}/plan", ReportPlan).WithSummary("Report the plan (date, place, topic) the required days ahead");
        tasks.MapPost("/{id:long}/evidence", SubmitEvidence).DisableAntiforgery()
            .Accepts<EvidenceBody>("application/json", "multipart/form-data")
            .WithSummary("Evidence as JSON with photoTokens from /api/mp/uploads, or as multipart: heldAt, place, topic, minutes, version, attendance (JSON), photos (≤ 9 × 10 MB)");
        tasks.MapPost("/{id:long}/review", Review)
            .WithSummary("Office staff: approve a completed task with a quality adjustment (±20 % of its points), or return it with a reason");
        return tasks;
    }

    internal static async Task<Results<Ok<IReadOnlyList<TaskQueries.TaskListItem>>, ProblemHttpResult>> List(
        long? scope, string? status, string? period, bool? awaitingReview, int? limit, HttpContext http, CurrentUser user,
        TaskQueries queries, CancellationToken ct)
    {
        var path = await queries.ReadableScopeAsync(scope, Viewer(user), ct);
        TaskState? state = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (!Enum.TryParse<TaskState>(status, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
                return Problem(StatusCodes.Status400BadRequest, "参数无效", $"未知的任务状态“{status}”", "request.invalid");
            state = parsed;
        }
        if (!string.IsNullOrEmpty(period) && !Periods.TryParse(period, out _))
            return Problem(StatusCodes.Status400BadRequest, "参数无效", $"无法识别的期间“{period}”，应如 2026-11、2026-Q4 或 2026", "request.invalid");
        var (items, outcome) = await queries.ListAsync(new TaskQueries.ListFilter(path, state, string.IsNullOrEmpty(period) ? null : period,
            awaitingReview ?? false, limit ?? 100), ct);
        http.Response.SetCacheOutcome(outcome);
        return TypedResults.Ok(items);
    }

    internal static async Task<Results<Ok<TaskSummary>, ProblemHttpResult>> Summary(long? scope, HttpContext http, CurrentUser user, TaskQueries queries,
        TimeProvider clock, CancellationToken ct)
    {
        var path = await queries.ReadableScopeAsync(scope, Viewer(user), ct);
        var (summary, outcome) = await queries.SummaryAsync(path, clock.GetUtcNow(), ct);
        http.Response.SetCacheOutcome(outcome);
        return TypedResults.Ok(summary);
    }

    internal static async Task<Results<Ok<TaskDto>, ProblemHttpResult>> Get(long id, CurrentUser user, TaskQueries queries,
        FeedbackService feedback, DocumentService documents, CancellationToken ct)
    {
        var task = await queries.GetForAsync(id, Viewer(user), TaskNeed.Read, ct);
        var (evidence, history) = await queries.RecordAsync(id, ct);
        var dto = TaskDto.From(task, await queries.PhotosAsync(id, ct), evidence, history, await queries.ChatPhotosAsync(id, ct))
            with { Clause = ClauseDto.From(await documents.ClauseAsync(task.TemplateCode, ct)) };
        if (CheckinRules.IsMeeting(task.Template.EvidenceRule))
        {
            var summary = (await feedback.SummariesAsync([task.Id], withComments: false, ct))[task.Id];
            dto = dto with { Feedback = new TaskFeedbackDto(summary.Count, summary.Average) };
        }
        return TypedResults.Ok(dto);
    }

    internal static async Task<Results<Ok<TaskDto>, ProblemHttpResult>> Review(long id, ReviewBody body, CurrentUser user,
        TaskQueries queries, TaskCommands commands, CancellationToken ct)
    {
        await queries.GetForAsync(id, Viewer(user), TaskNeed.Review, ct);
        if (!Enum.IsDefined(body.Decision))
            return Problem(StatusCodes.Status400BadRequest, "参数无效", "decision 应为 approve 或 return", "request.invalid");
        var reviewed = await commands.ReviewAsync(id, body.Version, new ReviewRequest(body.Decision, body.Adjustment, body.Reason),
            Actor(user), user.MemberId, ct);
        return TypedResults.Ok(TaskDto.From(reviewed));
    }

    /// <summary>
    /// Photos never change (they are named by their hash), so clients may keep them; only privately. nosniff: a browser
    /// takes the photo for what its type says, never for HTML or script it might resemble.
    /// </summary>
    internal static async Task<IResult> Photo(long id, string sha256, HttpContext http, CurrentUser user, TaskQueries queries,
        IFileStore files, CancellationToken ct)
    {
        await queries.GetForAsync(id, Viewer(user), TaskNeed.Read, ct);
        var photo = await queries.PhotoAsync(id, sha256, ct);
        var bytes = photo is null ? null : await files.ReadVerifiedAsync(new StoredFile(photo.Sha256, photo.Size, photo.RelativePath), ct);
        if (photo is null || bytes is null)
            return Problem(StatusCodes.Status404NotFound, "未找到", "没有这张照片", "photo.not_found");
        http.Response.Headers.CacheControl = "private, max-age=31536000, immutable";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        return TypedResults.File(bytes, photo.ContentType, entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{photo.Sha256}\""));
    }

    internal static async Task<Results<Ok<TaskDto>, ProblemHttpResult>> ReportPlan(long id, PlanRequest body, CurrentUser user, TaskQueries queries,
        TaskCommands commands, CancellationToken ct)
    {
        await queries.GetForAsync(id, Viewer(user), TaskNeed.Act, ct);
        var task = await commands.ReportPlanAsync(id, body.Version, new PlanReport(body.PlannedFor, body.Place ?? "", body.Topic ?? ""),
            Actor(user), user.MemberId, ct);
        return TypedResults.Ok(TaskDto.From(task));
    }

    internal static async Task<Results<Ok<SubmissionDto>, ProblemHttpResult>> SubmitEvidence(long id, HttpRequest request,
        CurrentUser user, TaskQueries queries, TaskCommands commands, PhotoIntake photos, UploadStore uploads, CancellationToken ct)
    {
        var task = await queries.GetForAsync(id, Viewer(user), TaskNeed.Act, ct);
        if (request.HasJsonContentType())
            return await SubmitEvidenceJsonAsync(id, request, user, queries, commands, uploads, ct);
        if (!request.HasFormContentType)
            return Problem(StatusCodes.Status400BadRequest, "参数无效", "请以 multipart/form-data 或 JSON 提交", "request.invalid");

        // Streamed section by section: each photo goes to a temporary file as it arrives (checked there), and is stored
        // only once the form around it has been read and parsed.
        await using var received = new IncomingPhotos(photos);
        IReadOnlyDictionary<string, string> form;
        try
        {
            form = await MultipartBody.ReadAsync(request, MaxEvidenceBody, PhotoIntake.MaxBytes + 64 * 1024, async (_, fileName, body) =>
            {
                if (received.Count >= PhotoIntake.MaxPerSubmission)
                    throw new RuleViolationException("evidence.too_many_photos", $"每次最多上传{PhotoIntake.MaxPerSubmission}张照片");
                await received.AddAsync(body, fileName, ct);
            }, ct);
        }
        catch (RuleViolationException rule) when (rule.Code == "evidence.too_many_photos")
        {
            return Problem(StatusCodes.Status400BadRequest, "参数无效", rule.Message, rule.Code);
        }
        if (!DateTimeOffset.TryParse(form.GetValueOrDefault("heldAt"), out var heldAt))
            return Problem(StatusCodes.Status400BadRequest, "参数无效", "请填写开展时间 heldAt（ISO 8601）", "request.invalid");
        if (!int.TryParse(form.GetValueOrDefault("version"), out var version))
            return Problem(StatusCodes.Status400BadRequest, "参数无效", "缺少 version（任务的版本号）", "request.invalid");
        IReadOnlyList<AttendanceMark> attendance;
        try
        {
            attendance = string.IsNullOrWhiteSpace(form.GetValueOrDefault("attendance"))
                ? []
                : JsonSerializer.Deserialize<List<AttendanceMark>>(form["attendance"], JsonDefaults.Storage) ?? [];
        }
        catch (JsonException)
        {
            return Problem(StatusCodes.Status400BadRequest, "参数无效", "考勤 attendance 应为 [{\"memberId\":1,\"presence\":\"present\"}]", "request.invalid");
        }

        // A stale form is refused before its photos reach the store, so it leaves no file behind (the command checks
        // the version again, inside its transaction, for a change that lands in between).
        if (version != task.RowVersion)
            throw new ConflictException("task.version_conflict", "任务已被他人修改，请刷新后重试");
        var stored = await received.StoreAsync(ct);
        var result = await commands.SubmitEvidenceAsync(id, version, new EvidenceSubmission(heldAt, form.GetValueOrDefault("place"),
            form.GetValueOrDefault("topic"), form.GetValueOrDefault("minutes"), attendance.Select(a => (a.MemberId, a.Presence)).ToList(), stored),
            Actor(user), user.MemberId, ct);
        return TypedResults.Ok(SubmissionDto.From(result));
    }

    /// <summary>The same evidence as JSON, with photos uploaded beforehand through /api/mp/uploads (one per request).</summary>
    private static async Task<Results<Ok<SubmissionDto>, ProblemHttpResult>> SubmitEvidenceJsonAsync(long id, HttpRequest request,
        CurrentUser user, TaskQueries queries, TaskCommands commands, UploadStore uploads, CancellationToken ct)
    {
        EvidenceBody? body;
        try
        {
            body = await request.ReadFromJsonAsync<EvidenceBody>(JsonDefaults.Storage, ct);
        }
        catch (JsonException)
        {
            return Problem(StatusCodes.Status400BadRequest, "参数无效", "佐证材料的 JSON 格式不正确", "request.invalid");
        }
        if (body is null || body.HeldAt == default)
            return Problem(StatusCodes.Status400BadRequest, "参数无效", "请填写开展时间 heldAt（ISO 8601）", "request.invalid");
        var tokens = body.PhotoTokens ?? [];
        var chatHashes = body.ChatPhotos ?? [];
        if (tokens.Count + chatHashes.Count > PhotoIntake.MaxPerSubmission)
            return Problem(StatusCodes.Status400BadRequest, "参数无效", $"每次最多上传{PhotoIntake.MaxPerSubmission}张照片", "evidence.too_many_photos");
        var photos = (await queries.ResolveChatPhotosAsync(id, chatHashes, ct))
            .Concat(await uploads.ResolveAsync(user.WechatUserId ?? 0, tokens, ct)).ToList();
        // Resolving names the first bad photo; the submission's transaction claims them all (a racing one gets 409).
        var result = await commands.SubmitEvidenceAsync(id, body.Version, new EvidenceSubmission(body.HeldAt, body.Place, body.Topic,
            body.Minutes, (body.Attendance ?? []).Select(a => (a.MemberId, a.Presence)).ToList(), photos,
            new EvidenceClaims(user.WechatUserId ?? 0, tokens, chatHashes)), Actor(user), user.MemberId, ct);
        return TypedResults.Ok(SubmissionDto.From(result));
    }

    internal static string Actor(CurrentUser user) => user.MemberId is { } m ? $"member:{m}" : $"wechat_user:{user.WechatUserId}";

    /// <summary>The caller as the Domain's task rules see her.</summary>
    internal static TaskViewer Viewer(CurrentUser user) => new(user.MemberId, user.Roles);
}
