using Microsoft.Extensions.Options;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Wishes;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Rules.Wishes;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Wishes;

/// <summary>A post: the words, the community, who to call the wisher (residents), photos uploaded ahead or received inline.</summary>
public sealed record WishPost(string? Title, string? Description, long CommunityId, string? Name, IReadOnlyList<string> PhotoTokens,
    InlinePhotos? Inline = null);

/// <summary>
/// Photos received with a form (the H5 page), checked but not stored: the service stores them only once everything
/// else about the request passed, so a refused post leaves nothing on disk.
/// </summary>
public sealed record InlinePhotos(int Count, Func<CancellationToken, Task<IReadOnlyList<StoredPhoto>>> StoreAsync);

/// <summary>
/// What people send with words and photos (微心愿点亮): a wish's post, and its claimer's fulfilment. Both go through
/// the content checks (text at once, a risky one is refused; photos afterwards) and the poster's limits.
/// </summary>
public sealed class WishSubmissions(WishStore store, WishTransitions transitions, WishContentChecks checks, UploadStore uploads,
    TimeProvider clock, IOptions<WishOptions> options)
{
    private WishOptions O => options.Value;

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

        var community = await store.OrgAsync(post.CommunityId, ct);
        if (community is not { IsCommunity: true })
            throw new RuleViolationException("wish.invalid", "请选择所在社区");

        var dayStart = Periods.StartOf(Periods.LocalDate(now));
        // Posts refused as risky count too: otherwise anyone could probe the content check without end.
        var today = await store.PostsSinceAsync(dayStart, actor.WechatUserId, actor.MemberId, actor.UnionId, ct);
        if (today >= O.MaxPostsPerDay)
            throw new LimitExceededException("wish.limit_posts", $"每人每天最多发布 {O.MaxPostsPerDay} 个心愿，请明天再来");

        var photos = new List<StoredPhoto>(await uploads.ResolveAsync(actor.WechatUserId, post.PhotoTokens, ct));

        var openId = await checks.MpOpenIdAsync(actor.WechatUserId, ct);
        var (verdict, label) = await checks.CheckTextAsync(openId, string.Join("\n", new[] { title, description, post.Name ?? "" }
            .Where(s => s.Length > 0)), ct);
        if (verdict == "risky")
        {
            await store.RecordRefusalAsync(actor.WechatUserId, actor.MemberId, community.Value.Id, label, new AuditEntry(now, actor.Audit,
                "wish.post_refused", WishNotices.Subject, null, community.Value.Id, actor.MemberId, new { Title = title, Label = label }), ct);
            throw new RuleViolationException("wish.content_risky",
                $"心愿内容未通过内容安全检测（疑似{WishRules.LabelReason(label)}），请修改后再发布");
        }
        if (post.Inline is { } inline)
            photos.AddRange(await inline.StoreAsync(ct));

        var id = await store.InTransactionAsync(async tx =>
        {
            var id = await tx.InsertAsync(new NewWish(community.Value.Id, title, description, actor.WechatUserId, actor.MemberId, name,
                verdict, label), now);
            await tx.InsertPhotosAsync(id, WishPhotoStage.Wish, photos, now);
            await tx.ClaimUploadsAsync(actor.WechatUserId, post.PhotoTokens, now);
            await tx.AuditAsync(new AuditEntry(now, actor.Audit, "wish.posted", WishNotices.Subject, id, community.Value.Id,
                actor.MemberId, new { Title = title, TextCheck = verdict, Label = label, Photos = photos.Count }));
            foreach (var reviewer in await tx.ReviewersAsync(community.Value.Id))
                await tx.EnqueueAsync(WishNotices.Review(id, title, community.Value.Id, reviewer, verdict, now), now);
            return id;
        }, ct);

        await checks.StartImageChecksAsync(id, WishPhotoStage.Wish, openId, ct);
        return (await store.GetAsync(id, ct))!.Value.Wish;
    }

    public async Task<Wish> FulfilAsync(long id, int version, string? note, IReadOnlyList<string> photoTokens, WishActor actor,
        CancellationToken ct, InlinePhotos? inline = null)
    {
        // Who may act comes before what they sent (checked again under the row lock in the transition).
        if (await store.GetAsync(id, ct) is not var (current, wisherUnionId) || !WishReads.CanSee(current, wisherUnionId, actor))
            throw new NotFoundException($"心愿 {id} 不存在");
        if (!WishReads.IsClaimer(current, actor))
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
        var openId = await checks.MpOpenIdAsync(actor.WechatUserId, ct);
        if (text.Length > 0 && (await checks.CheckTextAsync(openId, text, ct)) is ("risky", var label))
            throw new RuleViolationException("wish.content_risky", $"完成说明未通过内容安全检测（疑似{WishRules.LabelReason(label)}），请修改");

        await transitions.RunAsync(id, version, WishAction.Fulfil, actor, async (ctx, w) =>
        {
            if (inline is not null)
                photos.AddRange(await inline.StoreAsync(ct));
            await ctx.UpdateAsync("fulfilled_at = @now, fulfil_note = @text", new { text = text.Length == 0 ? null : text });
            await ctx.Tx.InsertPhotosAsync(id, WishPhotoStage.Fulfil, photos, ctx.Now);
            await ctx.Tx.ClaimUploadsAsync(actor.WechatUserId, photoTokens, ctx.Now);
            await ctx.AuditAsync("wish.fulfilled", new { Note = text, Photos = photos.Count });
            await ctx.NotifyWisherAsync(WishNotices.Kinds.Fulfilled, "待您确认",
                $"请确认，{O.AutoConfirmAfter.TotalDays:0}天后自动点亮");
        }, ct, authorize: (w, _) =>
        {
            if (!WishReads.IsClaimer(w, actor))
                throw new ForbiddenException("auth.forbidden", "只有认领人可以提交完成情况");
        });
        await checks.StartImageChecksAsync(id, WishPhotoStage.Fulfil, openId, ct);
        return (await store.GetAsync(id, ct))!.Value.Wish;
    }
}
