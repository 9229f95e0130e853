using WxQms.Domain.Model.Wishes;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Wishes;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Wishes;

/// <summary>
/// Who acts on a wish: a WeChat user (residents have nothing more), perhaps a member with grants. The
/// unionid ties one person's official-account and mini-program identities together.
/// </summary>
public sealed record WishActor(long WechatUserId, long? MemberId, string? UnionId, string? MemberName, IReadOnlyList<Grant> Grants)
{
    public string Audit => MemberId is { } m ? $"member:{m}" : $"wechat_user:{WechatUserId}";
}

public sealed record WishListFilter(long? CommunityId = null, WishStatus? Status = null, bool Mine = false, int Limit = 50);

/// <summary>The micro-wishes as a viewer may see them, and who is who on a wish (wisher, claimer).</summary>
public sealed class WishReads(WishStore store)
{
    /// <summary>The actor behind a WeChat user id (and the member and grants the caller already knows).</summary>
    public async Task<WishActor> ActorAsync(long wechatUserId, long? memberId, IReadOnlyList<Grant> grants, CancellationToken ct)
    {
        var (unionId, name) = await store.ActorAsync(wechatUserId, memberId, ct);
        return new WishActor(wechatUserId, memberId, unionId, name, grants);
    }

    /// <summary>One wish with its photos, or null. <paramref name="unionId"/> is the wisher's, for "is this mine".</summary>
    public Task<(Wish Wish, string? WisherUnionId)?> GetAsync(long id, CancellationToken ct) => store.GetAsync(id, ct);

    /// <summary>
    /// Wishes the actor may see, newest first: the public ones (published, claimed, fulfilled, lit), plus the
    /// actor's own in every status, plus, for staff, their communities' wishes in every status.
    /// </summary>
    public async Task<IReadOnlyList<(Wish Wish, string? WisherUnionId)>> ListAsync(WishListFilter f, WishActor? actor, CancellationToken ct)
    {
        var moderatorScopes = actor?.Grants.Select(Access.IssueScope).OfType<string>().ToArray() ?? [];
        var widest = moderatorScopes.OrderBy(p => p.Length).FirstOrDefault();
        var rows = await store.ListAsync(new WishQuery(f.CommunityId, f.Status, f.Mine, actor?.WechatUserId ?? 0, actor?.MemberId,
            actor?.UnionId, widest, Math.Clamp(f.Limit, 1, 200)), ct);
        // The SQL takes the widest scope; a holder of two narrower ones is filtered here.
        return rows.Where(r => WishRules.IsPublic(r.Wish.Status) || actor is null
            || IsWisher(r.Wish, r.WisherUnionId, actor) || IsClaimer(r.Wish, actor)
            || Access.CanModerateWishes(actor.Grants, r.Wish.CommunityPath)).ToList();
    }

    /// <summary>The wisher is the same person as the actor: the same WeChat user, member, or unionid.</summary>
    public static bool IsWisher(Wish w, string? wisherUnionId, WishActor a) =>
        w.WisherUserId == a.WechatUserId || (a.MemberId is { } m && w.WisherMemberId == m)
        || (a.UnionId is not null && wisherUnionId == a.UnionId);

    public static bool IsClaimer(Wish w, WishActor a) => a.MemberId is { } m && w.ClaimerMemberId == m;

    public static bool CanSee(Wish w, string? wisherUnionId, WishActor? a) =>
        WishRules.IsPublic(w.Status) || (a is not null
            && (IsWisher(w, wisherUnionId, a) || IsClaimer(w, a) || Access.CanModerateWishes(a.Grants, w.CommunityPath)));

    /// <summary>The photo behind a wish and hash, for serving it.</summary>
    public Task<WishPhoto?> PhotoAsync(long wishId, string sha256, CancellationToken ct) => store.PhotoAsync(wishId, sha256, ct);

    /// <summary>The communities a wish can be posted to (orgs directly under the subdistrict).</summary>
    public Task<IReadOnlyList<(long Id, string Name)>> CommunitiesAsync(CancellationToken ct) => store.CommunitiesAsync(ct);
}
