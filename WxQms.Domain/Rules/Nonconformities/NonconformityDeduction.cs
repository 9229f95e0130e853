namespace WxQms.Domain.Rules.Nonconformities;

/// <summary>
/// Open nonconformities past due count in the assessment (issue #19 item 5): each one whose countermeasure is past its due
/// date and not done deducts <c>perItem</c> points from its branch's period result, at most <c>cap</c> in all. Pure.
/// </summary>
public static class NonconformityDeduction
{
    public static decimal For(int pastDue, decimal perItem, decimal cap) =>
        pastDue <= 0 || perItem <= 0 || cap <= 0 ? 0m : Math.Min(pastDue * perItem, cap);

    /// <summary>The line the ranking's explanation shows, or null when nothing was deducted.</summary>
    public static string? Explain(int pastDue, decimal deducted) =>
        deducted <= 0 ? null : $"{pastDue} 项不符合项整改逾期，扣 {deducted:0.##} 分";
}
