using WxQms.Domain.Rules.Dues;

namespace WxQms.Tests.Dues;

/// <summary>"Dues paid up to" on a transfer letter, from the member's monthly rows: one case per edge.</summary>
public sealed class PaidUpToTests
{
    [Theory]
    [InlineData("", null)] // no rows: nothing to state
    [InlineData("2026-01 owed", null)] // owes her first month
    [InlineData("2026-01 partly_paid", null)]
    [InlineData("2026-01 paid", "2026-01")]
    [InlineData("2026-01 paid,2026-02 paid,2026-03 owed", "2026-02")]
    [InlineData("2026-01 paid,2026-02 waived,2026-03 paid", "2026-03")] // a waived month is settled
    [InlineData("2026-01 paid,2026-02 partly_paid,2026-03 paid", "2026-01")] // partly paid ends the run
    [InlineData("2026-03 paid,2026-01 paid,2026-02 paid", "2026-03")] // order of the rows does not matter
    [InlineData("2026-01 paid,2026-03 paid", "2026-01")] // a month without a row is not paid
    [InlineData("2025-11 paid,2025-12 paid,2026-01 paid", "2026-01")] // across the year
    [InlineData("2026-11 paid,2026-12 paid", "2026-12")] // paid ahead to December
    public void Paid_through_is_the_end_of_the_unbroken_run_of_settled_months(string rows, string? expected)
    {
        var parsed = rows.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split(' '))
            .Select(p => (DuesMonth.Parse(p[0]), p[1] switch
            {
                "paid" => DuesState.Paid, "waived" => DuesState.Waived, "partly_paid" => DuesState.PartlyPaid, _ => DuesState.Owed,
            }));
        Assert.Equal(expected, PaidUpTo.Of(parsed)?.Key);
    }
}
