using WxQms.Domain.Model.Reminders;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Reminders;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Wechat;

namespace WxQms.Tests.Rules.Reminders;

public sealed class ReminderScheduleTests
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private static readonly Period December = Periods.For(RecurrenceKind.Monthly, 2026, 12);
    private static readonly DateTimeOffset MeetingAt = new(2026, 12, 18, 14, 30, 0, Cst);

    private static ReminderTask Meeting(DateTimeOffset? plannedFor, bool hasEvidence = false, bool open = true) =>
        new(ReminderRule.Meeting, PlanRequired: true, December.StartsAt, December.EndsAt, plannedFor, hasEvidence, open);

    private static DateTimeOffset FireAt(ReminderTask task, ReminderKind kind) =>
        ReminderSchedule.For(task).Single(r => r.Kind == kind).FireAt;

    [Fact]
    public void A_planned_meeting_reminds_organisers_three_days_and_members_one_day_before_at_the_same_time_of_day()
    {
        var task = Meeting(MeetingAt);

        Assert.Equal(new DateTimeOffset(2026, 12, 15, 14, 30, 0, Cst), FireAt(task, ReminderKind.Organiser));
        Assert.Equal(new DateTimeOffset(2026, 12, 17, 14, 30, 0, Cst), FireAt(task, ReminderKind.Members));
    }

    [Fact]
    public void Without_evidence_the_warning_comes_at_the_end_of_the_meeting_day_and_escalations_one_and_three_days_later()
    {
        var task = Meeting(MeetingAt);

        Assert.Equal(new DateTimeOffset(2026, 12, 19, 0, 0, 0, Cst), FireAt(task, ReminderKind.Warning));
        Assert.Equal(new DateTimeOffset(2026, 12, 20, 0, 0, 0, Cst), FireAt(task, ReminderKind.Escalation1));
        Assert.Equal(new DateTimeOffset(2026, 12, 22, 0, 0, 0, Cst), FireAt(task, ReminderKind.Escalation2));
        var audiences = ReminderSchedule.For(task).ToDictionary(r => r.Kind, r => r.Audience);
        Assert.Equal(ReminderAudience.OrganisersAndSuperior, audiences[ReminderKind.Warning]);
        Assert.Equal(ReminderAudience.Superior, audiences[ReminderKind.Escalation2]);
    }

    [Fact]
    public void Unscheduled_the_organisers_are_reminded_before_the_due_time_and_members_not_at_all()
    {
        var task = Meeting(plannedFor: null);

        Assert.Equal(December.EndsAt.AddDays(-3), FireAt(task, ReminderKind.Organiser));
        Assert.Equal(December.EndsAt, FireAt(task, ReminderKind.Warning));
        Assert.DoesNotContain(ReminderSchedule.For(task), r => r.Kind == ReminderKind.Members);
        // Five days into the period without a plan, at nine in the morning.
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 9, 0, 0, Cst), FireAt(task, ReminderKind.PlanReport));
    }

    [Fact]
    public void A_reminder_fires_only_between_its_time_and_its_expiry_and_only_while_the_task_needs_it()
    {
        var task = Meeting(MeetingAt);
        var dayBefore = MeetingAt.AddDays(-1);

        Assert.Equal([ReminderKind.Organiser, ReminderKind.Members],
            ReminderSchedule.Due(task, dayBefore).Select(r => r.Kind).Order().ToArray());
        Assert.Empty(ReminderSchedule.Due(task, MeetingAt.AddMinutes(1)));            // after the meeting: no stale "prepare"
        Assert.Empty(ReminderSchedule.Due(Meeting(MeetingAt, hasEvidence: true), dayBefore));
        Assert.Empty(ReminderSchedule.Due(Meeting(MeetingAt, open: false), dayBefore));
        Assert.DoesNotContain(ReminderSchedule.Due(task, dayBefore), r => r.Kind == ReminderKind.PlanReport); // planned already
        // A scanner that was down for two days fires the warning's successor, not the stale warning.
        Assert.Equal([ReminderKind.Escalation1],
            ReminderSchedule.Due(task, new DateTimeOffset(2026, 12, 20, 9, 0, 0, Cst)).Select(r => r.Kind).ToArray());
    }

    [Fact]
    public void The_scanner_looks_again_at_the_next_reminder_and_never_for_a_finished_task()
    {
        var task = Meeting(MeetingAt);

        Assert.Equal(FireAt(task, ReminderKind.Organiser), ReminderSchedule.Next(task, December.StartsAt.AddDays(8)));
        Assert.Equal(FireAt(task, ReminderKind.Members), ReminderSchedule.Next(task, FireAt(task, ReminderKind.Organiser)));
        Assert.Null(ReminderSchedule.Next(task, FireAt(task, ReminderKind.Escalation2)));
        Assert.Null(ReminderSchedule.Next(Meeting(MeetingAt, hasEvidence: true), December.StartsAt));
    }

    [Theory]
    [InlineData("2026-12-15T21:59:00+08:00", "2026-12-15T21:59:00+08:00")]
    [InlineData("2026-12-15T22:00:00+08:00", "2026-12-16T08:00:00+08:00")]
    [InlineData("2026-12-16T00:00:00+08:00", "2026-12-16T08:00:00+08:00")]
    [InlineData("2026-12-16T07:59:59+08:00", "2026-12-16T08:00:00+08:00")]
    [InlineData("2026-12-16T08:00:00+08:00", "2026-12-16T08:00:00+08:00")]
    public void Quiet_hours_from_ten_at_night_to_eight_in_the_morning_defer_a_reminder_to_eight(string at, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            QuietHours.Defer(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData(ReminderKind.PlanReport, false)]
    [InlineData(ReminderKind.Organiser, true)]
    [InlineData(ReminderKind.Organiser, false)]
    [InlineData(ReminderKind.Members, true)]
    [InlineData(ReminderKind.Warning, true)]
    [InlineData(ReminderKind.Warning, false)]
    [InlineData(ReminderKind.Escalation1, true)]
    [InlineData(ReminderKind.Escalation2, false)]
    public void Every_message_keeps_within_the_template_field_rules_even_with_long_names(ReminderKind kind, bool planned)
    {
        var facts = new ReminderFacts(kind, 123456, "支部党员大会（含主题党日、专题组织生活会与民主评议党员）", "东风路街道幸福里社区第一居民小区党支部委员会",
            December.EndsAt, planned ? MeetingAt : null, "幸福里社区党群服务中心三楼多功能会议室（东侧）");

        var message = ReminderContent.For(facts);

        Assert.Empty(TemplateFieldRules.Validate(message.OaData));
        Assert.Empty(TemplateFieldRules.Validate(message.MpData));
        Assert.Equal("pages/task/index?id=123456", message.Page);
        Assert.All(message.OaData.Values.Concat(message.MpData.Values), v => Assert.True(v.EnumerateRunes().Count() <= 20, v));
    }

    [Fact]
    public void A_planned_meeting_is_a_meeting_card_with_time_and_place_and_a_warning_names_the_missing_evidence()
    {
        var members = ReminderContent.For(new ReminderFacts(ReminderKind.Members, 7, "支部党员大会", "第一党支部", December.EndsAt,
            MeetingAt, "党群服务中心"));
        var warning = ReminderContent.For(new ReminderFacts(ReminderKind.Warning, 7, "支部党员大会", "第一党支部", December.EndsAt,
            MeetingAt, "党群服务中心"));
        var unplanned = ReminderContent.For(new ReminderFacts(ReminderKind.Organiser, 7, "支部党员大会", "第一党支部", December.EndsAt,
            null, null));

        Assert.Equal(ReminderTemplate.MeetingReminder, members.Template);
        Assert.Equal("支部党员大会：请准时参加", members.OaData["thing1"]);
        Assert.Equal("2026年12月18日 14:30", members.OaData["time2"]);
        Assert.Equal("党群服务中心", members.OaData["thing3"]);
        Assert.Equal(ReminderTemplate.TaskWarning, warning.Template);
        Assert.Equal("未交佐证", warning.OaData["phrase3"]);
        Assert.Equal("2026年12月18日", warning.OaData["date2"]);
        Assert.Equal("第一党支部", warning.OaData["thing4"]);
        // Without a plan the last day of the period is named, not the next period's first midnight.
        Assert.Equal("2026年12月31日", unplanned.OaData["date2"]);
        Assert.Equal("即将到期", unplanned.OaData["phrase3"]);
    }
}
