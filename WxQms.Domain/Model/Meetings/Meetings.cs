namespace WxQms.Domain.Model.Meetings;

/// <summary>How a member came to be checked in: WeChat's scanner (the official account), the mini program's, or by hand.</summary>
public enum CheckinVia
{
    Oa,
    Mp,
    Hand,
}

public enum LeaveState
{
    Pending,
    Approved,
    Refused,
}

/// <summary>A check-in code as issued: the official-account scene, the url its QR image encodes, its task and when.</summary>
public sealed record CheckinCode(string Scene, long TaskId, string Url, DateTimeOffset IssuedAt);

/// <summary>One member's check-in to one meeting.</summary>
public sealed record Checkin(long TaskId, long MemberId, DateTimeOffset CheckedInAt, bool Late, CheckinVia Via);

/// <summary>One member's leave request for one meeting.</summary>
public sealed record LeaveRequest(long Id, long TaskId, long MemberId, string MemberName, string Reason, LeaveState State,
    DateTimeOffset RequestedAt, DateTimeOffset? DecidedAt, string? Note);

/// <summary>
/// A member's meetings in a year as the record (#18 item 6) reads them: each check-in and each leave request with its
/// meeting (the task), its state, and when.
/// </summary>
public sealed record MemberMeetingYear(IReadOnlyList<Checkin> Checkins, IReadOnlyList<LeaveRequest> Leaves);

/// <summary>
/// The feedback on one meeting, anonymous: how many rated it, the average, the count of each rating (index 0 = 1 star)
/// and, for those above the branch, the comments (newest first, without names).
/// </summary>
public sealed record FeedbackSummary(long TaskId, int Count, decimal? Average, IReadOnlyList<int> Distribution, IReadOnlyList<string>? Comments);
