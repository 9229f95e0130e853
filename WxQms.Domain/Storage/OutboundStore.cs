using Dapper;
using MySqlConnector;

namespace WxQms.Domain.Storage;

/// <summary>A recorded send: <see cref="ErrCode"/> null while its latest attempt has no answer.</summary>
public sealed record OutboundAttempt(long Id, int? ErrCode, long? MsgId, DateTimeOffset AttemptedAt);

public sealed record NewOutbound(string AppId, string Kind, string ToOpenId, string? TemplateId, string ClientMsgId, string Body);

/// <summary>Messages we sent through WeChat, and what became of them.</summary>
public sealed class OutboundStore(MySqlDataSource db)
{
    private const int DuplicateKey = 1062;

    /// <summary>Records the intent to send before calling WeChat; false when this client_msg_id was recorded before.</summary>
    public async Task<(long Id, bool IsNew)> RecordAsync(NewOutbound m, DateTimeOffset now, CancellationToken ct)
    {
        const string insert = """
            INSERT INTO wechat_outbound (app_id, kind, to_openid, template_id, client_msg_id, body, created_at, attempted_at)
            VALUES (@AppId, @Kind, @ToOpenId, @TemplateId, @ClientMsgId, @Body, @Now, @Now);
            SELECT LAST_INSERT_ID();
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        try
        {
            return (await conn.ExecuteScalarAsync<long>(new CommandDefinition(insert, new
            {
                m.AppId, m.Kind, m.ToOpenId, m.TemplateId, m.ClientMsgId, m.Body, Now = now.UtcDateTime,
            }, cancellationToken: ct)), true);
        }
        catch (MySqlException ex) when (ex.Number == DuplicateKey)
        {
            return (await conn.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT id FROM wechat_outbound WHERE app_id = @AppId AND client_msg_id = @ClientMsgId", m,
                cancellationToken: ct)), false);
        }
    }

    public async Task RecordResultAsync(long id, long? msgId, int errCode, string? errMsg, DateTimeOffset now, CancellationToken ct)
    {
        const string sql = """
            UPDATE wechat_outbound SET msgid = @msgId, errcode = @errCode, errmsg = @errMsg, sent_at = @now WHERE id = @id
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(sql, new
        {
            id, msgId, errCode, errMsg = errMsg is { Length: > 500 } ? errMsg[..500] : errMsg, now = now.UtcDateTime,
        }, cancellationToken: ct));
    }

    /// <summary>A send recorded before, tried again: its answer is unknown until this attempt records one.</summary>
    public async Task BeginAttemptAsync(long id, DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE wechat_outbound SET errcode = NULL, errmsg = NULL, attempted_at = @now WHERE id = @id",
            new { id, now = now.UtcDateTime }, cancellationToken: ct));
    }

    /// <summary>What we know of a send recorded under this client_msg_id; ErrCode null means no answer was recorded.</summary>
    public async Task<OutboundAttempt?> FindAsync(string appId, string clientMsgId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<(long Id, int? ErrCode, long? MsgId, DateTime? AttemptedAt, DateTime CreatedAt)>(
            new CommandDefinition("""
                SELECT id, errcode, msgid, attempted_at, created_at FROM wechat_outbound
                WHERE app_id = @appId AND client_msg_id = @clientMsgId
                """, new { appId, clientMsgId }, cancellationToken: ct));
        return row.Id == 0
            ? null
            : new OutboundAttempt(row.Id, row.ErrCode, row.MsgId,
                DbTime.Utc(row.AttemptedAt ?? row.CreatedAt));
    }

    /// <summary>
    /// Takes the oldest unclaimed delivery report for this user (and template, when the report names
    /// one) that arrived since <paramref name="since"/> and matches no msgid we recorded: it is the
    /// report of the in-doubt send <paramref name="outboundId"/>, whose answer its worker never recorded.
    /// </summary>
    public async Task<(long? MsgId, string Status)?> AdoptOrphanAsync(string appId, string openId, string templateId,
        DateTimeOffset since, long outboundId, DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var orphan = await conn.QuerySingleOrDefaultAsync<(long Id, long? MsgId, string Status)>(new CommandDefinition("""
            SELECT o.id, o.msgid, o.status FROM wechat_delivery_orphans o
            WHERE o.app_id = @appId AND o.openid = @openId AND o.adopted_by IS NULL AND o.received_at >= @since
              AND (o.template_id IS NULL OR o.template_id = @templateId)
              AND (o.msgid IS NULL OR NOT EXISTS (
                    SELECT 1 FROM wechat_outbound w WHERE w.app_id = o.app_id AND w.msgid = o.msgid))
            ORDER BY o.received_at, o.id
            LIMIT 1
            FOR UPDATE
            """, new { appId, openId, templateId, since = since.UtcDateTime }, tx, cancellationToken: ct));
        if (orphan.Id == 0)
            return null;
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE wechat_delivery_orphans SET adopted_by = @outboundId WHERE id = @Id",
            new { orphan.Id, outboundId }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE wechat_outbound SET msgid = COALESCE(@MsgId, msgid), errcode = 0, errmsg = 'ok (from the delivery report)',
                delivery_status = @Status, delivered_at = @now, sent_at = COALESCE(sent_at, @now)
            WHERE id = @outboundId
            """, new { orphan.MsgId, orphan.Status, outboundId, now = now.UtcDateTime }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return (orphan.MsgId, orphan.Status);
    }

    /// <summary>TEMPLATESENDJOBFINISH: "success", "failed:user block", "failed: system failed".</summary>
    public async Task<bool> RecordDeliveryAsync(string appId, long msgId, string status, DateTimeOffset at, CancellationToken ct)
    {
        const string sql = """
            UPDATE wechat_outbound SET delivery_status = @status, delivered_at = @at
            WHERE app_id = @appId AND msgid = @msgId
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition(sql, new
        {
            appId, msgId, status = status.Length > 64 ? status[..64] : status, at = at.UtcDateTime,
        }, cancellationToken: ct)) > 0;
    }

    /// <summary>
    /// subscribe_msg_sent_event: subscribe/send answers without a msgid, so the report goes to the oldest
    /// accepted send of that template to that user that has no report yet. False when there is none.
    /// </summary>
    public async Task<bool> RecordSubscribeDeliveryAsync(string appId, string openId, string templateId, long? msgId, string status,
        DateTimeOffset at, CancellationToken ct)
    {
        const string sql = """
            UPDATE wechat_outbound SET delivery_status = @status, delivered_at = @at, msgid = COALESCE(msgid, @msgId)
            WHERE app_id = @appId AND to_openid = @openId AND template_id = @templateId AND kind = 'subscribe'
              AND errcode = 0 AND delivery_status IS NULL AND created_at <= @at
            ORDER BY created_at, id
            LIMIT 1
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition(sql, new
        {
            appId, openId, templateId, msgId, status = status.Length > 64 ? status[..64] : status, at = at.UtcDateTime,
        }, cancellationToken: ct)) > 0;
    }

    /// <summary>
    /// A delivery report that matches no send with a recorded answer: the trace of a send whose worker
    /// died after WeChat accepted it. The reminder sender adopts it instead of sending again.
    /// </summary>
    public async Task RecordOrphanAsync(string appId, string openId, long? msgId, string? templateId, string status,
        DateTimeOffset at, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO wechat_delivery_orphans (app_id, openid, msgid, template_id, status, received_at)
            VALUES (@appId, @openId, @msgId, @templateId, @status, @at)
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(sql, new
        {
            appId, openId, msgId, templateId, status = status.Length > 64 ? status[..64] : status, at = at.UtcDateTime,
        }, cancellationToken: ct));
    }

    public async Task<(long? MsgId, string? DeliveryStatus)> GetAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleAsync<(long?, string?)>(new CommandDefinition(
            "SELECT msgid, delivery_status FROM wechat_outbound WHERE id = @id", new { id }, cancellationToken: ct));
    }
}
