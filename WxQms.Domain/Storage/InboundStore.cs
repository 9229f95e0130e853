using Dapper;
using MySqlConnector;

namespace WxQms.Domain.Storage;

public sealed record NewInbound(
    string AppId,
    string DedupeKey,
    string FromOpenId,
    string MsgType,
    string? Event,
    string Payload,
    DateTimeOffset ReceivedAt,
    string? Work);

/// <summary>
/// A delivery as recorded: <paramref name="Handle"/> when this delivery is to run the handlers (the first one, or a
/// retry taking over a hold that ran out); <paramref name="IsRepeat"/> when the message had been delivered before.
/// </summary>
public sealed record Reception(long Id, bool Handle, bool IsRepeat);

public sealed record InboundWork(long Id, string AppId, string FromOpenId, string MsgType, string Payload, int Attempts, string Lease);

public static class InboundWorkKinds
{
    public const string DownloadMedia = "download_media";
}

/// <summary>The durable record of every callback (wechat_inbound), and the queue of slow work it starts.</summary>
public sealed class InboundStore(MySqlDataSource db)
{
    private const int DuplicateKey = 1062;

    /// <summary>
    /// Records a delivery once and holds it for its handler until <paramref name="holdUntil"/>. A repeat of the
    /// same message (same app and dedupe key) is not stored again: the caller gets the first delivery's id and
    /// takes the hold over only when there is no reply and the hold has run out (<see cref="Reception.Handle"/>).
    /// </summary>
    public async Task<Reception> RecordAsync(NewInbound m, DateTimeOffset holdUntil, CancellationToken ct)
    {
        const string insert = """
            INSERT INTO wechat_inbound (app_id, dedupe_key, from_openid, msg_type, event, payload, received_at, handling_until, work, work_status)
            VALUES (@AppId, @DedupeKey, @FromOpenId, @MsgType, @Event, @Payload, @ReceivedAt, @HoldUntil, @Work, @WorkStatus);
            SELECT LAST_INSERT_ID();
            """;
        const string existing = "SELECT id FROM wechat_inbound WHERE app_id = @AppId AND dedupe_key = @DedupeKey";
        const string takeOver = """
            UPDATE wechat_inbound SET handling_until = @HoldUntil
            WHERE id = @id AND reply IS NULL AND (handling_until IS NULL OR handling_until < @ReceivedAt)
            """;
        var args = new
        {
            m.AppId,
            m.DedupeKey,
            m.FromOpenId,
            m.MsgType,
            m.Event,
            m.Payload,
            ReceivedAt = m.ReceivedAt.UtcDateTime,
            HoldUntil = holdUntil.UtcDateTime,
            m.Work,
            WorkStatus = m.Work is null ? null : "pending",
        };
        await using var conn = await db.OpenConnectionAsync(ct);
        try
        {
            return new Reception(await conn.ExecuteScalarAsync<long>(new CommandDefinition(insert, args, cancellationToken: ct)), true, false);
        }
        catch (MySqlException ex) when (ex.Number == DuplicateKey)
        {
            var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition(existing, m, cancellationToken: ct));
            var taken = await conn.ExecuteAsync(new CommandDefinition(takeOver, new { id, args.HoldUntil, args.ReceivedAt }, cancellationToken: ct));
            return new Reception(id, taken == 1, true);
        }
    }

    /// <summary>Ends the hold of a delivery whose handling failed, so that WeChat's retry handles it again.</summary>
    public async Task ReleaseAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE wechat_inbound SET handling_until = NULL WHERE id = @id AND reply IS NULL", new { id }, cancellationToken: ct));
    }

    public async Task SaveReplyAsync(long id, string reply, DateTimeOffset now, CancellationToken ct)
    {
        const string sql = """
            UPDATE wechat_inbound SET reply = @reply, replied_at = @now, handling_until = NULL WHERE id = @id AND reply IS NULL
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(sql, new { id, reply, now = now.UtcDateTime }, cancellationToken: ct));
    }

    public async Task<string?> GetReplyAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT reply FROM wechat_inbound WHERE id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>
    /// Claims of one row at most (each claim counts one): a row whose worker failed or died this often is no longer
    /// claimed, so a row that kills its worker cannot be taken up forever.
    /// </summary>
    public const int MaxAttempts = 6;

    /// <summary>
    /// Leases up to <paramref name="batch"/> pending rows of one kind of work. A lease that runs out
    /// (the worker died) makes the row claimable again, so work is never lost, and a conditional
    /// UPDATE means two workers never hold the same row.
    /// </summary>
    public async Task<IReadOnlyList<InboundWork>> ClaimAsync(string work, DateTimeOffset now, TimeSpan lease, int batch,
        CancellationToken ct)
    {
        const string claim = """
            UPDATE wechat_inbound
            SET locked_by = @lease, locked_until = @until, attempts = attempts + 1
            WHERE work = @work AND work_status = 'pending' AND attempts < @maxAttempts
              AND (next_attempt_at IS NULL OR next_attempt_at <= @now)
              AND (locked_until IS NULL OR locked_until < @now)
            ORDER BY id
            LIMIT @batch
            """;
        const string read = """
            SELECT id AS Id, app_id AS AppId, from_openid AS FromOpenId, msg_type AS MsgType, payload AS Payload,
                   attempts AS Attempts, locked_by AS Lease
            FROM wechat_inbound WHERE locked_by = @lease
            """;
        var leaseId = Guid.NewGuid().ToString("N");
        await using var conn = await db.OpenConnectionAsync(ct);
        var args = new { lease = leaseId, until = (now + lease).UtcDateTime, now = now.UtcDateTime, work, batch, maxAttempts = MaxAttempts };
        if (await conn.ExecuteAsync(new CommandDefinition(claim, args, cancellationToken: ct)) == 0)
            return [];
        return (await conn.QueryAsync<InboundWork>(new CommandDefinition(read, args, cancellationToken: ct))).ToList();
    }

    /// <summary>Records the photo an inbound message carried, once: a second worker's record of the same message is a no-op.</summary>
    public async Task RecordMediaAsync(InboundWork item, string mediaId, StoredFile stored, string contentType, DateTimeOffset now,
        CancellationToken ct)
    {
        const string sql = """
            INSERT INTO inbound_media (inbound_id, app_id, from_openid, media_id, sha256, size_bytes, content_type, storage_path, created_at)
            VALUES (@InboundId, @AppId, @FromOpenId, @MediaId, @Sha256, @Size, @ContentType, @Path, @Now)
            ON DUPLICATE KEY UPDATE inbound_id = inbound_id
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(sql, new
        {
            InboundId = item.Id,
            item.AppId,
            item.FromOpenId,
            MediaId = mediaId,
            stored.Sha256,
            stored.Size,
            ContentType = contentType,
            Path = stored.RelativePath,
            Now = now.UtcDateTime,
        }, cancellationToken: ct));
    }

    /// <summary>Ends the work; false when the lease had run out and another worker took the row.</summary>
    public async Task<bool> CompleteAsync(InboundWork item, CancellationToken ct)
    {
        const string sql = """
            UPDATE wechat_inbound SET work_status = 'done', locked_by = NULL, locked_until = NULL, last_error = NULL
            WHERE id = @Id AND locked_by = @Lease
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition(sql, item, cancellationToken: ct)) == 1;
    }

    public async Task FailAsync(InboundWork item, string error, DateTimeOffset? retryAt, CancellationToken ct)
    {
        const string sql = """
            UPDATE wechat_inbound
            SET work_status = @status, next_attempt_at = @retryAt, last_error = @error, locked_by = NULL, locked_until = NULL
            WHERE id = @Id AND locked_by = @Lease
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(sql, new
        {
            item.Id,
            item.Lease,
            status = retryAt is null ? "failed" : "pending",
            retryAt = retryAt?.UtcDateTime,
            error = error.Length > 500 ? error[..500] : error,
        }, cancellationToken: ct));
    }
}
