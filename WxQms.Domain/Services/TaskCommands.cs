using System.Data.Common;
using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Reminders;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

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
public sealed class TaskCommands(TaskStore tasks, EvidenceStore evidences, MemberStore members, TimeProvider clock, TaskCache cache,
    TaskQueries reader)
{
    public const int MaxTextLength = 200;

    /// <summary>预先报备: date, place and topic, the required days ahead, inside the task's period.</summary>
    public async Task<TaskSnapshot> ReportPlanAsync(long taskId, int expectedVersion, PlanReport plan, string actor,
        long? actorMemberId, CancellationToken ct)
    {
        var place = Required(plan.Place, "地点");
        var topic = Required(plan.Topic, "主题");
        var (task, template, now, to) = await AllowedAsync(taskId, TaskAction.ReportPlan, ct);
        if (PlanCheck.Refusal(template, plan.PlannedFor, now, task.OpensAt, task.DueAt) is { } refusal)
            throw new RuleViolationException("task.plan_refused", refusal);

        await tasks.InTransactionAsync(async (conn, tx) =>
        {
            if (!await TaskStore.PlanAsync(conn, tx, taskId, expectedVersion, to, plan.PlannedFor, place, topic, now, ct))
                throw new ConflictException("task.version_conflict", "任务已被他人修改，请刷新后重试");
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, actor, "task.planned", "task", taskId, task.OrgId, actorMemberId,
                new { From = task.State, To = to, PlannedFor = plan.PlannedFor, Place = place, Topic = topic }), ct);
            // Rescheduling moves the reminders not yet sent; the scanner looks at the task again at once.
            var reminderFacts = new ReminderTask(template.ReminderRule, template.PlanRule.Required, task.OpensAt, task.DueAt,
                plan.PlannedFor, HasEvidence: false, Open: true);
            await OutboxStore.MovePendingAsync(conn, tx, taskId,
                ReminderSchedule.For(reminderFacts).Where(r => ReminderSchedule.Applies(reminderFacts, r.Kind)).ToList(), now, ct);
            return true;
        }, ct);
        await cache.InvalidateAsync();
        return (await reader.GetAsync(taskId, ct))!;
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

        var roster = (await members.RosterAsync(task.OrgId, new RosterScope(OnTheRollOnly: true), ct)).ToDictionary(r => r.Id,
            r => (Status: r.Status, Committee: r.Roles.Any(g => g.Role == Roles.Committee && g.OrgId == task.OrgId)));
        var unknown = evidence.Attendance.Where(a => !roster.ContainsKey(a.MemberId)).Select(a => a.MemberId).ToList();
        if (unknown.Count > 0)
            throw new RuleViolationException("evidence.unknown_member", $"考勤中有不属于本组织的党员（{string.Join("、", unknown.Take(5))}）");
        if (evidence.Attendance.Select(a => a.MemberId).Distinct().Count() != evidence.Attendance.Count)
            throw new RuleViolationException("evidence.duplicate_member", "考勤中有重复的党员");

        bool InConstituency(long memberId) => template.EvidenceRule.Quorum switch
        {
            Quorum.MoreThanHalfOfVoting => roster[memberId].Status == MemberStatus.Full,
            Quorum.MoreThanHalfOfCommittee => roster[memberId].Committee,
            _ => true,
        };
        var counted = evidence.Attendance.Where(a => InConstituency(a.MemberId)).Select(a => a.Presence).ToList();
        var judged = Judgment.Judge(template,
            new Evidence(evidence.HeldAt, evidence.Place?.Trim(), evidence.Topic?.Trim(), evidence.Photos.DistinctBy(p => p.Sha256).Count(),
                evidence.Attendance.Count == 0 ? null : Attendance.Tally(counted), !string.IsNullOrWhiteSpace(evidence.Minutes)),
            now, task.DueAt,
            new RosterCounts(roster.Count, roster.Values.Count(r => r.Status == MemberStatus.Full), roster.Values.Count(r => r.Committee)),
            task.OpensAt);

        var evidenceId = await tasks.InTransactionAsync(async (conn, tx) =>
        {
            if (!await TaskStore.JudgeAsync(conn, tx, taskId, expectedVersion, judged.Outcome, judged.Passed ? ReviewStatuses.Awaiting : null,
                    now, ct))
                throw new ConflictException("task.version_conflict", "任务已被他人修改，请刷新后重试");

            var all = Attendance.Tally(evidence.Attendance.Select(a => a.Presence));
            var evidenceId = await EvidenceStore.AddAsync(conn, tx, new NewEvidence(taskId, evidence.HeldAt, evidence.Place?.Trim(),
                evidence.Topic?.Trim(), evidence.Minutes, all.Present, all.Absent, all.OnLeave, evidence.Photos.Count, now, actor, actorMemberId,
                judged.Passed, judged.Passed ? null : string.Join("\n", judged.ReasonsInChinese), judged.OnTime, judged.PointsEarned),
                evidence.Photos, evidence.Attendance, ct);
            if (evidence.Claims is { } claims)
            {
                await UploadStore.ClaimAsync(conn, tx, claims.WechatUserId, claims.UploadTokens, now, ct);
                await EvidenceStore.ClaimChatPhotosAsync(conn, tx, taskId, claims.ChatPhotos, evidenceId, ct);
            }

            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, actor, "task.submitted", "task", taskId, task.OrgId, actorMemberId,
                new { From = task.State, To = TaskState.Submitted, EvidenceId = evidenceId }), ct);
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, "system", judged.Passed ? "task.completed" : "task.returned", "task",
                taskId, task.OrgId, null, new { From = TaskState.Submitted, To = judged.Outcome, judged.OnTime, judged.PointsEarned,
                    Reasons = judged.ReasonsInChinese }), ct);
            if (judged.Passed)
                await BookCompletionAsync(conn, tx, task, judged, evidenceId,
                    evidence.Attendance.Where(a => a.Presence == Presence.Present).Select(a => a.MemberId).ToList(), now, ct);
            return evidenceId;
        }, ct);
        await cache.InvalidateAsync();
        return new SubmissionResult((await reader.GetAsync(taskId, ct))!, judged, evidenceId);
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
        var latest = await evidences.LatestAsync(taskId, ct);
        var action = review.Decision == ReviewDecision.Approve ? TaskAction.Approve : TaskAction.Return;
        var (task, _, now, to) = await AllowedAsync(taskId, action, ct, reason, reviewed: latest?.ReviewedAt is not null);
        if (latest is not { } evidence)
            throw new RuleViolationException("review.no_evidence", "该任务没有可审核的佐证材料");
        var adjustment = review.Decision == ReviewDecision.Approve ? review.Adjustment : 0m;
        if (review.Decision == ReviewDecision.Approve && TaskScoring.ReviewRefusal(adjustment, task.PossiblePoints, reason) is { } refusal)
            throw new RuleViolationException("review.adjustment_refused", refusal);

        await tasks.InTransactionAsync(async (conn, tx) =>
        {
            if (!await TaskStore.JudgeAsync(conn, tx, taskId, expectedVersion, to,
                    review.Decision == ReviewDecision.Approve ? ReviewStatuses.Approved : null, now, ct))
                throw new ConflictException("task.version_conflict", "任务已被他人修改，请刷新后重试");
            await EvidenceStore.ReviewAsync(conn, tx, new EvidenceReview(evidence.Id, now, actor, actorMemberId, DbNames.Of(review.Decision),
                adjustment, reason), ct);

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
            return true;
        }, ct);
        await cache.InvalidateAsync();
        return (await reader.GetAsync(taskId, ct))!;
    }

    /// <summary>
    /// The ledger entries of a passed submission: the org's points (less the late deduction), one
    /// attendance entry per member present, and, when the task had been marked overdue, the reversal of
    /// each overdue deduction not yet reversed (lateness already cost the late deduction).
    /// </summary>
    private static async Task BookCompletionAsync(DbConnection conn, DbTransaction tx, TaskSnapshot task, JudgmentResult judged,
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
        var task = await reader.GetAsync(taskId, ct) ?? throw new NotFoundException($"任务 {taskId} 不存在");
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
