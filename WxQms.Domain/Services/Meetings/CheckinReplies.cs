using WxQms.Domain.Rules.Meetings;
using WxQms.Domain.Rules.Tasks;

namespace WxQms.Domain.Services.Meetings;

/// <summary>What the bot answers a check-in scan and a 请假 message.</summary>
public static class CheckinReplies
{
    public const string NotBound = "您还没有绑定党员身份，无法扫码签到。请先扫描支部的绑定二维码完成绑定，或请书记为您手工签到。";
    public const string UnknownCode = "未找到该签到码，请扫描会场上正在显示的签到码。";

    public static string CodeExpired(CheckinTimes times) =>
        $"签到码已过期（每{(int)times.CodeRefresh.TotalSeconds}秒更换一次），请扫描会场上正在显示的签到码。";

    public static string For(CheckinResult r, CheckinTimes times) => r.Outcome switch
    {
        CheckinOutcome.CheckedIn => $"签到成功：{r.TaskName}，{Periods.Describe(r.At!.Value)}{(r.Late ? "（迟到）" : "")}",
        CheckinOutcome.Already => $"您已签到：{r.TaskName}，{Periods.Describe(r.At!.Value)}{(r.Late ? "（迟到）" : "")}",
        CheckinOutcome.CodeExpired => CodeExpired(times),
        CheckinOutcome.TooEarly => $"「{r.TaskName}」还未开始签到。",
        CheckinOutcome.Closed => $"「{r.TaskName}」的签到已结束。",
        CheckinOutcome.NotMember => $"您不在「{r.TaskName}」的参会名单中，无需签到。",
        _ => UnknownCode,
    };

    public const string LeaveUsage = "请假请发送「请假 原因」，例如：请假 出差在外地。";
    public const string LeaveNotBound = "您还没有绑定党员身份，无法请假。请先扫描支部的绑定二维码完成绑定。";
    public const string LeaveNothing = "近期没有需要您参加、可以请假的会议。";
    public const string LeaveChoiceExpired = "选择已过期，请重新发送「请假 原因」。";

    public static string LeaveAsked(string meeting, DateTimeOffset plannedFor) =>
        $"已提交请假：{meeting}（{Periods.Describe(plannedFor)}），等待书记审批，审批结果会通知您。";

    public const string LeaveAlreadyApproved = "您这次会议的请假已获批准，无需再次申请。";

    public static string LeaveChoose(IEnumerable<string> lines) =>
        $"您有多个会议可以请假，请回复序号选择：\n{string.Join("\n", lines)}";
}
