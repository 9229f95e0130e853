using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Model.Wishes;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Rules.Wishes;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Wishes;

/// <summary>
/// A wish's moves after its post: approve or refuse, cancel, claim, release, confirm — or the worker's
/// auto-confirmation after <see cref="WishOptions.AutoConfirmAfter"/> — which lights the wish and books the
/// claimer's points. Every transition is one transaction: the row (guarded by its version), the audit entry
/// and the notices of the outbox commit together. Who may act is decided before the wish's status or version.
/// </summary>
public sealed class WishTransitions(WishStore store, TimeProvider clock, IOptions<WishOptions> options, RecordCache records,
    ILogger<WishTransitions> log)
{
    /// <summary>A fulfilled wish the auto-confirmation failed on this often is left to people (its error is in the log).</summary>
    public const int MaxConfirmFailures = 5;

    private WishOptions O => options.Value;

    public Task<Wish> ApproveAsync(long id, int version, WishActor actor, CancellationToken ct) =>
        RunAsync(id, version, WishAction.Approve, actor, async (ctx, w) =>
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
        RunAsync(id, version, WishAction.Refuse, actor, async (ctx, w) =>
        {
            var why = Reason(reason, "不予发布");
            await ctx.UpdateAsync("reviewed_by = @actor, reviewed_at = @now, refuse_reason = @why", new { why });
            await ctx.AuditAsync("wish.refused", new { Reason = why });
            await ctx.NotifyWisherAsync(WishNotices.Kinds.Refused, "未通过", why);
        }, ct, authorize: (w, _) => EnsureModerator(w, actor));

    /// <summary>The image check found a photo of a wish under review risky: the wish is refused, and the wisher told why.</summary>
    public Task<Wish> RefuseForPhotoAsync(long id, int version, string reason, string traceId, string? label, DateTimeOffset now,
        CancellationToken ct) =>
        RunAsync(id, version, WishAction.Refuse, new WishActor(0, null, null, null, []), async (ctx, w) =>
        {
            await ctx.UpdateAsync("reviewed_by = @actor, reviewed_at = @now, refuse_reason = @reason", new { reason });
            await ctx.AuditAsync("wish.refused", new { Reason = reason, TraceId = traceId, Label = label });
            await ctx.NotifyWisherAsync(WishNotices.Kinds.Refused, "未通过", reason);
        }, ct, actorName: "system:media_check", at: now);

    public Task<Wish> CancelAsync(long id, int version, string? reason, WishActor actor, CancellationToken ct) =>
        RunAsync(id, version, WishAction.Cancel, actor, async (ctx, w) =>
        {
            var why = Reason(reason, "撤销心愿");
            await ctx.UpdateAsync("cancel_reason = @why", new { why });
            await ctx.AuditAsync("wish.cancelled", new { Reason = why, Claimer = w.ClaimerMemberId });
            if (w.ClaimerMemberId is { } claimer)
                await ctx.NotifyMemberAsync(claimer, WishNotices.Kinds.Cancelled, "已撤销", why);
        }, ct, authorize: (w, wisherUnionId) =>
        {
            if (!WishReads.IsWisher(w, wisherUnionId, actor) && !Access.CanModerateWishes(actor.Grants, w.CommunityPath))
                throw new ForbiddenException("auth.forbidden", "只有心愿发布人或社区、街道工作人员可以撤销心愿");
        });

    public Task<Wish> ClaimAsync(long id, int version, WishActor actor, CancellationToken ct) =>
        RunAsync(id, version, WishAction.Claim, actor, async (ctx, w) =>
        {
            var memberId = actor.MemberId!.Value; // authorised below
            if (WishReads.IsWisher(w, ctx.WisherUnionId, actor))
                throw new RuleViolationException("wish.own", "不能认领自己发布的心愿");
            var open = await ctx.Tx.OpenClaimsAsync(memberId);
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
        RunAsync(id, version, WishAction.Release, actor, async (ctx, w) =>
        {
            var why = Reason(reason, "释放认领");
            await ctx.UpdateAsync("claimer_member_id = NULL, claimed_at = NULL", new { });
            await ctx.AuditAsync("wish.released", new { Reason = why, Claimer = w.ClaimerMemberId });
            await ctx.NotifyWisherAsync(WishNotices.Kinds.Released, "认领已释放", why);
        }, ct, authorize: (w, _) =>
        {
            if (!WishReads.IsClaimer(w, actor) && !Access.CanModerateWishes(actor.Grants, w.CommunityPath))
                throw new ForbiddenException("auth.forbidden", "只有认领人或社区、街道工作人员可以释放认领");
        });

    public Task<Wish> ConfirmAsync(long id, int version, WishActor actor, CancellationToken ct) =>
        RunAsync(id, version, WishAction.Confirm, actor, async (ctx, w) =>
        {
            await LightAsync(ctx, w, "wisher");
        }, ct, authorize: (w, wisherUnionId) =>
        {
            if (!WishReads.IsWisher(w, wisherUnionId, actor))
                throw new ForbiddenException("auth.forbidden", "只有心愿发布人可以确认");
        });

    /// <summary>Lights the fulfilled wishes whose wait is over, a batch at a time; returns how many.</summary>
    public async Task<int> AutoConfirmAsync(DateTimeOffset now, int batch, CancellationToken ct)
    {
        var due = await store.DueForConfirmationAsync(now - O.AutoConfirmAfter, batch, MaxConfirmFailures, ct);
        var done = 0;
        var system = new WishActor(0, null, null, null, []);
        foreach (var (id, version) in due)
        {
            try
            {
                await RunAsync(id, version, WishAction.AutoConfirm, system, (ctx, w) => LightAsync(ctx, w, "auto"), ct,
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
                await store.CountConfirmFailureAsync(id);
            }
        }
        return done;
    }

    private async Task LightAsync(WishTransitionContext ctx, Wish w, string by)
    {
        var points = O.Points;
        await ctx.UpdateAsync("lit_at = @now, lit_by = @by, points = @points", new { by, points });
        if (points != 0 && w.ClaimerMemberId is { } claimer)
            await ctx.Tx.BookPointsAsync(claimer, Periods.Containing(Recurrence.Monthly, ctx.Now).Key, points, LedgerSources.WishLit, w.Id,
                WishRules.Clip($"点亮微心愿“{w.Title}”", 200), ctx.Now);
        await ctx.AuditAsync("wish.lit", new { By = by, Points = points, Claimer = w.ClaimerMemberId });
        if (w.ClaimerMemberId is { } member)
            await ctx.NotifyMemberAsync(member, WishNotices.Kinds.Lit, "已点亮",
                by == "auto" ? $"心愿已自动点亮，积分+{points:0.##}" : $"心愿人已确认，积分+{points:0.##}");
    }

    /// <summary>
    /// One transition: locks the row, checks who may act (<paramref name="authorize"/>), then the status and version,
    /// runs <paramref name="body"/> in the transaction and returns the wish as committed. With
    /// <paramref name="actorName"/> (the system acting) the actor need not see the wish.
    /// </summary>
    internal async Task<Wish> RunAsync(long id, int version, WishAction action, WishActor actor,
        Func<WishTransitionContext, Wish, Task> body, CancellationToken ct, string? actorName = null, DateTimeOffset? at = null,
        Action<Wish, string?>? authorize = null)
    {
        var now = at ?? clock.GetUtcNow();
        await store.InTransactionAsync(async tx =>
        {
            if (await tx.LockAsync(id) is not var (wish, wisherUnionId))
                throw new NotFoundException($"心愿 {id} 不存在");
            if (actorName is null && !WishReads.CanSee(wish, wisherUnionId, actor))
                throw new NotFoundException($"心愿 {id} 不存在");
            // Who may act comes first: a stranger learns nothing of the wish's status or version (issue #15, route matrix).
            authorize?.Invoke(wish, wisherUnionId);
            if (WishRules.Next(wish.Status, action) is not { } to)
                throw new RuleViolationException("wish.wrong_status", WishRules.Refusal(wish.Status, action));
            if (wish.Version != version)
                throw new ConflictException("wish.stale", "心愿已被他人更新，请刷新后再试");
            await body(new WishTransitionContext(tx, wish, wisherUnionId, to, actorName ?? actor.Audit, actor.MemberId, now), wish);
            return true;
        }, ct);
        await records.InvalidateAsync(); // a lit wish's points are on the claimer's record
        return (await store.GetAsync(id, ct))!.Value.Wish;
    }

    private static void EnsureModerator(Wish w, WishActor actor)
    {
        if (!Access.CanModerateWishes(actor.Grants, w.CommunityPath))
            throw new ForbiddenException("auth.forbidden", "只有社区党委或街道党建办可以审核该社区的心愿");
    }

    private static string Reason(string? reason, string what) =>
        WishRules.ReasonRefusal(reason, what) is { } bad ? throw new RuleViolationException("wish.reason_required", bad) : reason!.Trim();
}

/// <summary>What a transition's body works with: the locked wish, its transaction, and helpers that write into it.</summary>
internal sealed class WishTransitionContext(WishTransaction tx, Wish wish, string? wisherUnionId, WishStatus to, string actor,
    long? actorMemberId, DateTimeOffset now)
{
    public WishTransaction Tx => tx;
    public DateTimeOffset Now => now;
    public string? WisherUnionId => wisherUnionId;

    /// <summary>Moves the row to the new status (and the extra columns), conditional on the version read.</summary>
    public async Task UpdateAsync(string set, object extra)
    {
        if (!await tx.UpdateAsync(wish.Id, wish.Version, to, set, extra, actor, now))
            throw new ConflictException("wish.stale", "心愿已被他人更新，请刷新后再试");
    }

    public Task AuditAsync(string action, object data) => tx.AuditAsync(new AuditEntry(now, actor, action, WishNotices.Subject,
        wish.Id, wish.CommunityId, actorMemberId, new { From = DbNames.Of(wish.Status), To = DbNames.Of(to), Details = data }));

    public Task NotifyWisherAsync(string kind, string phrase, string note) => tx.EnqueueAsync(
        WishNotices.For(wish, kind, wish.WisherMemberId, wish.WisherMemberId is null ? wish.WisherUserId : null, phrase, note, now), now);

    public Task NotifyMemberAsync(long memberId, string kind, string phrase, string note) => tx.EnqueueAsync(
        WishNotices.For(wish, kind, memberId, null, phrase, note, now), now);
}
