using WxQms.Domain.Model;
using WxQms.Domain.Rules.Nonconformities;
using WxQms.Domain.Rules.Reminders;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Nonconformities;

/// <summary>
/// The notices of a nonconformity, queued in the outbox under the <c>taskWarning</c> template (任务预警: thing1 事项, date2
/// 日期, phrase3 状态, thing4 组织): to the branch secretary when it is assigned (again when reopened), before the
/// countermeasure's due date and after it; to the community's secretary and committee when the check is due. One per
/// (nonconformity, kind with its cycle, recipient). They open the mini program's nonconformity page.
/// </summary>
public static class NonconformityNotices
{
    public const string Subject = "nonconformity";
    public const string Page = "pages/nonconformity/index";

    public static Notice Assigned(Nonconformity n, long recipient, DateOnly day) =>
        Build(n, $"assigned{n.Cycle}", n.Cycle > 1 ? "重新整改" : "待整改", day, recipient);

    public static Notice Alert(Nonconformity n, CapaAlert alert, long recipient) => alert switch
    {
        CapaAlert.ActionDueSoon => Build(n, CapaRules.Kind(alert, n.Cycle), "整改将到期", n.ActionDueOn!.Value, recipient),
        CapaAlert.ActionOverdue => Build(n, CapaRules.Kind(alert, n.Cycle), "整改逾期", n.ActionDueOn!.Value, recipient),
        _ => Build(n, CapaRules.Kind(alert, n.Cycle), "待验证", n.CheckDueOn!.Value, recipient),
    };

    private static Notice Build(Nonconformity n, string kind, string phrase, DateOnly day, long recipient)
    {
        var thing = ReminderContent.Thing("不符合项：" + n.Description);
        var date = Periods.Describe(day);
        var org = ReminderContent.Thing(n.OrgName);
        return new Notice(Subject, n.Id, kind, n.OrgId, recipient, null, "taskWarning",
            new Dictionary<string, string> { ["thing1"] = thing, ["date2"] = date, ["phrase3"] = phrase, ["thing4"] = org },
            new Dictionary<string, string> { ["thing1"] = thing, ["date2"] = date, ["phrase3"] = phrase, ["character_string4"] = $"NC{n.Id}" },
            $"{Page}?id={n.Id}");
    }
}
