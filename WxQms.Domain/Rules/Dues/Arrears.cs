namespace WxQms.Domain.Rules.Dues;

/// <summary>What the month's end brings a member who owes dues.</summary>
public enum ArrearsStep
{
    /// <summary>Nothing owed.</summary>
    None,
    /// <summary>A reminder (1–2 months owed).</summary>
    Remind,
    /// <summary>The secretary talks with the member (3–5 months owed): a task for the branch.</summary>
    Talk,
    /// <summary>Six months or more without an approved reason: the case goes to the community committee (连续六个月不交纳党费).</summary>
    Committee,
}

/// <summary>
/// Arrears at a month's end (党章 art. 9: six months without paying and without a proper reason is treated as leaving the
/// Party, a decision of the organisation, never of the system). Pure.
/// </summary>
public static class Arrears
{
    public const int TalkAfter = 3;
    public const int CommitteeAfter = 6;

    /// <summary>The committee's case title.</summary>
    public const string CaseTitle = "连续六个月不交纳党费";

    /// <summary>
    /// How many months in a row, ending with <paramref name="closing"/>, are still open (owed or partly paid) without a reason
    /// the branch recorded; a waived or paid month, or one with a recorded reason (false), breaks the run.
    /// </summary>
    public static int RunOwed(IReadOnlyDictionary<DuesMonth, bool> openByMonth, DuesMonth closing)
    {
        var run = 0;
        for (var m = closing; openByMonth.TryGetValue(m, out var open) && open; m = m.Previous)
            run++;
        return run;
    }

    public static ArrearsStep Step(int monthsOwed) => monthsOwed switch
    {
        >= CommitteeAfter => ArrearsStep.Committee,
        >= TalkAfter => ArrearsStep.Talk,
        > 0 => ArrearsStep.Remind,
        _ => ArrearsStep.None,
    };

    /// <summary>A month's state from what was paid against its amount.</summary>
    public static DuesState StateOf(int amountFen, int paidFen) =>
        paidFen >= amountFen ? DuesState.Paid : paidFen > 0 ? DuesState.PartlyPaid : DuesState.Owed;
}
