using System.Globalization;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;

namespace WxQms.Tests.Rules.Tasks;

public sealed class PeriodsTests
{
    private static DateTimeOffset At(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(RecurrenceKind.Monthly, 2026, 1, "2026-01")]
    [InlineData(RecurrenceKind.Monthly, 2026, 11, "2026-11")]
    [InlineData(RecurrenceKind.Quarterly, 2026, 4, "2026-Q4")]
    [InlineData(RecurrenceKind.Yearly, 2026, 1, "2026")]
    public void Period_keys_name_the_month_the_quarter_or_the_year(RecurrenceKind kind, int year, int index, string key) =>
        Assert.Equal(key, Periods.For(kind, year, index).Key);

    [Theory]
    [InlineData(RecurrenceKind.Monthly, 2026, 3, "2026-02-28T16:00:00Z", "2026-03-31T16:00:00Z", "2026-03-31")]
    [InlineData(RecurrenceKind.Monthly, 2026, 2, "2026-01-31T16:00:00Z", "2026-02-28T16:00:00Z", "2026-02-28")]
    [InlineData(RecurrenceKind.Monthly, 2028, 2, "2028-01-31T16:00:00Z", "2028-02-29T16:00:00Z", "2028-02-29")]
    [InlineData(RecurrenceKind.Monthly, 2026, 12, "2026-11-30T16:00:00Z", "2026-12-31T16:00:00Z", "2026-12-31")]
    [InlineData(RecurrenceKind.Quarterly, 2026, 1, "2025-12-31T16:00:00Z", "2026-03-31T16:00:00Z", "2026-03-31")]
    [InlineData(RecurrenceKind.Quarterly, 2026, 4, "2026-09-30T16:00:00Z", "2026-12-31T16:00:00Z", "2026-12-31")]
    [InlineData(RecurrenceKind.Yearly, 2026, 1, "2025-12-31T16:00:00Z", "2026-12-31T16:00:00Z", "2026-12-31")]
    [InlineData(RecurrenceKind.Yearly, 2028, 1, "2027-12-31T16:00:00Z", "2028-12-31T16:00:00Z", "2028-12-31")]
    public void Boundaries_are_Shanghai_midnights_held_in_utc(
        RecurrenceKind kind, int year, int index, string startsAt, string endsAt, string lastDay)
    {
        var period = Periods.For(kind, year, index);

        Assert.Equal(At(startsAt), period.StartsAt);
        Assert.Equal(At(endsAt), period.EndsAt);
        Assert.Equal(TimeSpan.Zero, period.StartsAt.Offset);
        Assert.Equal(TimeSpan.Zero, period.EndsAt.Offset);
        Assert.Equal(DateOnly.Parse(lastDay, CultureInfo.InvariantCulture), period.LastDay);
    }

    [Theory]
    [InlineData("2026-03-31T15:59:59Z", RecurrenceKind.Monthly, "2026-03")]
    [InlineData("2026-03-31T16:00:00Z", RecurrenceKind.Monthly, "2026-04")]
    [InlineData("2026-03-31T15:59:59Z", RecurrenceKind.Quarterly, "2026-Q1")]
    [InlineData("2026-03-31T16:00:00Z", RecurrenceKind.Quarterly, "2026-Q2")]
    [InlineData("2026-04-01T00:00:00+08:00", RecurrenceKind.Quarterly, "2026-Q2")]
    [InlineData("2026-09-30T15:59:59.999Z", RecurrenceKind.Quarterly, "2026-Q3")]
    [InlineData("2026-09-30T16:00:00Z", RecurrenceKind.Quarterly, "2026-Q4")]
    [InlineData("2026-12-31T15:59:59.999Z", RecurrenceKind.Yearly, "2026")]
    [InlineData("2026-12-31T16:00:00Z", RecurrenceKind.Yearly, "2027")]
    [InlineData("2026-12-31T16:00:00Z", RecurrenceKind.Monthly, "2027-01")]
    [InlineData("2025-12-31T16:00:00Z", RecurrenceKind.Quarterly, "2026-Q1")]
    [InlineData("2026-02-28T15:59:59Z", RecurrenceKind.Monthly, "2026-02")]
    [InlineData("2026-02-28T16:00:00Z", RecurrenceKind.Monthly, "2026-03")]
    [InlineData("2028-02-28T16:00:00Z", RecurrenceKind.Monthly, "2028-02")]
    [InlineData("2028-02-29T15:59:59Z", RecurrenceKind.Monthly, "2028-02")]
    [InlineData("2028-02-29T16:00:00Z", RecurrenceKind.Monthly, "2028-03")]
    public void The_period_containing_an_instant_turns_over_at_Shanghai_midnight(string instant, RecurrenceKind kind, string key) =>
        Assert.Equal(key, Periods.Containing(new Recurrence(kind), At(instant)).Key);

    [Theory]
    [InlineData(2026, 1)]
    [InlineData(2026, 2)]
    [InlineData(2026, 3)]
    [InlineData(2026, 4)]
    public void Due_date_of_a_quarter_is_the_start_of_the_next_in_Shanghai(int year, int quarter)
    {
        var period = Periods.For(RecurrenceKind.Quarterly, year, quarter);
        var next = quarter == 4 ? Periods.For(RecurrenceKind.Quarterly, year + 1, 1) : Periods.For(RecurrenceKind.Quarterly, year, quarter + 1);

        var (_, dueAt) = Periods.Window(Recurrence.Quarterly, period);

        Assert.Equal(next.StartsAt, dueAt);
        Assert.Equal(TimeOnly.MinValue, TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(dueAt, Periods.Shanghai).DateTime));
        Assert.Equal(period.LastDay.AddDays(1), Periods.LocalDate(dueAt));
    }

    [Theory]
    [InlineData(RecurrenceKind.Monthly, 12)]
    [InlineData(RecurrenceKind.Quarterly, 4)]
    [InlineData(RecurrenceKind.Yearly, 1)]
    public void A_year_is_covered_by_back_to_back_periods(RecurrenceKind kind, int count)
    {
        var periods = Periods.InYear(new Recurrence(kind), 2026).ToList();

        Assert.Equal(count, periods.Count);
        Assert.Equal(At("2025-12-31T16:00:00Z"), periods[0].StartsAt);
        Assert.Equal(At("2026-12-31T16:00:00Z"), periods[^1].EndsAt);
        Assert.All(periods.Zip(periods.Skip(1)), p => Assert.Equal(p.First.EndsAt, p.Second.StartsAt));
        Assert.Equal(Enumerable.Range(1, count), periods.Select(p => p.Index));
    }

    [Fact]
    public void A_yearly_duty_narrowed_to_Q4_opens_in_October_and_is_due_at_the_year_end()
    {
        var year = Periods.For(RecurrenceKind.Yearly, 2026, 1);

        var (opensAt, dueAt) = Periods.Window(Recurrence.YearlyWithinQuarter(4), year);

        Assert.Equal(At("2026-09-30T16:00:00Z"), opensAt);
        Assert.Equal(At("2026-12-31T16:00:00Z"), dueAt);
        Assert.Equal("2026", year.Key);
    }

    [Theory]
    [InlineData("2026-03-31T15:59:59Z", true)]
    [InlineData("2026-03-31T16:00:00Z", false)]
    [InlineData("2026-02-28T16:00:00Z", true)]
    [InlineData("2026-02-28T15:59:59Z", false)]
    public void A_period_holds_its_start_but_not_its_end(string instant, bool inside) =>
        Assert.Equal(inside, Periods.For(RecurrenceKind.Monthly, 2026, 3).Contains(At(instant)));

    [Theory]
    [InlineData("2026-11")]
    [InlineData("2026-01")]
    [InlineData("2026-Q1")]
    [InlineData("2026-Q4")]
    [InlineData("2026")]
    [InlineData("2028-02")]
    public void Keys_parse_back_to_their_period(string key)
    {
        var period = Periods.Parse(key);

        Assert.Equal(key, period.Key);
        Assert.Equal(Periods.For(period.Kind, period.Year, period.Index), period);
    }

    [Theory]
    [InlineData("")]
    [InlineData("2026-13")]
    [InlineData("2026-00")]
    [InlineData("2026-1")]
    [InlineData("2026-Q0")]
    [InlineData("2026-Q5")]
    [InlineData("2026-q4")]
    [InlineData("26-01")]
    [InlineData("+026")]
    [InlineData("2026-11-01")]
    [InlineData("abcd")]
    public void Malformed_keys_do_not_parse(string key)
    {
        Assert.False(Periods.TryParse(key, out _));
        Assert.Throws<FormatException>(() => Periods.Parse(key));
    }

    [Theory]
    [InlineData(RecurrenceKind.Monthly, 0)]
    [InlineData(RecurrenceKind.Monthly, 13)]
    [InlineData(RecurrenceKind.Quarterly, 5)]
    [InlineData(RecurrenceKind.Yearly, 2)]
    public void Refuses_an_index_outside_the_year(RecurrenceKind kind, int index) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Periods.For(kind, 2026, index));

    [Fact]
    public void An_ad_hoc_task_has_no_calendar_periods()
    {
        Assert.Throws<ArgumentException>(() => Periods.InYear(Recurrence.Once, 2026));
        Assert.Throws<ArgumentException>(() => Periods.Containing(Recurrence.Once, At("2026-05-01T00:00:00Z")));
    }

    [Fact]
    public void Labels_read_as_Chinese_periods()
    {
        Assert.Equal("2026年11月", Periods.Parse("2026-11").Label);
        Assert.Equal("2026年第四季度", Periods.Parse("2026-Q4").Label);
        Assert.Equal("2026年", Periods.Parse("2026").Label);
        Assert.Equal("2026年4月1日 00:00", Periods.Describe(At("2026-03-31T16:00:00Z")));
    }
}
