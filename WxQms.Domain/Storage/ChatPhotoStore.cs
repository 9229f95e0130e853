using Dapper;
using MySqlConnector;

namespace WxQms.Domain.Storage;

public static class ChatPhotoSetStatus
{
    public const string Collecting = "collecting";
    public const string Choosing = "choosing";
    public const string Attached = "attached";
    public const string NoTask = "no_task";
    public const string Dropped = "dropped";
}

public sealed record ChatPhotoSet(long Id, string AppId, string OpenId, long MemberId, string Status, int PhotoCount, long? TaskId,
    string? Options, string Lease);

/// <summary>A downloaded chat photo of a set, as stored by the inbound-media job.</summary>
public sealed record ChatPhotoFile(long InboundId, string Sha256, long Size, string ContentType, string RelativePath, DateTime ReceivedAt);

/// <summary>A checked chat photo, attached to a task as it was received.</summary>
public sealed record AttachedPhoto(string Sha256, long Size, string ContentType, string RelativePath, DateTimeOffset? TakenAt,
    DateTimeOffset ReceivedAt);

/// <summary>Bursts of chat photos (chat_photo_sets, chat_photos) and their claim by the settling job.</summary>
public sealed class ChatPhotoStore(MySqlDataSource db)
{
    /// <summary>A set takes at most this many photos: one evidence submission holds nine.</summary>
    public const int MaxPerSet = 9;

    /// <summary>
    /// Puts a delivered photo into the user's open set, opening one if there is none (or the open one
    /// went quiet or is full). The unique open_key makes concurrent deliveries of one burst agree on
    /// the set. Returns the set and whether this photo opened it.
    /// </summary>
    public async Task<(long SetId, bool Opened)> JoinAsync(string appId, string openId, long memberId, long inboundId, DateTimeOffset now,
        TimeSpan quiet, CancellationToken ct)
    {
        var key = $"{appId}:{openId}";
        var args = new { appId, openId, memberId, key, inboundId, now = now.UtcDateTime, cutoff = (now - quiet).UtcDateTime, max = MaxPerSet };
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE chat_photo_sets SET open_key = NULL WHERE open_key = @key AND (last_at < @cutoff OR photo_count >= @max)",
            args, tx, cancellationToken: ct));
        var opened = await conn.ExecuteAsync(new CommandDefinition("""
            INSERT IGNORE INTO chat_photo_sets (app_id, openid, member_id, open_key, status, photo_count, first_at, last_at)
            VALUES (@appId, @openId, @memberId, @key, 'collecting', 0, @now, @now)
            """, args, tx, cancellationToken: ct)) == 1;
        var setId = await conn.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT id FROM chat_photo_sets WHERE open_key = @key FOR UPDATE", args, tx, cancellationToken: ct));
        // open_key first: MySQL assigns left to right, so a later CASE would see the incremented count.
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE chat_photo_sets
            SET open_key = CASE WHEN photo_count + 1 >= @max THEN NULL ELSE open_key END,
                photo_count = photo_count + 1, last_at = GREATEST(last_at, @now)
            WHERE id = @setId
            """, new { setId, now = now.UtcDateTime, max = MaxPerSet }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(
            "INSERT INTO chat_photos (inbound_id, set_id, received_at) VALUES (@inboundId, @setId, @now)",
            new { inboundId, setId, now = now.UtcDateTime }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return (setId, opened);
    }

    private const string SetColumns = """
        id AS Id, app_id AS AppId, openid AS OpenId, member_id AS MemberId, status AS Status, photo_count AS PhotoCount,
        task_id AS TaskId, options AS Options, COALESCE(locked_by, '') AS Lease
        """;

    /// <summary>
    /// Leases sets that went quiet and whose photos are all downloaded (or given up on), or that waited
    /// for downloads longer than <paramref name="maxWait"/>. A lease that runs out frees the set again.
    /// </summary>
    public async Task<IReadOnlyList<ChatPhotoSet>> ClaimSettledAsync(DateTimeOffset now, TimeSpan quiet, TimeSpan maxWait, TimeSpan lease,
        int batch, CancellationToken ct)
    {
        const string claim = """
            UPDATE chat_photo_sets s
            SET s.locked_by = @lease, s.locked_until = @until
            WHERE s.status = 'collecting' AND s.last_at < @cutoff
              AND (s.locked_until IS NULL OR s.locked_until < @now)
              AND (s.last_at < @gaveUp OR NOT EXISTS (
                    SELECT 1 FROM chat_photos c JOIN wechat_inbound i ON i.id = c.inbound_id
                    WHERE c.set_id = s.id AND i.work_status = 'pending'))
            ORDER BY s.id
            LIMIT @batch
            """;
        const string read = $"SELECT {SetColumns} FROM chat_photo_sets WHERE locked_by = @lease";
        var args = new
        {
            lease = Guid.NewGuid().ToString("N"), until = (now + lease).UtcDateTime, now = now.UtcDateTime,
            cutoff = (now - quiet).UtcDateTime, gaveUp = (now - maxWait).UtcDateTime, batch,
        };
        await using var conn = await db.OpenConnectionAsync(ct);
        if (await conn.ExecuteAsync(new CommandDefinition(claim, args, cancellationToken: ct)) == 0)
            return [];
        return (await conn.QueryAsync<ChatPhotoSet>(new CommandDefinition(read, args, cancellationToken: ct))).ToList();
    }

    public async Task<ChatPhotoSet?> GetAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<ChatPhotoSet>(new CommandDefinition(
            $"SELECT {SetColumns} FROM chat_photo_sets WHERE id = @id", new { id }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<ChatPhotoFile>> FilesAsync(long setId, CancellationToken ct)
    {
        const string sql = """
            SELECT c.inbound_id AS InboundId, m.sha256 AS Sha256, m.size_bytes AS Size, m.content_type AS ContentType,
                   m.storage_path AS RelativePath, c.received_at AS ReceivedAt
            FROM chat_photos c JOIN inbound_media m ON m.inbound_id = c.inbound_id
            WHERE c.set_id = @setId
            ORDER BY c.inbound_id
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ChatPhotoFile>(new CommandDefinition(sql, new { setId }, cancellationToken: ct))).ToList();
    }

    /// <summary>Ends a set without a task (no task, nothing usable, cancelled); false when it had already moved on.</summary>
    public async Task<bool> SettleAsync(long id, string fromStatus, string status, string? options, DateTimeOffset now, CancellationToken ct)
    {
        const string sql = """
            UPDATE chat_photo_sets
            SET status = @status, options = COALESCE(@options, options), settled_at = @now, open_key = NULL,
                locked_by = NULL, locked_until = NULL
            WHERE id = @id AND status = @fromStatus
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition(sql, new { id, fromStatus, status, options, now = now.UtcDateTime },
            cancellationToken: ct)) == 1;
    }

    /// <summary>
    /// In one transaction: closes the set on the task (unless it moved on from <paramref name="fromStatus"/>: then null),
    /// stores its photos against the task once each (task_chat_photos), and leaves an audit entry on the task by the
    /// sender. Returns the task's unused chat photos now and its party group's name.
    /// </summary>
    public async Task<(int Total, string? Group)?> AttachAsync(ChatPhotoSet set, string fromStatus, long taskId, long orgId,
        IReadOnlyList<AttachedPhoto> photos, DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var moved = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE chat_photo_sets
            SET status = 'attached', task_id = @taskId, settled_at = @now, open_key = NULL, locked_by = NULL, locked_until = NULL
            WHERE id = @id AND status = @fromStatus
            """, new { id = set.Id, taskId, fromStatus, now = now.UtcDateTime }, tx, cancellationToken: ct));
        if (moved == 0)
            return null;
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT IGNORE INTO task_chat_photos (task_id, set_id, member_id, sha256, size_bytes, content_type, storage_path,
                                                 taken_at, received_at)
            VALUES (@taskId, @setId, @memberId, @Sha256, @Size, @ContentType, @RelativePath, @takenAt, @receivedAt)
            """, photos.Select(p => new
        {
            taskId, setId = set.Id, memberId = set.MemberId, p.Sha256, p.Size, p.ContentType, p.RelativePath,
            takenAt = p.TakenAt?.UtcDateTime, receivedAt = p.ReceivedAt.UtcDateTime,
        }), tx, cancellationToken: ct));
        var group = await TaskStore.GroupNameAsync(conn, tx, taskId, ct);
        var total = await conn.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM task_chat_photos WHERE task_id = @taskId AND used_by_evidence_id IS NULL",
            new { taskId }, tx, cancellationToken: ct));
        await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, $"member:{set.MemberId}", "task.chat_photos_added", "task", taskId,
            orgId, set.MemberId, new { SetId = set.Id, Photos = photos.Count, Source = "chat" }), ct);
        await tx.CommitAsync(ct);
        return (total, group);
    }
}
