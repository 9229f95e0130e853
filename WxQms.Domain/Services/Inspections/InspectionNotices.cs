using WxQms.Domain.Model;
using WxQms.Domain.Rules.Inspections;
using WxQms.Domain.Rules.Reminders;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Inspections;

/// <summary>
/// An inspection's notice, queued in the outbox under the <c>taskWarning</c> template (thing1 事项, date2 日期, phrase3 状态,
/// thing4 组织): to its inspector when the quarter is ending and it is not made yet. One per inspection and recipient; it
/// opens the mini program's checklist.
/// </summary>
public static class InspectionNotices
{
    public const string Subject = "inspection";
    public const string Page = "pages/inspection/index";

    public static Notice Due(Inspection i, long recipient)
    {
        var thing = ReminderContent.Thing($"{InspectionRules.Describe(i.Kind)}：{i.OrgName}");
        var date = Periods.Describe(InspectionRules.QuarterEnd(i.Year, i.Quarter));
        var org = ReminderContent.Thing(i.CommunityName);
        return new Notice(Subject, i.Id, "due", i.OrgId, recipient, null, "taskWarning",
            new Dictionary<string, string> { ["thing1"] = thing, ["date2"] = date, ["phrase3"] = "待检查", ["thing4"] = org },
            new Dictionary<string, string> { ["thing1"] = thing, ["date2"] = date, ["phrase3"] = "待检查", ["character_string4"] = $"IN{i.Id}" },
            $"{Page}?id={i.Id}");
    }
}
