using System.Globalization;
using System.Text;
using WxQms.Domain.Model.Reminders;
using WxQms.Domain.Rules.Tasks;

namespace WxQms.Domain.Rules.Reminders;

/// <summary>The two message templates reminders use; their ids per app come from configuration.</summary>
public enum ReminderTemplate
{
    /// <summary>会议提醒: thing1 会议名称, time2 会议时间, thing3 会议地点 (mini program: + thing4 温馨提示).</summary>
    MeetingReminder,
    /// <summary>任务预警: thing1 任务名称, date2 截止日期, phrase3 任务状态, thing4 责任组织 (mini program: character_string4 任务编号).</summary>
    TaskWarning,
}

/// <summary>What a reminder message is about.</summary>
public sealed record ReminderFacts(
    ReminderKind Kind,
    long TaskId,
    string TaskName,
    string OrgName,
    DateTimeOffset DueAt,
    DateTimeOffset? PlannedFor,
    string? Place);

/// <summary>
/// One reminder, ready for either channel: the same facts in the official-account template's fields
/// and in the subscribe message's, and the mini-program page both link to.
/// </summary>
public sealed record ReminderMessage(
    ReminderTemplate Template,
    IReadOnlyDictionary<string, string> OaData,
    IReadOnlyDictionary<string, string> MpData,
    string Page);

/// <summary>
/// The text of each reminder kind, inside WeChat's field-type rules (thing ≤ 20 characters, phrase ≤ 5
/// Chinese characters, time and date in a form WeChat accepts), so a send never fails with 47003 for
/// our own wording. The templates chosen on mp.weixin.qq.com must carry these keys. Pure.
/// </summary>
public static class ReminderContent
{
    public const int ThingLength = 20;

    public static string TaskPage(long taskId) => string.Create(CultureInfo.InvariantCulture, $"pages/task/index?id={taskId}");

    public static ReminderMessage For(ReminderFacts f)
    {
        ArgumentNullException.ThrowIfNull(f);
        var page = TaskPage(f.TaskId);
        if (f.PlannedFor is { } planned && f.Kind is ReminderKind.Organiser or ReminderKind.Members)
        {
            var organiser = f.Kind == ReminderKind.Organiser;
            var time = Periods.Describe(planned);
            var place = Thing(string.IsNullOrWhiteSpace(f.Place) ? "待定" : f.Place);
            var tip = organiser ? "请提前准备会议、拟定议题" : "请准时参加";
            return new ReminderMessage(ReminderTemplate.MeetingReminder,
                new Dictionary<string, string>
                {
                    ["thing1"] = Thing(f.TaskName, organiser ? "：请准备议题" : "：请准时参加"),
                    ["time2"] = time,
                    ["thing3"] = place,
                },
                new Dictionary<string, string>
                {
                    ["thing1"] = Thing(f.TaskName),
                    ["time2"] = time,
                    ["thing3"] = place,
                    ["thing4"] = Thing(tip),
                },
                page);
        }

        var (date, status) = f.Kind switch
        {
            ReminderKind.PlanReport => (f.DueAt, "待报计划"),
            ReminderKind.Organiser or ReminderKind.Members => (f.DueAt, "即将到期"),
            ReminderKind.Warning => (f.PlannedFor ?? f.DueAt, "未交佐证"),
            _ => (f.PlannedFor ?? f.DueAt, "督办提醒"),
        };
        // The due time is the next period's first midnight: the last day is the one before it.
        var day = f.PlannedFor is not null && date == f.PlannedFor
            ? Periods.LocalDate(date)
            : Periods.LocalDate(date.AddTicks(-1));
        return new ReminderMessage(ReminderTemplate.TaskWarning,
            new Dictionary<string, string>
            {
                ["thing1"] = Thing(f.TaskName),
                ["date2"] = Periods.Describe(day),
                ["phrase3"] = status,
                ["thing4"] = Thing(f.OrgName),
            },
            new Dictionary<string, string>
            {
                ["thing1"] = Thing(f.TaskName),
                ["date2"] = Periods.Describe(day),
                ["phrase3"] = status,
                ["character_string4"] = string.Create(CultureInfo.InvariantCulture, $"T{f.TaskId}"),
            },
            page);
    }

    /// <summary>
    /// A thing value of at most 20 characters (code points): <paramref name="text"/> shortened with an
    /// ellipsis when needed, so that <paramref name="suffix"/> always fits; line breaks become spaces.
    /// </summary>
    public static string Thing(string text, string suffix = "")
    {
        var clean = text.ReplaceLineEndings(" ").Trim();
        var room = ThingLength - suffix.EnumerateRunes().Count();
        var runes = clean.EnumerateRunes().ToArray();
        if (runes.Length <= room)
            return clean + suffix;
        var sb = new StringBuilder();
        foreach (var r in runes.Take(room - 1))
            sb.Append(r.ToString());
        return sb.Append('…').Append(suffix).ToString();
    }
}
