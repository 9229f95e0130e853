using Microsoft.Extensions.Configuration;

namespace WxQms.Domain.Hosting;

/// <summary>
/// The system clock moved to a chosen instant (<c>Clock:Now</c>, e.g. 2026-12-17T09:00:00+08:00) and
/// running on from there: for demos on a chosen day (scripts/run.sh WXQMS_CLOCK). Timers and
/// stopwatches run at the real pace; only the wall-clock reading is moved.
/// </summary>
public sealed class ShiftedClock(TimeSpan offset) : TimeProvider
{
    public const string Key = "Clock:Now";

    public TimeSpan Offset { get; } = offset;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    /// <summary>The system clock, or a <see cref="ShiftedClock"/> when <c>Clock:Now</c> is set.</summary>
    public static TimeProvider From(IConfiguration configuration)
    {
        var value = configuration[Key];
        if (string.IsNullOrWhiteSpace(value))
            return System;
        if (!DateTimeOffset.TryParse(value, global::System.Globalization.CultureInfo.InvariantCulture,
                global::System.Globalization.DateTimeStyles.None, out var now))
            throw new InvalidOperationException($"{Key} '{value}' is not a date and time (for example 2026-12-17T09:00:00+08:00)");
        return new ShiftedClock(now - System.GetUtcNow());
    }
}
