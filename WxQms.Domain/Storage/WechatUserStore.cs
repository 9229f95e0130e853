using Dapper;
using MySqlConnector;

namespace WxQms.Domain.Storage;

/// <summary>The WeChat identities WxQms has seen: one row per (app, openid).</summary>
public sealed class WechatUserStore(MySqlDataSource db)
{
    public async Task SetSubscribedAsync(string appId, string openId, bool subscribed, DateTimeOffset now, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO wechat_users (app_id, openid, subscribed, created_at, updated_at)
            VALUES (@appId, @openId, @subscribed, @now, @now)
            ON DUPLICATE KEY UPDATE subscribed = VALUES(subscribed), updated_at = VALUES(updated_at)
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(sql, new { appId, openId, subscribed, now = now.UtcDateTime },
            cancellationToken: ct));
    }

    public async Task<bool?> IsSubscribedAsync(string appId, string openId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<bool?>(new CommandDefinition(
            "SELECT subscribed FROM wechat_users WHERE app_id = @appId AND openid = @openId", new { appId, openId },
            cancellationToken: ct));
    }
}
