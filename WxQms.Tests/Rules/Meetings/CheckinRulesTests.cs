using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Bot;
using WxQms.Domain.Rules.Meetings;

namespace WxQms.Tests.Rules.Meetings;

public sealed class CheckinRulesTests
{
    private static readonly CheckinTimes Times = new(TimeSpan.FromHours(1), TimeSpan.FromHours(3), TimeSpan.FromMinutes(10),
        TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(15));

    private static readonly DateTimeOffset Start = new(2026, 12, 20, 14, 0, 0, TimeSpan.FromHours(8));

    private static readonly EvidenceRule Meeting = EvidenceRule.Meeting(3);

    private static readonly EvidenceRule NotAMeeting = Meeting with { AttendanceRequired = false, Quorum = Quorum.None };

    [Theory]
    [InlineData(-61, MeetingWindow.TooEarly)]
    [InlineData(-60, MeetingWindow.Open)] // the code opens an hour before
    [InlineData(0, MeetingWindow.Open)]
    [InlineData(180, MeetingWindow.Open)] // and closes three hours after the start
    [InlineData(181, MeetingWindow.Closed)]
    public void Check_in_is_taken_around_the_planned_start(int minutes, MeetingWindow expected) =>
        Assert.Equal(expected, CheckinRules.CheckinWindow(Meeting, Start, Start.AddMinutes(minutes), Times));

    [Fact]
    public void An_unplanned_meeting_or_a_task_without_attendance_takes_no_check_in()
    {
        Assert.Equal(MeetingWindow.NotPlanned, CheckinRules.CheckinWindow(Meeting, null, Start, Times));
        Assert.Equal(MeetingWindow.NotPlanned, CheckinRules.CheckinWindow(NotAMeeting, Start, Start, Times));
        Assert.True(CheckinRules.IsMeeting(EvidenceRule.Meeting(3, Quorum.MoreThanHalfOfVoting) with { AttendanceRequired = false }));
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(29, true)]
    [InlineData(44, true)] // replaced at 30 s, still on its way for 15 s
    [InlineData(45, false)]
    [InlineData(60, false)] // a photo passed on a minute later
    [InlineData(-1, false)] // a code from the future is nobody's
    public void A_code_is_good_for_its_refresh_and_grace(int seconds, bool fresh) =>
        Assert.Equal(fresh, CheckinRules.CodeFresh(Start, Start.AddSeconds(seconds), Times));

    [Theory]
    [InlineData(-30, false)]
    [InlineData(10, false)] // ten minutes' grace
    [InlineData(11, true)]
    public void A_check_in_after_the_start_and_its_grace_is_late(int minutes, bool late) =>
        Assert.Equal(late, CheckinRules.IsLate(Start, Start.AddMinutes(minutes), Times));

    [Theory]
    [InlineData(-1, MeetingWindow.Open)]
    [InlineData(0, MeetingWindow.Closed)]
    [InlineData(30, MeetingWindow.Closed)]
    public void Leave_is_asked_before_the_start(int minutes, MeetingWindow expected) =>
        Assert.Equal(expected, CheckinRules.LeaveWindow(Meeting, Start, Start.AddMinutes(minutes)));

    [Theory]
    [InlineData(null, null)]
    [InlineData("  ", null)]
    [InlineData(" 出差 ", "出差")]
    public void A_reason_is_trimmed_and_not_empty(string? reason, string? expected) => Assert.Equal(expected, CheckinRules.Reason(reason));

    [Fact]
    public void A_reason_of_more_than_200_characters_is_refused()
    {
        Assert.NotNull(CheckinRules.Reason(new string('假', 200)));
        Assert.Null(CheckinRules.Reason(new string('假', 201)));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(5, true)]
    [InlineData(6, false)]
    public void A_rating_is_one_to_five(int rating, bool valid) => Assert.Equal(valid, CheckinRules.ValidRating(rating));

    [Theory]
    [InlineData(true, 0, true)]
    [InlineData(true, -1, false)] // not before it starts
    [InlineData(false, 60, false)] // only who was there
    public void Those_who_attended_rate_once_it_has_started(bool attended, int minutes, bool may) =>
        Assert.Equal(may, CheckinRules.MayRate(attended, Start, null, Start.AddMinutes(minutes)));

    [Theory]
    [InlineData(false, false, false, null)] // nothing recorded: the form keeps its default
    [InlineData(true, true, false, Presence.Present)]
    [InlineData(true, false, true, Presence.OnLeave)]
    [InlineData(true, false, false, Presence.Absent)]
    [InlineData(true, true, true, Presence.Present)] // came after all
    public void The_evidence_form_starts_from_check_ins_and_approved_leave(bool any, bool checkedIn, bool onLeave, Presence? expected) =>
        Assert.Equal(expected, CheckinRules.Prefill(any, checkedIn, onLeave));

    [Theory]
    [InlineData("请假 出差在外地", "出差在外地")]
    [InlineData("请假：身体不适", "身体不适")]
    [InlineData("请假", "")]
    [InlineData("　请假　家中有事", "家中有事")] // ideographic spaces
    [InlineData("我想请假", null)]
    [InlineData("你好", null)]
    [InlineData(null, null)]
    public void The_chat_reads_a_leave_request(string? text, string? reason) => Assert.Equal(reason, BotText.LeaveReason(text));
}
