using System.Data.Common;
using Dapper;
using System.Text.Json;
using MySqlConnector;
using WxQms.Domain.Wechat;
using WxQms.Domain.Model.Reminders;
using WxQms.Domain.Rules.Reminders;
using WxQms.Domain.Hosting;
using static WxQms.Domain.Storage.DbTime;

namespace WxQms.Domain.Storage;

/// <summary>The stored words of a notice: each app's template fields and the page both link to.</summary>
public sealed record NoticeContent(IReadOnlyDictionary<string, string> Oa, IReadOnlyDictionary<string, string> Mp, string Page);

/// <summary>
/// A notice a sender holds, with what it needs to word and address it: a task's reminder (worded from
/// <see cref="Task"/> when sent, so it says what is true then) or any other notice (a wish's), which
/// carries its rendered <see cref="Content"/>. The official-account openid is the recipient's own link, or
/// the follower who shares a unionid with the recipient's mini-program login (the same person in both apps).
/// </summary>
public sealed record ClaimedReminder(
    long Id,
    string SubjectType,
    long SubjectId,
    string Kind,
    int Attempts,
    string? OaOpenId,
    string? MpOpenId,
    ClaimedTask? Task,
    string? TemplateKey,
    string? Content,
    long? MemberId = null,
    long? OrgId = null);

/// <summary>The task behind a task reminder, as it stands when the reminder is sent.</summary>
public sealed record ClaimedTask(
    long TaskId,
    ReminderKind Kind,
    string State,
    string TemplateCode,
    int TemplateVersion,
    string? AdhocTitle,
    string OrgName,
    DateTimeOffset OpensAt,
    DateTimeOffset DueAt,
    DateTimeOffset? PlannedFor,
    string? Place);

/// <summary>
/// A notice for the outbox that is not a task reminder (a wish claimed, a review waiting): its subject,
/// kind (≤ 16 characters), recipient (a member, or a WeChat user without a member record), the org whose
/// people may list it, the template key (<c>Reminders:Templates</c>) and the fields for each app, checked
/// against WeChat's field rules when queued. One per (subject, kind, recipient): queuing it again is a no-op.
/// </summary>
public sealed record Notice(
    string SubjectType,
    long SubjectId,
    string Kind,
    long OrgId,
    long? MemberId,
    long? WechatUserId,
    string TemplateKey,
    IReadOnlyDictionary<string, string> OaData,
    IReadOnlyDictionary<string, string> MpData,
    string Page);

/// <summary>
/// The outbox: the rows of every notice (task reminders, wish notices) that the senders share. A claim moves due rows to <c>sending</c> under a lease in one
/// short transaction (SKIP LOCKED, so senders never wait for each other); every later change is
/// conditional on still holding that lease, so a sender whose lease ran out cannot overwrite the
/// sender that took the row over.
/// </summary>
public sealed class OutboxStore(MySqlDataSource db)
{
    private sealed record Row(long Id, string SubjectType, long SubjectId, string Kind, int Attempts, string? OaOpenId, string? MpOpenId,
        long? TaskId, string? TaskState, string? TemplateCode, int? TemplateVersion, string? AdhocTitle, string? OrgName, DateTime? OpensAt,
        DateTime? DueAt, DateTime? PlannedFor, string? Place, string? TemplateKey, string? Content, long? MemberId, long? OrgId);

    /// <summary>
    /// Due rows, and rows whose sender's lease ran out (it died or stalled), up to <paramref name="batch"/>.
    /// Two claims can still deadlock on the index entries the status change moves; InnoDB rolls one back,
    /// and that claim simply runs again.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedReminder>> ClaimAsync(string owner, DateTimeOffset now, TimeSpan lease, int batch,
        string oaAppId, string mpAppId, CancellationToken ct)
    {
        return await Deadlocks.RetryAsync(() => TryClaimAsync(owner, now, lease, batch, oaAppId, mpAppId, ct), ct);
    }

    private async Task<IReadOnlyList<ClaimedReminder>> TryClaimAsync(string owner, DateTimeOffset now, TimeSpan lease, int batch,
        string oaAppId, string mpAppId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        long[] ids;
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            var stale = (await conn.QueryAsync<long>(new CommandDefinition("""
                SELECT id FROM reminders WHERE status = 'sending' AND locked_until <= @now AND failures < @maxFailures
                ORDER BY locked_until LIMIT @batch FOR UPDATE SKIP LOCKED
                """, new { now = now.UtcDateTime, batch, maxFailures = MaxFailures }, tx, cancellationToken: ct))).ToList();
            var due = stale.Count >= batch
                ? []
                : (await conn.QueryAsync<long>(new CommandDefinition("""
                    SELECT id FROM reminders WHERE status = 'pending' AND due_at <= @now AND failures < @maxFailures
                    ORDER BY due_at, id LIMIT @rest FOR UPDATE SKIP LOCKED
                    """, new { now = now.UtcDateTime, rest = batch - stale.Count, maxFailures = MaxFailures }, tx, cancellationToken: ct))).ToList();
            ids = [.. stale, .. due];
            if (ids.Length == 0)
                return [];
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE reminders SET status = 'sending', locked_by = @owner, locked_until = @until, attempts = attempts + 1,
                    updated_at = @now
                WHERE id IN @ids
                """, new { ids, owner, until = (now + lease).UtcDateTime, now = now.UtcDateTime }, tx, cancellationToken: ct));
            // A lease that ran out: its sender died or stalled on it, which counts as a failure of the reminder.
            if (stale.Count > 0)
                await conn.ExecuteAsync(new CommandDefinition("UPDATE reminders SET failures = failures + 1 WHERE id IN @stale",
                    new { stale }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
        }

        var rows = await conn.QueryAsync<Row>(new CommandDefinition("""
            SELECT r.id AS Id, r.subject_type AS SubjectType, r.subject_id AS SubjectId, r.kind AS Kind, r.attempts AS Attempts,
                   COALESCE(
                     (SELECT w.openid FROM wechat_users w
                      WHERE w.app_id = @oaAppId AND w.subscribed
                        AND (w.member_id = r.member_id OR w.unionid IN (
                              SELECT u.unionid FROM wechat_users u WHERE u.member_id = r.member_id AND u.unionid IS NOT NULL))
                      ORDER BY w.member_id = r.member_id DESC, w.updated_at DESC, w.id DESC LIMIT 1),
                     (SELECT w.openid FROM wechat_users w JOIN wechat_users u ON u.id = r.wechat_user_id
                      WHERE w.app_id = @oaAppId AND w.subscribed AND (w.id = u.id OR w.unionid = u.unionid)
                      ORDER BY w.id = u.id DESC, w.id DESC LIMIT 1)) AS OaOpenId,
                   COALESCE(
                     (SELECT w.openid FROM wechat_users w WHERE w.app_id = @mpAppId AND w.member_id = r.member_id
                      ORDER BY w.updated_at DESC, w.id DESC LIMIT 1),
                     (SELECT w.openid FROM wechat_users w JOIN wechat_users u ON u.id = r.wechat_user_id
                      WHERE w.app_id = @mpAppId AND (w.id = u.id OR w.unionid = u.unionid)
                      ORDER BY w.id = u.id DESC, w.id DESC LIMIT 1)) AS MpOpenId,
                   t.id AS TaskId, t.state AS TaskState, t.template_code AS TemplateCode, t.template_version AS TemplateVersion,
                   a.title AS AdhocTitle, o.name AS OrgName, t.opens_at AS OpensAt, t.due_at AS DueAt, t.planned_for AS PlannedFor,
                   t.place AS Place, r.template_key AS TemplateKey, r.content AS Content, r.member_id AS MemberId, r.org_id AS OrgId
            FROM reminders r
            LEFT JOIN tasks t ON t.id = r.task_id
            LEFT JOIN orgs o ON o.id = t.org_id
            LEFT JOIN adhoc_tasks a ON a.id = t.adhoc_task_id
            WHERE r.id IN @ids
            ORDER BY r.due_at, r.id
            """, new { ids, oaAppId, mpAppId }, cancellationToken: ct));
        return rows.Select(r => new ClaimedReminder(r.Id, r.SubjectType, r.SubjectId, r.Kind, r.Attempts, r.OaOpenId, r.MpOpenId,
            r.TaskId is { } taskId && r.SubjectType == TaskSubject
                ? new ClaimedTask(taskId, DbNames.Parse<ReminderKind>(r.Kind), r.TaskState!, r.TemplateCode!, r.TemplateVersion!.Value,
                    r.AdhocTitle, r.OrgName!, Utc(r.OpensAt!.Value), Utc(r.DueAt!.Value), r.PlannedFor is { } p ? Utc(p) : null, r.Place)
                : null,
            r.TemplateKey, r.Content, r.MemberId, r.OrgId)).ToList();
    }

    /// <summary>Queues a notice in the caller's transaction (so it commits with the change it tells of); false when it was queued before.</summary>
    public static async Task<bool> EnqueueAsync(DbConnection conn, DbTransaction tx, Notice notice, DateTimeOffset now, CancellationToken ct)
    {
        if (notice.Kind.Length > 16 || notice.SubjectType == TaskSubject)
            throw new ArgumentException("a notice's kind is at most 16 characters, and task reminders come from the scanner", nameof(notice));
        if (notice.MemberId is null == notice.WechatUserId is null)
            throw new ArgumentException("a notice goes to a member or to a WeChat user", nameof(notice));
        if (TemplateFieldRules.Validate(notice.OaData).Concat(TemplateFieldRules.Validate(notice.MpData)).FirstOrDefault() is { } bad)
            throw new ArgumentException($"notice {notice.Kind}: {bad}", nameof(notice));
        var content = JsonSerializer.Serialize(new NoticeContent(notice.OaData, notice.MpData, notice.Page), JsonDefaults.Storage);
        try
        {
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO reminders (subject_type, subject_id, kind, member_id, wechat_user_id, recipient, org_id, status, due_at,
                                       template_key, content, created_at, updated_at)
                VALUES (@SubjectType, @SubjectId, @Kind, @MemberId, @WechatUserId, @recipient, @OrgId, 'pending', @dueAt,
                        @TemplateKey, @content, @now, @now)
                """, new
        {
            notice.SubjectType, notice.SubjectId, notice.Kind, notice.MemberId, notice.WechatUserId,
            recipient = notice.MemberId is { } m ? $"m:{m}" : $"u:{notice.WechatUserId}", notice.OrgId,
                dueAt = QuietHours.Defer(now).UtcDateTime, notice.TemplateKey, content, now = now.UtcDateTime,
            }, tx, cancellationToken: ct));
            return true;
        }
        catch (MySqlException ex) when (ex.ErrorCode == MySqlErrorCode.DuplicateKeyEntry)
        {
            return false; // queued before; the failed statement leaves the caller's transaction as it was
        }
    }

    public const string TaskSubject = "task";

    /// <summary>Extends the lease just before a send; false when another sender has taken the row over.</summary>
    public async Task<bool> RenewAsync(long id, string owner, DateTimeOffset now, TimeSpan lease, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE reminders SET locked_until = @until
            WHERE id = @id AND locked_by = @owner AND status = 'sending'
            """, new { id, owner, until = (now + lease).UtcDateTime }, cancellationToken: ct)) == 1;
    }

    /// <summary>
    /// WeChat accepted it: the send's answer and the reminder's new status commit together, so no crash
    /// can leave an accepted send looking unsent. Sent is the truth whoever holds the lease now.
    /// </summary>
    public async Task MarkSentAsync(long id, ReminderChannel channel, long outboundId, long? msgId, bool answerKnown,
        DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (!answerKnown)
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE wechat_outbound SET msgid = @msgId, errcode = 0, errmsg = 'ok', sent_at = @now WHERE id = @outboundId
                """, new { outboundId, msgId, now = now.UtcDateTime }, tx, cancellationToken: ct));
        var changed = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE reminders SET status = 'sent', channel = @channel, outbound_id = @outboundId, sent_at = @now, last_error = NULL,
                locked_by = NULL, locked_until = NULL, updated_at = @now
            WHERE id = @id AND status IN ('sending', 'pending')
            """, new { id, channel = DbNames.Of(channel), outboundId, now = now.UtcDateTime }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        if (changed == 1)
            WxQmsTelemetry.ReminderReached("sent", DbNames.Of(channel));
    }

    /// <summary>Back to pending until <paramref name="dueAt"/> (a retry, or a wait for a delivery report).</summary>
    public Task<bool> ReleaseAsync(long id, string owner, DateTimeOffset dueAt, string? error, DateTimeOffset now, CancellationToken ct) =>
        UpdateHeldAsync(id, owner, """
            UPDATE reminders SET status = 'pending', due_at = @dueAt, last_error = @error, locked_by = NULL, locked_until = NULL,
                updated_at = @now
            WHERE id = @id AND locked_by = @owner AND status = 'sending'
            """, new { id, owner, dueAt = dueAt.UtcDateTime, error = Clip(error), now = now.UtcDateTime }, ct);

    /// <summary>
    /// The sender failed on this reminder (an exception, not an answer from WeChat): counted, and due again at
    /// <paramref name="retryAt"/>, or failed for good once it failed <see cref="MaxFailures"/> times.
    /// </summary>
    public Task<bool> CountFailureAsync(long id, string owner, DateTimeOffset retryAt, string error, DateTimeOffset now, CancellationToken ct) =>
        UpdateHeldAsync(id, owner, """
            UPDATE reminders SET status = IF(failures + 1 >= @maxFailures, 'failed', 'pending'), failures = failures + 1,
                due_at = @retryAt, last_error = @error, locked_by = NULL, locked_until = NULL, updated_at = @now
            WHERE id = @id AND locked_by = @owner AND status = 'sending'
            """, new { id, owner, retryAt = retryAt.UtcDateTime, error = Clip(error), now = now.UtcDateTime, maxFailures = MaxFailures }, ct);

    /// <summary>A final outcome other than sent: failed, unreachable or cancelled, with the reason.</summary>
    public async Task<bool> FinishAsync(long id, string owner, ReminderStatus status, long? outboundId, string? reason, DateTimeOffset now,
        CancellationToken ct)
    {
        var finished = await UpdateHeldAsync(id, owner, """
            UPDATE reminders SET status = @status, outbound_id = COALESCE(@outboundId, outbound_id), last_error = @reason,
                locked_by = NULL, locked_until = NULL, updated_at = @now
            WHERE id = @id AND locked_by = @owner AND status = 'sending'
            """, new { id, owner, status = DbNames.Of(status), outboundId, reason = Clip(reason), now = now.UtcDateTime }, ct);
        if (finished)
            WxQmsTelemetry.ReminderReached(DbNames.Of(status), null);
        return finished;
    }

    /// <summary>
    /// Rescheduling moves the task's unsent reminders to their new times (never earlier than now) and
    /// drops the ones the new plan no longer has; sent ones stay sent, and the unique key keeps the
    /// scanner from writing them again.
    /// </summary>
    public static async Task MovePendingAsync(DbConnection conn, DbTransaction tx, long taskId,
        IReadOnlyList<ScheduledReminder> schedule, DateTimeOffset now, CancellationToken ct)
    {
        foreach (var kind in Enum.GetValues<ReminderKind>())
        {
            var scheduled = schedule.FirstOrDefault(s => s.Kind == kind);
            if (scheduled is null)
                await conn.ExecuteAsync(new CommandDefinition("""
                    UPDATE reminders SET status = 'cancelled', last_error = '计划变更，不再需要', updated_at = @now
                    WHERE task_id = @taskId AND kind = @kind AND status = 'pending'
                    """, new { taskId, kind = DbNames.Of(kind), now = now.UtcDateTime }, tx, cancellationToken: ct));
            else
                await conn.ExecuteAsync(new CommandDefinition("""
                    UPDATE reminders SET due_at = @dueAt, updated_at = @now
                    WHERE task_id = @taskId AND kind = @kind AND status = 'pending'
                    """, new
                {
                    taskId, kind = DbNames.Of(kind), now = now.UtcDateTime,
                    dueAt = QuietHours.Defer(scheduled.FireAt > now ? scheduled.FireAt : now).UtcDateTime,
                }, tx, cancellationToken: ct));
        }
    }

    private async Task<bool> UpdateHeldAsync(long id, string owner, string sql, object args, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition(sql, args, cancellationToken: ct)) == 1;
    }

    private static string? Clip(string? s) => s is { Length: > 500 } ? s[..500] : s;

    /// <summary>A reminder a sender failed on (or died holding) this often is no longer claimed.</summary>
    public const int MaxFailures = 5;
}
