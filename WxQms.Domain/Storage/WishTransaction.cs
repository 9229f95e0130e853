using System.Data.Common;
using Dapper;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Wishes;

namespace WxQms.Domain.Storage;

/// <summary>The writes of one wish change, inside its transaction.</summary>
public sealed class WishTransaction(DbConnection conn, DbTransaction tx, CancellationToken ct)
{
    /// <summary>The wish, locked for the rest of the transaction, or null.</summary>
    public Task<(Wish Wish, string? WisherUnionId)?> LockAsync(long id) => WishStore.GetAsync(conn, tx, id, forUpdate: true, ct);

    /// <summary>
    /// Moves the row to <paramref name="to"/> and sets the extra columns (<paramref name="set"/>, which may name @actor and
    /// @now), conditional on the version read; false when someone changed it meanwhile.
    /// </summary>
    public async Task<bool> UpdateAsync(long id, int version, WishStatus to, string set, object extra, string actor, DateTimeOffset now)
    {
        var args = new DynamicParameters(extra);
        args.AddDynamicParams(new { id, version, to = DbNames.Of(to), actor, now = now.UtcDateTime });
        var changed = await conn.ExecuteAsync(new CommandDefinition($"""
            UPDATE wishes SET status = @to, {set}, row_version = row_version + 1, updated_at = @now
            WHERE id = @id AND row_version = @version
            """, args, tx, cancellationToken: ct));
        return changed == 1;
    }

    /// <summary>A new wish under review; its id.</summary>
    public Task<long> InsertAsync(NewWish w, DateTimeOffset now) => conn.ExecuteScalarAsync<long>(new CommandDefinition("""
        INSERT INTO wishes (community_id, title, description, wisher_user_id, wisher_member_id, wisher_name, status, text_check,
                            text_label, posted_at, updated_at)
        VALUES (@communityId, @title, @description, @userId, @memberId, @name, 'reviewing', @verdict, @label, @now, @now);
        SELECT LAST_INSERT_ID();
        """, new
    {
        communityId = w.CommunityId, title = w.Title, description = w.Description, userId = w.UserId, memberId = w.MemberId, name = w.Name,
        verdict = w.Verdict, label = w.Label, now = now.UtcDateTime,
    }, tx, cancellationToken: ct));

    public async Task InsertPhotosAsync(long wishId, WishPhotoStage stage, IReadOnlyList<StoredPhoto> photos, DateTimeOffset now)
    {
        if (photos.Count == 0)
            return;
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO wish_photos (wish_id, stage, sort_order, sha256, size_bytes, content_type, storage_path, created_at)
            VALUES (@wishId, @stage, @order, @Sha256, @Size, @ContentType, @RelativePath, @now)
            """, photos.Select((p, i) => new
        {
            wishId, stage = DbNames.Of(stage), order = i + 1, p.Sha256, p.Size, p.ContentType, p.RelativePath, now = now.UtcDateTime,
        }), tx, cancellationToken: ct));
    }

    /// <summary>Marks the uploads behind the tokens used (see <see cref="UploadStore.ClaimAsync"/>).</summary>
    public Task ClaimUploadsAsync(long wechatUserId, IReadOnlyList<string> tokens, DateTimeOffset now) =>
        UploadStore.ClaimAsync(conn, tx, wechatUserId, tokens, now, ct);

    /// <summary>How many wishes the member holds claimed (locking them, so two claims at once count each other).</summary>
    public Task<int> OpenClaimsAsync(long memberId) => conn.ExecuteScalarAsync<int>(new CommandDefinition(
        "SELECT COUNT(*) FROM wishes WHERE claimer_member_id = @memberId AND status = 'claimed' FOR UPDATE",
        new { memberId }, tx, cancellationToken: ct));

    /// <summary>Community secretaries and committee members, else office staff: who is told that a wish waits for review.</summary>
    public async Task<IReadOnlyList<long>> ReviewersAsync(long communityId)
    {
        var local = (await conn.QueryAsync<long>(new CommandDefinition("""
            SELECT DISTINCT member_id FROM member_roles WHERE org_id = @communityId AND role IN ('secretary', 'committee')
            ORDER BY member_id LIMIT 5
            """, new { communityId }, tx, cancellationToken: ct))).ToList();
        if (local.Count > 0)
            return local;
        return (await conn.QueryAsync<long>(new CommandDefinition(
            "SELECT DISTINCT member_id FROM member_roles WHERE role = 'staff' ORDER BY member_id LIMIT 5", transaction: tx,
            cancellationToken: ct))).ToList();
    }

    /// <summary>The claimer's points for a lit wish.</summary>
    public Task BookPointsAsync(long claimer, string periodKey, decimal points, string source, long wishId, string reason, DateTimeOffset now) =>
        LedgerStore.BookAsync(conn, tx, [new LedgerEntry(LedgerSubjects.Member, claimer, periodKey, points, source, reason, now, RefId: wishId)], ct);

    public Task AuditAsync(AuditEntry entry) => AuditLog.AppendAsync(conn, tx, entry, ct);

    public Task<bool> EnqueueAsync(Notice notice, DateTimeOffset now) => OutboxStore.EnqueueAsync(conn, tx, notice, now, ct);
}
