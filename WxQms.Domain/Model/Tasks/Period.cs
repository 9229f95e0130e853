namespace WxQms.Domain.Model.Tasks;

/// <summary>
/// One calendar period of a recurring duty, with boundaries taken at Shanghai midnight and held in
/// UTC. <see cref="EndsAt"/> is exclusive: it is the next period's start, so a period is
/// [StartsAt, EndsAt). <see cref="Index"/> is the month (1–12), the quarter (1–4) or 1 for a year.
/// </summary>
public sealed record Period(
    string Key,
    RecurrenceKind Kind,
    int Year,
    int Index,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    DateOnly FirstDay,
    DateOnly LastDay)
{
    public bool Contains(DateTimeOffset instant) => instant >= StartsAt && instant < EndsAt;

    /// <summary>"2026年11月", "2026年第四季度", "2026年".</summary>
    public string Label => Kind switch
    {
        RecurrenceKind.Monthly => $"{Year}年{Index}月",
        RecurrenceKind.Quarterly => $"{Year}年第{"一二三四"[Index - 1]}季度",
        _ => $"{Year}年",
    };
}
