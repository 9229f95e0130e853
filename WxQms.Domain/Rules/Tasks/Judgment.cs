using WxQms.Domain.Model.Tasks;

namespace WxQms.Domain.Rules.Tasks;

/// <summary>
/// Who a task's meeting expects. <see cref="Members"/>: everyone expected at an ordinary meeting of
/// the task (the branch, or the party group for a group meeting). <see cref="VotingMembers"/>: full
/// members of the branch. <see cref="CommitteeMembers"/>: members of its committee. Members on leave
/// still count here: leave excuses absence, it does not shrink the quorum.
/// </summary>
public sealed record RosterCounts(int Members, int VotingMembers, int CommitteeMembers);

public sealed record JudgmentResult(bool Passed, IReadOnlyList<string> ReasonsInChinese, bool OnTime, decimal PointsEarned)
{
    /// <summary>Passed → Completed; not passed → Returned, with the reasons.</summary>
    public TaskState Outcome => Passed ? TaskState.Completed : TaskState.Returned;
}

public static class Judgment
{
    /// <summary>
    /// Judges one submission. On time means submitted strictly before <paramref name="dueAt"/>. A
    /// meeting must have been held by the time it is submitted (never in the future) and before the
    /// task fell due; given <paramref name="opensAt"/> (the task's OpensAt), not before its period
    /// either, so one meeting cannot be reported for two periods. Held before the planned date is
    /// fine. Points: the template's when on time, less the late deduction when late, never below 0,
    /// and 0 when not passed.
    /// </summary>
    public static JudgmentResult Judge(
        TaskTemplate template,
        Evidence evidence,
        DateTimeOffset submittedAt,
        DateTimeOffset dueAt,
        RosterCounts roster,
        DateTimeOffset? opensAt = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(roster);
        ArgumentOutOfRangeException.ThrowIfNegative(evidence.PhotoCount);
        ArgumentOutOfRangeException.ThrowIfNegative(roster.Members);
        ArgumentOutOfRangeException.ThrowIfNegative(roster.VotingMembers);
        ArgumentOutOfRangeException.ThrowIfNegative(roster.CommitteeMembers);
        if (evidence.Attendance is { } a && (a.Present < 0 || a.Absent < 0 || a.OnLeave < 0))
            throw new ArgumentOutOfRangeException(nameof(evidence), "attendance counts are not negative");

        var rule = template.EvidenceRule;
        var reasons = new List<string>();

        if (evidence.HeldAt > submittedAt)
            reasons.Add($"开展时间（{Periods.Describe(evidence.HeldAt)}）晚于提交时间，不能提交尚未开展的活动");
        else if (evidence.HeldAt >= dueAt)
            reasons.Add($"开展时间（{Periods.Describe(evidence.HeldAt)}）已过本任务截止时间（{Periods.Describe(dueAt)}），不能计入本期");
        if (opensAt is { } opens && evidence.HeldAt < opens)
            reasons.Add($"开展时间（{Periods.Describe(evidence.HeldAt)}）早于本期开始（{Periods.Describe(Periods.LocalDate(opens))}），不能计入本期");

        if (rule.PlaceRequired && string.IsNullOrWhiteSpace(evidence.Place))
            reasons.Add("缺少活动地点");
        if (rule.TopicRequired && string.IsNullOrWhiteSpace(evidence.Topic))
            reasons.Add("缺少主题");
        if (evidence.PhotoCount < rule.MinPhotos)
            reasons.Add($"照片不少于{rule.MinPhotos}张（当前{evidence.PhotoCount}张）");

        if (rule.AttendanceRequired || rule.Quorum != Quorum.None)
            CheckAttendance(rule.Quorum, evidence.Attendance, roster, reasons);

        if (rule.MinutesRequired && !evidence.MinutesPresent)
            reasons.Add($"缺少{rule.RecordLabel}");

        var onTime = submittedAt < dueAt;
        if (reasons.Count > 0)
            return new JudgmentResult(false, reasons, onTime, 0m);
        var points = onTime ? template.Points : Math.Max(0m, template.Points - template.LateDeduction);
        return new JudgmentResult(true, [], onTime, points);
    }

    private static void CheckAttendance(Quorum quorum, Attendance? attendance, RosterCounts roster, List<string> reasons)
    {
        if (attendance is null)
        {
            reasons.Add("缺少考勤（签到）记录");
            return;
        }

        var (expected, who) = quorum switch
        {
            Quorum.MoreThanHalfOfVoting => (roster.VotingMembers, "应到党员"),
            Quorum.MoreThanHalfOfCommittee => (roster.CommitteeMembers, "支部委员"),
            _ => (roster.Members, "应到人员"),
        };
        if (attendance.Recorded > expected)
        {
            reasons.Add($"考勤人数（{attendance.Recorded}人）超过{who}人数（{expected}人），请核对考勤");
            return;
        }
        if (attendance.Present == 0)
        {
            reasons.Add("出席人数为0");
            return;
        }
        // "More than half": exactly half is not enough, and those on leave still count as expected.
        if (quorum != Quorum.None && attendance.Present * 2 <= expected)
            reasons.Add(quorum == Quorum.MoreThanHalfOfVoting
                ? $"出席人数未超过应到党员半数（应到{expected}人，实到{attendance.Present}人）"
                : $"出席委员未超过支部委员半数（应到{expected}人，实到{attendance.Present}人）");
    }
}
