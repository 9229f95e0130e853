using System.Data.Common;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Model.Wishes;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Wishes;

namespace WxQms.Domain.Storage;

/// <summary>
/// Which wishes a list shows: by community and status; <paramref name="Mine"/> only the actor's own (as wisher,
/// by WeChat user, member or unionid, or as claimer); otherwise the public ones, the actor's own and those under
/// <paramref name="Scope"/> (an org path the actor moderates).
/// </summary>
public sealed record WishQuery(long? CommunityId, WishStatus? Status, bool Mine, long UserId, long? MemberId, string? UnionId,
    string? Scope, int Limit);

/// <summary>A wish to insert, under review; its text check's verdict and label.</summary>
public sealed record NewWish(long CommunityId, string Title, string Description, long UserId, long? MemberId, string? Name,
    string Verdict, string? Label);

/// <summary>
/// The micro-wishes in MySQL: <c>wishes</c>, <c>wish_photos</c>, <c>wish_post_refusals</c>. Reads open their own
/// connection; a change runs in <see cref="InTransactionAsync{T}"/>, whose <see cref="WishTransaction"/> writes the row,
/// its photos, the audit entry and the outbox's notices in one transaction.
/// </summary>
public sealed class WishStore(MySqlDataSource db)
{
    internal sealed record Row(long Id, long CommunityId, string CommunityName, string CommunityPath, string Title, string Description,
        long WisherUserId, string? WisherUnionId, long? WisherMemberId, string? WisherName, string Status, string TextCheck,
        string? TextLabel, string? ReviewedBy, DateTime? ReviewedAt, string? RefuseReason, long? ClaimerMemberId, string? ClaimerName,
        DateTime? ClaimedAt, DateTime? FulfilledAt, string? FulfilNote, DateTime? LitAt, string? LitBy, decimal? Points,
        string? CancelReason, DateTime PostedAt, DateTime UpdatedAt, int RowVersion);

    internal const string Select = """
        SELECT w.id AS Id, w.community_id AS CommunityId, o.name AS CommunityName, o.path AS CommunityPath, w.title AS Title,
               w.description AS Description, w.wisher_user_id AS WisherUserId, wu.unionid AS WisherUnionId,
               w.wisher_member_id AS WisherMemberId, COALESCE(wm.name, w.wisher_name) AS WisherName, w.status AS Status,
               w.text_check AS TextCheck, w.text_label AS TextLabel, w.reviewed_by AS ReviewedBy, w.reviewed_at AS ReviewedAt,
               w.refuse_reason AS RefuseReason, w.claimer_member_id AS ClaimerMemberId, cm.name AS ClaimerName,
               w.claimed_at AS ClaimedAt, w.fulfilled_at AS FulfilledAt, w.fulfil_note AS FulfilNote, w.lit_at AS LitAt,
               w.lit_by AS LitBy, w.points AS Points, w.cancel_reason AS CancelReason, w.posted_at AS PostedAt,
               w.updated_at AS UpdatedAt, w.row_version AS RowVersion
        FROM wishes w
        JOIN orgs o ON o.id = w.community_id
        JOIN wechat_users wu ON wu.id = w.wisher_user_id
        LEFT JOIN members wm ON wm.id = w.wisher_member_id
        LEFT JOIN members cm ON cm.id = w.claimer_member_id
        """;

    private sealed record PhotoRow(long Id, long WishId, string Stage, int SortOrder, string Sha256, long Size, string ContentType,
        string RelativePath, string? TraceId, string? Suggest);

    /// <summary>The unionid of a WeChat user, and the name of the member (if any).</summary>
    public async Task<(string? UnionId, string? Name)> ActorAsync(long wechatUserId, long? memberId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<(string? UnionId, string? Name)>(new CommandDefinition("""
            SELECT u.unionid, m.name FROM wechat_users u LEFT JOIN members m ON m.id = @memberId WHERE u.id = @wechatUserId
            """, new { wechatUserId, memberId }, cancellationToken: ct));
    }

    /// <summary>One wish with its photos, or null, and the wisher's unionid.</summary>
    public async Task<(Wish Wish, string? WisherUnionId)?> GetAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await GetAsync(conn, null, id, forUpdate: false, ct);
    }

    internal static async Task<(Wish Wish, string? WisherUnionId)?> GetAsync(DbConnection conn, DbTransaction? tx, long id, bool forUpdate,
        CancellationToken ct)
    {
        var row = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(Select + " WHERE w.id = @id" + (forUpdate ? " FOR UPDATE" : ""),
            new { id }, tx, cancellationToken: ct));
        if (row is null)
            return null;
        var photos = await PhotosAsync(conn, [id], ct, tx);
        return (ToModel(row, photos.GetValueOrDefault(id) ?? []), row.WisherUnionId);
    }

    /// <summary>The wishes of a query, newest first, with their photos and wishers' unionids.</summary>
    public async Task<IReadOnlyList<(Wish Wish, string? WisherUnionId)>> ListAsync(WishQuery q, CancellationToken ct)
    {
        var status = q.Status is { } s ? DbNames.Of(s) : null;
        var publicStatuses = Enum.GetValues<WishStatus>().Where(WishRules.IsPublic).Select(DbNames.Of).ToArray();
        var mineSql = """
            (w.wisher_user_id = @userId
             OR (@memberId IS NOT NULL AND (w.wisher_member_id = @memberId OR w.claimer_member_id = @memberId))
             OR (@unionId IS NOT NULL AND wu.unionid = @unionId))
            """;
        var sql = Select + $"""

             WHERE (@communityId IS NULL OR w.community_id = @communityId)
               AND (@status IS NULL OR w.status = @status)
               AND {(q.Mine ? mineSql : $"(w.status IN @publicStatuses OR {mineSql} OR (@scope IS NOT NULL AND o.path LIKE @scope))")}
             ORDER BY w.posted_at DESC, w.id DESC
             LIMIT @limit
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<Row>(new CommandDefinition(sql, new
        {
            q.CommunityId, status, publicStatuses, userId = q.UserId, memberId = q.MemberId, unionId = q.UnionId,
            scope = q.Scope is null ? null : OrgPath.SubtreePattern(q.Scope), limit = q.Limit,
        }, cancellationToken: ct))).ToList();
        var photos = await PhotosAsync(conn, rows.Select(r => r.Id).ToArray(), ct);
        return rows.Select(r => (ToModel(r, photos.GetValueOrDefault(r.Id) ?? []), r.WisherUnionId)).ToList();
    }

    /// <summary>The photo behind a wish and hash.</summary>
    public async Task<WishPhoto?> PhotoAsync(long wishId, string sha256, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var photos = await PhotosAsync(conn, [wishId], ct);
        return photos.GetValueOrDefault(wishId)?.FirstOrDefault(p => p.Sha256 == sha256);
    }

    private static async Task<Dictionary<long, List<WishPhoto>>> PhotosAsync(DbConnection conn, long[] ids, CancellationToken ct, DbTransaction? tx = null)
    {
        if (ids.Length == 0)
            return [];
        var rows = await conn.QueryAsync<PhotoRow>(new CommandDefinition("""
            SELECT p.id AS Id, p.wish_id AS WishId, p.stage AS Stage, p.sort_order AS SortOrder, p.sha256 AS Sha256, p.size_bytes AS Size,
                   p.content_type AS ContentType, p.storage_path AS RelativePath, p.trace_id AS TraceId, c.suggest AS Suggest
            FROM wish_photos p LEFT JOIN media_checks c ON c.trace_id = p.trace_id
            WHERE p.wish_id IN @ids
            ORDER BY p.wish_id, p.stage, p.sort_order
            """, new { ids }, tx, cancellationToken: ct));
        return rows.GroupBy(r => r.WishId).ToDictionary(g => g.Key, g => g.Select(r => new WishPhoto(r.Id,
            DbNames.Parse<WishPhotoStage>(r.Stage), r.SortOrder, r.Sha256, r.Size, r.ContentType, r.RelativePath,
            WishRules.CheckOf(r.TraceId, r.Suggest))).ToList());
    }

    private static Wish ToModel(Row r, IReadOnlyList<WishPhoto> photos) => new(r.Id, r.CommunityId, r.CommunityName, r.CommunityPath,
        r.Title, r.Description, r.WisherUserId, r.WisherMemberId, r.WisherName, DbNames.Parse<WishStatus>(r.Status), r.TextCheck,
        r.TextLabel, r.ReviewedBy, Utc(r.ReviewedAt), r.RefuseReason, r.ClaimerMemberId, r.ClaimerName, Utc(r.ClaimedAt),
        Utc(r.FulfilledAt), r.FulfilNote, Utc(r.LitAt), r.LitBy, r.Points, r.CancelReason, Utc(r.PostedAt)!.Value, Utc(r.UpdatedAt)!.Value,
        r.RowVersion, photos);

    /// <summary>The communities a wish can be posted to (the orgs marked as communities).</summary>
    public async Task<IReadOnlyList<(long Id, string Name)>> CommunitiesAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<(long, string)>(new CommandDefinition(
            "SELECT id, name FROM orgs WHERE is_community AND dissolved_on IS NULL ORDER BY path", cancellationToken: ct))).ToList();
    }

    /// <summary>The org a post names, with its path and whether it is a community, or null.</summary>
    public async Task<(long Id, string Path, bool IsCommunity)?> OrgAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<(long Id, string Path, bool IsCommunity)?>(new CommandDefinition(
            "SELECT id, path, is_community FROM orgs WHERE id = @id AND dissolved_on IS NULL", new { id }, cancellationToken: ct));
    }

    /// <summary>
    /// The person's posts since <paramref name="dayStart"/> (as WeChat user, member or unionid), the ones refused as
    /// risky included.
    /// </summary>
    public async Task<int> PostsSinceAsync(DateTimeOffset dayStart, long userId, long? memberId, string? unionId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
            SELECT (SELECT COUNT(*) FROM wishes w JOIN wechat_users u ON u.id = w.wisher_user_id
                    WHERE w.posted_at >= @dayStart
                      AND (w.wisher_user_id = @userId OR (@memberId IS NOT NULL AND w.wisher_member_id = @memberId)
                           OR (@unionId IS NOT NULL AND u.unionid = @unionId)))
                 + (SELECT COUNT(*) FROM wish_post_refusals r JOIN wechat_users u ON u.id = r.wisher_user_id
                    WHERE r.refused_at >= @dayStart
                      AND (r.wisher_user_id = @userId OR (@memberId IS NOT NULL AND r.wisher_member_id = @memberId)
                           OR (@unionId IS NOT NULL AND u.unionid = @unionId)))
            """, new { dayStart = dayStart.UtcDateTime, userId, memberId, unionId }, cancellationToken: ct));
    }

    /// <summary>A post refused as risky: its row (it counts toward the day's posts) and the audit entry, together.</summary>
    public async Task RecordRefusalAsync(long userId, long? memberId, long communityId, string? label, AuditEntry audit,
        CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO wish_post_refusals (wisher_user_id, wisher_member_id, community_id, label, refused_at)
            VALUES (@userId, @memberId, @communityId, @label, @now)
            """, new { userId, memberId, communityId, label, now = audit.OccurredAt.UtcDateTime }, tx, cancellationToken: ct));
        await AuditLog.AppendAsync(conn, tx, audit, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The mini-program openid of the person (their own, or by unionid), or null.</summary>
    public async Task<string?> MpOpenIdAsync(long wechatUserId, string mpAppId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<string?>(new CommandDefinition("""
            SELECT w.openid FROM wechat_users w JOIN wechat_users u ON u.id = @wechatUserId
            WHERE w.app_id = @mpAppId AND (w.id = u.id OR (u.unionid IS NOT NULL AND w.unionid = u.unionid))
            ORDER BY w.id = u.id DESC, w.id DESC LIMIT 1
            """, new { wechatUserId, mpAppId }, cancellationToken: ct));
    }

    /// <summary>The photos of a wish's stage not yet sent to the image check.</summary>
    public async Task<IReadOnlyList<(long Id, string Sha256)>> UncheckedPhotosAsync(long wishId, WishPhotoStage stage, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<(long Id, string Sha256)>(new CommandDefinition(
            "SELECT id, sha256 FROM wish_photos WHERE wish_id = @wishId AND stage = @stage AND trace_id IS NULL",
            new { wishId, stage = DbNames.Of(stage) }, cancellationToken: ct))).ToList();
    }

    public async Task SetTraceAsync(long photoId, string trace, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("UPDATE wish_photos SET trace_id = @trace WHERE id = @photoId",
            new { trace, photoId }, cancellationToken: ct));
    }

    /// <summary>The wish and stage of the photo an image check was started for, or null.</summary>
    public async Task<(long WishId, WishPhotoStage Stage)?> PhotoByTraceAsync(string traceId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var photo = await conn.QuerySingleOrDefaultAsync<(long WishId, string Stage)?>(new CommandDefinition(
            "SELECT wish_id, stage FROM wish_photos WHERE trace_id = @traceId", new { traceId }, cancellationToken: ct));
        return photo is { } p ? (p.WishId, DbNames.Parse<WishPhotoStage>(p.Stage)) : null;
    }

    /// <summary>An audit entry of its own (no change goes with it).</summary>
    public async Task AuditAsync(AuditEntry entry, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await AuditLog.AppendAsync(conn, null, entry, ct);
    }

    /// <summary>Fulfilled wishes waiting since <paramref name="cutoff"/> that failed to light fewer than <paramref name="maxFailures"/> times.</summary>
    public async Task<IReadOnlyList<(long Id, int Version)>> DueForConfirmationAsync(DateTimeOffset cutoff, int batch, int maxFailures,
        CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<(long Id, int Version)>(new CommandDefinition("""
            SELECT id, row_version FROM wishes
            WHERE status = 'fulfilled' AND fulfilled_at <= @cutoff AND confirm_failures < @maxFailures
            ORDER BY fulfilled_at, id LIMIT @batch
            """, new { cutoff = cutoff.UtcDateTime, batch, maxFailures }, cancellationToken: ct))).ToList();
    }

    public async Task CountConfirmFailureAsync(long id)
    {
        await using var conn = await db.OpenConnectionAsync(CancellationToken.None);
        await conn.ExecuteAsync(new CommandDefinition("UPDATE wishes SET confirm_failures = confirm_failures + 1 WHERE id = @id",
            new { id }, cancellationToken: CancellationToken.None));
    }

    /// <summary>Runs <paramref name="body"/> in one transaction, committed when it returns (rolled back when it throws).</summary>
    public Task<T> InTransactionAsync<T>(Func<WishTransaction, Task<T>> body, CancellationToken ct) =>
        db.InTransactionAsync((conn, tx) => body(new WishTransaction(conn, tx, ct)), ct);

    private static DateTimeOffset? Utc(DateTime? t) => t is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;
}
