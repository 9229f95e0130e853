using WxQms.Domain.Model.Reminders;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;

namespace WxQms.Domain.Rules.Reminders;

/// <summary>
/// What the reminder rules need to know about a task. <see cref="HasEvidence"/>: evidence is in and
/// not sent back (submitted or completed). <see cref="Open"/>: neither completed nor cancelled.
/// </summary>
public sealed record ReminderTask(
    ReminderRule Rule,
    bool PlanRequired,
    DateTimeOffset OpensAt,
    DateTimeOffset DueAt,
    DateTimeOffset? PlannedFor,
    bool HasEvidence,
    bool Open);

/// <summary>
/// One reminder of a task: it fires at <see cref="FireAt"/> and is pointless from <see cref="ExpiresAt"/>
/// on (a T−3 reminder after the meeting, a warning a week late), so a task seen late never sends stale
/// reminders.
/// </summary>
public sealed record ScheduledReminder(ReminderKind Kind, DateTimeOffset FireAt, DateTimeOffset ExpiresAt, ReminderAudience Audience);

/// <summary>
/// The reminder timetable of a task (DESIGN capability 3, the seed's 生物钟). Days are whole days
/// before or after the meeting's time, so "T−3" of a meeting on Friday 14:30 is Tuesday 14:30. The
/// anchor is the reported plan's time, or the due time while there is none.
/// <code>
/// plan_report   opens + N days, 09:00   no plan yet (duties that need one)    organisers
/// organiser     anchor − N days          no evidence                           organisers
/// members       planned time − 1 day     planned, no evidence                  attendees
/// warning       end of the meeting day   no evidence: the task is marked warned organisers + superior
/// escalation1   end of day + 1 day       no evidence                           superior
/// escalation2   end of day + N days      no evidence                           superior
/// </code>
/// "End of the meeting day" is the Shanghai midnight after the planned date; without a plan, the due time.
/// Pure: the scanner asks what is due now and when to look again.
/// </summary>
public static class ReminderSchedule
{
    /// <summary>Warnings and escalations stay useful for a day; after that the next one takes over.</summary>
    public static readonly TimeSpan FollowUpValidity = TimeSpan.FromDays(1);

    /// <summary>Plan-report reminders go out at this Shanghai time of day.</summary>
    public static readonly TimeOnly PlanReportTime = new(9, 0);

    public static IReadOnlyList<ScheduledReminder> For(ReminderTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var rule = task.Rule;
        var anchor = task.PlannedFor ?? task.DueAt;
        var endOfDay = task.PlannedFor is { } planned
            ? Periods.StartOf(Periods.LocalDate(planned).AddDays(1))
            : task.DueAt;
        var list = new List<ScheduledReminder>(6);

        if (task.PlanRequired && rule.PlanReportAfterDays > 0)
        {
            var day = Periods.LocalDate(task.OpensAt).AddDays(rule.PlanReportAfterDays);
            var fire = LocalTime.ToInstant(day, PlanReportTime);
            if (fire < task.DueAt)
                list.Add(new(ReminderKind.PlanReport, fire, task.DueAt, ReminderAudience.Organisers));
        }
        if (rule.OrganiserDaysBefore > 0)
            list.Add(new(ReminderKind.Organiser, anchor.AddDays(-rule.OrganiserDaysBefore), anchor, ReminderAudience.Organisers));
        if (rule.MembersDayBefore && task.PlannedFor is { } meeting)
            list.Add(new(ReminderKind.Members, meeting.AddDays(-1), meeting, ReminderAudience.Attendees));
        if (rule.SameDayWarning)
            list.Add(new(ReminderKind.Warning, endOfDay, endOfDay + FollowUpValidity, ReminderAudience.OrganisersAndSuperior));
        if (rule.EscalateAfterDays is { } last)
        {
            var first = endOfDay.AddDays(1);
            list.Add(new(ReminderKind.Escalation1, first, first + FollowUpValidity, ReminderAudience.Superior));
            if (last > 1)
            {
                var second = endOfDay.AddDays(last);
                list.Add(new(ReminderKind.Escalation2, second, second + FollowUpValidity, ReminderAudience.Superior));
            }
        }
        return list;
    }

    /// <summary>Whether the task still needs this reminder, whatever the time.</summary>
    public static bool Applies(ReminderTask task, ReminderKind kind)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!task.Open || task.HasEvidence)
            return false;
        return kind switch
        {
            ReminderKind.PlanReport => task.PlannedFor is null,
            ReminderKind.Members => task.PlannedFor is not null,
            _ => true,
        };
    }

    /// <summary>The reminders to fire at <paramref name="now"/>: their time has come, they have not expired, and the task still needs them.</summary>
    public static IReadOnlyList<ScheduledReminder> Due(ReminderTask task, DateTimeOffset now) =>
        For(task).Where(r => r.FireAt <= now && now < r.ExpiresAt && Applies(task, r.Kind)).ToList();

    /// <summary>When to look at the task again: its next reminder that may still apply, or null for never.</summary>
    public static DateTimeOffset? Next(ReminderTask task, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!task.Open || task.HasEvidence)
            return null; // a return reopens the task, and the task store asks again then
        DateTimeOffset? next = null;
        foreach (var r in For(task))
        {
            if (r.FireAt > now && (next is null || r.FireAt < next))
                next = r.FireAt;
        }
        return next;
    }
}

/// <summary>
/// 22:00–08:00 Asia/Shanghai is quiet: an ordinary reminder that falls due then waits for the morning.
/// </summary>
public static class QuietHours
{
    public static readonly TimeOnly Starts = new(22, 0);
    public static readonly TimeOnly Ends = new(8, 0);

    public static bool IsQuiet(DateTimeOffset instant)
    {
        var local = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Periods.Shanghai).DateTime);
        return local >= Starts || local < Ends;
    }

    /// <summary>The instant itself outside quiet hours, else the next 08:00 in Shanghai.</summary>
    public static DateTimeOffset Defer(DateTimeOffset instant)
    {
        if (!IsQuiet(instant))
            return instant;
        var local = TimeZoneInfo.ConvertTime(instant, Periods.Shanghai);
        var day = DateOnly.FromDateTime(local.DateTime);
        if (TimeOnly.FromDateTime(local.DateTime) >= Starts)
            day = day.AddDays(1);
        return LocalTime.ToInstant(day, Ends);
    }
}
