using System.Globalization;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;

namespace WxQms.Tests.Rules.Tasks;

public sealed class JudgmentTests
{
    private static readonly TaskCatalogue Catalogue = TaskCatalogue.Default;
    private static readonly DateOnly Jan1 = new(2026, 1, 1);

    // A Q4 member meeting: opens 2026-10-01, due 2027-01-01 (Shanghai).
    private static readonly DateTimeOffset OpensAt = At("2026-09-30T16:00:00Z");
    private static readonly DateTimeOffset DueAt = At("2026-12-31T16:00:00Z");
    private static readonly DateTimeOffset HeldAt = At("2026-11-20T14:00:00+08:00");
    private static readonly DateTimeOffset SubmittedAt = At("2026-11-21T09:30:00+08:00");

    private static readonly RosterCounts Roster = new(Members: 24, VotingMembers: 20, CommitteeMembers: 5);

    private static readonly Evidence Complete = new(HeldAt, "社区党群服务中心二楼会议室", "学习党的二十大精神", PhotoCount: 3,
        new Attendance(Present: 15, Absent: 3, OnLeave: 2), MinutesPresent: true);

    private static DateTimeOffset At(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture);

    private static TaskTemplate Template(string code) => Catalogue.Resolve(code, Jan1);

    private static JudgmentResult Judge(string code, Evidence evidence, DateTimeOffset? submittedAt = null, RosterCounts? roster = null) =>
        Judgment.Judge(Template(code), evidence, submittedAt ?? SubmittedAt, DueAt, roster ?? Roster, OpensAt);

    [Fact]
    public void Complete_evidence_on_time_earns_the_full_points_and_completes_the_task()
    {
        var result = Judge(TaskCodes.MemberMeeting, Complete);

        Assert.True(result.Passed);
        Assert.Empty(result.ReasonsInChinese);
        Assert.True(result.OnTime);
        Assert.Equal(4m, result.PointsEarned);
        Assert.Equal(TaskState.Completed, result.Outcome);
    }

    public static TheoryData<string, string> MissingEvidence() => new()
    {
        { "two photos", "照片不少于3张（当前2张）" },
        { "no photos", "照片不少于3张（当前0张）" },
        { "no place", "缺少活动地点" },
        { "blank place", "缺少活动地点" },
        { "no topic", "缺少主题" },
        { "no minutes", "缺少会议记录" },
        { "no attendance", "缺少考勤（签到）记录" },
        { "nobody present", "出席人数为0" },
        { "more names than members", "考勤人数（22人）超过应到党员人数（20人），请核对考勤" },
    };

    [Theory]
    [MemberData(nameof(MissingEvidence))]
    public void Missing_evidence_returns_the_task_with_the_reason_in_Chinese(string missing, string reason)
    {
        var evidence = missing switch
        {
            "two photos" => Complete with { PhotoCount = 2 },
            "no photos" => Complete with { PhotoCount = 0 },
            "no place" => Complete with { Place = null },
            "blank place" => Complete with { Place = "  " },
            "no topic" => Complete with { Topic = "" },
            "no minutes" => Complete with { MinutesPresent = false },
            "no attendance" => Complete with { Attendance = null },
            "nobody present" => Complete with { Attendance = new Attendance(0, 18, 2) },
            "more names than members" => Complete with { Attendance = new Attendance(20, 2, 0) },
            _ => throw new ArgumentOutOfRangeException(nameof(missing)),
        };

        var result = Judge(TaskCodes.MemberMeeting, evidence);

        Assert.False(result.Passed);
        Assert.Equal([reason], result.ReasonsInChinese);
        Assert.Equal(0m, result.PointsEarned);
        Assert.Equal(TaskState.Returned, result.Outcome);
    }

    [Theory]
    [InlineData(20, 10, 0, 10, false)]
    [InlineData(20, 11, 0, 9, true)]
    [InlineData(20, 10, 8, 2, false)]
    [InlineData(20, 11, 9, 0, true)]
    [InlineData(21, 10, 0, 11, false)]
    [InlineData(21, 11, 0, 10, true)]
    [InlineData(3, 2, 1, 0, true)]
    [InlineData(3, 1, 2, 0, false)]
    [InlineData(4, 2, 2, 0, false)]
    public void A_member_meeting_needs_more_than_half_of_the_voting_members_and_leave_does_not_shrink_the_count(
        int voting, int present, int onLeave, int absent, bool passes)
    {
        var result = Judge(TaskCodes.MemberMeeting, Complete with { Attendance = new Attendance(present, absent, onLeave) },
            roster: new RosterCounts(voting + 2, voting, 3));

        Assert.Equal(passes, result.Passed);
        if (!passes)
            Assert.Equal([$"出席人数未超过应到党员半数（应到{voting}人，实到{present}人）"], result.ReasonsInChinese);
    }

    [Fact]
    public void The_quorum_reason_gives_the_expected_and_actual_counts() =>
        Assert.Contains("出席人数未超过应到党员半数（应到20人，实到9人）",
            Judge(TaskCodes.MemberMeeting, Complete with { Attendance = new Attendance(9, 11, 0) }).ReasonsInChinese);

    [Theory]
    [InlineData(5, 2, false)]
    [InlineData(5, 3, true)]
    [InlineData(4, 2, false)]
    [InlineData(4, 3, true)]
    [InlineData(3, 2, true)]
    [InlineData(3, 1, false)]
    public void A_committee_meeting_needs_more_than_half_of_the_committee(int committee, int present, bool passes)
    {
        var evidence = Complete with { PhotoCount = 2, Attendance = new Attendance(present, committee - present, 0) };

        var result = Judge(TaskCodes.CommitteeMeeting, evidence, roster: new RosterCounts(24, 20, committee));

        Assert.Equal(passes, result.Passed);
        if (!passes)
            Assert.Equal([$"出席委员未超过支部委员半数（应到{committee}人，实到{present}人）"], result.ReasonsInChinese);
    }

    [Fact]
    public void A_group_meeting_needs_attendance_but_no_quorum()
    {
        var evidence = Complete with { PhotoCount = 2, Attendance = new Attendance(2, 6, 0) };

        var result = Judge(TaskCodes.GroupMeeting, evidence, roster: new RosterCounts(8, 7, 0));

        Assert.True(result.Passed);
        Assert.Equal(0.5m, result.PointsEarned);
    }

    [Fact]
    public void Paperwork_needs_only_its_record()
    {
        var bare = new Evidence(At("2026-11-05T10:00:00+08:00"), null, null, 0, null, MinutesPresent: true);

        Assert.True(Judge(TaskCodes.PartyDues, bare).Passed);
        Assert.Equal(["缺少党费收缴台账"], Judge(TaskCodes.PartyDues, bare with { MinutesPresent = false }).ReasonsInChinese);
        Assert.Equal(["缺少谈心谈话记录"], Judge(TaskCodes.HeartToHeartTalks, bare with { MinutesPresent = false }).ReasonsInChinese);
    }

    [Fact]
    public void Every_missing_piece_is_listed_at_once()
    {
        var result = Judge(TaskCodes.MemberMeeting,
            Complete with { Place = null, PhotoCount = 1, Attendance = new Attendance(9, 11, 0), MinutesPresent = false });

        Assert.Equal(["缺少活动地点", "照片不少于3张（当前1张）", "出席人数未超过应到党员半数（应到20人，实到9人）", "缺少会议记录"],
            result.ReasonsInChinese);
        Assert.True(result.OnTime);
        Assert.Equal(0m, result.PointsEarned);
    }

    [Theory]
    [InlineData("2026-12-31T15:59:59Z", true, 4)]
    [InlineData("2026-12-31T23:59:59+08:00", true, 4)]
    [InlineData("2027-01-01T00:00:00+08:00", false, 2)]
    [InlineData("2027-01-03T10:00:00+08:00", false, 2)]
    [InlineData("2027-06-30T10:00:00+08:00", false, 2)]
    public void On_time_means_before_the_due_instant_and_late_costs_the_late_deduction(string submittedAt, bool onTime, int points)
    {
        var result = Judge(TaskCodes.MemberMeeting, Complete, At(submittedAt));

        Assert.True(result.Passed);
        Assert.Equal(onTime, result.OnTime);
        Assert.Equal(points, result.PointsEarned);
    }

    [Fact]
    public void Points_never_go_below_zero()
    {
        var harsh = Template(TaskCodes.MemberMeeting) with { LateDeduction = 10m };

        var result = Judgment.Judge(harsh, Complete, At("2027-01-02T10:00:00+08:00"), DueAt, Roster, OpensAt);

        Assert.True(result.Passed);
        Assert.False(result.OnTime);
        Assert.Equal(0m, result.PointsEarned);
    }

    [Fact]
    public void A_meeting_in_the_future_is_refused()
    {
        var result = Judge(TaskCodes.MemberMeeting, Complete with { HeldAt = At("2026-11-25T14:00:00+08:00") });

        Assert.False(result.Passed);
        Assert.Equal(["开展时间（2026年11月25日 14:00）晚于提交时间，不能提交尚未开展的活动"], result.ReasonsInChinese);
    }

    [Fact]
    public void A_meeting_held_the_moment_it_is_submitted_counts() =>
        Assert.True(Judge(TaskCodes.MemberMeeting, Complete with { HeldAt = SubmittedAt }).Passed);

    [Fact]
    public void A_meeting_held_early_in_the_period_counts_whatever_the_plan_said() =>
        Assert.True(Judge(TaskCodes.MemberMeeting, Complete with { HeldAt = At("2026-10-01T00:00:00+08:00") }).Passed);

    [Fact]
    public void A_meeting_held_after_the_period_cannot_fill_it()
    {
        var result = Judge(TaskCodes.MemberMeeting, Complete with { HeldAt = At("2027-01-02T14:00:00+08:00") },
            submittedAt: At("2027-01-03T09:00:00+08:00"));

        Assert.Equal(["开展时间（2027年1月2日 14:00）已过本任务截止时间（2027年1月1日 00:00），不能计入本期"], result.ReasonsInChinese);
    }

    [Fact]
    public void A_meeting_held_before_the_period_cannot_fill_it()
    {
        var result = Judge(TaskCodes.MemberMeeting, Complete with { HeldAt = At("2026-09-30T23:59:00+08:00") });

        Assert.Equal(["开展时间（2026年9月30日 23:59）早于本期开始（2026年10月1日），不能计入本期"], result.ReasonsInChinese);
    }

    [Fact]
    public void An_organisational_life_meeting_must_fall_in_Q4()
    {
        var template = Template(TaskCodes.OrgLifeMeeting);
        var (opensAt, dueAt) = Periods.Window(template.Recurrence, Periods.Parse("2026"));
        var june = Complete with { HeldAt = At("2026-06-20T14:00:00+08:00") };

        Assert.False(Judgment.Judge(template, june, SubmittedAt, dueAt, Roster, opensAt).Passed);
        Assert.True(Judgment.Judge(template, Complete, SubmittedAt, dueAt, Roster, opensAt).Passed);
        Assert.Equal(8m, Judgment.Judge(template, Complete, SubmittedAt, dueAt, Roster, opensAt).PointsEarned);
    }

    [Fact]
    public void Attendance_tallies_marks()
    {
        Presence[] marks = [Presence.Present, Presence.Present, Presence.OnLeave, Presence.Absent, Presence.Present];

        Assert.Equal(new Attendance(3, 1, 1), Attendance.Tally(marks));
    }

    [Fact]
    public void Refuses_negative_counts() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Judge(TaskCodes.MemberMeeting, Complete with { PhotoCount = -1 }));
}
