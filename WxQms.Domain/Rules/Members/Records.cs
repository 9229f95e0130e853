using WxQms.Domain.Rules.Tasks;

namespace WxQms.Domain.Rules.Members;

/// <summary>How a member stood at one meeting, as 我的 counts it.</summary>
public enum MeetingPresence
{
    /// <summary>出席</summary>
    Attended,
    /// <summary>请假</summary>
    OnLeave,
    /// <summary>缺席</summary>
    Missed,
}

/// <summary>Meetings attended, on leave and missed.</summary>
public sealed record AttendanceTally(int Attended, int OnLeave, int Missed);

/// <summary>A member's record (我的, issue #18 item 6), pure: how attendance rows count, and the ledger's sources in Chinese.</summary>
public static class Records
{
    /// <summary>
    /// One attendance row (evidence_attendance.presence) as the record counts it. Present is attended, anything else
    /// missed — except <c>on_leave</c>, the place leave requests (issue #18 item 2, engineer t) mark an approved leave.
    /// </summary>
    public static MeetingPresence Presence(string presence) => presence switch
    {
        "present" => MeetingPresence.Attended,
        "on_leave" => MeetingPresence.OnLeave, // MERGE(#18 item 2): approved leave requests land here
        _ => MeetingPresence.Missed,
    };

    public static AttendanceTally Tally(IEnumerable<MeetingPresence> meetings)
    {
        int attended = 0, onLeave = 0, missed = 0;
        foreach (var m in meetings)
        {
            switch (m)
            {
                case MeetingPresence.Attended: attended++; break;
                case MeetingPresence.OnLeave: onLeave++; break;
                default: missed++; break;
            }
        }
        return new AttendanceTally(attended, onLeave, missed);
    }

    public static string PresenceLabel(MeetingPresence p) => p switch
    {
        MeetingPresence.Attended => "出席",
        MeetingPresence.OnLeave => "请假",
        _ => "缺席",
    };

    /// <summary>A ledger source as a member reads it; an unknown one shows as 其他.</summary>
    public static string SourceLabel(string source) => source switch
    {
        LedgerSources.Attendance => "参加组织生活",
        LedgerSources.WishLit => "认领微心愿",
        LedgerSources.DuesOnTime => "按时交纳党费",
        LedgerSources.ReviewReturned => "佐证退回扣回",
        LedgerSources.Cancelled => "任务取消冲销",
        LedgerSources.Review => "审核加减分",
        _ => "其他",
    };
}
