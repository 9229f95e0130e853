namespace WxQms.Domain.Rules.Tasks;

/// <summary>What a reviewer is told about a photo (flags, never blocks).</summary>
public static class PhotoChecks
{
    /// <summary>
    /// Whether a photo taken at <paramref name="takenAt"/> was taken on the Shanghai day of the meeting
    /// held at <paramref name="heldAt"/>; null when either is unknown.
    /// </summary>
    public static bool? TakenOnMeetingDay(DateTimeOffset? takenAt, DateTimeOffset? heldAt) =>
        takenAt is { } taken && heldAt is { } held ? Periods.LocalDate(taken) == Periods.LocalDate(held) : null;
}
