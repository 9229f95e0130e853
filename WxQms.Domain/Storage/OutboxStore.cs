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
    long? OrgId = null,
    long? DigestId = null);

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
        DateTime? DueAt, DateTime? PlannedFor, string? Place, string? TemplateKey, string? Content, long? MemberId, long? OrgId,
        long? DigestId);

    private sealed record Due(long Id, string SubjectType, string Kind, long? MemberId);

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
        // Claims take turns (a few milliseconds each), so two senders never split one person's digest between them; one that
        // waits too long claims anyway, as before, and at worst that person gets two digests.
        await conn.ExecuteScalarAsync<int?>(new CommandDefinition("SELECT GET_LOCK('wxqms.reminder-claim', 5)", cancellationToken: ct));
        try
        {
            return await ClaimHeldAsync(conn, owner, now, lease, batch, oaAppId, mpAppId, ct);
        }
        finally
        {
            await conn.ExecuteAsync(new CommandDefinition("DO RELEASE_LOCK('wxqms.reminder-claim')", cancellationToken: CancellationToken.None));
        }
    }

    private static async Task<IReadOnlyList<ClaimedReminder>> ClaimHeldAsync(MySqlConnection conn, string owner, DateTimeOffset now,
        TimeSpan lease, int batch, string oaAppId, string mpAppId, CancellationToken ct)
    {
        long[] ids;
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            var stale = (await conn.QueryAsync<long>(new CommandDefinition("""
                SELECT id FROM reminders WHERE status = 'sending' AND locked_until <= @now AND failures < @maxFailures
                ORDER BY locked_until LIMIT @batch FOR UPDATE SKIP LOCKED
                """, new { now = now.UtcDateTime, batch, maxFailures = MaxFailures }, tx, cancellationToken: ct))).ToList();
            // The most urgent first (urgency: warnings, then the members' T−1, then the rest), oldest first within each.
            var due = new List<Due>();
            for (var urgency = 0; urgency <= 2 && stale.Count + due.Count < batch; urgency++)
                due.AddRange(await conn.QueryAsync<Due>(new CommandDefinition("""
                    SELECT id AS Id, subject_type AS SubjectType, kind AS Kind, member_id AS MemberId FROM reminders
                    WHERE status = 'pending' AND urgency = @urgency AND due_at <= @now AND failures < @maxFailures
                    ORDER BY due_at, id LIMIT @rest FOR UPDATE SKIP LOCKED
                    """, new { urgency, now = now.UtcDateTime, rest = batch - stale.Count - due.Count, maxFailures = MaxFailures }, tx,
                    cancellationToken: ct)));
            // A digest holds every due reminder of its kind to its person: the claim takes their other due rows of that kind too.
            var digestible = due.Where(d => d.SubjectType == TaskSubject && d.MemberId is not null
                                            && ReminderDigest.Digests(DbNames.Parse<ReminderKind>(d.Kind))).ToList();
            var siblings = digestible.Count == 0
                ? []
                : (await conn.QueryAsync<long>(new CommandDefinition("""
                    SELECT id FROM reminders
                    WHERE member_id IN @members AND kind IN @kinds AND status = 'pending' AND subject_type = 'task' AND due_at <= @now
                      AND failures < @maxFailures AND digest_id IS NULL AND id NOT IN @taken
                    ORDER BY id LIMIT @limit FOR UPDATE SKIP LOCKED
                    """, new
                {
                    members = digestible.Select(d => d.MemberId).Distinct().ToArray(), kinds = digestible.Select(d => d.Kind).Distinct().ToArray(),
                    now = now.UtcDateTime, maxFailures = MaxFailures, taken = due.Select(d => d.Id).ToArray(), limit = batch * 4,
                }, tx, cancellationToken: ct))).ToList();
            ids = [.. stale, .. due.Select(d => d.Id), .. siblings];
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
                   t.place AS Place, r.template_key AS TemplateKey, r.content AS Content, r.member_id AS MemberId, r.org_id AS OrgId, r.digest_id AS DigestId
            FROM reminders r
            LEFT JOIN tasks t ON t.id = r.task_id
            LEFT JOIN orgs o ON o.id = t.org_id
            LEFT JOIN adhoc_tasks a ON a.id = t.adhoc_task_id
            WHERE r.id IN @ids
            ORDER BY r.urgency, r.due_at, r.id
            """, new { ids, oaAppId, mpAppId }, cancellationToken: ct));
        return rows.Select(r => new ClaimedReminder(r.Id, r.SubjectType, r.SubjectId, r.Kind, r.Attempts, r.OaOpenId, r.MpOpenId,
            r.TaskId is { } taskId && r.SubjectType == TaskSubject
                ? new ClaimedTask(taskId, DbNames.Parse<ReminderKind>(r.Kind), r.TaskState!, r.TemplateCode!, r.TemplateVersion!.Value,
                    r.AdhocTitle, r.OrgName!, Utc(r.OpensAt!.Value), Utc(r.DueAt!.Value), r.PlannedFor is { } p ? Utc(p) : null, r.Place)
                : null,
            r.TemplateKey, r.Content, r.MemberId, r.OrgId, r.DigestId)).ToList();
    }

    /// <summary>
    /// Makes the held rows <paramref name="ids"/> one digest carried by <paramref name="leadId"/> (one of them): each names it, and the
    /// others leave the claim (no lease: no sender takes them alone) and follow the carrier's outcome. False, and nothing changed,
    /// when this sender no longer holds all of them.
    /// </summary>
    public async Task<bool> FormDigestAsync(long leadId, IReadOnlyCollection<long> ids, string owner, DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var held = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE reminders SET digest_id = @leadId, updated_at = @now
            WHERE id IN @ids AND locked_by = @owner AND status = 'sending' AND digest_id IS NULL
            """, new { leadId, ids, owner, now = now.UtcDateTime }, tx, cancellationToken: ct));
        if (held != ids.Count)
        {
            await tx.RollbackAsync(ct);
            return false;
        }
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE reminders SET locked_by = NULL, locked_until = NULL WHERE digest_id = @leadId AND id <> @leadId
            """, new { leadId }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>The tasks of every reminder in the digest <paramref name="leadId"/> carries, as they stand now, in reminder order.</summary>
    public async Task<IReadOnlyList<ClaimedTask>> DigestTasksAsync(long leadId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<Row>(new CommandDefinition("""
            SELECT r.id AS Id, r.subject_type AS SubjectType, r.subject_id AS SubjectId, r.kind AS Kind, r.attempts AS Attempts,
                   CAST(NULL AS CHAR) AS OaOpenId, CAST(NULL AS CHAR) AS MpOpenId, t.id AS TaskId, t.state AS TaskState, t.template_code AS TemplateCode,
                   t.template_version AS TemplateVersion, a.title AS AdhocTitle, o.name AS OrgName, t.opens_at AS OpensAt, t.due_at AS DueAt,
                   t.planned_for AS PlannedFor, t.place AS Place, r.template_key AS TemplateKey, r.content AS Content,
                   r.member_id AS MemberId, r.org_id AS OrgId, r.digest_id AS DigestId
            FROM reminders r
            JOIN tasks t ON t.id = r.task_id
            JOIN orgs o ON o.id = t.org_id
            LEFT JOIN adhoc_tasks a ON a.id = t.adhoc_task_id
            WHERE r.digest_id = @leadId
            ORDER BY r.id
            """, new { leadId }, cancellationToken: ct));
        return rows.Select(r => new ClaimedTask(r.TaskId!.Value, DbNames.Parse<ReminderKind>(r.Kind), r.TaskState!, r.TemplateCode!,
            r.TemplateVersion!.Value, r.AdhocTitle, r.OrgName!, Utc(r.OpensAt!.Value), Utc(r.DueAt!.Value),
            r.PlannedFor is { } p ? Utc(p) : null, r.Place)).ToList();
    }

    /// <summary>
    /// The rows of the digest <paramref name="leadId"/> carries take its outcome (sent, with its channel and send; failed …), in the
    /// caller's transaction, so no crash leaves them apart. While it is pending they stay out of every claim.
    /// </summary>
    public static Task FollowDigestAsync(DbConnection conn, DbTransaction tx, long leadId, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            UPDATE reminders m JOIN reminders l ON l.id = m.digest_id
            SET m.status = IF(l.status IN ('pending', 'sending'), 'sending', l.status), m.channel = l.channel, m.outbound_id = l.outbound_id,
                m.sent_at = l.sent_at, m.last_error = l.last_error, m.updated_at = l.updated_at
            WHERE m.digest_id = @leadId AND m.id <> @leadId AND m.status = 'sending'
            """, new { leadId }, tx, cancellationToken: ct));

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
        await FollowDigestAsync(conn, tx, id, ct);
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
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (await conn.ExecuteAsync(new CommandDefinition(sql, args, tx, cancellationToken: ct)) != 1)
            return false;
        await FollowDigestAsync(conn, tx, id, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    private static string? Clip(string? s) => s is { Length: > 500 } ? s[..500] : s;

    /// <summary>A reminder a sender failed on (or died holding) this often is no longer claimed.</summary>
    public const int MaxFailures = 5;
}
