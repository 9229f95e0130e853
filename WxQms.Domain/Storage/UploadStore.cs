using System.Data.Common;
using System.Security.Cryptography;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Model;

namespace WxQms.Domain.Storage;

public sealed record UploadTicket(string Token, string Sha256, long Size, string ContentType);

/// <summary>What one uploader may hold unused at once, and upload within 24 hours.</summary>
public sealed record UploadQuota(int MaxPending, long MaxBytesPerDay);

/// <summary>
/// Photos uploaded ahead of the evidence that uses them. A token belongs to its uploader, is good for
/// <see cref="Lifetime"/> and is spent by the submission that uses it.
/// </summary>
public sealed class UploadStore(MySqlDataSource db, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    private sealed record Row(string Token, long WechatUserId, string Sha256, long Size, string ContentType, string RelativePath,
        DateTime? TakenAt, DateTime CreatedAt, DateTime? UsedAt);

    /// <summary>
    /// Refuses (429, <c>upload.quota</c>) when the user may upload nothing more now: checked before the body is read,
    /// so a user over the quota does not get to send ten megabytes first.
    /// </summary>
    public async Task EnsureQuotaAsync(long wechatUserId, UploadQuota quota, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await CheckQuotaAsync(conn, null, wechatUserId, quota, 0, ct);
    }

    /// <summary>
    /// Adds an upload within its uploader's quota, counted from the rows under a lock on the uploader's row, so
    /// concurrent uploads (on any Api instance) cannot both take the last place. <paramref name="store"/> stores
    /// the file, only once the quota allows it.
    /// </summary>
    public async Task<UploadTicket> AddAsync(long wechatUserId, UploadQuota quota, long size, Func<CancellationToken, Task<StoredPhoto>> store,
        CancellationToken ct)
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("SELECT id FROM wechat_users WHERE id = @wechatUserId FOR UPDATE",
            new { wechatUserId }, tx, cancellationToken: ct));
        await CheckQuotaAsync(conn, tx, wechatUserId, quota, size, ct);
        var photo = await store(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO uploads (token, wechat_user_id, sha256, size_bytes, content_type, storage_path, taken_at, created_at)
            VALUES (@token, @wechatUserId, @Sha256, @Size, @ContentType, @RelativePath, @takenAt, @now)
            """, new
        {
            token, wechatUserId, photo.Sha256, photo.Size, photo.ContentType, photo.RelativePath,
            takenAt = photo.TakenAt?.UtcDateTime, now = clock.GetUtcNow().UtcDateTime,
        }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new UploadTicket(token, photo.Sha256, photo.Size, photo.ContentType);
    }

    /// <summary>Unused uploads still good (pending), and every byte uploaded, within the last <see cref="Lifetime"/>.</summary>
    private async Task CheckQuotaAsync(MySqlConnection conn, MySqlTransaction? tx, long wechatUserId, UploadQuota quota, long size,
        CancellationToken ct)
    {
        var (pending, bytes) = await conn.QuerySingleAsync<(long Pending, long Bytes)>(new CommandDefinition("""
            SELECT COUNT(CASE WHEN used_at IS NULL THEN 1 END), CAST(COALESCE(SUM(size_bytes), 0) AS SIGNED)
            FROM uploads WHERE wechat_user_id = @wechatUserId AND created_at > @since
            """, new { wechatUserId, since = (clock.GetUtcNow() - Lifetime).UtcDateTime }, tx, cancellationToken: ct));
        if (pending >= quota.MaxPending)
            throw new LimitExceededException("upload.quota",
                $"您已有{pending}张照片上传后尚未提交，请先提交（或等待24小时）再上传");
        if (bytes + Math.Max(size, 1) > quota.MaxBytesPerDay)
            throw new LimitExceededException("upload.quota",
                $"24小时内上传的照片已达上限（{quota.MaxBytesPerDay / (1024 * 1024)}MB），请稍后再上传");
    }

    /// <summary>The photos behind the tokens, in the order given; refuses any that is unknown, someone else's, used or expired.</summary>
    public async Task<IReadOnlyList<StoredPhoto>> ResolveAsync(long wechatUserId, IReadOnlyList<string> tokens, CancellationToken ct)
    {
        if (tokens.Count == 0)
            return [];
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<Row>(new CommandDefinition("""
            SELECT token AS Token, wechat_user_id AS WechatUserId, sha256 AS Sha256, size_bytes AS Size, content_type AS ContentType,
                   storage_path AS RelativePath, taken_at AS TakenAt, created_at AS CreatedAt, used_at AS UsedAt
            FROM uploads WHERE token IN @tokens
            """, new { tokens = tokens.Distinct().ToArray() }, cancellationToken: ct))).ToDictionary(r => r.Token);
        var now = clock.GetUtcNow().UtcDateTime;
        var photos = new List<StoredPhoto>();
        for (var i = 0; i < tokens.Count; i++)
        {
            if (!rows.TryGetValue(tokens[i], out var r) || r.WechatUserId != wechatUserId)
                throw new RuleViolationException("upload.unknown", $"第{i + 1}张照片的上传凭证无效，请重新上传");
            if (r.UsedAt is not null)
                throw new RuleViolationException("upload.used", $"第{i + 1}张照片已用于一次提交，请重新上传");
            if (now - r.CreatedAt > Lifetime)
                throw new RuleViolationException("upload.expired", $"第{i + 1}张照片上传已超过24小时，请重新上传");
            photos.Add(new StoredPhoto(r.Sha256, r.Size, r.ContentType, r.RelativePath,
                r.TakenAt is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null));
        }
        return photos;
    }

    /// <summary>
    /// Spends the tokens inside the caller's transaction (the submission that uses them): every one of them must still be
    /// the uploader's, unused and within <see cref="Lifetime"/>, else none is (409 <c>upload.used</c>: a concurrent
    /// submission took it) and the caller's transaction rolls back.
    /// </summary>
    public static async Task ClaimAsync(DbConnection conn, DbTransaction tx, long wechatUserId, IReadOnlyList<string> tokens,
        DateTimeOffset now, CancellationToken ct)
    {
        var distinct = tokens.Distinct(StringComparer.Ordinal).ToArray();
        if (distinct.Length == 0)
            return;
        var claimed = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE uploads SET used_at = @now
            WHERE token IN @distinct AND wechat_user_id = @wechatUserId AND used_at IS NULL AND created_at >= @since
            """, new { distinct, wechatUserId, now = now.UtcDateTime, since = (now - Lifetime).UtcDateTime }, tx, cancellationToken: ct));
        if (claimed != distinct.Length)
            throw new ConflictException("upload.used", "照片已用于另一次提交，请重新上传");
    }

    public sealed record Expired(long Id, string Sha256, long Size, string RelativePath);

    /// <summary>
    /// Removes up to <paramref name="batch"/> uploads never used within <see cref="Lifetime"/>, each batch one
    /// transaction over rows locked with SKIP LOCKED (several workers share the work). <paramref name="deleteFiles"/>
    /// gets the removed rows whose photo no remaining row names (an upload, an evidence, wish or chat photo, a
    /// downloaded medium: files are shared by content) and runs before the commit, so a failure keeps the rows for
    /// the next sweep. The number of rows removed.
    /// </summary>
    public async Task<int> RemoveExpiredAsync(DateTimeOffset now, int batch, Func<IReadOnlyList<Expired>, Task> deleteFiles,
        CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var expired = (await conn.QueryAsync<Expired>(new CommandDefinition("""
            SELECT id AS Id, sha256 AS Sha256, size_bytes AS Size, storage_path AS RelativePath
            FROM uploads
            WHERE used_at IS NULL AND created_at < @cutoff
            ORDER BY created_at, id
            LIMIT @batch
            FOR UPDATE SKIP LOCKED
            """, new { cutoff = (now - Lifetime).UtcDateTime, batch }, tx, cancellationToken: ct))).ToList();
        if (expired.Count == 0)
            return 0;
        await conn.ExecuteAsync(new CommandDefinition("DELETE FROM uploads WHERE id IN @ids",
            new { ids = expired.Select(e => e.Id).ToArray() }, tx, cancellationToken: ct));
        var hashes = expired.Select(e => e.Sha256).Distinct().ToArray();
        var kept = (await conn.QueryAsync<string>(new CommandDefinition("""
            SELECT sha256 FROM uploads WHERE sha256 IN @hashes
            UNION SELECT sha256 FROM evidence_photos WHERE sha256 IN @hashes
            UNION SELECT sha256 FROM wish_photos WHERE sha256 IN @hashes
            UNION SELECT sha256 FROM task_chat_photos WHERE sha256 IN @hashes
            UNION SELECT sha256 FROM inbound_media WHERE sha256 IN @hashes
            """, new { hashes }, tx, cancellationToken: ct))).ToHashSet(StringComparer.Ordinal);
        await deleteFiles(expired.Where(e => !kept.Contains(e.Sha256)).DistinctBy(e => e.RelativePath).ToList());
        await tx.CommitAsync(ct);
        return expired.Count;
    }
}
