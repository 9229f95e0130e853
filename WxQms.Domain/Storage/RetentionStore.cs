using Dapper;
using MySqlConnector;

namespace WxQms.Domain.Storage;

/// <summary>The kinds of working record the retention job removes, each with the rows it may never touch.</summary>
public enum RetainedKind
{
    Inbound,
    Outbound,
    Uploads,
    MediaChecks,
    Reminders,
    Dialogues,
}

/// <summary>
/// Removes one batch of old working records: a single-table DELETE by its time index, ORDER BY the key and LIMIT, in
/// its own short transaction, so that it locks a few hundred rows at a time and never a range the live traffic writes.
/// </summary>
public sealed class RetentionStore(MySqlDataSource db)
{
    private static string Sql(RetainedKind kind) => kind switch
    {
        // Done or never given work, and no photo from it kept (inbound_media and chat_photos name their callback).
        RetainedKind.Inbound => """
            DELETE FROM wechat_inbound
            WHERE received_at < @cutoff AND (work_status IS NULL OR work_status <> 'pending')
              AND (handling_until IS NULL OR handling_until < @cutoff)
              AND NOT EXISTS (SELECT 1 FROM inbound_media m WHERE m.inbound_id = wechat_inbound.id)
              AND NOT EXISTS (SELECT 1 FROM chat_photos p WHERE p.inbound_id = wechat_inbound.id)
            ORDER BY id LIMIT @batch
            """,
        RetainedKind.Outbound => "DELETE FROM wechat_outbound WHERE created_at < @cutoff ORDER BY id LIMIT @batch",
        // Only used receipts: unused ones are the upload sweep's (it also removes their files).
        RetainedKind.Uploads => "DELETE FROM uploads WHERE used_at IS NOT NULL AND created_at < @cutoff ORDER BY id LIMIT @batch",
        RetainedKind.MediaChecks => "DELETE FROM media_checks WHERE checked_at < @cutoff ORDER BY trace_id LIMIT @batch",
        // Finished only: a pending or sending reminder is the outbox's, however old.
        RetainedKind.Reminders => """
            DELETE FROM reminders WHERE due_at < @cutoff AND status NOT IN ('pending', 'sending') ORDER BY id LIMIT @batch
            """,
        RetainedKind.Dialogues => "DELETE FROM bot_dialogues WHERE expires_at < @cutoff ORDER BY app_id, openid LIMIT @batch",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Removes at most <paramref name="batch"/> rows of <paramref name="kind"/> older than the cutoff; the count removed.</summary>
    public async Task<int> PurgeBatchAsync(RetainedKind kind, DateTimeOffset cutoff, int batch, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition(Sql(kind), new { cutoff = cutoff.UtcDateTime, batch }, cancellationToken: ct));
    }
}
