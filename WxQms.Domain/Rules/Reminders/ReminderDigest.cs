using System.Globalization;
using System.Text;
using WxQms.Domain.Model.Reminders;
using WxQms.Domain.Rules.Tasks;

namespace WxQms.Domain.Rules.Reminders;

/// <summary>
/// One message for several reminders of one kind to one person in the same sending round (the 08:00 burst): 「5 项任务待报计划：主题党日等 5 项」
/// with a link to the task list, inside the template's field limits (thing ≤ 20 characters) and the SMS parameter length.
/// Only the kinds about routine work digest — the plan to report and the superior's escalations; a meeting card (T−3, T−1) has
/// its own time and place, and a warning is about one task that needs attention now: they stay single. Pure.
/// </summary>
public static class ReminderDigest
{
    public const string Page = "pages/tasks/index";

    /// <summary>The kinds whose reminders of one round to one person go out as one digest.</summary>
    public static readonly IReadOnlySet<ReminderKind> Kinds = new HashSet<ReminderKind>
    {
        ReminderKind.PlanReport, ReminderKind.Escalation1, ReminderKind.Escalation2,
    };

    public static bool Digests(ReminderKind kind) => Kinds.Contains(kind);

    public static string Status(ReminderKind kind) => kind == ReminderKind.PlanReport ? "待报计划" : "督办提醒";

    /// <summary>
    /// The names in order, as many as fit in <paramref name="maxLength"/> characters, the rest as 「等 n 项」 (n: all of them);
    /// a first name too long for even that is shortened with an ellipsis.
    /// </summary>
    public static string List(IReadOnlyList<string> names, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(names);
        var n = names.Count;
        for (var k = n; k >= 1; k--)
        {
            var text = string.Join("、", names.Take(k)) + (k < n ? string.Create(CultureInfo.InvariantCulture, $"等 {n} 项") : "");
            if (Length(text) <= maxLength)
                return text;
        }
        var suffix = string.Create(CultureInfo.InvariantCulture, $"等 {n} 项");
        var room = maxLength - Length(suffix) - 1;
        if (room < 1)
            return Clip(string.Create(CultureInfo.InvariantCulture, $"{n} 项"), maxLength);
        return Clip(names[0], room) + "…" + suffix;
    }

    /// <summary>The digest of <paramref name="items"/> (two or more reminders of <paramref name="kind"/>), for both apps.</summary>
    public static ReminderMessage For(ReminderKind kind, IReadOnlyList<ReminderFacts> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var status = Status(kind);
        var header = string.Create(CultureInfo.InvariantCulture, $"{items.Count} 项任务{status}：");
        var names = items.Select(i => i.TaskName.ReplaceLineEndings(" ").Trim()).ToList();
        var thing1 = header + List(names, ReminderContent.ThingLength - Length(header));
        var date = Periods.Describe(items.Select(Day).Min());
        var orgs = items.Select(i => i.OrgName).Distinct(StringComparer.Ordinal).ToList();
        var org = orgs.Count == 1 ? ReminderContent.Thing(orgs[0]) : string.Create(CultureInfo.InvariantCulture, $"{orgs.Count} 个组织");
        return new ReminderMessage(ReminderTemplate.TaskWarning,
            new Dictionary<string, string> { ["thing1"] = thing1, ["date2"] = date, ["phrase3"] = status, ["thing4"] = org },
            new Dictionary<string, string>
            {
                ["thing1"] = thing1, ["date2"] = date, ["phrase3"] = status,
                ["character_string4"] = string.Create(CultureInfo.InvariantCulture, $"T{items[0].TaskId}+{items.Count - 1}"),
            },
            Page);
    }

    /// <summary>The facts an SMS of the digest is worded from: the list as its task, within the provider's parameter length.</summary>
    public static ReminderFacts SmsFacts(ReminderKind kind, IReadOnlyList<ReminderFacts> items, int maxParamLength)
    {
        ArgumentNullException.ThrowIfNull(items);
        var first = items[0];
        return first with { Kind = kind, TaskName = List(items.Select(i => i.TaskName).ToList(), maxParamLength), PlannedFor = null };
    }

    /// <summary>The day a reminder is about, as <see cref="ReminderContent"/> shows it: the planned day, else the last day before the due time.</summary>
    private static DateOnly Day(ReminderFacts f) =>
        f.PlannedFor is { } planned && f.Kind != ReminderKind.PlanReport ? Periods.LocalDate(planned) : Periods.LocalDate(f.DueAt.AddTicks(-1));

    private static int Length(string s) => s.EnumerateRunes().Count();

    private static string Clip(string s, int max)
    {
        var sb = new StringBuilder();
        foreach (var r in s.EnumerateRunes().Take(max))
            sb.Append(r.ToString());
        return sb.ToString();
    }
}
