using WxQms.Domain.Model.Wishes;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Rules.Wishes;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Wishes;

/// <summary>
/// The notices of a wish's progress, queued in the outbox under the <c>wishUpdated</c> template (微心愿进度通知:
/// thing1 心愿, phrase2 状态, thing3 说明, time4 时间) for both apps. Kinds are at most 16 characters; one per
/// (wish, kind, recipient), so a second claim of the same wish does not tell the wisher again.
/// </summary>
public static class WishNotices
{
    /// <summary>The audit trail's and the outbox's subject type of a wish.</summary>
    public const string Subject = "wish";

    /// <summary>The template key (<c>Reminders:Templates</c>) of every wish notice.</summary>
    public const string TemplateKey = "wishUpdated";

    public static class Kinds
    {
        public const string Review = "wish_review";
        public const string Published = "wish_published";
        public const string Refused = "wish_refused";
        public const string Claimed = "wish_claimed";
        public const string Released = "wish_released";
        public const string Fulfilled = "wish_fulfilled";
        public const string Lit = "wish_lit";
        public const string Cancelled = "wish_cancelled";
    }

    /// <summary>What the reminder list calls each kind.</summary>
    public static readonly IReadOnlyDictionary<string, string> Labels = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [Kinds.Review] = "心愿待审核",
        [Kinds.Published] = "心愿已发布",
        [Kinds.Refused] = "心愿未通过",
        [Kinds.Claimed] = "心愿被认领",
        [Kinds.Released] = "心愿认领释放",
        [Kinds.Fulfilled] = "心愿待确认",
        [Kinds.Lit] = "心愿已点亮",
        [Kinds.Cancelled] = "心愿已撤销",
    };

    public static string Page(long wishId) => $"pages/wish/index?id={wishId}";

    public static Notice For(Wish wish, string kind, long? memberId, long? wechatUserId, string phrase, string note, DateTimeOffset now) =>
        Build(wish.Id, wish.Title, wish.CommunityId, kind, memberId, wechatUserId, phrase, note, now);

    public static Notice Review(long wishId, string title, long communityId, long reviewerMemberId, string textCheck, DateTimeOffset now) =>
        Build(wishId, title, communityId, Kinds.Review, reviewerMemberId, null, "待审核",
            textCheck == "pass" ? "新心愿待审核发布" : "新心愿待人工审核内容", now);

    private static Notice Build(long wishId, string title, long communityId, string kind, long? memberId, long? wechatUserId, string phrase,
        string note, DateTimeOffset now)
    {
        var data = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["thing1"] = WishRules.Clip(title, 20),
            ["phrase2"] = phrase,
            ["thing3"] = WishRules.Clip(note, 20),
            ["time4"] = Periods.Describe(now),
        };
        return new Notice(Subject, wishId, kind, communityId, memberId, wechatUserId, TemplateKey, data, data,
            Page(wishId));
    }
}
