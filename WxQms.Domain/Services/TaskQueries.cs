using Dapper;
using MySqlConnector;
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

/// <summary>
/// Reads over tasks, always scoped to a subtree of the org tree, cached in Redis (<see cref="TaskCache"/>):
/// a change to any task retires every cached read. The summary is taken at the start of the current
/// minute, so one cached answer serves the whole minute and is exact for that instant.
/// </summary>
public sealed class TaskQueries(MySqlDataSource db, TaskStore tasks, TaskCache cache)
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
        return rows.Select(r => new TaskListItem(r.Id, r.OrgId, r.OrgName, r.TemplateCode,
                r.AdhocTitle ?? TaskCatalogue.Default.Get(r.TemplateCode, r.TemplateVersion).Name, r.PeriodKey,
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

    private sealed record EvidenceRow(long Id, DateTime HeldAt, string? Place, string? Topic, string? Minutes, int Present, int Absent,
        int OnLeave, int PhotoCount, DateTime SubmittedAt, string SubmittedBy, bool Passed, string? Reasons, bool OnTime, decimal Points,
        string? ReviewDecision, decimal? ReviewAdjustment, string? ReviewReason, DateTime? ReviewedAt);

    /// <summary>Every submission of the task (newest first) and its audit trail (oldest first).</summary>
    public async Task<(IReadOnlyList<EvidenceItem> Evidence, IReadOnlyList<HistoryItem> History)> RecordAsync(long taskId,
        CancellationToken ct)
    {
        const string sql = """
            SELECT id AS Id, held_at AS HeldAt, place AS Place, topic AS Topic, minutes AS Minutes,
                   present AS Present, absent AS Absent, on_leave AS OnLeave, photo_count AS PhotoCount, submitted_at AS SubmittedAt,
                   submitted_by AS SubmittedBy, passed AS Passed, reasons AS Reasons, on_time AS OnTime, points AS Points,
                   review_decision AS ReviewDecision, review_adjustment AS ReviewAdjustment, review_reason AS ReviewReason,
                   reviewed_at AS ReviewedAt
            FROM task_evidence WHERE task_id = @taskId ORDER BY id DESC;

            SELECT a.occurred_at, a.action, a.actor, m.name, a.data
            FROM audit_log a LEFT JOIN members m ON m.id = a.actor_member_id
            WHERE a.entity_type = 'task' AND a.entity_id = @taskId
            ORDER BY a.id;
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var grid = await conn.QueryMultipleAsync(new CommandDefinition(sql, new { taskId }, cancellationToken: ct));
        var evidence = (await grid.ReadAsync<EvidenceRow>()).Select(e => new EvidenceItem(e.Id, Utc(e.HeldAt), e.Place, e.Topic,
            e.Minutes, e.Present, e.Absent, e.OnLeave, e.PhotoCount, Utc(e.SubmittedAt), e.SubmittedBy, e.Passed,
            e.Reasons?.Split('\n') ?? [], e.OnTime, e.Points, e.ReviewDecision, e.ReviewAdjustment, e.ReviewReason,
            e.ReviewedAt is { } r ? Utc(r) : null)).ToList();
        var history = (await grid.ReadAsync<(DateTime At, string Action, string Actor, string? Name, string? Data)>())
            .Select(h => new HistoryItem(Utc(h.At), h.Action, h.Actor, h.Name, h.Data)).ToList();
        return (evidence, history);
    }
}
