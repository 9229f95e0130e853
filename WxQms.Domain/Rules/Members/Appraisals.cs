using System.Globalization;
using WxQms.Domain.Rules.Assessment;

namespace WxQms.Domain.Rules.Members;

/// <summary>
/// 民主评议党员 (democratic appraisal), pure: once a year, after the branch's 组织生活会, the branch records each full
/// member's grade (优秀 / 合格 / 基本合格 / 不合格); probationary members take part but are not graded. The share of 优秀
/// is limited (configuration; generally at most one third): at most ⌊share × graded members⌋, and at least one when
/// the branch grades anyone and the share is above zero. A 不合格 opens a follow-up for the secretary.
/// </summary>
public static class Appraisals
{
    /// <summary>How many of <paramref name="graded"/> members may be 优秀 under <paramref name="share"/>.</summary>
    public static int MaxExcellent(int graded, decimal share)
    {
        if (graded <= 0 || share <= 0)
            return 0;
        // Rounded first, so a third written as 1/3 gives 3 of 9, not 2 (2.99…).
        return Math.Max(1, (int)Math.Floor(Math.Round(graded * Math.Min(share, 1m), 6)));
    }

    /// <summary>
    /// Null when a branch's grades may be recorded, else why not (in Chinese): every graded member is one of
    /// <paramref name="eligible"/> (the branch's full members), and the 优秀 stay within the share of all eligible members.
    /// </summary>
    public static string? Check(IReadOnlyDictionary<long, AppraisalGrade> grades, IReadOnlySet<long> eligible, decimal share)
    {
        if (grades.Count == 0)
            return "请至少评定一名党员";
        if (grades.Keys.FirstOrDefault(id => !eligible.Contains(id)) is var stranger && stranger != 0)
            return $"党员 {stranger} 不是本支部的正式党员（预备党员参加评议但不评定等次）";
        var excellent = grades.Values.Count(g => g == AppraisalGrade.Excellent);
        var max = MaxExcellent(eligible.Count, share);
        if (excellent > max)
            return $"优秀等次不超过参评党员的{Percent(share)}：本支部{eligible.Count}名正式党员，至多{max}名优秀，现为{excellent}名";
        return null;
    }

    /// <summary>0.34 → "34%".</summary>
    public static string Percent(decimal share) => string.Create(CultureInfo.InvariantCulture, $"{Math.Round(share * 100, 1):0.#}%");

    /// <summary>Days before its due day that an open follow-up reminds the secretary.</summary>
    public const int DueSoonDays = 7;

    /// <summary>
    /// The reminder an open follow-up owes its secretary on <paramref name="today"/>: <c>due_soon</c> from
    /// <see cref="DueSoonDays"/> days before the due day to the due day, <c>overdue</c> after it, else null. Each is sent once.
    /// </summary>
    public static string? FollowUpReminder(DateOnly dueOn, DateOnly today) =>
        today > dueOn ? "overdue" : today >= dueOn.AddDays(-DueSoonDays) ? "due_soon" : null;

    /// <summary>A 不合格 grade opens a follow-up (talk, improvement plan).</summary>
    public static bool NeedsFollowUp(AppraisalGrade grade) => grade == AppraisalGrade.Unqualified;

    public static string Label(AppraisalGrade grade) => grade switch
    {
        AppraisalGrade.Excellent => "优秀",
        AppraisalGrade.Qualified => "合格",
        AppraisalGrade.BasicallyQualified => "基本合格",
        _ => "不合格",
    };
}
