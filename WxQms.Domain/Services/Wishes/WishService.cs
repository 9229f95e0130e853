using System.Buffers.Text;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MySqlConnector;
using WxQms.Domain.Hosting;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Model.Wishes;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Rules.Wishes;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat;
using WxQms.Domain.Wechat.Callbacks;

namespace WxQms.Domain.Services.Wishes;

/// <summary>
/// Who acts on a wish: a WeChat user (residents have nothing more), perhaps a member with grants. The
/// unionid ties one person's official-account and mini-program identities together.
/// </summary>
public sealed record WishActor(long WechatUserId, long? MemberId, string? UnionId, string? MemberName, IReadOnlyList<Grant> Grants)
{
    public string Audit => MemberId is { } m ? $"member:{m}" : $"wechat_user:{WechatUserId}";
}

/// <summary>A post: the words, the community, who to call the wisher (residents), photos uploaded ahead or received inline.</summary>
public sealed record WishPost(string? Title, string? Description, long CommunityId, string? Name, IReadOnlyList<string> PhotoTokens,
    InlinePhotos? Inline = null);

/// <summary>
/// Photos received with a form (the H5 page), checked but not stored: the service stores them only once everything
/// else about the request passed, so a refused post leaves nothing on disk.
/// </summary>
public sealed record InlinePhotos(int Count, Func<CancellationToken, Task<IReadOnlyList<StoredPhoto>>> StoreAsync);

public sealed record WishListFilter(long? CommunityId = null, WishStatus? Status = null, bool Mine = false, int Limit = 50);

/// <summary>
/// The micro-wish use cases (微心愿点亮): post (text check through msg_sec_check v2, photos through
/// media_check_async), approve or refuse, claim, release, fulfil with photos, confirm — or the worker's
/// auto-confirmation after <see cref="WishOptions.AutoConfirmAfter"/> — which lights the wish and books the
/// claimer's points. Every transition is one transaction: the row (guarded by its version), the audit entry
/// and the notices of the reminder outbox commit together.
/// </summary>
public sealed class WishService(MySqlDataSource db, TimeProvider clock, IOptions<WishOptions> options, IOptions<WechatOptions> wechat,
    IOptions<AuthOptions> auth, MiniProgramClient mp, UploadStore uploads, ILogger<WishService> log) : IMediaCheckListener
{
    public const string Subject = "wish";
    public const string TemplateKey = "wishUpdated";

    /// <summary>msg_sec_check scene 3: forum posts (what a public wish is).</summary>
    private const int CheckScene = 3;

    private WishOptions O => options.Value;

    // ---- who ------------------------------------------------------------------------------

    /// <summary>The actor behind a WeChat user id (and the member and grants the caller already knows).</summary>
    public async Task<WishActor> ActorAsync(long wechatUserId, long? memberId, IReadOnlyList<Grant> grants, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<(string? UnionId, string? Name)>(new CommandDefinition("""
            SELECT u.unionid, m.name FROM wechat_users u LEFT JOIN members m ON m.id = @memberId WHERE u.id = @wechatUserId
            """, new { wechatUserId, memberId }, cancellationToken: ct));
        return new WishActor(wechatUserId, memberId, row.UnionId, row.Name, grants);
    }

    // ---- reads ----------------------------------------------------------------------------

    private sealed record Row(long Id, long CommunityId, string CommunityName, string CommunityPath, string Title, string Description,
        long WisherUserId, string? WisherUnionId, long? WisherMemberId, string? WisherName, string Status, string TextCheck,
        string? TextLabel, string? ReviewedBy, DateTime? ReviewedAt, string? RefuseReason, long? ClaimerMemberId, string? ClaimerName,
        DateTime? ClaimedAt, DateTime? FulfilledAt, string? FulfilNote, DateTime? LitAt, string? LitBy, decimal? Points,
        string? CancelReason, DateTime PostedAt, DateTime UpdatedAt, int RowVersion);

    private const string Select = """
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

    /// <summary>One wish with its photos, or null. <paramref name="unionId"/> is the wisher's, for "is this mine".</summary>
    public async Task<(Wish Wish, string? WisherUnionId)?> GetAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(Select + " WHERE w.id = @id", new { id },
            cancellationToken: ct));
        if (row is null)
            return null;
        var photos = await PhotosAsync(conn, [id], ct);
        return (ToModel(row, photos.GetValueOrDefault(id) ?? []), row.WisherUnionId);
    }

    /// <summary>
    /// Wishes the actor may see, newest first: the public ones (published, claimed, fulfilled, lit), plus the
    /// actor's own in every status, plus, for staff, their communities' wishes in every status.
    /// </summary>
    public async Task<IReadOnlyList<(Wish Wish, string? WisherUnionId)>> ListAsync(WishListFilter f, WishActor? actor, CancellationToken ct)
    {
        var moderatorScopes = actor?.Grants.Select(Access.IssueScope).OfType<string>().ToArray() ?? [];
        var widest = moderatorScopes.OrderBy(p => p.Length).FirstOrDefault();
        var status = f.Status is { } s ? DbNames.Of(s) : null;
        var publicStatuses = Enum.GetValues<WishStatus>().Where(WishRules.IsPublic).Select(DbNames.Of).ToArray();
        var mineSql = """
            (w.wisher_user_id = @userId
             OR (@memberId IS NOT NULL AND (w.wisher_member_id = @memberId OR w.claimer_member_id = @memberId))
             OR (@unionId IS NOT NULL AND wu.unionid = @unionId))
            """;
        var sql = Select + $"""

             WHERE (@communityId IS NULL OR w.community_id = @communityId)
               AND (@status IS NULL OR w.status = @status)
               AND {(f.Mine ? mineSql : $"(w.status IN @publicStatuses OR {mineSql} OR (@scope IS NOT NULL AND o.path LIKE @scope))")}
             ORDER BY w.posted_at DESC, w.id DESC
             LIMIT @limit
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<Row>(new CommandDefinition(sql, new
        {
            f.CommunityId, status, publicStatuses, userId = actor?.WechatUserId ?? 0, memberId = actor?.MemberId, unionId = actor?.UnionId,
            scope = widest is null ? null : OrgPath.SubtreePattern(widest), limit = Math.Clamp(f.Limit, 1, 200),
        }, cancellationToken: ct))).ToList();
        // The SQL takes the widest scope; a holder of two narrower ones is filtered here.
        rows = rows.Where(r => WishRules.IsPublic(DbNames.Parse<WishStatus>(r.Status)) || actor is null
            || IsMineRow(r, actor) || Access.CanModerateWishes(actor.Grants, r.CommunityPath)).ToList();
        var photos = await PhotosAsync(conn, rows.Select(r => r.Id).ToArray(), ct);
        return rows.Select(r => (ToModel(r, photos.GetValueOrDefault(r.Id) ?? []), r.WisherUnionId)).ToList();
    }

    private static bool IsMineRow(Row r, WishActor a) =>
        r.WisherUserId == a.WechatUserId || (a.MemberId is { } m && (r.WisherMemberId == m || r.ClaimerMemberId == m))
        || (a.UnionId is not null && r.WisherUnionId == a.UnionId);

    /// <summary>The wisher is the same person as the actor: the same WeChat user, member, or unionid.</summary>
    public static bool IsWisher(Wish w, string? wisherUnionId, WishActor a) =>
        w.WisherUserId == a.WechatUserId || (a.MemberId is { } m && w.WisherMemberId == m)
        || (a.UnionId is not null && wisherUnionId == a.UnionId);

    public static bool IsClaimer(Wish w, WishActor a) => a.MemberId is { } m && w.ClaimerMemberId == m;

    public static bool CanSee(Wish w, string? wisherUnionId, WishActor? a) =>
        WishRules.IsPublic(w.Status) || (a is not null
            && (IsWisher(w, wisherUnionId, a) || IsClaimer(w, a) || Access.CanModerateWishes(a.Grants, w.CommunityPath)));

    /// <summary>The photo behind a wish and hash, for serving it.</summary>
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

    /// <summary>The communities a wish can be posted to (orgs directly under the subdistrict).</summary>
    public async Task<IReadOnlyList<(long Id, string Name)>> CommunitiesAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<(long, string)>(new CommandDefinition(
            "SELECT id, name FROM orgs WHERE depth = 1 ORDER BY path", cancellationToken: ct))).ToList();
    }

    // ---- post -----------------------------------------------------------------------------

    public async Task<Wish> PostAsync(WishPost post, WishActor actor, CancellationToken ct)
    {
        if (WishRules.PostRefusal(post.Title, post.Description, post.Name) is { } bad)
            throw new RuleViolationException("wish.invalid", bad);
        var title = post.Title!.Trim();
        var description = post.Description!.Trim();
        var name = actor.MemberName ?? (string.IsNullOrWhiteSpace(post.Name) ? null : post.Name.Trim());
        if (post.PhotoTokens.Count + (post.Inline?.Count ?? 0) > WishRules.MaxPhotos)
            throw new RuleViolationException("wish.invalid", $"照片最多 {WishRules.MaxPhotos} 张");
        var now = clock.GetUtcNow();

        await using var conn = await db.OpenConnectionAsync(ct);
        var community = await conn.QuerySingleOrDefaultAsync<(long Id, string Path, int Depth)?>(new CommandDefinition(
            "SELECT id, path, depth FROM orgs WHERE id = @id", new { id = post.CommunityId }, cancellationToken: ct));
        if (community is not { Depth: 1 })
            throw new RuleViolationException("wish.invalid", "请选择所在社区");

        var dayStart = Periods.StartOf(Periods.LocalDate(now));
        // Posts refused as risky count too: otherwise anyone could probe the content check without end.
        var today = await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
            SELECT (SELECT COUNT(*) FROM wishes w JOIN wechat_users u ON u.id = w.wisher_user_id
                    WHERE w.posted_at >= @dayStart
                      AND (w.wisher_user_id = @userId OR (@memberId IS NOT NULL AND w.wisher_member_id = @memberId)
                           OR (@unionId IS NOT NULL AND u.unionid = @unionId)))
                 + (SELECT COUNT(*) FROM wish_post_refusals r JOIN wechat_users u ON u.id = r.wisher_user_id
                    WHERE r.refused_at >= @dayStart
                      AND (r.wisher_user_id = @userId OR (@memberId IS NOT NULL AND r.wisher_member_id = @memberId)
                           OR (@unionId IS NOT NULL AND u.unionid = @unionId)))
            """, new { dayStart = dayStart.UtcDateTime, userId = actor.WechatUserId, memberId = actor.MemberId, unionId = actor.UnionId },
            cancellationToken: ct));
        if (today >= O.MaxPostsPerDay)
            throw new LimitExceededException("wish.limit_posts", $"每人每天最多发布 {O.MaxPostsPerDay} 个心愿，请明天再来");

        var photos = new List<StoredPhoto>(await uploads.ResolveAsync(actor.WechatUserId, post.PhotoTokens, ct));

        var openId = await MpOpenIdAsync(conn, actor.WechatUserId, ct);
        var (verdict, label) = await CheckTextAsync(openId, string.Join("\n", new[] { title, description, post.Name ?? "" }
            .Where(s => s.Length > 0)), ct);
        if (verdict == "risky")
        {
            await using (var refusal = await conn.BeginTransactionAsync(ct))
            {
                await conn.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO wish_post_refusals (wisher_user_id, wisher_member_id, community_id, label, refused_at)
                    VALUES (@userId, @memberId, @communityId, @label, @now)
                    """, new { userId = actor.WechatUserId, memberId = actor.MemberId, communityId = community.Value.Id, label,
                    now = now.UtcDateTime }, refusal, cancellationToken: ct));
                await AuditLog.AppendAsync(conn, refusal, new AuditEntry(now, actor.Audit, "wish.post_refused", Subject, null,
                    community.Value.Id, actor.MemberId, new { Title = title, Label = label }), ct);
                await refusal.CommitAsync(ct);
            }
            throw new RuleViolationException("wish.content_risky",
                $"心愿内容未通过内容安全检测（疑似{WishRules.LabelReason(label)}），请修改后再发布");
        }
        if (post.Inline is { } inline)
            photos.AddRange(await inline.StoreAsync(ct));

        await using var tx = await conn.BeginTransactionAsync(ct);
        var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO wishes (community_id, title, description, wisher_user_id, wisher_member_id, wisher_name, status, text_check,
                                text_label, posted_at, updated_at)
            VALUES (@communityId, @title, @description, @userId, @memberId, @name, 'reviewing', @verdict, @label, @now, @now);
            SELECT LAST_INSERT_ID();
            """, new
        {
            communityId = community.Value.Id, title, description, userId = actor.WechatUserId, memberId = actor.MemberId, name, verdict,
            label, now = now.UtcDateTime,
        }, tx, cancellationToken: ct));
        await InsertPhotosAsync(conn, tx, id, WishPhotoStage.Wish, photos, now, ct);
        await UploadStore.ClaimAsync(conn, tx, actor.WechatUserId, post.PhotoTokens, now, ct);
        await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, actor.Audit, "wish.posted", Subject, id, community.Value.Id,
            actor.MemberId, new { Title = title, TextCheck = verdict, Label = label, Photos = photos.Count }), ct);
        foreach (var reviewer in await ReviewersAsync(conn, tx, community.Value.Id, ct))
            await ReminderStore.EnqueueAsync(conn, tx, WishNotices.Review(id, title, community.Value.Id, reviewer, verdict, now), now, ct);
        await tx.CommitAsync(ct);

        await StartImageChecksAsync(id, WishPhotoStage.Wish, openId, ct);
        return (await GetAsync(id, ct))!.Value.Wish;
    }

    // ---- transitions ----------------------------------------------------------------------

    public Task<Wish> ApproveAsync(long id, int version, WishActor actor, CancellationToken ct) =>
        TransitionAsync(id, version, WishAction.Approve, actor, async (ctx, w) =>
        {
            if (w.Photos.Any(p => p.Stage == WishPhotoStage.Wish && p.Check == PhotoCheck.Pending))
                throw new RuleViolationException("wish.photo_checking", "图片内容安全检测尚未完成，请稍后再审核");
            if (w.Photos.Any(p => p.Stage == WishPhotoStage.Wish && p.Check == PhotoCheck.Risky))
                throw new RuleViolationException("wish.photo_risky", "图片未通过内容安全检测，不能发布");
            await ctx.UpdateAsync("reviewed_by = @actor, reviewed_at = @now", new { });
            await ctx.AuditAsync("wish.approved", new { });
            await ctx.NotifyWisherAsync(WishNotices.Kinds.Published, "审核通过", "您的心愿已发布，等待党员认领");
        }, ct, authorize: (w, _) => EnsureModerator(w, actor));

    public Task<Wish> RefuseAsync(long id, int version, string? reason, WishActor actor, CancellationToken ct) =>
        TransitionAsync(id, version, WishAction.Refuse, actor, async (ctx, w) =>
        {
            var why = Reason(reason, "不予发布");
            await ctx.UpdateAsync("reviewed_by = @actor, reviewed_at = @now, refuse_reason = @why", new { why });
            await ctx.AuditAsync("wish.refused", new { Reason = why });
            await ctx.NotifyWisherAsync(WishNotices.Kinds.Refused, "未通过", why);
        }, ct, authorize: (w, _) => EnsureModerator(w, actor));

    public Task<Wish> CancelAsync(long id, int version, string? reason, WishActor actor, CancellationToken ct) =>
        TransitionAsync(id, version, WishAction.Cancel, actor, async (ctx, w) =>
        {
            var why = Reason(reason, "撤销心愿");
            await ctx.UpdateAsync("cancel_reason = @why", new { why });
            await ctx.AuditAsync("wish.cancelled", new { Reason = why, Claimer = w.ClaimerMemberId });
            if (w.ClaimerMemberId is { } claimer)
                await ctx.NotifyMemberAsync(claimer, WishNotices.Kinds.Cancelled, "已撤销", why);
        }, ct, authorize: (w, wisherUnionId) =>
        {
            if (!IsWisher(w, wisherUnionId, actor) && !Access.CanModerateWishes(actor.Grants, w.CommunityPath))
                throw new ForbiddenException("auth.forbidden", "只有心愿发布人或社区、街道工作人员可以撤销心愿");
        });

    public Task<Wish> ClaimAsync(long id, int version, WishActor actor, CancellationToken ct) =>
        TransitionAsync(id, version, WishAction.Claim, actor, async (ctx, w) =>
        {
            var memberId = actor.MemberId!.Value; // authorised below
            if (IsWisher(w, ctx.WisherUnionId, actor))
                throw new RuleViolationException("wish.own", "不能认领自己发布的心愿");
            var open = await ctx.Conn.ExecuteScalarAsync<int>(new CommandDefinition(
                "SELECT COUNT(*) FROM wishes WHERE claimer_member_id = @memberId AND status = 'claimed' FOR UPDATE",
                new { memberId }, ctx.Tx, cancellationToken: ct));
            if (open >= O.MaxOpenClaims)
                throw new LimitExceededException("wish.limit_claims",
                    $"您已认领 {open} 个尚未完成的心愿（最多 {O.MaxOpenClaims} 个），请先完成或释放");
            await ctx.UpdateAsync("claimer_member_id = @memberId, claimed_at = @now", new { memberId });
            await ctx.AuditAsync("wish.claimed", new { Claimer = memberId });
            await ctx.NotifyWisherAsync(WishNotices.Kinds.Claimed, "已被认领", $"党员{actor.MemberName}认领了您的心愿");
        }, ct, authorize: (_, _) =>
        {
            if (actor.MemberId is null)
                throw new ForbiddenException("wish.member_only", "只有绑定身份的党员可以认领心愿");
        });

    public Task<Wish> ReleaseAsync(long id, int version, string? reason, WishActor actor, CancellationToken ct) =>
        TransitionAsync(id, version, WishAction.Release, actor, async (ctx, w) =>
        {
            var why = Reason(reason, "释放认领");
            await ctx.UpdateAsync("claimer_member_id = NULL, claimed_at = NULL", new { });
            await ctx.AuditAsync("wish.released", new { Reason = why, Claimer = w.ClaimerMemberId });
            await ctx.NotifyWisherAsync(WishNotices.Kinds.Released, "认领已释放", why);
        }, ct, authorize: (w, _) =>
        {
            if (!IsClaimer(w, actor) && !Access.CanModerateWishes(actor.Grants, w.CommunityPath))
                throw new ForbiddenException("auth.forbidden", "只有认领人或社区、街道工作人员可以释放认领");
        });

    public async Task<Wish> FulfilAsync(long id, int version, string? note, IReadOnlyList<string> photoTokens, WishActor actor,
        CancellationToken ct, InlinePhotos? inline = null)
    {
        // Who may act comes before what they sent (checked again under the row lock in the transition).
        if (await GetAsync(id, ct) is not var (current, wisherUnionId) || !CanSee(current, wisherUnionId, actor))
            throw new NotFoundException($"心愿 {id} 不存在");
        if (!IsClaimer(current, actor))
            throw new ForbiddenException("auth.forbidden", "只有认领人可以提交完成情况");
        var text = note?.Trim() ?? "";
        if (text.Length > WishRules.MaxNote)
            throw new RuleViolationException("wish.invalid", $"完成说明不超过 {WishRules.MaxNote} 个字");
        var count = photoTokens.Count + (inline?.Count ?? 0);
        if (count == 0)
            throw new RuleViolationException("wish.photos_required", "请上传至少一张完成照片");
        if (count > WishRules.MaxPhotos)
            throw new RuleViolationException("wish.invalid", $"照片最多 {WishRules.MaxPhotos} 张");
        var photos = new List<StoredPhoto>(await uploads.ResolveAsync(actor.WechatUserId, photoTokens, ct));
        string? openId;
        await using (var conn = await db.OpenConnectionAsync(ct))
            openId = await MpOpenIdAsync(conn, actor.WechatUserId, ct);
        if (text.Length > 0 && (await CheckTextAsync(openId, text, ct)) is ("risky", var label))
            throw new RuleViolationException("wish.content_risky", $"完成说明未通过内容安全检测（疑似{WishRules.LabelReason(label)}），请修改");

        var wish = await TransitionAsync(id, version, WishAction.Fulfil, actor, async (ctx, w) =>
        {
            if (inline is not null)
                photos.AddRange(await inline.StoreAsync(ct));
            await ctx.UpdateAsync("fulfilled_at = @now, fulfil_note = @text", new { text = text.Length == 0 ? null : text });
            await InsertPhotosAsync(ctx.Conn, ctx.Tx, id, WishPhotoStage.Fulfil, photos, ctx.Now, ct);
            await UploadStore.ClaimAsync(ctx.Conn, ctx.Tx, actor.WechatUserId, photoTokens, ctx.Now, ct);
            await ctx.AuditAsync("wish.fulfilled", new { Note = text, Photos = photos.Count });
            await ctx.NotifyWisherAsync(WishNotices.Kinds.Fulfilled, "待您确认",
                $"请确认，{O.AutoConfirmAfter.TotalDays:0}天后自动点亮");
        }, ct, authorize: (w, _) =>
        {
            if (!IsClaimer(w, actor))
                throw new ForbiddenException("auth.forbidden", "只有认领人可以提交完成情况");
        });
        await StartImageChecksAsync(id, WishPhotoStage.Fulfil, openId, ct);
        return (await GetAsync(id, ct))!.Value.Wish;
    }

    public Task<Wish> ConfirmAsync(long id, int version, WishActor actor, CancellationToken ct) =>
        TransitionAsync(id, version, WishAction.Confirm, actor, async (ctx, w) =>
        {
            await LightAsync(ctx, w, "wisher");
        }, ct, authorize: (w, wisherUnionId) =>
        {
            if (!IsWisher(w, wisherUnionId, actor))
                throw new ForbiddenException("auth.forbidden", "只有心愿发布人可以确认");
        });

    /// <summary>Lights the fulfilled wishes whose wait is over, in batches under SKIP LOCKED; returns how many.</summary>
    /// <summary>A fulfilled wish the auto-confirmation failed on this often is left to people (its error is in the log).</summary>
    public const int MaxConfirmFailures = 5;

    public async Task<int> AutoConfirmAsync(DateTimeOffset now, int batch, CancellationToken ct)
    {
        var cutoff = now - O.AutoConfirmAfter;
        await using var conn = await db.OpenConnectionAsync(ct);
        var due = (await conn.QueryAsync<(long Id, int Version)>(new CommandDefinition("""
            SELECT id, row_version FROM wishes
            WHERE status = 'fulfilled' AND fulfilled_at <= @cutoff AND confirm_failures < @maxFailures
            ORDER BY fulfilled_at, id LIMIT @batch
            """, new { cutoff = cutoff.UtcDateTime, batch, maxFailures = MaxConfirmFailures }, cancellationToken: ct))).ToList();
        var done = 0;
        var system = new WishActor(0, null, null, null, []);
        foreach (var (id, version) in due)
        {
            try
            {
                await TransitionAsync(id, version, WishAction.AutoConfirm, system, (ctx, w) => LightAsync(ctx, w, "auto"), ct,
                    actorName: "system:auto_confirm", at: now);
                done++;
            }
            catch (Exception ex) when (ex is ConflictException or RuleViolationException)
            {
                // Someone confirmed or changed it meanwhile: nothing to do.
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // A wish this code cannot light fails alone: counted, skipped after the limit; the batch goes on.
                log.LogError(ex, "Auto-confirming wish {WishId} failed; skipped after {Max} failures", id, MaxConfirmFailures);
                await conn.ExecuteAsync(new CommandDefinition("UPDATE wishes SET confirm_failures = confirm_failures + 1 WHERE id = @id",
                    new { id }, cancellationToken: CancellationToken.None));
            }
        }
        return done;
    }

    private async Task LightAsync(TransitionContext ctx, Wish w, string by)
    {
        var points = O.Points;
        await ctx.UpdateAsync("lit_at = @now, lit_by = @by, points = @points", new { by, points });
        if (points != 0 && w.ClaimerMemberId is { } claimer)
            await ctx.Conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO points_ledger (subject_type, subject_id, period_key, points, source, task_id, ref_id, reason, created_at)
                VALUES ('member', @claimer, @periodKey, @points, @source, NULL, @id, @reason, @now)
                """, new
            {
                claimer, periodKey = Periods.Containing(Recurrence.Monthly, ctx.Now).Key, points, source = LedgerSources.WishLit, id = w.Id,
                reason = WishRules.Clip($"点亮微心愿“{w.Title}”", 200), now = ctx.Now.UtcDateTime,
            }, ctx.Tx, cancellationToken: ctx.Ct));
        await ctx.AuditAsync("wish.lit", new { By = by, Points = points, Claimer = w.ClaimerMemberId });
        if (w.ClaimerMemberId is { } member)
            await ctx.NotifyMemberAsync(member, WishNotices.Kinds.Lit, "已点亮",
                by == "auto" ? $"心愿已自动点亮，积分+{points:0.##}" : $"心愿人已确认，积分+{points:0.##}");
    }

    /// <summary>What a transition's body works with: the locked row, the transaction, and helpers that write into it.</summary>
    private sealed class TransitionContext(DbConnection conn, DbTransaction tx, Wish wish, string? wisherUnionId, WishStatus to,
        string actor, long? actorMemberId, DateTimeOffset now, CancellationToken ct)
    {
        public DbConnection Conn => conn;
        public DbTransaction Tx => tx;
        public DateTimeOffset Now => now;
        public CancellationToken Ct => ct;
        public string? WisherUnionId => wisherUnionId;

        /// <summary>Moves the row to the new status (and the extra columns), conditional on the version read.</summary>
        public async Task UpdateAsync(string set, object extra)
        {
            var args = new DynamicParameters(extra);
            args.AddDynamicParams(new { id = wish.Id, version = wish.Version, to = DbNames.Of(to), actor, now = now.UtcDateTime });
            var changed = await conn.ExecuteAsync(new CommandDefinition($"""
                UPDATE wishes SET status = @to, {set}, row_version = row_version + 1, updated_at = @now
                WHERE id = @id AND row_version = @version
                """, args, tx, cancellationToken: ct));
            if (changed != 1)
                throw new ConflictException("wish.stale", "心愿已被他人更新，请刷新后再试");
        }

        public Task AuditAsync(string action, object data) => AuditLog.AppendAsync(conn, tx, new AuditEntry(now, actor, action, Subject,
            wish.Id, wish.CommunityId, actorMemberId, new { From = DbNames.Of(wish.Status), To = DbNames.Of(to), Details = data }), ct);

        public Task NotifyWisherAsync(string kind, string phrase, string note) => ReminderStore.EnqueueAsync(conn, tx,
            WishNotices.For(wish, kind, wish.WisherMemberId, wish.WisherMemberId is null ? wish.WisherUserId : null, phrase, note, now), now, ct);

        public Task NotifyMemberAsync(long memberId, string kind, string phrase, string note) => ReminderStore.EnqueueAsync(conn, tx,
            WishNotices.For(wish, kind, memberId, null, phrase, note, now), now, ct);
    }

    private async Task<Wish> TransitionAsync(long id, int version, WishAction action, WishActor actor,
        Func<TransitionContext, Wish, Task> body, CancellationToken ct, string? actorName = null, DateTimeOffset? at = null,
        Action<Wish, string?>? authorize = null)
    {
        var now = at ?? clock.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(Select + " WHERE w.id = @id FOR UPDATE", new { id }, tx,
            cancellationToken: ct));
        if (row is null)
            throw new NotFoundException($"心愿 {id} 不存在");
        var photos = await PhotosAsync(conn, [id], ct, tx);
        var wish = ToModel(row, photos.GetValueOrDefault(id) ?? []);
        if (actorName is null && !CanSee(wish, row.WisherUnionId, actor))
            throw new NotFoundException($"心愿 {id} 不存在");
        // Who may act comes first: a stranger learns nothing of the wish's status or version (issue #15, route matrix).
        authorize?.Invoke(wish, row.WisherUnionId);
        if (WishRules.Next(wish.Status, action) is not { } to)
            throw new RuleViolationException("wish.wrong_status", WishRules.Refusal(wish.Status, action));
        if (wish.Version != version)
            throw new ConflictException("wish.stale", "心愿已被他人更新，请刷新后再试");
        var ctx = new TransitionContext(conn, tx, wish, row.WisherUnionId, to, actorName ?? actor.Audit, actor.MemberId, now, ct);
        await body(ctx, wish);
        await tx.CommitAsync(ct);
        return (await GetAsync(id, ct))!.Value.Wish;
    }

    private static void EnsureModerator(Wish w, WishActor actor)
    {
        if (!Access.CanModerateWishes(actor.Grants, w.CommunityPath))
            throw new ForbiddenException("auth.forbidden", "只有社区党委或街道党建办可以审核该社区的心愿");
    }

    private static string Reason(string? reason, string what) =>
        WishRules.ReasonRefusal(reason, what) is { } bad ? throw new RuleViolationException("wish.reason_required", bad) : reason!.Trim();

    // ---- content checks --------------------------------------------------------------------

    /// <summary>The mini-program openid of the person (their own, or by unionid): msg_sec_check and media_check_async need one.</summary>
    private async Task<string?> MpOpenIdAsync(DbConnection conn, long wechatUserId, CancellationToken ct) =>
        await conn.ExecuteScalarAsync<string?>(new CommandDefinition("""
            SELECT w.openid FROM wechat_users w JOIN wechat_users u ON u.id = @wechatUserId
            WHERE w.app_id = @mpAppId AND (w.id = u.id OR (u.unionid IS NOT NULL AND w.unionid = u.unionid))
            ORDER BY w.id = u.id DESC, w.id DESC LIMIT 1
            """, new { wechatUserId, mpAppId = wechat.Value.Mp.AppId }, cancellationToken: ct));

    /// <summary>msg_sec_check v2: pass / review / risky, or unchecked when it could not be asked (staff look then).</summary>
    private async Task<(string Verdict, string? Label)> CheckTextAsync(string? openId, string content, CancellationToken ct)
    {
        if (openId is null)
            return ("unchecked", null);
        try
        {
            var check = await mp.CheckTextAsync(openId, content, CheckScene, ct);
            if (!check.IsOk || check.Value?.Result is not { } result)
            {
                log.LogWarning("msg_sec_check failed: {ErrCode} {ErrMsg}; the wish goes to staff unchecked", check.ErrCode, check.ErrMsg);
                return ("unchecked", null);
            }
            return (WishRules.TextVerdict(result.Suggest), result.Label.ValueKind switch
            {
                System.Text.Json.JsonValueKind.Number => result.Label.GetRawText(),
                System.Text.Json.JsonValueKind.String => result.Label.GetString(),
                _ => null,
            });
        }
        catch (HttpRequestException ex)
        {
            log.LogWarning(ex, "msg_sec_check unreachable; the wish goes to staff unchecked");
            return ("unchecked", null);
        }
    }

    /// <summary>
    /// Starts media_check_async for each photo of the stage not yet sent (under its own poster's openid), stores its
    /// trace_id, and applies a verdict that already came.
    /// </summary>
    private async Task StartImageChecksAsync(long wishId, WishPhotoStage stage, string? openId, CancellationToken ct)
    {
        if (openId is null)
            return;
        await using var conn = await db.OpenConnectionAsync(ct);
        var pending = await conn.QueryAsync<(long Id, string Sha256)>(new CommandDefinition(
            "SELECT id, sha256 FROM wish_photos WHERE wish_id = @wishId AND stage = @stage AND trace_id IS NULL",
            new { wishId, stage = DbNames.Of(stage) }, cancellationToken: ct));
        foreach (var (photoId, sha) in pending)
        {
            try
            {
                var started = await mp.CheckImageAsync(openId, PhotoUrl(wishId, sha, absolute: true), CheckScene, ct);
                if (!started.IsOk || started.Value is null)
                {
                    log.LogWarning("media_check_async refused for wish {WishId}: {ErrCode} {ErrMsg}", wishId, started.ErrCode, started.ErrMsg);
                    continue;
                }
                await conn.ExecuteAsync(new CommandDefinition("UPDATE wish_photos SET trace_id = @trace WHERE id = @photoId",
                    new { trace = started.Value.TraceId, photoId }, cancellationToken: ct));
                var verdict = await conn.QuerySingleOrDefaultAsync<(string Suggest, string? Label)?>(new CommandDefinition(
                    "SELECT suggest, label FROM media_checks WHERE trace_id = @trace", new { trace = started.Value.TraceId }, cancellationToken: ct));
                if (verdict is { } v)
                    await OnVerdictAsync(started.Value.TraceId, v.Suggest, v.Label, ct);
            }
            catch (HttpRequestException ex)
            {
                log.LogWarning(ex, "media_check_async unreachable for wish {WishId}; staff check the photo themselves", wishId);
            }
        }
    }

    /// <summary>
    /// A wxa_media_check verdict came in. A risky photo of a wish still under review refuses the wish (the wisher
    /// is told why); a risky proof photo is only hidden (the public sees passed photos only).
    /// </summary>
    public async Task OnVerdictAsync(string traceId, string suggest, string? label, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var photo = await conn.QuerySingleOrDefaultAsync<(long WishId, string Stage)?>(new CommandDefinition(
            "SELECT wish_id, stage FROM wish_photos WHERE trace_id = @traceId", new { traceId }, cancellationToken: ct));
        if (photo is not { } p || suggest != "risky")
            return;
        var now = clock.GetUtcNow();
        var reason = $"图片未通过内容安全检测（疑似{WishRules.LabelReason(label)}）";
        if (p.Stage == DbNames.Of(WishPhotoStage.Wish))
        {
            var current = await GetAsync(p.WishId, ct);
            if (current is not { Wish.Status: WishStatus.Reviewing } c)
                return;
            try
            {
                await TransitionAsync(p.WishId, c.Wish.Version, WishAction.Refuse, new WishActor(0, null, null, null, []), async (ctx, w) =>
                {
                    await ctx.UpdateAsync("reviewed_by = @actor, reviewed_at = @now, refuse_reason = @reason", new { reason });
                    await ctx.AuditAsync("wish.refused", new { Reason = reason, TraceId = traceId, Label = label });
                    await ctx.NotifyWisherAsync(WishNotices.Kinds.Refused, "未通过", reason);
                }, ct, actorName: "system:media_check", at: now);
            }
            catch (ConflictException)
            {
                // Changed meanwhile (a moderator refused it first): nothing more to do.
            }
        }
        else
        {
            await AuditLog.AppendAsync(conn, null, new AuditEntry(now, "system:media_check", "wish.photo_hidden", Subject, p.WishId, null,
                null, new { TraceId = traceId, Label = label }), ct);
        }
    }

    private static async Task InsertPhotosAsync(DbConnection conn, DbTransaction tx, long wishId, WishPhotoStage stage,
        IReadOnlyList<StoredPhoto> photos, DateTimeOffset now, CancellationToken ct)
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

    /// <summary>Community secretaries and committee members, else office staff: who is told that a wish waits for review.</summary>
    private static async Task<IReadOnlyList<long>> ReviewersAsync(DbConnection conn, DbTransaction tx, long communityId, CancellationToken ct)
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

    // ---- photo URLs -----------------------------------------------------------------------

    /// <summary>
    /// A wish photo's address: signed, so only links the service handed out (to WeChat's image check, to those who
    /// may see the photo) open it, and only for a day or two: a link copied out of a page stops working, while
    /// every page view hands out a fresh one. The expiry is the end of the day after today (UTC), so a photo's
    /// link stays the same all day and the browser's cache keeps working.
    /// </summary>
    public string PhotoUrl(long wishId, string sha256, bool absolute = false)
    {
        var expires = PhotoLinkExpiry(clock.GetUtcNow());
        return (absolute ? O.PublicBase.TrimEnd('/') : "") + string.Create(CultureInfo.InvariantCulture,
            $"/h5/wishes/{wishId}/photos/{sha256}?e={expires}&s={Sign(wishId, sha256, expires)}");
    }

    /// <summary>The expiry (Unix seconds) of a photo link handed out at <paramref name="now"/>: the end of the next UTC day.</summary>
    public static long PhotoLinkExpiry(DateTimeOffset now) => (now.ToUnixTimeSeconds() / 86_400 + 2) * 86_400;

    /// <summary>Whether a photo link is one we signed and has not expired.</summary>
    public bool VerifyPhotoLink(long wishId, string sha256, long? expires, string? signature) =>
        expires is { } e && signature is not null && clock.GetUtcNow().ToUnixTimeSeconds() < e
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(wishId, sha256, e)), Encoding.ASCII.GetBytes(signature));

    private string Sign(long wishId, string sha256, long expires)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes(auth.Value.JwtSigningKey), "wxqms-wish-photo"u8);
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{wishId}:{sha256}:{expires}")));
        return Base64Url.EncodeToString(mac.AsSpan(0, 16));
    }

    private static DateTimeOffset? Utc(DateTime? t) => t is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;
}
