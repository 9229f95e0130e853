namespace WxQms.Domain.Rules.Dues;

/// <summary>
/// "Dues paid up to" (党费交到) as a transfer letter states it, worked out from a member's monthly rows: the last month of
/// the unbroken run of settled months (paid or waived) from her first row; a month still owed or partly paid ends the run
/// (even with a reason recorded: it is not paid). Months paid ahead count. Null when she has no rows or owes her first one.
/// </summary>
public static class PaidUpTo
{
    public static DuesMonth? Of(IEnumerable<(DuesMonth Month, DuesState State)> rows)
    {
        DuesMonth? through = null;
        foreach (var (month, state) in rows.OrderBy(r => r.Month))
        {
            if (state is not (DuesState.Paid or DuesState.Waived))
                break;
            if (through is { } last && month != last.Next)
                break; // a month without a row is not paid
            through = month;
        }
        return through;
    }
}
