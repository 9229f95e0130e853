using System.Security.Cryptography;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Services;

namespace WxQms.Domain.Storage;

public sealed record UploadTicket(string Token, string Sha256, long Size, string ContentType);

/// <summary>
/// Photos uploaded ahead of the evidence that uses them. A token belongs to its uploader, is good for
/// <see cref="Lifetime"/> and is spent by the submission that uses it.
/// </summary>
public sealed class UploadStore(MySqlDataSource db, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    private sealed record Row(string Token, long WechatUserId, string Sha256, long Size, string ContentType, string RelativePath,
        DateTime? TakenAt, DateTime CreatedAt, DateTime? UsedAt);

    public async Task<UploadTicket> AddAsync(long wechatUserId, StoredPhoto photo, CancellationToken ct)
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO uploads (token, wechat_user_id, sha256, size_bytes, content_type, storage_path, taken_at, created_at)
            VALUES (@token, @wechatUserId, @Sha256, @Size, @ContentType, @RelativePath, @takenAt, @now)
            """, new
        {
            token, wechatUserId, photo.Sha256, photo.Size, photo.ContentType, photo.RelativePath,
            takenAt = photo.TakenAt?.UtcDateTime, now = clock.GetUtcNow().UtcDateTime,
        }, cancellationToken: ct));
        return new UploadTicket(token, photo.Sha256, photo.Size, photo.ContentType);
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

    /// <summary>Spends the tokens (after the submission that used them was stored).</summary>
    public async Task MarkUsedAsync(IReadOnlyList<string> tokens, CancellationToken ct)
    {
        if (tokens.Count == 0)
            return;
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("UPDATE uploads SET used_at = @now WHERE token IN @tokens AND used_at IS NULL",
            new { tokens = tokens.Distinct().ToArray(), now = clock.GetUtcNow().UtcDateTime }, cancellationToken: ct));
    }
}
