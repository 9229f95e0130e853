using System.Globalization;
using WxQms.Domain.Model.Tasks;

namespace WxQms.Domain.Rules.Tasks;

/// <summary>
/// Calendar periods of recurring duties. Boundaries are Shanghai midnights (DESIGN.md: calendar logic
/// runs in Asia/Shanghai, timestamps are UTC), so 2026-03-31T16:00Z already belongs to April and to Q2.
/// Keys: "2026-11" (month), "2026-Q4" (quarter), "2026" (year).
/// </summary>
public static class Periods
{
    public static TimeZoneInfo Shanghai => LocalTime.Shanghai;

    public static Period For(Recurrence recurrence, int year, int index)
    {
        ArgumentNullException.ThrowIfNull(recurrence);
        return For(recurrence.Kind, year, index);
    }

    public static Period For(RecurrenceKind kind, int year, int index)
    {
        if (year is < 1 or > 9998)
            throw new ArgumentOutOfRangeException(nameof(year), year, "year must be 1 to 9998");
        var (firstMonth, months, key) = kind switch
        {
            RecurrenceKind.Monthly when index is >= 1 and <= 12 =>
                (index, 1, string.Create(CultureInfo.InvariantCulture, $"{year:D4}-{index:D2}")),
            RecurrenceKind.Quarterly when index is >= 1 and <= 4 =>
                (3 * index - 2, 3, string.Create(CultureInfo.InvariantCulture, $"{year:D4}-Q{index}")),
            RecurrenceKind.Yearly when index == 1 =>
                (1, 12, year.ToString("D4", CultureInfo.InvariantCulture)),
            RecurrenceKind.Once =>
                throw new ArgumentException("an ad-hoc task has no calendar periods", nameof(kind)),
            _ => throw new ArgumentOutOfRangeException(nameof(index), index, $"no {kind} period {index}"),
        };
        var first = new DateOnly(year, firstMonth, 1);
        var next = first.AddMonths(months);
        return new Period(key, kind, year, index, StartOf(first), StartOf(next), first, next.AddDays(-1));
    }

    public static IEnumerable<Period> InYear(Recurrence recurrence, int year)
    {
        ArgumentNullException.ThrowIfNull(recurrence);
        if (recurrence.Kind == RecurrenceKind.Once)
            throw new ArgumentException("an ad-hoc task has no calendar periods", nameof(recurrence));
        var count = recurrence.PeriodsPerYear;
        var periods = new Period[count];
        for (var i = 0; i < count; i++)
            periods[i] = For(recurrence.Kind, year, i + 1);
        return periods;
    }

    public static Period Containing(Recurrence recurrence, DateTimeOffset instant)
    {
        ArgumentNullException.ThrowIfNull(recurrence);
        var day = LocalDate(instant);
        return recurrence.Kind switch
        {
            RecurrenceKind.Monthly => For(RecurrenceKind.Monthly, day.Year, day.Month),
            RecurrenceKind.Quarterly => For(RecurrenceKind.Quarterly, day.Year, (day.Month + 2) / 3),
            RecurrenceKind.Yearly => For(RecurrenceKind.Yearly, day.Year, 1),
            _ => throw new ArgumentException("an ad-hoc task has no calendar periods", nameof(recurrence)),
        };
    }

    /// <summary>
    /// When a task of <paramref name="period"/> accepts evidence from, and when it is due. Due is the
    /// period's end (the next period's start: on time means strictly before it). A yearly duty narrowed
    /// to a quarter opens at that quarter's start.
    /// </summary>
    public static (DateTimeOffset OpensAt, DateTimeOffset DueAt) Window(Recurrence recurrence, Period period)
    {
        ArgumentNullException.ThrowIfNull(recurrence);
        ArgumentNullException.ThrowIfNull(period);
        var opensAt = recurrence.WithinQuarter is { } q && period.Kind == RecurrenceKind.Yearly
            ? For(RecurrenceKind.Quarterly, period.Year, q).StartsAt
            : period.StartsAt;
        return (opensAt, period.EndsAt);
    }

    public static bool TryParse(string? key, out Period period)
    {
        period = null!;
        if (key is null || key.Length < 4
            || !int.TryParse(key.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || year is < 1900 or > 9998) // before 1900 no local midnight of Asia/Shanghai converts safely (year 1's underflows)
            return false;
        var rest = key.AsSpan(4);
        if (rest.IsEmpty)
        {
            period = For(RecurrenceKind.Yearly, year, 1);
            return true;
        }
        if (rest.Length == 3 && rest[0] == '-' && rest[1] == 'Q' && rest[2] is >= '1' and <= '4')
        {
            period = For(RecurrenceKind.Quarterly, year, rest[2] - '0');
            return true;
        }
        if (rest.Length == 3 && rest[0] == '-'
            && int.TryParse(rest[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var month)
            && month is >= 1 and <= 12)
        {
            period = For(RecurrenceKind.Monthly, year, month);
            return true;
        }
        return false;
    }

    public static Period Parse(string key) =>
        TryParse(key, out var period) ? period : throw new FormatException($"'{key}' is not a period key");

    /// <summary>The Shanghai calendar date of an instant.</summary>
    public static DateOnly LocalDate(DateTimeOffset instant) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Shanghai).DateTime);

    /// <summary>
    /// Shanghai midnight at the start of <paramref name="day"/>, in UTC; on a day whose midnight the clocks skipped
    /// (1940-06-01), the moment they jumped.
    /// </summary>
    public static DateTimeOffset StartOf(DateOnly day) => LocalTime.ToInstant(day, TimeOnly.MinValue);

    /// <summary>"2026年11月20日 14:00" in Shanghai time, for messages.</summary>
    public static string Describe(DateTimeOffset instant) =>
        TimeZoneInfo.ConvertTime(instant, Shanghai).ToString("yyyy年M月d日 HH:mm", CultureInfo.InvariantCulture);

    public static string Describe(DateOnly day) =>
        day.ToString("yyyy年M月d日", CultureInfo.InvariantCulture);
}
