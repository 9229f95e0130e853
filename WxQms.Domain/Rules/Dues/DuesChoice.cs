namespace WxQms.Domain.Rules.Dues;

/// <summary>One of a member's months as the pay choice sees it: its month and whether it is still open (owed or partly paid).</summary>
public sealed record OpenMonth(DuesMonth Month, bool Open);

/// <summary>
/// Which months a member may pay at once: her own months still open, from the earliest open one, without gaps; months
/// ahead (not yet due) may follow, up to December of the current year. Pure: the current month is an argument.
/// </summary>
public static class DuesChoice
{
    /// <summary>At most a year and a half in one order (a long arrear and the rest of the year).</summary>
    public const int MaxMonths = 24;

    /// <summary>Why the chosen months cannot be paid together, or null.</summary>
    /// <param name="chosen">The months the member picked (any order, perhaps repeated).</param>
    /// <param name="months">Her months that have rows (open or settled).</param>
    /// <param name="current">This month (Shanghai).</param>
    public static string? Refusal(IReadOnlyCollection<DuesMonth> chosen, IReadOnlyCollection<OpenMonth> months, DuesMonth current)
    {
        if (chosen.Count == 0)
            return "请选择要交纳的月份";
        if (chosen.Count > MaxMonths || chosen.Distinct().Count() != chosen.Count)
            return "所选月份有重复或过多";
        var byMonth = months.ToDictionary(m => m.Month, m => m.Open);
        var sorted = chosen.Order().ToList();
        var endOfYear = new DuesMonth(current.Year, 12);
        foreach (var m in sorted)
        {
            if (m > endOfYear)
                return $"最多预交到{endOfYear.Chinese}";
            if (byMonth.TryGetValue(m, out var open) ? !open : m <= current)
                return byMonth.ContainsKey(m) ? $"{m.Chinese}的党费已结清" : $"{m.Chinese}没有应交的党费";
        }
        for (var i = 1; i < sorted.Count; i++)
        {
            if (sorted[i] != sorted[i - 1].Next)
                return "请按月份顺序连续选择，中间不能跳过";
        }
        if (months.Where(m => m.Open).Select(m => m.Month).Order().FirstOrDefault() is var first && months.Any(m => m.Open) && sorted[0] != first)
            return $"请从最早欠交的{first.Chinese}开始交纳";
        return null;
    }
}
