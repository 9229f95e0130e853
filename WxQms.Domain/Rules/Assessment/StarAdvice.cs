namespace WxQms.Domain.Rules.Assessment;

/// <summary>
/// What would raise a member's stars (for 我的), pure: the points still needed for the next threshold, and what the
/// year's 民主评议 grade does (优秀 adds a star; 基本合格 caps at two and 不合格 at one, whatever the points).
/// </summary>
public static class StarAdvice
{
    /// <summary>The points missing to the next star by points alone, or null at the top.</summary>
    public static decimal? PointsToNext(decimal yearPoints, IReadOnlyList<decimal> thresholds) =>
        thresholds.Where(t => t > yearPoints).Select(t => (decimal?)(t - yearPoints)).FirstOrDefault();

    /// <summary>The advice in Chinese.</summary>
    public static string For(decimal yearPoints, IReadOnlyList<decimal> thresholds, AppraisalGrade? grade)
    {
        var stars = Stars.For(yearPoints, thresholds, grade);
        if (stars >= Stars.Max)
            return "已达最高星级";
        switch (grade)
        {
            case AppraisalGrade.Unqualified:
                return "本年民主评议为不合格，星级定为一星；完成整改、来年评议合格后按积分评定";
            case AppraisalGrade.BasicallyQualified when stars >= 2:
                return "本年民主评议为基本合格，星级至多二星；来年评议合格后按积分评定";
        }
        var next = PointsToNext(yearPoints, thresholds);
        var byPoints = next is { } n ? $"再得 {n:0.##} 分可升一星（参加组织生活、认领微心愿均可得分）" : "积分已达最高档";
        return grade is null ? byPoints + "；年终民主评议为优秀可再加一星" : byPoints;
    }
}
