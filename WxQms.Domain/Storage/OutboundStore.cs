using Dapper;
using MySqlConnector;

namespace WxQms.Domain.Storage;

public sealed record NewOutbound(string AppId, string Kind, string ToOpenId, string? TemplateId, string ClientMsgId, string Body);

/// <summary>Messages we sent through WeChat, and what became of them.</summary>
public sealed class OutboundStore(MySqlDataSource db)
{
    private const int DuplicateKey = 1062;

    /// <summary>Records the intent to send before calling WeChat; false when this client_msg_id was recorded before.</summary>
    public async Task<(long Id, bool IsNew)> RecordAsync(NewOutbound m, DateTimeOffset now, CancellationToken ct)
    {
        const string insert = """
            INSERT INTO wechat_outbound (app_id, kind, to_openid, template_id, client_msg_id, body, created_at)
            VALUES (@AppId, @Kind, @ToOpenId, @TemplateId, @ClientMsgId, @Body, @Now);
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

    public async Task<(long? MsgId, string? DeliveryStatus)> GetAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleAsync<(long?, string?)>(new CommandDefinition(
            "SELECT msgid, delivery_status FROM wechat_outbound WHERE id = @id", new { id }, cancellationToken: ct));
    }
}
