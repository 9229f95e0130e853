using Microsoft.Extensions.Options;
using WxQms.Domain.Hosting;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Bot;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;
using static WxQms.Domain.Storage.DbTime;

namespace WxQms.Domain.Services.Bot;

/// <summary>
/// The official-account bot's text side (issue #7): commands, the open dialogue (binding answer, task
/// choice), and the two CLICK buttons. Every method answers with the text of a passive reply, quickly:
/// only indexed reads and small writes run before WeChat's 5-second deadline.
/// </summary>
public sealed class BotService(
    BotStore store,
    BindingService binding,
    ChatPhotoService photos,
    WechatLinkStore links,
    OrgStore orgs,
    TaskQueries queries,
    BotLinks botLinks,
    ConsoleSignInService console,
    IOptions<SubdistrictOptions> subdistrict,
    TaskStore tasks,
    ITaskCatalogueSource duties,
    Meetings.LeaveService leave)
{
    public const int TaskLines = 8;

    public async Task<string> TextAsync(string appId, string openId, string? text, DateTimeOffset now, CancellationToken ct)
    {
        var command = BotText.Command(text, out var number);
        var dialogue = await store.DialogueAsync(appId, openId, ct);
        if (dialogue is not null && dialogue.ExpiresAt <= now)
        {
            await store.EndDialogueAsync(appId, openId, ct);
            if (dialogue.Step == DialogueSteps.ChooseTask)
                await photos.CancelChoiceAsync(dialogue, now, ct);
            if (dialogue.Step == DialogueSteps.BindAnswer && command == BotCommand.None)
                return BotReplies.DialogueTimedOut;
            if (dialogue.Step == DialogueSteps.ChooseTask && command == BotCommand.Number)
                return BotReplies.ChoiceExpired;
            if (dialogue.Step == DialogueSteps.ConsoleSignIn && command == BotCommand.Number)
                return BotReplies.ConsoleCodeExpired;
            if (dialogue.Step == DialogueSteps.ChooseLeave && command == BotCommand.Number)
                return Meetings.CheckinReplies.LeaveChoiceExpired;
            dialogue = null;
        }

        if (command == BotCommand.Cancel)
        {
            if (dialogue is null)
                return BotReplies.NothingToCancel;
            await store.EndDialogueAsync(appId, openId, ct);
            if (dialogue.Step == DialogueSteps.ChooseTask)
            {
                await photos.CancelChoiceAsync(dialogue, now, ct);
                return BotReplies.Cancelled + "照片已保存，但没有归入任务。";
            }
            return BotReplies.Cancelled;
        }

        switch (dialogue?.Step, command)
        {
            case (DialogueSteps.BindAnswer, BotCommand.None):
                return await binding.AnswerAsync(appId, openId, dialogue!, text ?? "", now, ct);
            case (DialogueSteps.ChooseTask, BotCommand.Number):
                return await photos.ChooseAsync(appId, openId, dialogue!, number, now, ct);
            case (DialogueSteps.ConsoleSignIn, BotCommand.Number):
                return await console.AnswerAsync(appId, openId, dialogue!, number, now, ct);
            case (DialogueSteps.ChooseTask, BotCommand.None):
                return BotReplies.ChooseBetween(await photos.OptionCountAsync(dialogue!, ct));
            case (DialogueSteps.ChooseLeave, BotCommand.Number):
                return await leave.BotChooseAsync(appId, openId, dialogue!, number, ct);
        }

        if (BotText.LeaveReason(text) is { } reason)
            return await leave.BotAskAsync(appId, openId, reason, now, ct);

        return command switch
        {
            BotCommand.Tasks => await MyTasksAsync(appId, openId, now, ct),
            BotCommand.Ranking => Ranking(),
            BotCommand.Bind => await binding.DescribeAsync(appId, openId, ct),
            BotCommand.Unbind => await binding.UnbindAsync(appId, openId, now, ct),
            _ => BotReplies.Help(subdistrict.Value.Name),
        };
    }

    /// <summary>A CLICK button; null for keys the bot does not know (the default handler answers).</summary>
    public async Task<string?> ClickAsync(string appId, string openId, string? key, DateTimeOffset now, CancellationToken ct) => key switch
    {
        BotMenuKeys.MyTasks => await MyTasksAsync(appId, openId, now, ct),
        BotMenuKeys.Workbench => await WorkbenchAsync(appId, openId, now, ct),
        _ => null,
    };

    private string Ranking() =>
        botLinks.Page("/h5/ranking", "点此查看组织排名") is { } link
            ? $"本月组织排名：{link}"
            : $"本月组织排名：{botLinks.MiniProgram("pages/ranking/index", "点此在小程序中查看")}";

    /// <summary>我的任务: the open tasks of the member's branch (a party group's member sees the branch above it).</summary>
    private async Task<string> MyTasksAsync(string appId, string openId, DateTimeOffset now, CancellationToken ct)
    {
        if (await Member(appId, openId, ct) is not { } profile)
            return BotReplies.NotBound;
        if (await orgs.GetAsync(profile.OrgId, ct) is not { } org)
            return BotReplies.NotBound;
        var scope = Access.ReadScope(new Grant(Roles.Member, org.Id, org.Path, org.Kind)) ?? org.Path;
        var branch = scope == org.Path ? org : await orgs.GetAsync(OrgPath.Ids(scope)[^1], ct) ?? org;

        var rows = await tasks.AwaitingWorkAsync(scope, now, TaskLines, ct);
        var link = botLinks.MiniProgram("pages/tasks/index", "点此在小程序中查看全部");
        if (rows.Count == 0)
            return $"「{branch.Name}」目前没有未完成的任务。{link}";
        var catalogue = await duties.GetAsync(ct);
        var lines = rows.Select((r, i) =>
        {
            var name = r.AdhocTitle ?? catalogue.Get(r.TemplateCode, r.TemplateVersion).Name;
            var state = DbNames.Parse<Model.Tasks.TaskState>(r.State);
            var when = state == Model.Tasks.TaskState.Overdue || r.DueAt <= now.UtcDateTime ? "已逾期"
                : r.PlannedFor is { } p ? $"计划{Periods.LocalDate(Utc(p)):M月d日}"
                : $"{Periods.LocalDate(Utc(r.DueAt).AddTicks(-1)):M月d日}截止";
            return $"{i + 1}. {name}（{r.PeriodKey}），{when}";
        });
        return $"「{branch.Name}」未完成的任务（共{rows[0].Total}项）：\n{string.Join("\n", lines)}\n{link}";
    }

    /// <summary>
    /// 工作台: overdue, warned and awaiting review in the widest subtree the caller monitors; for those the console lets
    /// in, its link (管理后台, through web OAuth): the menu everyone sees carries no 管理后台.
    /// </summary>
    private async Task<string> WorkbenchAsync(string appId, string openId, DateTimeOffset now, CancellationToken ct)
    {
        if (await Member(appId, openId, ct) is not { } profile)
            return BotReplies.NotBound;
        var grant = profile.Roles.Where(g => g.Role is Roles.Secretary or Roles.Worker or Roles.Committee or Roles.Staff)
            .Select(g => (Grant: g, Scope: Access.ReadScope(g))).Where(x => x.Scope is not null)
            .OrderBy(x => x.Scope!.Length).FirstOrDefault();
        if (grant.Scope is null)
            return BotReplies.WorkbenchRefused;
        var (summary, _) = await queries.SummaryAsync(grant.Scope, now, ct);
        var name = (await orgs.GetAsync(grant.Grant.OrgId, ct))?.Name ?? "";
        var asOf = TimeZoneInfo.ConvertTime(summary.AsOf, Periods.Shanghai);
        return $"工作台 · {name}（截至{asOf:M月d日 HH:mm}）\n"
            + $"逾期：{summary.Overdue}项\n"
            + $"预警（{(int)TaskQueries.WarningWindow.TotalDays}天内到期）：{summary.Warned}项\n"
            + $"待审核：{summary.AwaitingReview}项\n"
            + botLinks.MiniProgram("pages/tasks/index", "点此在小程序中查看")
            + (Rules.Dashboard.DashboardScope.Widest(profile.Roles) is not null && botLinks.Page("/h5/dashboard", BotReplies.DashboardLink) is { } dashboard
                ? "\n" + dashboard : "")
            + (ConsoleSignInService.MayUseConsole(profile.Roles) && botLinks.Page("/h5/admin", BotReplies.ConsoleLink) is { } console
                ? "\n" + console : "");
    }

    private async Task<MemberProfile?> Member(string appId, string openId, CancellationToken ct) =>
        await store.OaUserAsync(appId, openId, ct) is { MemberId: { } memberId } ? await links.ProfileAsync(memberId, ct) : null;
}
