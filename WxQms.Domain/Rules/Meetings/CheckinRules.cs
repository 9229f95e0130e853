using WxQms.Domain.Model.Tasks;

namespace WxQms.Domain.Rules.Meetings;

/// <summary>
/// The times of a meeting's check-in: it opens <see cref="OpensBefore"/> the planned start and closes
/// <see cref="ClosesAfter"/> it; a check-in after the start plus <see cref="LateAfter"/> is late. A code is shown for
/// <see cref="CodeRefresh"/> and still accepted <see cref="CodeGrace"/> after that (the time a scan takes to arrive),
/// never later: a photo of a code passed on a minute later is refused.
/// </summary>
public sealed record CheckinTimes(TimeSpan OpensBefore, TimeSpan ClosesAfter, TimeSpan LateAfter, TimeSpan CodeRefresh, TimeSpan CodeGrace)
{
    public TimeSpan CodeLifetime => CodeRefresh + CodeGrace;
}

/// <summary>Why a meeting takes no check-in or no leave request now; <see cref="Open"/> when it does.</summary>
public enum MeetingWindow
{
    Open,
    /// <summary>Not a meeting (no attendance is recorded for it) or not planned yet (no time to check in around).</summary>
    NotPlanned,
    TooEarly,
    Closed,
}

/// <summary>Check-in, leave and feedback as pure decisions; time is an argument.</summary>
public static class CheckinRules
{
    public const int MaxReasonLength = 200;
    public const int MaxCommentLength = 200;

    /// <summary>A task whose evidence records attendance is a meeting members check in to.</summary>
    public static bool IsMeeting(EvidenceRule rule) => rule.AttendanceRequired || rule.Quorum != Quorum.None;

    /// <summary>Whether a check-in (or a code to make one) is taken at <paramref name="now"/>.</summary>
    public static MeetingWindow CheckinWindow(EvidenceRule rule, DateTimeOffset? plannedFor, DateTimeOffset now, CheckinTimes times)
    {
        if (!IsMeeting(rule) || plannedFor is not { } start)
            return MeetingWindow.NotPlanned;
        if (now < start - times.OpensBefore)
            return MeetingWindow.TooEarly;
        return now > start + times.ClosesAfter ? MeetingWindow.Closed : MeetingWindow.Open;
    }

    /// <summary>A code issued at <paramref name="issuedAt"/> is good from then until its lifetime has passed.</summary>
    public static bool CodeFresh(DateTimeOffset issuedAt, DateTimeOffset now, CheckinTimes times) =>
        now >= issuedAt && now - issuedAt < times.CodeLifetime;

    public static bool IsLate(DateTimeOffset plannedFor, DateTimeOffset checkedInAt, CheckinTimes times) =>
        checkedInAt > plannedFor + times.LateAfter;

    /// <summary>Leave is asked for before the meeting starts, of a planned meeting only.</summary>
    public static MeetingWindow LeaveWindow(EvidenceRule rule, DateTimeOffset? plannedFor, DateTimeOffset now)
    {
        if (!IsMeeting(rule) || plannedFor is not { } start)
            return MeetingWindow.NotPlanned;
        return now < start ? MeetingWindow.Open : MeetingWindow.Closed;
    }

    /// <summary>A leave reason: trimmed, 1–200 characters; null when empty or too long.</summary>
    public static string? Reason(string? text)
    {
        var t = text?.Trim();
        return string.IsNullOrEmpty(t) || t.Length > MaxReasonLength ? null : t;
    }

    /// <summary>A rating is 1 to 5.</summary>
    public static bool ValidRating(int rating) => rating is >= 1 and <= 5;

    /// <summary>Feedback is given once the meeting has started, by someone who was there.</summary>
    public static bool MayRate(bool attended, DateTimeOffset? plannedFor, DateTimeOffset? heldAt, DateTimeOffset now) =>
        attended && (heldAt ?? plannedFor) is { } start && now >= start;

    /// <summary>
    /// What the evidence form starts from: checked in → present, approved leave → on leave, anyone else absent once the
    /// meeting has check-ins or leave; with neither, null (the form keeps its own default).
    /// </summary>
    public static Presence? Prefill(bool anyRecorded, bool checkedIn, bool onApprovedLeave)
    {
        if (checkedIn)
            return Presence.Present;
        if (onApprovedLeave)
            return Presence.OnLeave;
        return anyRecorded ? Presence.Absent : null;
    }
}
