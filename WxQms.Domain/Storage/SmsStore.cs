using System.Data.Common;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Model.Reminders;

namespace WxQms.Domain.Storage;

/// <summary>An SMS about to be sent for a reminder: its number (+86…), template, parameters (JSON) and their hash.</summary>
public sealed record NewSms(string ClientRef, long ReminderId, string Phone, string Kind, long? OrgId, string TemplateId,
    string Params, string ContentHash);

/// <summary>A recorded SMS: when it was last attempted and the provider's answer (none: in doubt).</summary>
public sealed record SmsRecord(long Id, DateTime AttemptedAt, string? Code, string? SerialNo);

/// <summary>What the number has had lately, for the provider's limits: counts of accepted or in-doubt sends.</summary>
public sealed record SmsRecent(DateTime? IdenticalAt, long LastHour, DateTime? OldestInHour, long Today);

/// <summary>A month's accepted SMS of one kind and org: how many and their billing units.</summary>
public sealed record SmsUsage(string Kind, long? OrgId, string? OrgName, long Messages, long Units);

/// <summary>
/// The SMS tables: <c>sms_messages</c> (one per reminder sent by SMS), <c>sms_replies</c> and <c>sms_opt_outs</c>.
/// A send is checked against the number's limits and recorded under a named lock per number, so two senders
/// never both pass the last free place.
/// </summary>
public sealed class SmsStore(MySqlDataSource db)
{
    public async Task<SmsRecord?> FindAsync(string clientRef, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<SmsRecord>(new CommandDefinition("""
            SELECT id AS Id, attempted_at AS AttemptedAt, code AS Code, serial_no AS SerialNo FROM sms_messages WHERE client_ref = @clientRef
            """, new { clientRef }, cancellationToken: ct));
    }

    /// <summary>
    /// Under the number's lock: reads what it had lately (<paramref name="dayStart"/>: today's local midnight) and,
    /// when <paramref name="allow"/> says so, records the attempt (a new row, or the row of a send in doubt sent again).
    /// Returns the row's id, or null and what the number had when it is over a limit.
    /// </summary>
    public async Task<(long? Id, SmsRecent Recent)> TryBeginAsync(NewSms sms, DateTimeOffset now, DateTimeOffset dayStart,
        Func<SmsRecent, bool> allow, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var lockName = "wxqms-sms:" + sms.Phone;
        if (await conn.ExecuteScalarAsync<int?>(new CommandDefinition("SELECT GET_LOCK(@lockName, 10)", new { lockName }, cancellationToken: ct)) != 1)
            throw new TimeoutException("another sender holds the number's lock");
        try
        {
            var recent = await conn.QuerySingleAsync<SmsRecent>(new CommandDefinition("""
                SELECT MAX(CASE WHEN content_hash = @ContentHash AND attempted_at > @thirty THEN attempted_at END) AS IdenticalAt,
                       COUNT(CASE WHEN attempted_at > @hour THEN 1 END) AS LastHour,
                       MIN(CASE WHEN attempted_at > @hour THEN attempted_at END) AS OldestInHour,
                       COUNT(CASE WHEN attempted_at >= @dayStart THEN 1 END) AS Today
                FROM sms_messages
                WHERE phone = @Phone AND attempted_at >= LEAST(@dayStart, @hour) AND client_ref <> @ClientRef
                  AND (code IS NULL OR code = 'Ok')
                """, new
            {
                sms.ContentHash, sms.Phone, sms.ClientRef, thirty = now.AddSeconds(-30).UtcDateTime, hour = now.AddHours(-1).UtcDateTime,
                dayStart = dayStart.UtcDateTime,
            }, cancellationToken: ct));
            if (!allow(recent))
                return (null, recent);
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO sms_messages (client_ref, reminder_id, phone, kind, org_id, template_id, params, content_hash, attempted_at, created_at)
                VALUES (@ClientRef, @ReminderId, @Phone, @Kind, @OrgId, @TemplateId, @Params, @ContentHash, @now, @now)
                ON DUPLICATE KEY UPDATE attempted_at = @now, code = NULL, message = NULL, serial_no = NULL, phone = @Phone,
                    template_id = @TemplateId, params = @Params, content_hash = @ContentHash
                """, new
            {
                sms.ClientRef, sms.ReminderId, sms.Phone, sms.Kind, sms.OrgId, sms.TemplateId, sms.Params, sms.ContentHash,
                now = now.UtcDateTime,
            }, cancellationToken: ct));
            var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition("SELECT id FROM sms_messages WHERE client_ref = @ClientRef",
                new { sms.ClientRef }, cancellationToken: ct));
            return (id, recent);
        }
        finally
        {
            await conn.ExecuteAsync(new CommandDefinition("SELECT RELEASE_LOCK(@lockName)", new { lockName }, cancellationToken: CancellationToken.None));
        }
    }

    /// <summary>The provider refused it: its code and message, so it no longer counts against the number.</summary>
    public async Task RecordRefusalAsync(long id, string code, string message, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("UPDATE sms_messages SET code = @code, message = @message WHERE id = @id",
            new { id, code, message = Clip(message, 255) }, cancellationToken: ct));
    }

    /// <summary>The provider accepted it: its answer and the reminder sent by SMS, in one transaction.</summary>
    public async Task MarkSentAsync(long reminderId, long smsId, string serialNo, int fee, DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE sms_messages SET code = 'Ok', message = 'send success', serial_no = @serialNo, fee = @fee WHERE id = @smsId
            """, new { smsId, serialNo, fee }, tx, cancellationToken: ct));
        var changed = await MarkReminderSentAsync(conn, tx, reminderId, now, ct);
        await tx.CommitAsync(ct);
        if (changed == 1)
            WxQms.Domain.Hosting.WxQmsTelemetry.ReminderReached("sent", DbNames.Of(ReminderChannel.Sms));
    }

    /// <summary>An SMS that went alongside the WeChat message was accepted: the message's answer, the reminder left as it is.</summary>
    public async Task RecordAcceptedAsync(long smsId, string serialNo, int fee, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE sms_messages SET code = 'Ok', message = 'send success', serial_no = @serialNo, fee = @fee WHERE id = @smsId
            """, new { smsId, serialNo, fee }, cancellationToken: ct));
    }

    /// <summary>The reminder reached her by an SMS already recorded as accepted.</summary>
    public async Task MarkReminderSentAsync(long reminderId, DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var changed = await MarkReminderSentAsync(conn, tx, reminderId, now, ct);
        await tx.CommitAsync(ct);
        if (changed == 1)
            WxQms.Domain.Hosting.WxQmsTelemetry.ReminderReached("sent", DbNames.Of(ReminderChannel.Sms));
    }

    /// <summary>Marks the reminder sent by SMS, and the reminders a digest it leads carries with it; 1 when it changed.</summary>
    private static async Task<int> MarkReminderSentAsync(DbConnection conn, DbTransaction tx, long reminderId, DateTimeOffset now, CancellationToken ct)
    {
        var changed = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE reminders SET status = 'sent', channel = @channel, sent_at = @now, last_error = NULL,
                locked_by = NULL, locked_until = NULL, updated_at = @now
            WHERE id = @reminderId AND status IN ('sending', 'pending')
            """, new { reminderId, channel = DbNames.Of(ReminderChannel.Sms), now = now.UtcDateTime }, tx, cancellationToken: ct));
        await OutboxStore.FollowDigestAsync(conn, tx, reminderId, ct);
        return changed;
    }

    /// <summary>
    /// A receipt: the message's report, and its reminder marked delivered, or failed with the provider's code. False when
    /// no message of ours has that serial number and number.
    /// </summary>
    public async Task<bool> ApplyReceiptAsync(string serialNo, string phone, bool delivered, string code, string? description,
        DateTimeOffset reportedAt, DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var reminderId = await conn.QuerySingleOrDefaultAsync<long?>(new CommandDefinition("""
            SELECT reminder_id FROM sms_messages WHERE serial_no = @serialNo AND phone = @phone FOR UPDATE
            """, new { serialNo, phone }, tx, cancellationToken: ct));
        if (reminderId is null)
            return false;
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE sms_messages SET report_status = @status, report_code = @code, reported_at = @reportedAt WHERE serial_no = @serialNo
            """, new { serialNo, status = delivered ? "SUCCESS" : "FAIL", code = Clip(code, 64), reportedAt = reportedAt.UtcDateTime }, tx,
            cancellationToken: ct));
        if (delivered)
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE reminders SET delivered_at = @reportedAt, updated_at = @now WHERE id = @reminderId AND channel = 'sms'
                """, new { reminderId, reportedAt = reportedAt.UtcDateTime, now = now.UtcDateTime }, tx, cancellationToken: ct));
        else
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE reminders SET status = 'failed', last_error = @error, updated_at = @now WHERE id = @reminderId AND channel = 'sms'
                """, new { reminderId, error = Clip($"短信未送达（{code} {description}）", 500), now = now.UtcDateTime }, tx,
                cancellationToken: ct));
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>A reply from a number; an opt-out also records the number as opted out (once, the first reply kept).</summary>
    public async Task RecordReplyAsync(string phone, string content, bool optOut, DateTimeOffset receivedAt, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO sms_replies (phone, content, opt_out, received_at) VALUES (@phone, @content, @optOut, @at)
            """, new { phone, content = Clip(content, 500), optOut, at = receivedAt.UtcDateTime }, tx, cancellationToken: ct));
        if (optOut)
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT IGNORE INTO sms_opt_outs (phone, reply_id, opted_out_at) VALUES (@phone, LAST_INSERT_ID(), @at)
                """, new { phone, at = receivedAt.UtcDateTime }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    /// <summary>Billing units of the SMS the provider accepted in [from, to).</summary>
    public async Task<long> UnitsAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            SELECT CAST(COALESCE(SUM(fee), 0) AS SIGNED) FROM sms_messages WHERE code = 'Ok' AND attempted_at >= @from AND attempted_at < @to
            """, new { from = from.UtcDateTime, to = to.UtcDateTime }, cancellationToken: ct));
    }

    /// <summary>The SMS the provider accepted in [from, to) by kind and org, most units first.</summary>
    public async Task<IReadOnlyList<SmsUsage>> UsageAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<SmsUsage>(new CommandDefinition("""
            SELECT s.kind AS Kind, s.org_id AS OrgId, o.name AS OrgName, COUNT(*) AS Messages,
                   CAST(COALESCE(SUM(s.fee), 0) AS SIGNED) AS Units
            FROM sms_messages s LEFT JOIN orgs o ON o.id = s.org_id
            WHERE s.code = 'Ok' AND s.attempted_at >= @from AND s.attempted_at < @to
            GROUP BY s.kind, s.org_id, o.name
            ORDER BY Units DESC, o.name, s.kind
            """, new { from = from.UtcDateTime, to = to.UtcDateTime }, cancellationToken: ct))).ToList();
    }

    /// <summary>
    /// Queues the budget warning to every office staff member (one per staff member and month: the outbox's unique key);
    /// returns how many were queued now.
    /// </summary>
    public async Task<int> WarnOfficeAsync(long monthId, (IReadOnlyDictionary<string, string> Oa, IReadOnlyDictionary<string, string> Mp) data,
        DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var staff = await conn.QueryAsync<(long MemberId, long OrgId)>(new CommandDefinition("""
            SELECT DISTINCT r.member_id, r.org_id FROM member_roles r JOIN members m ON m.id = r.member_id
            WHERE r.role = 'staff' AND m.status IN ('full', 'probationary') ORDER BY r.member_id
            """, transaction: tx, cancellationToken: ct));
        var queued = 0;
        foreach (var (memberId, orgId) in staff)
            if (await OutboxStore.EnqueueAsync(conn, tx, new Notice(BudgetSubject, monthId, BudgetKind, orgId, memberId, null,
                    "taskWarning", data.Oa, data.Mp, "pages/tasks/index"), now, ct))
                queued++;
        await tx.CommitAsync(ct);
        return queued;
    }

    /// <summary>The outbox's subject of the office's budget warning (its id: the month, 202612).</summary>
    public const string BudgetSubject = "sms_budget";

    /// <summary>The budget warning's kind in the outbox.</summary>
    public const string BudgetKind = "budget";

    /// <summary>When the number opted out (its first 「TD」), or null.</summary>
    public async Task<DateTime?> OptedOutAtAsync(string phone, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<DateTime?>(new CommandDefinition("SELECT opted_out_at FROM sms_opt_outs WHERE phone = @phone",
            new { phone }, cancellationToken: ct));
    }

    public async Task<bool> IsOptedOutAsync(string phone, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<int>(new CommandDefinition("SELECT COUNT(*) FROM sms_opt_outs WHERE phone = @phone",
            new { phone }, cancellationToken: ct)) > 0;
    }

    /// <summary>The member's mobile number as stored on her record, or null.</summary>
    public async Task<string?> MemberPhoneAsync(long memberId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<string?>(new CommandDefinition("SELECT phone FROM members WHERE id = @memberId",
            new { memberId }, cancellationToken: ct));
    }

    private static string Clip(string s, int max) => s.Length > max ? s[..max] : s;
}
