using Dapper;
using MySqlConnector;

namespace WxQms.Domain.Storage;

/// <summary>How far behind the outbox is: reminders due and not yet sent, and the oldest one's due time.</summary>
public sealed record OutboxBacklog(long Due, DateTime? OldestDueAt);

/// <summary>
/// The queues' depth for the metrics (#22 item 3), read when a scrape or an export asks: a range of the
/// <c>(status, due_at)</c> index of <c>reminders</c>, so it stays cheap however many sent reminders the table keeps.
/// Synchronous, because observable instruments are read synchronously.
/// </summary>
public sealed class QueueStore(MySqlDataSource db)
{
    public OutboxBacklog Outbox(DateTimeOffset now)
    {
        using var conn = db.OpenConnection();
        return conn.QuerySingle<OutboxBacklog>(new CommandDefinition("""
            SELECT COUNT(*) AS Due, MIN(due_at) AS OldestDueAt
            FROM reminders WHERE status = 'pending' AND due_at <= @now
            """, new { now = now.UtcDateTime }, commandTimeout: 5));
    }
}
