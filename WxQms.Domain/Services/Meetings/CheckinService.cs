using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Meetings;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Meetings;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat;

namespace WxQms.Domain.Services.Meetings;

/// <summary>A code the secretary shows: the url its QR image encodes, and when the next one is due.</summary>
public sealed record ShownCode(long TaskId, string TaskName, string Url, DateTimeOffset IssuedAt, DateTimeOffset RefreshAt, DateTimeOffset? PlannedFor);

public enum CheckinOutcome
{
    CheckedIn,
    Already,
    UnknownCode,
    CodeExpired,
    TooEarly,
    Closed,
    NotMember,
}

/// <summary>What a scan came to: the meeting, when the member is checked in (now or before) and whether late.</summary>
public sealed record CheckinResult(CheckinOutcome Outcome, long? TaskId = null, string? TaskName = null, DateTimeOffset? At = null, bool Late = false);

/// <summary>One member of a meeting's roster as the evidence form starts from: checked in (when, late, how), leave, the presence to fill in.</summary>
public sealed record AttendanceDraftRow(long MemberId, string Name, bool Probationary, bool Bound, DateTimeOffset? CheckedInAt, bool Late,
    CheckinVia? Via, LeaveState? Leave, Presence? Presence);

/// <summary>
/// Check-in to meetings by scanning (#18 item 1). The secretary (act scope over the meeting's org) shows a code that
/// changes every <c>Checkins:CodeRefresh</c>: each is an official-account temporary QR code (qrcode/create, scene
/// <c>k…</c>), so WeChat's own scanner pushes SCAN (or subscribe) to our callback, and the mini program's wx.scanCode
/// reads the same url. A code is good for its refresh plus <c>Checkins:CodeGrace</c> and only around the planned start.
/// </summary>
public sealed class CheckinService(TaskQueries queries, MeetingStore store, MemberStore members, OfficialAccountClient oa, BotStore bot,
    IOptionsMonitor<CheckinOptions> options, TimeProvider clock, ILogger<CheckinService> log)
{
    /// <summary>Check-in scenes start so (console sign-in's with "a", binding codes' are random base64url of 32).</summary>
    public const string ScenePrefix = "k";

    /// <summary>What WeChat is asked for: a little longer than we accept, so that our refusal, not WeChat's, answers a stale code.</summary>
    public static readonly TimeSpan WechatLifetime = TimeSpan.FromMinutes(5);

    public static bool IsCheckinScene(string scene) => scene.StartsWith(ScenePrefix, StringComparison.Ordinal) && scene.Length == 33;

    private CheckinTimes Times => options.CurrentValue.Times;

    /// <summary>A new code for the meeting; 409 when the meeting takes no check-in now.</summary>
    public async Task<ShownCode> ShowAsync(long taskId, TaskViewer viewer, CancellationToken ct)
    {
        var task = await queries.GetForAsync(taskId, viewer, TaskNeed.Act, ct);
        var now = clock.GetUtcNow();
        ThrowUnlessOpen(CheckinRules.CheckinWindow(task.Template.EvidenceRule, task.PlannedFor, now, Times));
        var scene = ScenePrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(24));
        var qr = await oa.CreateTemporaryQrCodeAsync(scene, WechatLifetime, ct);
        if (!qr.IsOk || qr.Value is null)
        {
            log.LogWarning("qrcode/create for a check-in code failed ({ErrCode} {ErrMsg})", qr.ErrCode, qr.ErrMsg);
            throw new WechatUnavailableException("微信暂时无法生成签到码，请稍后再试");
        }
        await store.AddCodeAsync(new CheckinCode(scene, task.Id, qr.Value.Url, now), viewer.MemberId!.Value, ct);
        return new ShownCode(task.Id, task.Template.Name, qr.Value.Url, now, now + Times.CodeRefresh, task.PlannedFor);
    }

    private static void ThrowUnlessOpen(MeetingWindow window)
    {
        switch (window)
        {
            case MeetingWindow.NotPlanned:
                throw new RuleViolationException("checkin.not_planned", "请先报送会议计划（时间），签到码在会议时间前后可用");
            case MeetingWindow.TooEarly:
                throw new RuleViolationException("checkin.not_open", "还未到签到时间，请在会议开始前一小时内打开签到码");
            case MeetingWindow.Closed:
                throw new RuleViolationException("checkin.closed", "签到已结束");
        }
    }

    /// <summary>WeChat's scanner: a SCAN (or a follow with qrscene_) of a check-in scene; the bot's answer.</summary>
    public async Task<string> ScanAsync(string appId, string openId, string scene, DateTimeOffset now, CancellationToken ct)
    {
        if (await bot.OaUserAsync(appId, openId, ct) is not { MemberId: { } memberId })
            return CheckinReplies.NotBound;
        var code = await store.CodeBySceneAsync(scene, ct);
        return CheckinReplies.For(await CheckInAsync(memberId, code, CheckinVia.Oa, now, ct), Times);
    }

    /// <summary>The mini program's wx.scanCode: the text the code encodes (its url).</summary>
    public async Task<CheckinResult> ScanFromMiniProgramAsync(long memberId, string? scanned, CancellationToken ct)
    {
        var text = scanned?.Trim();
        var code = string.IsNullOrEmpty(text) || text.Length > 255 ? null
            : IsCheckinScene(text) ? await store.CodeBySceneAsync(text, ct)
            : await store.CodeByUrlAsync(text, ct);
        return await CheckInAsync(memberId, code, CheckinVia.Mp, clock.GetUtcNow(), ct);
    }

    private async Task<CheckinResult> CheckInAsync(long memberId, CheckinCode? code, CheckinVia via, DateTimeOffset now, CancellationToken ct)
    {
        if (code is null)
            return new CheckinResult(CheckinOutcome.UnknownCode);
        var task = await queries.GetAsync(code.TaskId, ct);
        if (task is null)
            return new CheckinResult(CheckinOutcome.UnknownCode);
        var name = task.Template.Name;
        if (!CheckinRules.CodeFresh(code.IssuedAt, now, Times))
            return new CheckinResult(CheckinOutcome.CodeExpired, task.Id, name);
        switch (CheckinRules.CheckinWindow(task.Template.EvidenceRule, task.PlannedFor, now, Times))
        {
            case MeetingWindow.TooEarly:
                return new CheckinResult(CheckinOutcome.TooEarly, task.Id, name);
            case MeetingWindow.Closed or MeetingWindow.NotPlanned:
                return new CheckinResult(CheckinOutcome.Closed, task.Id, name);
        }
        var roster = await members.RosterAsync(task.OrgId, new RosterScope(OnTheRollOnly: true), ct);
        if (roster.All(m => m.Id != memberId))
            return new CheckinResult(CheckinOutcome.NotMember, task.Id, name);
        var late = CheckinRules.IsLate(task.PlannedFor!.Value, now, Times);
        var added = await store.InTransactionAsync(async (conn, tx) =>
        {
            if (!await MeetingStore.AddCheckinAsync(conn, tx, new Checkin(task.Id, memberId, now, late, via), null, ct))
                return false;
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, $"member:{memberId}", "meeting.checked_in", "task", task.Id, task.OrgId,
                memberId, new { late, via = DbNames.Of(via) }), ct);
            return true;
        }, ct);
        if (!added && await store.CheckinAsync(task.Id, memberId, ct) is { } before)
            return new CheckinResult(CheckinOutcome.Already, task.Id, name, before.CheckedInAt, before.Late);
        log.LogInformation("Member {MemberId} checked in to task {TaskId} ({Via}, late: {Late})", memberId, task.Id, via, late);
        return new CheckinResult(CheckinOutcome.CheckedIn, task.Id, name, now, late);
    }

    /// <summary>The secretary marks a member present by hand (one not bound to WeChat, or whose phone failed).</summary>
    public async Task<Checkin> MarkByHandAsync(long taskId, long memberId, TaskViewer viewer, CancellationToken ct)
    {
        var task = await queries.GetForAsync(taskId, viewer, TaskNeed.Act, ct);
        var now = clock.GetUtcNow();
        var window = CheckinRules.CheckinWindow(task.Template.EvidenceRule, task.PlannedFor, now, Times);
        if (window is MeetingWindow.NotPlanned or MeetingWindow.TooEarly)
            ThrowUnlessOpen(window);
        var roster = await members.RosterAsync(task.OrgId, new RosterScope(OnTheRollOnly: true), ct);
        if (roster.All(m => m.Id != memberId))
            throw new NotFoundException("该党员不在本组织的名单中", "member.not_found");
        // Marked after the check-in closed (from the evidence form), the time is the meeting's: late only if said so by the code.
        var at = window == MeetingWindow.Closed ? task.PlannedFor!.Value : now;
        var checkin = new Checkin(task.Id, memberId, at, CheckinRules.IsLate(task.PlannedFor!.Value, at, Times), CheckinVia.Hand);
        await store.InTransactionAsync(async (conn, tx) =>
        {
            if (await MeetingStore.AddCheckinAsync(conn, tx, checkin, viewer.MemberId, ct))
                await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, $"member:{viewer.MemberId}", "meeting.checked_in_by_hand", "task", task.Id,
                    task.OrgId, viewer.MemberId, new { memberId }), ct);
            return true;
        }, ct);
        return await store.CheckinAsync(task.Id, memberId, ct) ?? checkin;
    }

    /// <summary>The meeting's roster with its check-ins and leave: what the evidence form starts from (act scope).</summary>
    public async Task<IReadOnlyList<AttendanceDraftRow>> DraftAsync(long taskId, TaskViewer viewer, CancellationToken ct)
    {
        var task = await queries.GetForAsync(taskId, viewer, TaskNeed.Act, ct);
        var roster = await members.RosterAsync(task.OrgId, new RosterScope(OnTheRollOnly: true), ct);
        var checkins = (await store.CheckinsAsync(task.Id, ct)).ToDictionary(c => c.MemberId);
        var leaves = (await store.LeavesOfTaskAsync(task.Id, ct)).ToDictionary(l => l.MemberId);
        var bound = await store.BoundAsync(roster.Select(m => m.Id).ToList(), ct);
        var any = checkins.Count > 0 || leaves.Values.Any(l => l.State == LeaveState.Approved);
        return roster.OrderBy(m => m.Name, StringComparer.Ordinal).ThenBy(m => m.Id).Select(m =>
        {
            var c = checkins.GetValueOrDefault(m.Id);
            var l = leaves.GetValueOrDefault(m.Id);
            return new AttendanceDraftRow(m.Id, m.Name, m.Status == MemberStatus.Probationary, bound.Contains(m.Id), c?.CheckedInAt, c?.Late ?? false,
                c?.Via, l?.State, CheckinRules.Prefill(any, c is not null, l?.State == LeaveState.Approved));
        }).ToList();
    }
}
