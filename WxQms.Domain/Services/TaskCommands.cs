using Dapper;
using MySqlConnector;
using WxQms.Domain.Caching;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Reminders;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;
using static WxQms.Domain.Storage.DbTime;

namespace WxQms.Domain.Services;

public sealed record PlanReport(DateTimeOffset PlannedFor, string Place, string Topic);

public sealed record EvidenceSubmission(
    DateTimeOffset HeldAt,
    string? Place,
    string? Topic,
    string? Minutes,
    IReadOnlyList<(long MemberId, Presence Presence)> Attendance,
    IReadOnlyList<StoredPhoto> Photos,
    EvidenceClaims? Claims = null);

/// <summary>
/// What a submission spends, claimed inside its own transaction: the submitter's upload tokens and, by hash, the task's
/// chat photos. Each must still be unclaimed when the transaction takes it, or the whole submission is refused (409).
/// </summary>
public sealed record EvidenceClaims(long WechatUserId, IReadOnlyList<string> UploadTokens, IReadOnlyList<string> ChatPhotos);

/// <summary>A photo that came through the official-account chat, attached to a task and not yet submitted.</summary>
public sealed record ChatPhoto(StoredPhoto Photo, DateTimeOffset ReceivedAt, string? SentBy);

public sealed record SubmissionResult(TaskSnapshot Task, JudgmentResult Judgment, long EvidenceId);

/// <summary>A task as stored, with the template it is judged by (the catalogue's version, or its ad-hoc definition).</summary>
public sealed record TaskSnapshot(long Id, long OrgId, string TemplateCode, int TemplateVersion, string PeriodKey,
    DateTimeOffset OpensAt, DateTimeOffset DueAt, TaskState State, bool AdHoc, int RowVersion,
    DateTimeOffset? PlannedFor, string? Place, string? Topic, TaskTemplate Template, long? AdhocTaskId = null,
    string? ReviewStatus = null, decimal PossiblePoints = 0, DateTimeOffset? WarnedAt = null);

public enum ReviewDecision
{
    Approve,
    Return,
}

public sealed record ReviewRequest(ReviewDecision Decision, decimal Adjustment, string? Reason);

/// <summary>
/// Changes to one task. Each change is checked by the pure rules, written with the row version the
/// caller read (a concurrent change makes it fail with 409 instead of overwriting), and leaves an
/// audit entry with who, when, from, to and why in the same transaction.
/// </summary>
public sealed class TaskCommands(MySqlDataSource db, TimeProvider clock, TaskCache cache, AdhocTaskStore adhoc)
{
    public const int MaxTextLength = 200;

    private sealed record Row(long Id, long OrgId, string TemplateCode, int TemplateVersion, string PeriodKey, DateTime OpensAt,
        DateTime DueAt, string State, bool AdHoc, long? AdhocTaskId, int RowVersion, DateTime? PlannedFor, string? Place, string? Topic,
        string? ReviewStatus, decimal PossiblePoints, DateTime? WarnedAt);

    public async Task<TaskSnapshot?> GetAsync(long id, CancellationToken ct)
    {
        const string sql = """
            SELECT id AS Id, org_id AS OrgId, template_code AS TemplateCode, template_version AS TemplateVersion,
                   period_key AS PeriodKey, opens_at AS OpensAt, due_at AS DueAt, state AS State, adhoc AS AdHoc,
                   adhoc_task_id AS AdhocTaskId, row_version AS RowVersion, planned_for AS PlannedFor, place AS Place,
                   topic AS Topic, review_status AS ReviewStatus, possible_points AS PossiblePoints, warned_at AS WarnedAt
            FROM tasks WHERE id = @id
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var r = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(sql, new { id }, cancellationToken: ct));
        if (r is null)
            return null;
        var template = r.AdhocTaskId is { } adhocId
            ? (await adhoc.GetAsync(adhocId, ct) ?? throw new InvalidOperationException($"task {id}: ad-hoc task {adhocId} is missing")).ToTemplate()
            : TaskCatalogue.Default.Get(r.TemplateCode, r.TemplateVersion);
        return new TaskSnapshot(r.Id, r.OrgId, r.TemplateCode, r.TemplateVersion, r.PeriodKey,
            Utc(r.OpensAt), Utc(r.DueAt), DbNames.Parse<TaskState>(r.State), r.AdHoc, r.RowVersion,
            r.PlannedFor is { } p ? Utc(p) : null, r.Place, r.Topic, template, r.AdhocTaskId, r.ReviewStatus, r.PossiblePoints,
            r.WarnedAt is { } w ? Utc(w) : null);
    }

    /// <summary>The photos of a task's latest submission, newest submission first.</summary>
    public async Task<IReadOnlyList<StoredPhoto>> PhotosAsync(long taskId, CancellationToken ct)
    {
        const string sql = """
            SELECT p.sha256 AS Sha256, p.size_bytes AS Size, p.content_type AS ContentType, p.storage_path AS RelativePath,
                   p.taken_at AS TakenAt
            FROM evidence_photos p
            WHERE p.evidence_id = (SELECT MAX(id) FROM task_evidence WHERE task_id = @taskId)
            ORDER BY p.id
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<PhotoRow>(new CommandDefinition(sql, new { taskId }, cancellationToken: ct)))
            .Select(p => new StoredPhoto(p.Sha256, p.Size, p.ContentType, p.RelativePath, p.TakenAt is { } t ? Utc(t) : null)).ToList();
    }

    private sealed record PhotoRow(string Sha256, long Size, string ContentType, string RelativePath, DateTime? TakenAt);

    private sealed record ChatPhotoRow(string Sha256, long Size, string ContentType, string RelativePath, DateTime? TakenAt,
        DateTime ReceivedAt, string? SentBy);

    /// <summary>Photos attached to the task from the chat and not yet used by a submission, in the order received.</summary>
    public async Task<IReadOnlyList<ChatPhoto>> ChatPhotosAsync(long taskId, CancellationToken ct)
    {
        const string sql = """
            SELECT c.sha256 AS Sha256, c.size_bytes AS Size, c.content_type AS ContentType, c.storage_path AS RelativePath,
                   c.taken_at AS TakenAt, c.received_at AS ReceivedAt, m.name AS SentBy
            FROM task_chat_photos c LEFT JOIN members m ON m.id = c.member_id
            WHERE c.task_id = @taskId AND c.used_by_evidence_id IS NULL
            ORDER BY c.id
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ChatPhotoRow>(new CommandDefinition(sql, new { taskId }, cancellationToken: ct)))
            .Select(p => new ChatPhoto(new StoredPhoto(p.Sha256, p.Size, p.ContentType, p.RelativePath, p.TakenAt is { } t ? Utc(t) : null),
                Utc(p.ReceivedAt), p.SentBy)).ToList();
    }

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
    public async Task<StoredPhoto?> PhotoAsync(long taskId, string sha256, CancellationToken ct)
    {
        const string sql = """
            SELECT p.sha256 AS Sha256, p.size_bytes AS Size, p.content_type AS ContentType, p.storage_path AS RelativePath,
                   p.taken_at AS TakenAt
            FROM evidence_photos p JOIN task_evidence e ON e.id = p.evidence_id
            WHERE e.task_id = @taskId AND p.sha256 = @sha256
            UNION ALL
            SELECT c.sha256, c.size_bytes, c.content_type, c.storage_path, c.taken_at
            FROM task_chat_photos c
            WHERE c.task_id = @taskId AND c.sha256 = @sha256
            LIMIT 1
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var p = await conn.QuerySingleOrDefaultAsync<PhotoRow>(new CommandDefinition(sql, new { taskId, sha256 }, cancellationToken: ct));
        return p is null ? null : new StoredPhoto(p.Sha256, p.Size, p.ContentType, p.RelativePath, p.TakenAt is { } t ? Utc(t) : null);
    }

    /// <summary>预先报备: date, place and topic, the required days ahead, inside the task's period.</summary>
    public async Task<TaskSnapshot> ReportPlanAsync(long taskId, int expectedVersion, PlanReport plan, string actor,
        long? actorMemberId, CancellationToken ct)
    {
        var place = Required(plan.Place, "地点");
        var topic = Required(plan.Topic, "主题");
        var (task, template, now, to) = await AllowedAsync(taskId, TaskAction.ReportPlan, ct);
        if (PlanCheck.Refusal(template, plan.PlannedFor, now, task.OpensAt, task.DueAt) is { } refusal)
            throw new RuleViolationException("task.plan_refused", refusal);

        const string update = """
            UPDATE tasks
            SET state = @to, planned_for = @plannedFor, place = @place, topic = @topic, planned_at = @now,
                next_reminder_at = @now, warned_at = NULL, row_version = row_version + 1, updated_at = @now
            WHERE id = @id AND row_version = @expectedVersion
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var changed = await conn.ExecuteAsync(new CommandDefinition(update, new
        {
            id = taskId,
            expectedVersion,
            to = DbNames.Of(to),
            plannedFor = plan.PlannedFor.UtcDateTime,
            place,
            topic,
            now = now.UtcDateTime,
        }, tx, cancellationToken: ct));
        if (changed == 0)
            throw new ConflictException("task.version_conflict", "任务已被他人修改，请刷新后重试");
        await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, actor, "task.planned", "task", taskId, task.OrgId, actorMemberId,
            new { From = task.State, To = to, PlannedFor = plan.PlannedFor, Place = place, Topic = topic }), ct);
        // Rescheduling moves the reminders not yet sent; the scanner looks at the task again at once.
        var reminderFacts = new ReminderTask(template.ReminderRule, template.PlanRule.Required, task.OpensAt, task.DueAt,
            plan.PlannedFor, HasEvidence: false, Open: true);
        await ReminderStore.MovePendingAsync(conn, tx, taskId,
            ReminderSchedule.For(reminderFacts).Where(r => ReminderSchedule.Applies(reminderFacts, r.Kind)).ToList(), now, ct);
        await tx.CommitAsync(ct);
        await cache.InvalidateAsync();
        return (await GetAsync(taskId, ct))!;
    }

    /// <summary>
    /// Takes the evidence, judges it at once and completes the task (booking its points in the ledger)
    /// or returns it with the reasons. Attendance is marked per member of the org's roster; the quorum
    /// counts only its constituency (full members, or the committee).
    /// </summary>
    public async Task<SubmissionResult> SubmitEvidenceAsync(long taskId, int expectedVersion, EvidenceSubmission evidence,
        string actor, long? actorMemberId, CancellationToken ct)
    {
        if (evidence.Photos.Count > PhotoIntake.MaxPerSubmission)
            throw new RuleViolationException("evidence.too_many_photos", $"每次最多上传{PhotoIntake.MaxPerSubmission}张照片");
        if (evidence.Minutes is { Length: > 20_000 })
            throw new RuleViolationException("evidence.minutes_too_long", "会议记录不超过两万字");
        var (task, template, now, _) = await AllowedAsync(taskId, TaskAction.Submit, ct);

        await using var conn = await db.OpenConnectionAsync(ct);
        var roster = (await conn.QueryAsync<(long Id, string Status, bool Committee)>(new CommandDefinition("""
            SELECT m.id, m.status, EXISTS (SELECT 1 FROM member_roles r
                                           WHERE r.member_id = m.id AND r.role = 'committee' AND r.org_id = @orgId)
            FROM members m JOIN orgs o ON o.id = m.org_id
            WHERE o.path LIKE (SELECT CONCAT(path, '%') FROM orgs WHERE id = @orgId)
              AND m.status IN ('full', 'probationary')
            """, new { orgId = task.OrgId }, cancellationToken: ct))).ToDictionary(r => r.Id);
        var unknown = evidence.Attendance.Where(a => !roster.ContainsKey(a.MemberId)).Select(a => a.MemberId).ToList();
        if (unknown.Count > 0)
            throw new RuleViolationException("evidence.unknown_member", $"考勤中有不属于本组织的党员（{string.Join("、", unknown.Take(5))}）");
        if (evidence.Attendance.Select(a => a.MemberId).Distinct().Count() != evidence.Attendance.Count)
            throw new RuleViolationException("evidence.duplicate_member", "考勤中有重复的党员");

        bool InConstituency(long memberId) => template.EvidenceRule.Quorum switch
        {
            Quorum.MoreThanHalfOfVoting => roster[memberId].Status == "full",
            Quorum.MoreThanHalfOfCommittee => roster[memberId].Committee,
            _ => true,
        };
        var counted = evidence.Attendance.Where(a => InConstituency(a.MemberId)).Select(a => a.Presence).ToList();
        var judged = Judgment.Judge(template,
            new Evidence(evidence.HeldAt, evidence.Place?.Trim(), evidence.Topic?.Trim(), evidence.Photos.DistinctBy(p => p.Sha256).Count(),
                evidence.Attendance.Count == 0 ? null : Attendance.Tally(counted), !string.IsNullOrWhiteSpace(evidence.Minutes)),
            now, task.DueAt,
            new RosterCounts(roster.Count, roster.Values.Count(r => r.Status == "full"), roster.Values.Count(r => r.Committee)),
            task.OpensAt);

        await using var tx = await conn.BeginTransactionAsync(ct);
        var changed = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE tasks SET state = @state, review_status = @reviewStatus, row_version = row_version + 1, updated_at = @now,
                next_reminder_at = CASE WHEN @state = 'returned' THEN @now ELSE next_reminder_at END
            WHERE id = @id AND row_version = @expectedVersion
            """, new
        {
            id = taskId, expectedVersion, state = DbNames.Of(judged.Outcome),
            reviewStatus = judged.Passed ? ReviewStatuses.Awaiting : null, now = now.UtcDateTime,
        }, tx, cancellationToken: ct));
        if (changed == 0)
            throw new ConflictException("task.version_conflict", "任务已被他人修改，请刷新后重试");

        var all = Attendance.Tally(evidence.Attendance.Select(a => a.Presence));
        var evidenceId = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO task_evidence (task_id, held_at, place, topic, minutes, present, absent, on_leave, photo_count,
                                       submitted_at, submitted_by, submitted_by_member_id, passed, reasons, on_time, points)
            VALUES (@taskId, @heldAt, @place, @topic, @minutes, @present, @absent, @onLeave, @photos,
                    @now, @actor, @actorMemberId, @passed, @reasons, @onTime, @points);
            SELECT LAST_INSERT_ID();
            """, new
        {
            taskId, heldAt = evidence.HeldAt.UtcDateTime, place = evidence.Place?.Trim(), topic = evidence.Topic?.Trim(),
            minutes = evidence.Minutes, present = all.Present, absent = all.Absent, onLeave = all.OnLeave,
            photos = evidence.Photos.Count, now = now.UtcDateTime, actor, actorMemberId, passed = judged.Passed,
            reasons = judged.Passed ? null : string.Join("\n", judged.ReasonsInChinese), onTime = judged.OnTime,
            points = judged.PointsEarned,
        }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT IGNORE INTO evidence_photos (evidence_id, sha256, size_bytes, content_type, storage_path, taken_at, created_at)
            VALUES (@evidenceId, @Sha256, @Size, @ContentType, @RelativePath, @takenAt, @now)
            """, evidence.Photos.Select(p => new
        {
            evidenceId, p.Sha256, p.Size, p.ContentType, p.RelativePath, takenAt = p.TakenAt?.UtcDateTime, now = now.UtcDateTime,
        }),
            tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(
            "INSERT INTO evidence_attendance (evidence_id, member_id, presence) VALUES (@evidenceId, @MemberId, @Presence)",
            evidence.Attendance.Select(a => new { evidenceId, a.MemberId, Presence = DbNames.Of(a.Presence) }), tx, cancellationToken: ct));
        if (evidence.Claims is { } claims)
        {
            await UploadStore.ClaimAsync(conn, tx, claims.WechatUserId, claims.UploadTokens, now, ct);
            await ClaimChatPhotosAsync(conn, tx, taskId, claims.ChatPhotos, evidenceId, ct);
        }

        await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, actor, "task.submitted", "task", taskId, task.OrgId, actorMemberId,
            new { From = task.State, To = TaskState.Submitted, EvidenceId = evidenceId }), ct);
        await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, "system", judged.Passed ? "task.completed" : "task.returned", "task",
            taskId, task.OrgId, null, new { From = TaskState.Submitted, To = judged.Outcome, judged.OnTime, judged.PointsEarned,
                Reasons = judged.ReasonsInChinese }), ct);
        if (judged.Passed)
            await BookCompletionAsync(conn, tx, task, judged, evidenceId,
                evidence.Attendance.Where(a => a.Presence == Presence.Present).Select(a => a.MemberId).ToList(), now, ct);
        await tx.CommitAsync(ct);
        await cache.InvalidateAsync();
        return new SubmissionResult((await GetAsync(taskId, ct))!, judged, evidenceId);
    }

    /// <summary>
    /// Office staff review a completed task's latest submission, once: approve with a quality
    /// adjustment of at most ±20 % of its points (booked as its own ledger entry), or return it with a
    /// reason, which nets out what its completion booked (the org's points and the members' attendance)
    /// until the branch resubmits.
    /// </summary>
    public async Task<TaskSnapshot> ReviewAsync(long taskId, int expectedVersion, ReviewRequest review, string actor,
        long? actorMemberId, CancellationToken ct)
    {
        var reason = review.Reason?.Trim();
        if (reason is { Length: > MaxTextLength })
            throw new RuleViolationException("review.reason_too_long", $"审核意见不超过{MaxTextLength}字");
        await using var conn = await db.OpenConnectionAsync(ct);
        var latest = await conn.QuerySingleOrDefaultAsync<(long Id, DateTime? ReviewedAt)?>(new CommandDefinition(
            "SELECT id, reviewed_at FROM task_evidence WHERE task_id = @taskId ORDER BY id DESC LIMIT 1",
            new { taskId }, cancellationToken: ct));
        var action = review.Decision == ReviewDecision.Approve ? TaskAction.Approve : TaskAction.Return;
        var (task, _, now, to) = await AllowedAsync(taskId, action, ct, reason, reviewed: latest?.ReviewedAt is not null);
        if (latest is not { } evidence)
            throw new RuleViolationException("review.no_evidence", "该任务没有可审核的佐证材料");
        var adjustment = review.Decision == ReviewDecision.Approve ? review.Adjustment : 0m;
        if (review.Decision == ReviewDecision.Approve && TaskScoring.ReviewRefusal(adjustment, task.PossiblePoints, reason) is { } refusal)
            throw new RuleViolationException("review.adjustment_refused", refusal);

        await using var tx = await conn.BeginTransactionAsync(ct);
        var changed = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE tasks SET state = @to, review_status = @reviewStatus, row_version = row_version + 1, updated_at = @now,
                next_reminder_at = CASE WHEN @to = 'returned' THEN @now ELSE next_reminder_at END
            WHERE id = @id AND row_version = @expectedVersion
            """, new
        {
            id = taskId, expectedVersion, to = DbNames.Of(to),
            reviewStatus = review.Decision == ReviewDecision.Approve ? ReviewStatuses.Approved : null, now = now.UtcDateTime,
        }, tx, cancellationToken: ct));
        if (changed == 0)
            throw new ConflictException("task.version_conflict", "任务已被他人修改，请刷新后重试");
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE task_evidence
            SET reviewed_at = @now, reviewed_by = @actor, reviewed_by_member_id = @actorMemberId, review_decision = @decision,
                review_adjustment = @adjustment, review_reason = @reason
            WHERE id = @evidenceId
            """, new
        {
            evidenceId = evidence.Id, now = now.UtcDateTime, actor, actorMemberId, decision = DbNames.Of(review.Decision),
            adjustment, reason,
        }, tx, cancellationToken: ct));

        if (review.Decision == ReviewDecision.Approve && adjustment != 0)
        {
            await LedgerStore.BookAsync(conn, tx, [new LedgerEntry(LedgerSubjects.Org, task.OrgId, task.PeriodKey, adjustment,
                LedgerSources.Review, $"{task.Template.Name}（{task.PeriodKey}）质量{(adjustment > 0 ? "加分" : "扣分")}：{reason}", now,
                taskId, evidence.Id)], ct);
        }
        else if (review.Decision == ReviewDecision.Return)
        {
            // Net out, per subject, what this submission's completion booked.
            await LedgerStore.NetOutAsync(conn, tx, new LedgerNetting([taskId], LedgerSources.ReviewReturned,
                $"{task.Template.Name}（{task.PeriodKey}）审核退回：{reason}", now, evidence.Id,
                [LedgerSources.Completed, LedgerSources.CompletedLate, LedgerSources.Attendance]), ct);
        }
        await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, actor, review.Decision == ReviewDecision.Approve ? "task.approved" : "task.review_returned",
            "task", taskId, task.OrgId, actorMemberId,
            new { From = task.State, To = to, EvidenceId = evidence.Id, Adjustment = adjustment, Reason = reason }), ct);
        await tx.CommitAsync(ct);
        await cache.InvalidateAsync();
        return (await GetAsync(taskId, ct))!;
    }

    /// <summary>
    /// Marks the task's chat photos as used by the submission that includes them, inside its transaction: each must still
    /// be unused, or the submission is refused (a concurrent one took them) and rolls back.
    /// </summary>
    private static async Task ClaimChatPhotosAsync(MySqlConnection conn, MySqlTransaction tx, long taskId, IReadOnlyList<string> sha256s,
        long evidenceId, CancellationToken ct)
    {
        var distinct = sha256s.Distinct(StringComparer.Ordinal).ToArray();
        if (distinct.Length == 0)
            return;
        var claimed = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE task_chat_photos SET used_by_evidence_id = @evidenceId
            WHERE task_id = @taskId AND sha256 IN @distinct AND used_by_evidence_id IS NULL
            """, new { taskId, distinct, evidenceId }, tx, cancellationToken: ct));
        if (claimed != distinct.Length)
            throw new ConflictException("evidence.unknown_chat_photo", "聊天照片已用于另一次提交，请刷新后重试");
    }

    /// <summary>
    /// The ledger entries of a passed submission: the org's points (less the late deduction), one
    /// attendance entry per member present, and, when the task had been marked overdue, the reversal of
    /// each overdue deduction not yet reversed (lateness already cost the late deduction).
    /// </summary>
    private static async Task BookCompletionAsync(MySqlConnection conn, MySqlTransaction tx, TaskSnapshot task, JudgmentResult judged,
        long evidenceId, IReadOnlyList<long> present, DateTimeOffset now, CancellationToken ct)
    {
        var name = $"{task.Template.Name}（{task.PeriodKey}）";
        await LedgerStore.BookAsync(conn, tx, [new LedgerEntry(LedgerSubjects.Org, task.OrgId, task.PeriodKey, judged.PointsEarned,
            judged.OnTime ? LedgerSources.Completed : LedgerSources.CompletedLate, name + (judged.OnTime ? "按时完成" : "逾期完成"), now,
            task.Id, evidenceId)], ct);
        await LedgerStore.BookAsync(conn, tx, present.Select(memberId => new LedgerEntry(LedgerSubjects.Member, memberId, task.PeriodKey,
            TaskScoring.AttendancePoints, LedgerSources.Attendance, name + "参加", now, task.Id, evidenceId)), ct);
        await LedgerStore.ReverseAsync(conn, tx, task.Id, LedgerSources.Overdue, LedgerSources.OverdueReversed, "（已逾期完成，撤销逾期扣分）",
            now, ct);
    }

    /// <summary>Loads the task and asks the state machine whether the action is allowed now.</summary>
    private async Task<(TaskSnapshot Task, TaskTemplate Template, DateTimeOffset Now, TaskState To)> AllowedAsync(long taskId,
        TaskAction action, CancellationToken ct, string? reason = null, bool reviewed = false)
    {
        var task = await GetAsync(taskId, ct) ?? throw new NotFoundException($"任务 {taskId} 不存在");
        var template = task.Template;
        var now = clock.GetUtcNow();
        var transition = TaskTransitions.Apply(task.State, action, new TaskFacts(
            PlanRequired: template.PlanRule.Required, HasPlan: task.PlannedFor is not null, AdHoc: task.AdHoc,
            PastDue: now >= task.DueAt, Reason: reason, Reviewed: task.ReviewStatus == ReviewStatuses.Approved || reviewed));
        return transition.Allowed
            ? (task, template, now, transition.To!.Value)
            : throw new RuleViolationException("task.transition_refused", transition.Refusal!);
    }

    private static string Required(string? value, string what)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
            throw new RuleViolationException("task.plan_incomplete", $"请填写{what}");
        if (trimmed.Length > MaxTextLength)
            throw new RuleViolationException("task.plan_incomplete", $"{what}不超过{MaxTextLength}字");
        return trimmed;
    }
}
