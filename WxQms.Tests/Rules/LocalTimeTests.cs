using System.Globalization;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Reminders;
using WxQms.Domain.Rules.Tasks;

namespace WxQms.Tests.Rules;

/// <summary>
/// Asia/Shanghai kept daylight saving time in 1940–1949 and 1986–1991: some local times never happened
/// (the clocks jumped forward) and some happened twice (they went back). A wall-clock time becomes an
/// instant without an exception: a skipped one the moment the clocks jumped, a repeated one its first occurrence.
/// </summary>
public sealed class LocalTimeTests
{
    private static DateTimeOffset At(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture);

    private static DateTime Local(string s) => DateTime.ParseExact(s, "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    [Theory]
    // ordinary times: +08:00
    [InlineData("2026-11-01 00:00", "2026-10-31T16:00:00Z")]
    [InlineData("2026-11-25 09:30", "2026-11-25T01:30:00Z")]
    // skipped: 1940-06-01 00:00 became 01:00 (+09:00)
    [InlineData("1940-05-31 23:59", "1940-05-31T15:59:00Z")]
    [InlineData("1940-06-01 00:00", "1940-05-31T16:00:00Z")]
    [InlineData("1940-06-01 00:30", "1940-05-31T16:00:00Z")]
    [InlineData("1940-06-01 01:00", "1940-05-31T16:00:00Z")]
    [InlineData("1940-06-01 01:30", "1940-05-31T16:30:00Z")]
    // repeated: 1940-10-13 00:00 (+09:00) went back to 10-12 23:00 (+08:00)
    [InlineData("1940-10-12 23:00", "1940-10-12T14:00:00Z")]
    [InlineData("1940-10-12 23:30", "1940-10-12T14:30:00Z")]
    [InlineData("1940-10-13 00:00", "1940-10-12T16:00:00Z")]
    // skipped: 1941-03-15 00:00 became 01:00; 1949-05-01 00:00 too, the first of a month
    [InlineData("1941-03-15 00:00", "1941-03-14T16:00:00Z")]
    [InlineData("1949-05-01 00:00", "1949-04-30T16:00:00Z")]
    // skipped: 1986-05-04 02:00 became 03:00
    [InlineData("1986-05-04 01:59", "1986-05-03T17:59:00Z")]
    [InlineData("1986-05-04 02:00", "1986-05-03T18:00:00Z")]
    [InlineData("1986-05-04 02:45", "1986-05-03T18:00:00Z")]
    [InlineData("1986-05-04 03:00", "1986-05-03T18:00:00Z")]
    // repeated: 1986-09-14 02:00 (+09:00) went back to 01:00 (+08:00)
    [InlineData("1986-09-14 00:59", "1986-09-13T15:59:00Z")]
    [InlineData("1986-09-14 01:00", "1986-09-13T16:00:00Z")]
    [InlineData("1986-09-14 01:30", "1986-09-13T16:30:00Z")]
    [InlineData("1986-09-14 02:00", "1986-09-13T18:00:00Z")]
    // 1987–1991: forward on the Sunday from April 11th, back on the Sunday from September 11th, at 02:00
    [InlineData("1987-04-12 02:30", "1987-04-11T18:00:00Z")]
    [InlineData("1991-04-14 02:00", "1991-04-13T18:00:00Z")]
    [InlineData("1991-09-15 01:15", "1991-09-14T16:15:00Z")]
    public void A_wall_clock_time_in_Shanghai_is_one_instant(string local, string instant)
    {
        var at = LocalTime.ToInstant(Local(local));

        Assert.Equal(At(instant), at);
        Assert.Equal(TimeSpan.Zero, at.Offset);
    }

    [Fact]
    public void A_date_and_a_clock_time_give_the_same_instant_as_the_date_time()
    {
        Assert.Equal(LocalTime.ToInstant(Local("1986-05-04 02:30")), LocalTime.ToInstant(new DateOnly(1986, 5, 4), new TimeOnly(2, 30)));
        Assert.Equal(At("1940-05-31T16:00:00Z"), LocalTime.ToInstant(new DateOnly(1940, 6, 1), TimeOnly.MinValue));
    }

    public static TheoryData<int> DaylightSavingYears => [1940, 1941, 1942, 1945, 1946, 1947, 1948, 1949, 1986, 1987, 1988, 1989, 1990, 1991];

    [Theory]
    [MemberData(nameof(DaylightSavingYears))]
    public void Every_period_of_a_daylight_saving_year_exists_and_follows_the_previous_one(int year)
    {
        var months = Periods.InYear(Recurrence.Monthly, year).ToList();

        Assert.Equal(12, months.Count);
        for (var i = 1; i < months.Count; i++)
            Assert.Equal(months[i - 1].EndsAt, months[i].StartsAt);
        Assert.True(Periods.TryParse($"{year}-06", out var june));
        Assert.Equal(Periods.Containing(Recurrence.Monthly, june.StartsAt).Key, june.Key);
        Assert.True(Periods.TryParse($"{year}-Q2", out _));
        Assert.True(Periods.TryParse($"{year}", out _));
    }

    [Fact]
    public void June_1940_starts_when_the_clocks_jumped_to_one_o_clock()
    {
        Assert.True(Periods.TryParse("1940-06", out var june));

        Assert.Equal(At("1940-05-31T16:00:00Z"), june.StartsAt);
        Assert.Equal(new DateOnly(1940, 6, 1), Periods.LocalDate(june.StartsAt));
    }

    [Fact]
    public void Quiet_hours_end_at_eight_on_the_clock_even_on_the_day_the_clocks_jumped()
    {
        // 1986-05-03 23:00 +08:00 is quiet; the next 08:00 is on the 4th, after the jump to +09:00.
        Assert.Equal(At("1986-05-03T23:00:00Z"), QuietHours.Defer(At("1986-05-03T15:00:00Z")));
    }
}
