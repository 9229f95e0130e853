using Dapper;
using MySqlConnector;

namespace WxQms.Domain.Storage;

/// <summary>The states of a console sign-in scene once scanned.</summary>
public static class ConsoleSignInStates
{
    public const string Scanned = "scanned";
    public const string Confirmed = "confirmed";
    public const string Spent = "spent";
}

/// <summary>A scanned console sign-in scene: who scanned it and how far it got.</summary>
public sealed record ConsoleSignIn(string Scene, string AppId, string OpenId, long MemberId, string State, DateTimeOffset ExpiresAt);

/// <summary>
/// Scan-to-sign-in scenes of the console (<c>console_sign_ins</c>), in MySQL so that the Api instance that answers
/// WeChat's callback and the one the waiting page polls need not be the same. Every change is one conditional
/// UPDATE, so a confirmation and a spend happen once however many requests race.
/// </summary>
public sealed class ConsoleSignInStore(MySqlDataSource db)
{
    private const string Columns =
        "scene AS Scene, app_id AS AppId, openid AS OpenId, member_id AS MemberId, state AS State, expires_at AS ExpiresAt";

    private sealed record Row(string Scene, string AppId, string OpenId, long MemberId, string State, DateTime ExpiresAt)
    {
        public ConsoleSignIn ToSignIn() => new(Scene, AppId, OpenId, MemberId, State, DbTime.Utc(ExpiresAt));
    }

    public async Task<ConsoleSignIn?> GetAsync(string scene, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM console_sign_ins WHERE scene = @scene", new { scene }, cancellationToken: ct)))?.ToSignIn();
    }

    /// <summary>
    /// Records a scan by a member; a scene scanned before and not yet confirmed passes to the latest scanner. False when
    /// the scene is already confirmed or spent.
    /// </summary>
    public async Task<bool> ScanAsync(string scene, string appId, string openId, long memberId, DateTimeOffset now, DateTimeOffset expiresAt,
        CancellationToken ct)
    {
        const string sql = """
            INSERT INTO console_sign_ins (scene, app_id, openid, member_id, state, scanned_at, expires_at)
            VALUES (@scene, @appId, @openId, @memberId, @scanned, @now, @expiresAt)
            ON DUPLICATE KEY UPDATE
                app_id = IF(state = @scanned, VALUES(app_id), app_id),
                openid = IF(state = @scanned, VALUES(openid), openid),
                member_id = IF(state = @scanned, VALUES(member_id), member_id),
                scanned_at = IF(state = @scanned, VALUES(scanned_at), scanned_at)
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(sql, new
        {
            scene, appId, openId, memberId, scanned = ConsoleSignInStates.Scanned, now = now.UtcDateTime, expiresAt = expiresAt.UtcDateTime,
        }, cancellationToken: ct));
        var row = await conn.QuerySingleAsync<(string State, string OpenId)>(new CommandDefinition(
            "SELECT state, openid FROM console_sign_ins WHERE scene = @scene", new { scene }, cancellationToken: ct));
        return row.State == ConsoleSignInStates.Scanned && row.OpenId == openId;
    }

    /// <summary>The scanner's confirmation: only the one who scanned it last, only while it lives, only once.</summary>
    public async Task<bool> ConfirmAsync(string scene, string appId, string openId, DateTimeOffset now, CancellationToken ct)
    {
        const string sql = """
            UPDATE console_sign_ins SET state = @confirmed, confirmed_at = @now
            WHERE scene = @scene AND app_id = @appId AND openid = @openId AND state = @scanned AND expires_at > @now
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition(sql, new
        {
            scene, appId, openId, now = now.UtcDateTime, confirmed = ConsoleSignInStates.Confirmed, scanned = ConsoleSignInStates.Scanned,
        }, cancellationToken: ct)) == 1;
    }

    /// <summary>The waiting page takes a confirmed scene's member and WeChat user, once; null when it is not confirmed, spent or expired.</summary>
    public async Task<(long MemberId, long WechatUserId)?> SpendAsync(string scene, DateTimeOffset now, CancellationToken ct)
    {
        const string sql = """
            UPDATE console_sign_ins SET state = @spent, spent_at = @now
            WHERE scene = @scene AND state = @confirmed AND expires_at > @now
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var spent = await conn.ExecuteAsync(new CommandDefinition(sql, new
        {
            scene, now = now.UtcDateTime, spent = ConsoleSignInStates.Spent, confirmed = ConsoleSignInStates.Confirmed,
        }, cancellationToken: ct));
        if (spent != 1)
            return null;
        const string who = """
            SELECT s.member_id, w.id FROM console_sign_ins s JOIN wechat_users w ON w.app_id = s.app_id AND w.openid = s.openid
            WHERE s.scene = @scene
            """;
        return await conn.QuerySingleOrDefaultAsync<(long, long)?>(new CommandDefinition(who, new { scene }, cancellationToken: ct));
    }
}
