using System.Globalization;
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

    /// <summary>
    /// Makes sure <c>audit_log</c> has a partition for every month up to and including <paramref name="through"/> (UTC
    /// months), splitting each off <c>p_future</c>; the number added. Two instances at once: the loser's split fails on the
    /// name the winner just added, and it reads the partitions again.
    /// </summary>
    public async Task<int> EnsureAuditMonthsAsync(DateOnly through, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var added = 0;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var names = (await conn.QueryAsync<string>(new CommandDefinition("""
                SELECT partition_name FROM information_schema.partitions
                WHERE table_schema = DATABASE() AND table_name = 'audit_log' AND partition_name IS NOT NULL
                """, cancellationToken: ct))).ToHashSet(StringComparer.Ordinal);
            try
            {
                foreach (var month in AuditMonthsMissing(names, through))
                {
                    var next = month.AddMonths(1);
                    // DDL takes no parameters; the name and the bound are made here from a date, never from input.
                    await conn.ExecuteAsync(new CommandDefinition(string.Create(CultureInfo.InvariantCulture, $"""
                        ALTER TABLE audit_log REORGANIZE PARTITION p_future INTO (
                            PARTITION p{month:yyyyMM} VALUES LESS THAN ('{next:yyyy-MM-dd}'),
                            PARTITION p_future VALUES LESS THAN (MAXVALUE))
                        """), cancellationToken: ct));
                    added++;
                }
                return added;
            }
            catch (MySqlException ex) when (ex.ErrorCode is MySqlErrorCode.SameNamePartition or MySqlErrorCode.RangeNotIncreasing)
            {
                // another instance split the same month first: read the partitions again
            }
        }
        return added;
    }

    /// <summary>The first days of the months after the last monthly partition (pYYYYMM), through <paramref name="through"/>'s month.</summary>
    public static IReadOnlyList<DateOnly> AuditMonthsMissing(IReadOnlySet<string> partitionNames, DateOnly through)
    {
        var last = partitionNames
            .Where(n => n.Length == 7 && n[0] == 'p' && n[1..].All(char.IsAsciiDigit))
            .Select(n => new DateOnly(int.Parse(n[1..5], CultureInfo.InvariantCulture), int.Parse(n[5..], CultureInfo.InvariantCulture), 1))
            .DefaultIfEmpty(new DateOnly(2025, 12, 1)).Max();
        var missing = new List<DateOnly>();
        for (var m = last.AddMonths(1); m <= new DateOnly(through.Year, through.Month, 1); m = m.AddMonths(1))
            missing.Add(m);
        return missing;
    }

    /// <summary>Removes at most <paramref name="batch"/> rows of <paramref name="kind"/> older than the cutoff; the count removed.</summary>
    public async Task<int> PurgeBatchAsync(RetainedKind kind, DateTimeOffset cutoff, int batch, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition(Sql(kind), new { cutoff = cutoff.UtcDateTime, batch }, cancellationToken: ct));
    }
}
