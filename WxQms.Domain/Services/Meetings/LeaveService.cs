using System.Text.Json;
using Microsoft.Extensions.Logging;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Meetings;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Meetings;
using WxQms.Domain.Rules.Reminders;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Bot;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Meetings;

/// <summary>A meeting a member may ask leave for: the task, its name, when it is planned.</summary>
public sealed record LeaveMeeting(long TaskId, string Name, DateTimeOffset PlannedFor, string? Place, LeaveState? Asked);

/// <summary>
/// Leave requests (请假, #18 item 2): before a planned meeting a member asks with a reason, in the mini program or by
/// sending 「请假 …」 to the official account (asked which meeting when there are several); the secretary (act scope over
/// the meeting's org) approves or refuses, and the member is told through the outbox (template reviewResult). The
/// evidence then shows her on leave. For the quorum she still counts among those expected (see <c>RosterCounts</c>).
/// </summary>
public sealed class LeaveService(TaskQueries queries, MeetingStore store, MemberStore members, OrgStore orgs, WechatLinkStore links,
    BotStore bot, TimeProvider clock, ILogger<LeaveService> log)
{
    /// <summary>The notices' subject type (subject id: the request's).</summary>
    public const string Subject = "leave_request";

    /// <summary>How far ahead the meetings offered for leave are looked for.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromDays(45);

    public const int MaxChoices = 8;

    /// <summary>The planned meetings ahead that the member is expected at, soonest first.</summary>
    public async Task<IReadOnlyList<LeaveMeeting>> UpcomingAsync(long memberId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (await links.ProfileAsync(memberId, ct) is not { } profile || await orgs.GetAsync(profile.OrgId, ct) is not { } org)
            return [];
        var scope = Access.ReadScope(new Grant(Roles.Member, org.Id, org.Path, org.Kind)) ?? org.Path;
        var asked = (await store.LeavesOfMemberAsync(memberId, now - Horizon, ct)).ToDictionary(l => l.TaskId, l => l.State);
        var result = new List<LeaveMeeting>();
        foreach (var id in await store.PlannedTaskIdsAsync(scope, now, now + Horizon, ct))
        {
            if (await queries.GetAsync(id, ct) is not { PlannedFor: { } at } task
                || CheckinRules.LeaveWindow(task.Template.EvidenceRule, at, now) != MeetingWindow.Open)
                continue;
            if (task.OrgId != org.Id && (await members.RosterAsync(task.OrgId, new RosterScope(OnTheRollOnly: true), ct)).All(m => m.Id != memberId))
                continue;
            result.Add(new LeaveMeeting(task.Id, task.Template.Name, at, task.Place, asked.TryGetValue(task.Id, out var s) ? s : null));
            if (result.Count == MaxChoices)
                break;
        }
        return result;
    }

    /// <summary>Asks for leave from one meeting; returns the request (pending).</summary>
    public async Task<LeaveRequest> AskAsync(long memberId, long taskId, string? reason, CancellationToken ct)
    {
        var text = CheckinRules.Reason(reason)
            ?? throw new RuleViolationException("request.invalid", $"请填写请假原因（1–{CheckinRules.MaxReasonLength}个字）");
        var now = clock.GetUtcNow();
        var task = await queries.GetAsync(taskId, ct) ?? throw new NotFoundException($"任务 {taskId} 不存在", "task.not_found");
        var roster = await members.RosterAsync(task.OrgId, new RosterScope(OnTheRollOnly: true), ct);
        if (roster.All(m => m.Id != memberId))
            throw new ForbiddenException("auth.forbidden", "您不在该会议的参会名单中");
        switch (CheckinRules.LeaveWindow(task.Template.EvidenceRule, task.PlannedFor, now))
        {
            case MeetingWindow.NotPlanned:
                throw new RuleViolationException("leave.not_planned", "该会议还没有计划时间，暂不能请假");
            case MeetingWindow.Closed:
                throw new RuleViolationException("leave.too_late", "会议已开始，不能再请假；请向书记说明情况");
        }
        var orgName = (await orgs.GetAsync(task.OrgId, ct))?.Name ?? "";
        var id = await store.InTransactionAsync(async (conn, tx) =>
        {
            var id = await MeetingStore.RequestLeaveAsync(conn, tx, task.Id, memberId, text, now, ct);
            if (id is null)
                return id;
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, $"member:{memberId}", "leave.requested", "leave_request", id, task.OrgId,
                memberId, new { taskId = task.Id }), ct);
            // The secretary is told once per request (the outbox keeps one per request and recipient), on the page she decides on.
            var name = roster.First(m => m.Id == memberId).Name;
            foreach (var secretary in await MeetingStore.LeaveDecidersAsync(conn, tx, task.OrgId, ct))
            {
                if (secretary != memberId)
                    await OutboxStore.EnqueueAsync(conn, tx, AskedNotice(id.Value, task.Id, name, task.Template.Name, task.PlannedFor, orgName,
                        task.OrgId, secretary), now, ct);
            }
            return id;
        }, ct) ?? throw new RuleViolationException("leave.already_approved", CheckinReplies.LeaveAlreadyApproved);
        log.LogInformation("Member {MemberId} asked leave from task {TaskId} (request {Id})", memberId, task.Id, id);
        return (await store.LeaveAsync(id, ct))!;
    }

    /// <summary>The secretary approves or refuses a pending request; the member is told.</summary>
    public async Task<LeaveRequest> DecideAsync(long id, bool approve, string? note, TaskViewer viewer, CancellationToken ct)
    {
        var request = await store.LeaveAsync(id, ct) ?? throw new NotFoundException($"请假申请 {id} 不存在", "leave.not_found");
        var task = await queries.GetForAsync(request.TaskId, viewer, TaskNeed.Act, ct);
        var clean = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        if (clean is { Length: > CheckinRules.MaxReasonLength })
            throw new RuleViolationException("request.invalid", $"审批意见最多{CheckinRules.MaxReasonLength}个字");
        var now = clock.GetUtcNow();
        var state = approve ? LeaveState.Approved : LeaveState.Refused;
        var decider = viewer.MemberId is { } m ? await links.ProfileAsync(m, ct) : null;
        var done = await store.InTransactionAsync(async (conn, tx) =>
        {
            if (!await MeetingStore.DecideLeaveAsync(conn, tx, id, state, viewer.MemberId!.Value, clean, now, ct))
                return false;
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, $"member:{viewer.MemberId}", approve ? "leave.approved" : "leave.refused",
                "leave_request", id, task.OrgId, viewer.MemberId, new { taskId = task.Id, memberId = request.MemberId }), ct);
            await OutboxStore.EnqueueAsync(conn, tx, Notice(request, task.Template.Name, task.OrgId, approve, clean, decider?.Name, now), now, ct);
            return true;
        }, ct);
        if (!done)
            throw new ConflictException("leave.decided", "该请假申请已经审批过了");
        return (await store.LeaveAsync(id, ct))!;
    }

    /// <summary>The requests of one meeting (act scope over its org).</summary>
    public async Task<IReadOnlyList<LeaveRequest>> OfTaskAsync(long taskId, TaskViewer viewer, CancellationToken ct)
    {
        var task = await queries.GetForAsync(taskId, viewer, TaskNeed.Act, ct);
        return await store.LeavesOfTaskAsync(task.Id, ct);
    }

    /// <summary>The member's own requests of the last year, newest first.</summary>
    public Task<IReadOnlyList<LeaveRequest>> MineAsync(long memberId, CancellationToken ct) =>
        store.LeavesOfMemberAsync(memberId, clock.GetUtcNow().AddYears(-1), ct);

    /// <summary>审核结果: OA thing1 事项, phrase2 结果, thing3 意见, time4 时间; MP name3 审核人 instead of the remark.</summary>
    private static Notice Notice(LeaveRequest r, string meeting, long orgId, bool approved, string? note, string? by, DateTimeOffset now)
    {
        var what = ReminderContent.Thing("请假：" + meeting);
        var phrase = approved ? "已批准" : "未批准";
        var when = Periods.Describe(now);
        return new Notice(Subject, r.Id, approved ? "leave_approved" : "leave_refused", orgId, r.MemberId, null, "reviewResult",
            new Dictionary<string, string> { ["thing1"] = what, ["phrase2"] = phrase, ["thing3"] = ReminderContent.Thing(note ?? (approved ? "请假已批准" : "请按时参会")), ["time4"] = when },
            new Dictionary<string, string> { ["thing1"] = what, ["phrase2"] = phrase, ["name3"] = ClipName(by ?? "书记"), ["time4"] = when },
            "pages/leave/index");
    }

    /// <summary>The notice's kind for the secretary when a member asks leave.</summary>
    public const string AskedKind = "leave_asked";

    /// <summary>
    /// To the secretary: a member asks leave from a meeting (taskWarning: thing1 who and which meeting, date2 the meeting's
    /// day, phrase3 待审批, thing4 the org; subscribe: character_string4 the request's number); opens the meeting's 签到与请假.
    /// </summary>
    public static Notice AskedNotice(long requestId, long taskId, string memberName, string meeting, DateTimeOffset? plannedFor, string orgName,
        long orgId, long secretary)
    {
        var what = ReminderContent.Thing($"{memberName}请假·{meeting}");
        var date = plannedFor is { } at ? Periods.Describe(Periods.LocalDate(at)) : "待定";
        return new Notice(Subject, requestId, AskedKind, orgId, secretary, null, "taskWarning",
            new Dictionary<string, string> { ["thing1"] = what, ["date2"] = date, ["phrase3"] = "待审批", ["thing4"] = ReminderContent.Thing(orgName) },
            new Dictionary<string, string> { ["thing1"] = what, ["date2"] = date, ["phrase3"] = "待审批", ["character_string4"] = $"LV{requestId}" },
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"pages/checkin/index?id={taskId}"));
    }

    private static string ClipName(string name) => name.Length <= 10 ? name : name[..10];

    // ---- the bot ----------------------------------------------------------------------------------

    private sealed record Choice(string Reason, IReadOnlyList<long> TaskIds);

    /// <summary>「请假 原因」 in the chat: asks at once when one meeting is ahead, else lists them to choose by number.</summary>
    public async Task<string> BotAskAsync(string appId, string openId, string? reason, DateTimeOffset now, CancellationToken ct)
    {
        if (await bot.OaUserAsync(appId, openId, ct) is not { MemberId: { } memberId })
            return CheckinReplies.LeaveNotBound;
        if (CheckinRules.Reason(reason) is not { } text)
            return CheckinReplies.LeaveUsage;
        var meetings = (await UpcomingAsync(memberId, ct)).Where(m => m.Asked != LeaveState.Approved).ToList();
        if (meetings.Count == 0)
            return CheckinReplies.LeaveNothing;
        if (meetings.Count == 1)
            return await BotAskOneAsync(memberId, meetings[0], text, ct);
        var data = JsonSerializer.Serialize(new Choice(text, meetings.Select(m => m.TaskId).ToList()));
        await bot.StartDialogueAsync(appId, openId, DialogueSteps.ChooseLeave, data, now, now.AddMinutes(30), ct);
        return CheckinReplies.LeaveChoose(meetings.Select((m, i) => $"{i + 1}. {m.Name}（{Periods.Describe(m.PlannedFor)}）"));
    }

    /// <summary>The number answering the list.</summary>
    public async Task<string> BotChooseAsync(string appId, string openId, Dialogue dialogue, int number, CancellationToken ct)
    {
        var choice = JsonSerializer.Deserialize<Choice>(dialogue.Data);
        if (choice is null || number < 1 || number > choice.TaskIds.Count)
            return CheckinReplies.LeaveChoose(choice?.TaskIds.Select((_, i) => $"{i + 1}") ?? []);
        await bot.EndDialogueAsync(appId, openId, ct);
        if (await bot.OaUserAsync(appId, openId, ct) is not { MemberId: { } memberId })
            return CheckinReplies.LeaveNotBound;
        var meeting = (await UpcomingAsync(memberId, ct)).FirstOrDefault(m => m.TaskId == choice.TaskIds[number - 1]);
        return meeting is null ? CheckinReplies.LeaveNothing : await BotAskOneAsync(memberId, meeting, choice.Reason, ct);
    }

    private async Task<string> BotAskOneAsync(long memberId, LeaveMeeting meeting, string reason, CancellationToken ct)
    {
        try
        {
            await AskAsync(memberId, meeting.TaskId, reason, ct);
            return CheckinReplies.LeaveAsked(meeting.Name, meeting.PlannedFor);
        }
        catch (RuleViolationException e)
        {
            return e.Message;
        }
    }
}
