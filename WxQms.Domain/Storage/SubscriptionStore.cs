using Dapper;
using MySqlConnector;

namespace WxQms.Domain.Storage;

/// <summary>What a user has left of one template's consent.</summary>
public sealed record SubscriptionQuota(string TemplateId, int Remaining, string LastResult);

/// <summary>
/// Subscribe-message consent per (mini-program user, template). Each "accept" the mini program reports
/// allows one more send (WeChat piles them up, to a few dozen); a send uses one; 43101 from WeChat or a
/// "reject" in the user's settings means none is left. Every answer is kept as an event.
/// </summary>
public sealed class SubscriptionStore(MySqlDataSource db)
{
    /// <summary>WeChat keeps "a few dozen" accepted consents per template; we count no further.</summary>
    public const int MaxRemaining = 50;

    public static readonly IReadOnlySet<string> ClientResults = new HashSet<string>(StringComparer.Ordinal)
        { "accept", "reject", "ban", "filter" };

    /// <summary>The answers of one wx.requestSubscribeMessage, as the mini program reports them.</summary>
    public async Task RecordClientAsync(string appId, string openId, IReadOnlyList<(string TemplateId, string Result)> answers,
        DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        foreach (var (templateId, result) in answers)
        {
            // accept adds one send; reject and filter add none (earlier consents stay); ban: the template was banned.
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO mp_subscriptions (app_id, openid, template_id, remaining, last_result, updated_at)
                VALUES (@appId, @openId, @templateId, CASE WHEN @result = 'accept' THEN 1 ELSE 0 END, @result, @now)
                ON DUPLICATE KEY UPDATE
                    remaining = CASE WHEN @result = 'accept' THEN LEAST(remaining + 1, @max)
                                     WHEN @result = 'ban' THEN 0 ELSE remaining END,
                    last_result = @result, updated_at = @now
                """, new { appId, openId, templateId, result, now = now.UtcDateTime, max = MaxRemaining }, tx, cancellationToken: ct));
            await InsertEventAsync(conn, tx, appId, openId, templateId, result, "client", now, ct);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// A subscribe_msg_popup_event or _change_event. The pop-up's answers are the ones the mini program
    /// reports, so they are only recorded here (counting both would count each consent twice); a change
    /// to "reject" in settings turns the template off for the user, which ends what was left.
    /// </summary>
    public async Task RecordPushAsync(string appId, string openId, string templateId, string answer, bool changedInSettings,
        DateTimeOffset at, CancellationToken ct)
    {
        var result = answer.Length > 16 ? answer[..16] : answer;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await InsertEventAsync(conn, tx, appId, openId, templateId, result, changedInSettings ? "settings" : "popup", at, ct);
        if (changedInSettings && result == "reject")
            await SetNoneLeftAsync(conn, tx, appId, openId, templateId, "reject", at, ct);
        await tx.CommitAsync(ct);
    }

    public async Task<int> RemainingAsync(string appId, string openId, string templateId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<int?>(new CommandDefinition(
            "SELECT remaining FROM mp_subscriptions WHERE app_id = @appId AND openid = @openId AND template_id = @templateId",
            new { appId, openId, templateId }, cancellationToken: ct)) ?? 0;
    }

    public async Task<IReadOnlyList<SubscriptionQuota>> ListAsync(string appId, string openId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<SubscriptionQuota>(new CommandDefinition("""
            SELECT template_id AS TemplateId, remaining AS Remaining, last_result AS LastResult
            FROM mp_subscriptions WHERE app_id = @appId AND openid = @openId
            """, new { appId, openId }, cancellationToken: ct))).ToList();
    }

    /// <summary>A send went out: one consent used.</summary>
    public async Task UseOneAsync(string appId, string openId, string templateId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE mp_subscriptions SET remaining = remaining - 1
            WHERE app_id = @appId AND openid = @openId AND template_id = @templateId AND remaining > 0
            """, new { appId, openId, templateId }, cancellationToken: ct));
    }

    /// <summary>WeChat answered 43101: whatever we counted, no consent is left.</summary>
    public async Task RefusedAsync(string appId, string openId, string templateId, DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await SetNoneLeftAsync(conn, tx, appId, openId, templateId, "refused", now, ct);
        await InsertEventAsync(conn, tx, appId, openId, templateId, "refused", "send", now, ct);
        await tx.CommitAsync(ct);
    }

    private static Task SetNoneLeftAsync(MySqlConnection conn, MySqlTransaction tx, string appId, string openId, string templateId,
        string result, DateTimeOffset now, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO mp_subscriptions (app_id, openid, template_id, remaining, last_result, updated_at)
            VALUES (@appId, @openId, @templateId, 0, @result, @now)
            ON DUPLICATE KEY UPDATE remaining = 0, last_result = @result, updated_at = @now
            """, new { appId, openId, templateId, result, now = now.UtcDateTime }, tx, cancellationToken: ct));

    private static Task InsertEventAsync(MySqlConnection conn, MySqlTransaction tx, string appId, string openId, string templateId,
        string result, string source, DateTimeOffset now, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO mp_subscription_events (app_id, openid, template_id, result, source, occurred_at)
            VALUES (@appId, @openId, @templateId, @result, @source, @now)
            """, new { appId, openId, templateId, result, source, now = now.UtcDateTime }, tx, cancellationToken: ct));
}
