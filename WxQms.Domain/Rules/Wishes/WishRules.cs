using WxQms.Domain.Model.Wishes;

namespace WxQms.Domain.Rules.Wishes;

/// <summary>
/// The micro-wish state machine and its wording (pure). Posted → Reviewing → (staff) Published or Refused;
/// Published → (a member) Claimed → (the claimer) Fulfilled → (the wisher, or the wait) Lit. A claim can be
/// released (back to Published) and a wish cancelled before it is fulfilled, both with a reason.
/// </summary>
public static class WishRules
{
    public const int MaxTitle = 30;
    public const int MaxDescription = 300;
    public const int MaxName = 10;
    public const int MaxReason = 200;
    public const int MaxNote = 300;
    public const int MaxPhotos = 9;

    /// <summary>The status an action leads to from <paramref name="from"/>, or null when it does not apply there.</summary>
    public static WishStatus? Next(WishStatus from, WishAction action) => (from, action) switch
    {
        (WishStatus.Reviewing, WishAction.Approve) => WishStatus.Published,
        (WishStatus.Reviewing, WishAction.Refuse) => WishStatus.Refused,
        (WishStatus.Reviewing or WishStatus.Published or WishStatus.Claimed, WishAction.Cancel) => WishStatus.Cancelled,
        (WishStatus.Published, WishAction.Claim) => WishStatus.Claimed,
        (WishStatus.Claimed, WishAction.Release) => WishStatus.Published,
        (WishStatus.Claimed, WishAction.Fulfil) => WishStatus.Fulfilled,
        (WishStatus.Fulfilled, WishAction.Confirm or WishAction.AutoConfirm) => WishStatus.Lit,
        _ => null,
    };

    /// <summary>Why the action cannot be taken in this status, in Chinese.</summary>
    public static string Refusal(WishStatus from, WishAction action) => action switch
    {
        WishAction.Approve or WishAction.Refuse => $"该心愿{Label(from)}，无需审核",
        WishAction.Cancel => $"该心愿{Label(from)}，不能撤销",
        WishAction.Claim => from == WishStatus.Claimed ? "该心愿已被其他党员认领" : $"该心愿{Label(from)}，不能认领",
        WishAction.Release => $"该心愿{Label(from)}，没有可释放的认领",
        WishAction.Fulfil => $"该心愿{Label(from)}，不能提交完成情况",
        _ => $"该心愿{Label(from)}，不能确认",
    };

    /// <summary>Statuses anyone may see (the public wall); the others only the wisher and the staff.</summary>
    public static bool IsPublic(WishStatus s) => s is WishStatus.Published or WishStatus.Claimed or WishStatus.Fulfilled or WishStatus.Lit;

    public static string Label(WishStatus s) => s switch
    {
        WishStatus.Reviewing => "待审核",
        WishStatus.Published => "待认领",
        WishStatus.Claimed => "已认领",
        WishStatus.Fulfilled => "待确认",
        WishStatus.Lit => "已点亮",
        WishStatus.Refused => "未通过",
        _ => "已撤销",
    };

    /// <summary>Null when the post is acceptable, else why not.</summary>
    public static string? PostRefusal(string? title, string? description, string? name)
    {
        var t = title?.Trim() ?? "";
        var d = description?.Trim() ?? "";
        if (t.Length == 0)
            return "请填写心愿标题";
        if (t.Length > MaxTitle)
            return $"标题不超过 {MaxTitle} 个字";
        if (d.Length == 0)
            return "请描述您的心愿";
        if (d.Length > MaxDescription)
            return $"描述不超过 {MaxDescription} 个字";
        if (name is not null && name.Trim().Length > MaxName)
            return $"称呼不超过 {MaxName} 个字";
        return null;
    }

    /// <summary>A reason is required (cancel, release, refuse): null when fine, else why not.</summary>
    public static string? ReasonRefusal(string? reason, string what)
    {
        var r = reason?.Trim() ?? "";
        if (r.Length == 0)
            return $"{what}须填写原因";
        return r.Length > MaxReason ? $"{what}原因不超过 {MaxReason} 个字" : null;
    }

    /// <summary>张三 → 张*, 欧阳娜娜 → 欧***; nothing known → 居民. Never more of a wisher's name in public.</summary>
    public static string Mask(string? name)
    {
        var n = name?.Trim() ?? "";
        if (n.Length == 0)
            return "居民";
        var first = char.IsSurrogate(n[0]) && n.Length > 1 ? n[..2] : n[..1];
        return first + new string('*', Math.Max(1, System.Globalization.StringInfo.ParseCombiningCharacters(n).Length - 1));
    }

    /// <summary>
    /// The text check's verdict as the wish keeps it: risky refuses the post, review and pass go to staff
    /// (review flagged), and no verdict (no mini-program identity, WeChat unreachable) is a review.
    /// </summary>
    public static string TextVerdict(string? suggest) => suggest switch
    {
        "pass" => "pass",
        "risky" => "risky",
        "review" => "review",
        _ => "unchecked",
    };

    /// <summary>WeChat's content labels in Chinese, for the refusal message.</summary>
    public static string LabelReason(string? label) => label switch
    {
        "10001" => "广告",
        "20001" => "时政",
        "20002" => "色情",
        "20003" => "辱骂",
        "20006" => "违法犯罪",
        "20008" => "欺诈",
        "20012" => "低俗",
        "20013" => "版权",
        "21000" => "其他",
        _ => "违规",
    };

    /// <summary>When a fulfilled wish confirms itself if the wisher says nothing.</summary>
    public static DateTimeOffset AutoConfirmAt(DateTimeOffset fulfilledAt, TimeSpan wait) => fulfilledAt + wait;

    /// <summary>Which photos the public sees: only those WeChat passed.</summary>
    public static bool IsShownPublicly(PhotoCheck check) => check == PhotoCheck.Pass;

    public static PhotoCheck CheckOf(string? traceId, string? suggest) => (traceId, suggest) switch
    {
        (null, _) => PhotoCheck.Unchecked,
        (_, null) => PhotoCheck.Pending,
        (_, "pass") => PhotoCheck.Pass,
        (_, "risky") => PhotoCheck.Risky,
        _ => PhotoCheck.Review,
    };

    /// <summary>Cuts a template value to WeChat's limit (thing: 20 characters).</summary>
    public static string Clip(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
