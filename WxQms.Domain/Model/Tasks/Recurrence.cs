namespace WxQms.Domain.Model.Tasks;

public enum RecurrenceKind
{
    /// <summary>An ad-hoc task (临时性工作): no calendar periods, never in the yearly plan.</summary>
    Once,
    Monthly,
    Quarterly,
    Yearly,
}

/// <summary>
/// How often a duty recurs. <see cref="WithinQuarter"/> narrows a yearly duty to one quarter of its
/// year (组织生活会 in Q4): the task still has the year as its period, but evidence must come from that
/// quarter. <see cref="PerPartyGroup"/> makes one task per party group of the branch (党小组会).
/// </summary>
public sealed record Recurrence
{
    public Recurrence(RecurrenceKind kind, int? withinQuarter = null, bool perPartyGroup = false)
    {
        if (withinQuarter is not null && (kind != RecurrenceKind.Yearly || withinQuarter is < 1 or > 4))
            throw new ArgumentOutOfRangeException(nameof(withinQuarter), withinQuarter,
                "only a yearly duty can be narrowed, and only to quarter 1 to 4");
        if (perPartyGroup && kind == RecurrenceKind.Once)
            throw new ArgumentException("an ad-hoc task is not made per party group", nameof(perPartyGroup));
        Kind = kind;
        WithinQuarter = withinQuarter;
        PerPartyGroup = perPartyGroup;
    }

    public RecurrenceKind Kind { get; }
    public int? WithinQuarter { get; }
    public bool PerPartyGroup { get; }

    public static Recurrence Once { get; } = new(RecurrenceKind.Once);
    public static Recurrence Monthly { get; } = new(RecurrenceKind.Monthly);
    public static Recurrence Quarterly { get; } = new(RecurrenceKind.Quarterly);
    public static Recurrence Yearly { get; } = new(RecurrenceKind.Yearly);
    public static Recurrence MonthlyPerPartyGroup { get; } = new(RecurrenceKind.Monthly, perPartyGroup: true);
    public static Recurrence YearlyWithinQuarter(int quarter) => new(RecurrenceKind.Yearly, quarter);

    /// <summary>How many periods one year holds (0 for an ad-hoc task).</summary>
    public int PeriodsPerYear => Kind switch
    {
        RecurrenceKind.Monthly => 12,
        RecurrenceKind.Quarterly => 4,
        RecurrenceKind.Yearly => 1,
        _ => 0,
    };

    public string Label => (Kind, WithinQuarter, PerPartyGroup) switch
    {
        (RecurrenceKind.Once, _, _) => "临时",
        (RecurrenceKind.Monthly, _, true) => "每个党小组每月",
        (RecurrenceKind.Monthly, _, false) => "每月",
        (RecurrenceKind.Quarterly, _, _) => "每季度",
        (RecurrenceKind.Yearly, { } q, _) => $"每年（第{"一二三四"[q - 1]}季度）",
        _ => "每年",
    };
}
