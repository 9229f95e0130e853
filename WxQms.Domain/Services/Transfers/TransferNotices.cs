using WxQms.Domain.Rules.Reminders;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Transfers;

/// <summary>
/// The notices of a transfer within the subdistrict, queued in the outbox under the <c>taskWarning</c> template (任务预警:
/// thing1 事项, date2 日期, phrase3 状态, thing4 组织) like the transfer scan's: the receiving branch's secretary and workers
/// are told a member waits to be accepted; the member is told where her organisational relationship now is. Both open
/// the mini program's transfers page; one per (transfer, kind, recipient); kinds are at most 16 characters.
/// </summary>
public static class TransferNotices
{
    public const string AwaitingAcceptance = "awaiting_accept";
    public const string Accepted = "accepted";

    public const string Page = "pages/transfers/index";

    /// <summary>To a keeper of the receiving branch: <paramref name="memberName"/> waits for her branch's acceptance.</summary>
    public static Notice Awaiting(long transferId, string memberName, long toOrgId, string toOrgName, long recipient, DateOnly requestedOn) =>
        Build(transferId, AwaitingAcceptance, ReminderContent.Thing(memberName, "转入待接收"), requestedOn, "待接收", toOrgName, toOrgId, recipient);

    /// <summary>To the member: her relationship is now with <paramref name="toOrgName"/>.</summary>
    public static Notice Moved(long transferId, long memberId, long toOrgId, string toOrgName, DateOnly acceptedOn) =>
        Build(transferId, Accepted, "组织关系转接", acceptedOn, "已转入", toOrgName, toOrgId, memberId);

    private static Notice Build(long transferId, string kind, string thing, DateOnly day, string phrase, string orgName, long orgId, long recipient)
    {
        var date = Periods.Describe(day);
        var org = ReminderContent.Thing(orgName);
        return new Notice(TransferScan.Subject, transferId, kind, orgId, recipient, null, "taskWarning",
            new Dictionary<string, string> { ["thing1"] = thing, ["date2"] = date, ["phrase3"] = phrase, ["thing4"] = org },
            new Dictionary<string, string> { ["thing1"] = thing, ["date2"] = date, ["phrase3"] = phrase, ["character_string4"] = $"TR{transferId}" },
            Page);
    }
}
