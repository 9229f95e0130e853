using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace WxQms.Domain.Rules.Dues;

/// <summary>A calendar month of dues, written "2026-10" (the month's key in dues_months and in the task's period).</summary>
public readonly record struct DuesMonth(int Year, int Month) : IComparable<DuesMonth>
{
    public static DuesMonth Of(DateOnly day) => new(day.Year, day.Month);

    public DuesMonth Next => Month == 12 ? new(Year + 1, 1) : new(Year, Month + 1);

    public DuesMonth Previous => Month == 1 ? new(Year - 1, 12) : new(Year, Month - 1);

    public DateOnly FirstDay => new(Year, Month, 1);

    public string Key => $"{Year:0000}-{Month:00}";

    /// <summary>"2026年10月".</summary>
    public string Chinese => $"{Year}年{Month}月";

    public int CompareTo(DuesMonth other) => (Year * 12 + Month).CompareTo(other.Year * 12 + other.Month);

    public static bool operator <(DuesMonth a, DuesMonth b) => a.CompareTo(b) < 0;
    public static bool operator >(DuesMonth a, DuesMonth b) => a.CompareTo(b) > 0;
    public static bool operator <=(DuesMonth a, DuesMonth b) => a.CompareTo(b) <= 0;
    public static bool operator >=(DuesMonth a, DuesMonth b) => a.CompareTo(b) >= 0;

    /// <summary>Months from this one to <paramref name="other"/> (0 for the same month).</summary>
    public int MonthsUntil(DuesMonth other) => (other.Year * 12 + other.Month) - (Year * 12 + Month);

    public static bool TryParse(string? key, [NotNullWhen(true)] out DuesMonth? month)
    {
        month = null;
        if (key is not { Length: 7 } || key[4] != '-'
            || !int.TryParse(key.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var y)
            || !int.TryParse(key.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var m)
            || y is < 2000 or > 2100 || m is < 1 or > 12)
            return false;
        month = new DuesMonth(y, m);
        return true;
    }

    public static DuesMonth Parse(string key) => TryParse(key, out var m) ? m.Value : throw new FormatException($"not a month: {key}");

    public override string ToString() => Key;
}
