using WxQms.Domain.Model;
using WxQms.Domain.Caching;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;
using static WxQms.Domain.Storage.DbTime;

namespace WxQms.Domain.Services;

/// <summary>
/// What a superior sees of its subtree at one instant (the seed's live monitoring view), as of the
/// start of the minute <see cref="AsOf"/>. <see cref="AwaitingReview"/>: completed, not yet reviewed.
/// </summary>
public sealed record TaskSummary(
    int InProgress,
    int DueThisMonth,
    int DueThisQuarter,
    int Overdue,
    int Warned,
    int CompletedThisYear,
    int AwaitingReview,
    DateTimeOffset AsOf);

/// <summary>Who looks at or acts on tasks: the member (if bound) and the grants of her roles.</summary>
public sealed record TaskViewer(long? MemberId, IReadOnlyList<Grant> Grants);

/// <summary>What a caller wants to do with one task, and so which scope it needs.</summary>
public enum TaskNeed
{
    Read,
    Act,
    Review,
}

/// <summary>
/// Reads over tasks, always scoped to a subtree of the org tree, cached in Redis (<see cref="TaskCache"/>):
/// a change to any task retires every cached read. The summary is taken at the start of the current
/// minute, so one cached answer serves the whole minute and is exact for that instant. One task and its
/// photos and trail are read here too, with who may read or act on it (Access rules).
/// </summary>
public sealed class TaskQueries(TaskStore tasks, EvidenceStore evidence, AdhocTaskStore adhoc, OrgStore orgs, TaskCache cache,
    ITaskCatalogueSource duties)
{
    /// <summary>Open tasks due within this many days count as warned (DESIGN: early warning).</summary>
    public static readonly TimeSpan WarningWindow = TimeSpan.FromDays(3);

    /// <summary>
    /// Counts for the subtree under <paramref name="scopePath"/> at <paramref name="now"/>, periods taken
    /// in Shanghai: in progress (open and its window has opened), due by the end of this month and
    /// quarter, overdue (open past its due time), warned (open, due within <see cref="WarningWindow"/>).
    /// One indexed aggregate over the subtree's tasks.
    /// </summary>
    public async Task<(TaskSummary Summary, CacheOutcome Cache)> SummaryAsync(string scopePath, DateTimeOffset now, CancellationToken ct)
    {
        var asOf = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        return await cache.GetOrLoadAsync($"summary:{scopePath}:{asOf.ToUnixTimeSeconds()}", c => LoadSummaryAsync(scopePath, asOf, c), ct);
    }

    private async Task<TaskSummary> LoadSummaryAsync(string scopePath, DateTimeOffset now, CancellationToken ct)
    {
        var month = Periods.Containing(Recurrence.Monthly, now);
        var quarter = Periods.Containing(Recurrence.Quarterly, now);
        var year = Periods.Containing(Recurrence.Yearly, now);
        // A period's due time is its (exclusive) end, so "due this month" includes the month's end instant.
        var c = await tasks.SummaryAsync(scopePath, new SummaryWindow(now, month.EndsAt, quarter.EndsAt, now + WarningWindow,
            year.StartsAt, year.EndsAt), ct);
        return new TaskSummary(c.InProgress, c.DueThisMonth, c.DueThisQuarter, c.Overdue, c.Warned, c.CompletedThisYear,
            c.AwaitingReview, now);
    }

    public sealed record TaskListItem(
        long Id,
        long OrgId,
        string OrgName,
        string TemplateCode,
        string TemplateName,
        string PeriodKey,
        DateTimeOffset DueAt,
        TaskState State,
        decimal PossiblePoints,
        bool AdHoc,
        string? ReviewStatus,
        DateTimeOffset? WarnedAt = null);

    /// <summary>What a list asks for: the subtree and optional filters.</summary>
    public sealed record ListFilter(string ScopePath, TaskState? State = null, string? PeriodKey = null, bool AwaitingReview = false,
        int Limit = 100);

    /// <summary>Tasks of the subtree, soonest due first, optionally of one state and/or one period, or awaiting review.</summary>
    public async Task<(IReadOnlyList<TaskListItem> Items, CacheOutcome Cache)> ListAsync(ListFilter filter, CancellationToken ct)
    {
        var f = filter with { Limit = Math.Clamp(filter.Limit, 1, 500) };
        return await cache.GetOrLoadAsync($"list:{f.ScopePath}:{f.State}:{f.PeriodKey}:{f.AwaitingReview}:{f.Limit}",
            c => LoadListAsync(f, c), ct);
    }

    private async Task<IReadOnlyList<TaskListItem>> LoadListAsync(ListFilter f, CancellationToken ct)
    {
        var rows = await tasks.ListAsync(f.ScopePath, f.State, f.PeriodKey, f.AwaitingReview, f.Limit, ct);
        var catalogue = await duties.GetAsync(ct);
        return rows.Select(r => new TaskListItem(r.Id, r.OrgId, r.OrgName, r.TemplateCode,
                r.AdhocTitle ?? catalogue.Get(r.TemplateCode, r.TemplateVersion).Name, r.PeriodKey,
                new DateTimeOffset(r.DueAt, TimeSpan.Zero), DbNames.Parse<TaskState>(r.State), r.PossiblePoints, r.AdhocTitle is not null,
                r.ReviewStatus, r.WarnedAt is { } w ? new DateTimeOffset(w, TimeSpan.Zero) : null))
            .ToList();
    }

    /// <summary>One submission of evidence and how it was judged and reviewed.</summary>
    public sealed record EvidenceItem(long Id, DateTimeOffset HeldAt, string? Place, string? Topic, string? Minutes, int Present,
        int Absent, int OnLeave, int PhotoCount, DateTimeOffset SubmittedAt, string SubmittedBy, bool Passed,
        IReadOnlyList<string> Reasons, bool OnTime, decimal Points, string? ReviewDecision, decimal? ReviewAdjustment,
        string? ReviewReason, DateTimeOffset? ReviewedAt);

    /// <summary>One line of the task's trail: who did what, when.</summary>
    public sealed record HistoryItem(DateTimeOffset At, string Action, string Actor, string? ActorName, string? Data);

    /// <summary>Every submission of the task (newest first) and its audit trail (oldest first).</summary>
    public async Task<(IReadOnlyList<EvidenceItem> Evidence, IReadOnlyList<HistoryItem> History)> RecordAsync(long taskId,
        CancellationToken ct)
    {
        var (rows, trail) = await evidence.RecordAsync(taskId, ct);
        var items = rows.Select(e => new EvidenceItem(e.Id, Utc(e.HeldAt), e.Place, e.Topic,
            e.Minutes, e.Present, e.Absent, e.OnLeave, e.PhotoCount, Utc(e.SubmittedAt), e.SubmittedBy, e.Passed,
            e.Reasons?.Split('\n') ?? [], e.OnTime, e.Points, e.ReviewDecision, e.ReviewAdjustment, e.ReviewReason,
            e.ReviewedAt is { } r ? Utc(r) : null)).ToList();
        var history = trail.Select(h => new HistoryItem(Utc(h.At), h.Action, h.Actor, h.Name, h.Data)).ToList();
        return (items, history);
    }

    /// <summary>A task as stored, with the template it is judged by (the catalogue's version, or its ad-hoc definition).</summary>
    public async Task<TaskSnapshot?> GetAsync(long id, CancellationToken ct)
    {
        if (await tasks.GetAsync(id, ct) is not { } r)
            return null;
        var template = r.AdhocTaskId is { } adhocId
            ? (await adhoc.GetAsync(adhocId, ct) ?? throw new InvalidOperationException($"task {id}: ad-hoc task {adhocId} is missing")).ToTemplate()
            : (await duties.GetAsync(ct)).Get(r.TemplateCode, r.TemplateVersion);
        return new TaskSnapshot(r.Id, r.OrgId, r.TemplateCode, r.TemplateVersion, r.PeriodKey,
            Utc(r.OpensAt), Utc(r.DueAt), DbNames.Parse<TaskState>(r.State), r.AdHoc, r.RowVersion,
            r.PlannedFor is { } p ? Utc(p) : null, r.Place, r.Topic, template, r.AdhocTaskId, r.ReviewStatus, r.PossiblePoints,
            r.WarnedAt is { } w ? Utc(w) : null);
    }

    /// <summary>
    /// The task, if the viewer may have it for <paramref name="need"/>: read it (read scope over its org), act on it
    /// (act scope), or review it (read scope, and the office's review scope). 404 <c>task.not_found</c>, else 403.
    /// </summary>
    public async Task<TaskSnapshot> GetForAsync(long id, TaskViewer viewer, TaskNeed need, CancellationToken ct)
    {
        var task = await GetAsync(id, ct);
        var org = task is null ? null : await orgs.GetAsync(task.OrgId, ct);
        if (task is null || org is null)
            throw new NotFoundException($"任务 {id} 不存在", "task.not_found");
        if (need == TaskNeed.Act ? !Access.CanActOn(viewer.Grants, org.Path) : !Access.CanRead(viewer.Grants, org.Path))
            throw new ForbiddenException("auth.forbidden", need == TaskNeed.Act ? "您无权办理该任务" : "您无权查看该任务");
        if (need == TaskNeed.Review && !Access.CanReview(viewer.Grants, org.Path))
            throw new ForbiddenException("auth.forbidden", "只有街道党建办可以审核任务");
        return task;
    }

    /// <summary>
    /// The subtree the viewer's task lists and summary cover: <paramref name="scope"/>'s, if the viewer may read it, or by
    /// default the widest the viewer reads (my branch for a member, my org for a secretary or committee, everything for
    /// office staff). 403 <c>auth.not_bound</c> without a member, 404 <c>org.not_found</c>, else 403.
    /// </summary>
    public async Task<string> ReadableScopeAsync(long? scope, TaskViewer viewer, CancellationToken ct)
    {
        if (viewer.MemberId is null)
            throw new ForbiddenException("auth.not_bound", "请先绑定党员身份");
        if (scope is null)
            return Access.DefaultReadScope(viewer.Grants) ?? throw new ForbiddenException("auth.forbidden", "您的角色不能查看任务");
        var org = await orgs.GetAsync(scope.Value, ct) ?? throw new NotFoundException($"组织 {scope} 不存在", "org.not_found");
        return Access.CanRead(viewer.Grants, org.Path) ? org.Path : throw new ForbiddenException("auth.forbidden", "您无权查看该组织的任务");
    }

    /// <summary>The photos of a task's latest submission.</summary>
    public Task<IReadOnlyList<StoredPhoto>> PhotosAsync(long taskId, CancellationToken ct) => evidence.LatestPhotosAsync(taskId, ct);

    /// <summary>Photos attached to the task from the chat and not yet used by a submission, in the order received.</summary>
    public Task<IReadOnlyList<ChatPhoto>> ChatPhotosAsync(long taskId, CancellationToken ct) => evidence.UnusedChatPhotosAsync(taskId, ct);

    /// <summary>The task's chat photos named by hash, for a submission; refuses any the task does not have (or has used).</summary>
    public async Task<IReadOnlyList<StoredPhoto>> ResolveChatPhotosAsync(long taskId, IReadOnlyList<string> sha256s, CancellationToken ct)
    {
        if (sha256s.Count == 0)
            return [];
        var available = (await ChatPhotosAsync(taskId, ct)).ToDictionary(c => c.Photo.Sha256, c => c.Photo, StringComparer.Ordinal);
        return sha256s.Select((sha, i) => available.GetValueOrDefault(sha)
            ?? throw new RuleViolationException("evidence.unknown_chat_photo", $"第{i + 1}张聊天照片不属于该任务或已提交过")).ToList();
    }

    /// <summary>One photo of the task by its hash, from any submission or from the chat; null when the task has no such photo.</summary>
    public Task<StoredPhoto?> PhotoAsync(long taskId, string sha256, CancellationToken ct) => evidence.PhotoAsync(taskId, sha256, ct);
}
