namespace WxQms.Domain.Rules;

/// <summary>
/// Wall-clock times in Asia/Shanghai (DESIGN.md: calendar logic runs there, timestamps are UTC) as instants.
/// Shanghai kept daylight saving time in 1940–1949 and 1986–1991, so some local times never happened (the
/// clocks jumped forward: 1940-06-01 00:00, 1986-05-04 02:00) and some happened twice (they went back:
/// 1986-09-14 01:00). <see cref="TimeZoneInfo.ConvertTimeToUtc(DateTime, TimeZoneInfo)"/> throws on the first and
/// silently picks the later of the second; every local time → instant conversion goes through here instead.
/// </summary>
public static class LocalTime
{
    public static TimeZoneInfo Shanghai { get; } = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    /// <summary><paramref name="time"/> on <paramref name="day"/> in Shanghai, as a UTC instant.</summary>
    public static DateTimeOffset ToInstant(DateOnly day, TimeOnly time) => ToInstant(day.ToDateTime(time));

    /// <summary>
    /// A Shanghai wall-clock time (its Kind is ignored) as a UTC instant: a time the clocks skipped becomes the
    /// first instant after the gap (the moment they jumped), a time they showed twice its first occurrence.
    /// </summary>
    public static DateTimeOffset ToInstant(DateTime local)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (Shanghai.IsInvalidTime(local))
        {
            // Transitions fall on whole minutes: the first valid minute is where the gap ends.
            local = local.AddTicks(-(local.Ticks % TimeSpan.TicksPerMinute));
            do
                local = local.AddMinutes(1);
            while (Shanghai.IsInvalidTime(local));
        }
        var offset = Shanghai.IsAmbiguousTime(local) ? Shanghai.GetAmbiguousTimeOffsets(local).Max() : Shanghai.GetUtcOffset(local);
        return new DateTimeOffset(local.Ticks - offset.Ticks, TimeSpan.Zero);
    }

    /// <summary>The Shanghai wall-clock time of an instant (always well defined).</summary>
    public static DateTime ToLocal(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Shanghai).DateTime;
}
