using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WxQms.Domain.Caching;
using WxQms.Domain.Hosting;
using WxQms.Domain.Model.Reminders;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Reminders;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat;

namespace WxQms.Domain.Services.Reminders;

/// <summary>
/// Sends due reminders, each at most once, from any number of Jobs processes.
/// <list type="number">
/// <item>Claim a batch under a lease (<see cref="OutboxStore.ClaimAsync"/>); renew it before each send.</item>
/// <item>Record the send (wechat_outbound, client_msg_id = <c>reminder-{id}</c>) before calling WeChat;
/// record WeChat's answer and the reminder's status in one transaction after.</item>
/// <item>A send recorded without an answer is in doubt (its worker died mid-call): the sender first looks
/// for WeChat's delivery report of it (TEMPLATESENDJOBFINISH matching no msgid we know), waits
/// <see cref="ReminderOptions.InDoubtWait"/> for one, and only then sends again — under the same
/// client_msg_id, which WeChat itself drops as a repeat within 10 minutes.</item>
/// </list>
/// Channels in order: the official-account template to a follower, the mini-program subscribe message
/// while consent remains, then a task reminder's SMS (<see cref="SmsChannel"/>, when Sms:* is set), else the
/// reminder is recorded as reaching nobody.
/// −1 and network errors are retried with backoff; 43004, 43101 and 47003 are not (the next channel is
/// tried). All sends share one rate per app through Redis.
/// </summary>
public sealed class ReminderSender(
    OutboxStore reminders,
    OutboundStore outbound,
    SubscriptionStore subscriptions,
    WechatUserStore wechatUsers,
    OfficialAccountClient oa,
    MiniProgramClient mp,
    SendRateLimiter rate,
    IOptionsMonitor<ReminderOptions> options,
    IOptions<WechatOptions> wechat,
    TimeProvider clock,
    ITaskCatalogueSource duties,
    SmsChannel sms,
    ILogger<ReminderSender> log)
{
    /// <summary>Delivery reports are stamped by the Api's clock, attempts by this process's: allow them to differ this much.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    /// <summary>Names this process in the lease, so a log line or a row shows who held it.</summary>
    private string Owner { get; } = $"{InstanceId.Value}:{Guid.NewGuid().ToString("N")[..4]}";

    /// <summary>Sends every reminder due at <paramref name="now"/>, batch after batch, until none is left.</summary>
    public async Task SendDueAsync(DateTimeOffset now, CancellationToken ct)
    {
        // Each batch claims at the time it starts: a lease computed from the tick's time would already be
        // running out after a few slow batches, and another sender would take rows this one still works on.
        var sent = 0;
        var started = clock.GetTimestamp();
        while (await SendBatchAsync(now + clock.GetElapsedTime(started), ct) is var batch and > 0)
            sent += batch;
        if (sent > 0)
            log.LogInformation("Reminder sender {Owner} handled {Count} reminders", Owner, sent);
    }

    /// <summary>
    /// Claims the batch due at <paramref name="now"/> and handles every reminder in it; returns how many
    /// were claimed. Later steps of the batch see <paramref name="now"/> plus the time spent since.
    /// </summary>
    public async Task<int> SendBatchAsync(DateTimeOffset now, CancellationToken ct)
    {
        var o = options.CurrentValue;
        var started = clock.GetTimestamp();
        DateTimeOffset At() => now + clock.GetElapsedTime(started);
        var claimed = await reminders.ClaimAsync(Owner, now, o.Lease, o.BatchSize, wechat.Value.Oa.AppId, wechat.Value.Mp.AppId, ct);
        var catalogue = await duties.GetAsync(ct);
        foreach (var (reminder, digest) in await DigestsAsync(claimed, catalogue, At, ct))
        {
            ct.ThrowIfCancellationRequested();
            if (!await reminders.RenewAsync(reminder.Id, Owner, At(), o.Lease, ct))
                continue; // our lease ran out and another sender has it now
            try
            {
                if (digest is not null || reminder.DigestId == reminder.Id)
                    await SendDigestAsync(reminder, digest ?? await reminders.DigestTasksAsync(reminder.Id, ct), catalogue, o, At, ct);
                else
                    await SendOneAsync(reminder, o, At, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // A reminder this code cannot handle (content it cannot read …) fails alone; the batch goes on.
                log.LogError(ex, "Reminder {Id} could not be handled; due again later, failed after {Max} failures", reminder.Id,
                    OutboxStore.MaxFailures);
                await reminders.CountFailureAsync(reminder.Id, Owner, At() + o.RetryBackoff, $"{ex.GetType().Name}: {ex.Message}", At(),
                    CancellationToken.None);
            }
        }
        return claimed.Count;
    }

    /// <summary>
    /// The batch as it goes out: a person's due reminders of a kind that digests (<see cref="ReminderDigest"/>), two or more that
    /// still apply, become one digest carried by the first of them (formed in one transaction before anything is sent, so a crash
    /// sends the same digest again under the same client_msg_id); everything else goes alone. In claim order: the most urgent first.
    /// </summary>
    private async Task<List<(ClaimedReminder Reminder, IReadOnlyList<ClaimedTask>? Digest)>> DigestsAsync(
        IReadOnlyList<ClaimedReminder> claimed, TaskCatalogue catalogue, Func<DateTimeOffset> at, CancellationToken ct)
    {
        var groups = claimed
            .Where(r => r.DigestId is null && r.Task is { } t && r.MemberId is not null && ReminderDigest.Digests(t.Kind)
                        && ReminderSchedule.Applies(Facts(t, catalogue), t.Kind))
            .GroupBy(r => (r.MemberId, r.Task!.Kind))
            .Where(g => g.Count() > 1)
            .Select(g => g.OrderBy(r => r.Id).ToList())
            .ToList();
        var inDigest = new Dictionary<long, List<ClaimedReminder>>();
        foreach (var group in groups)
            if (await reminders.FormDigestAsync(group[0].Id, group.Select(r => r.Id).ToArray(), Owner, at(), ct))
                foreach (var r in group)
                    inDigest[r.Id] = group;
        var plan = new List<(ClaimedReminder, IReadOnlyList<ClaimedTask>?)>();
        foreach (var r in claimed)
        {
            if (!inDigest.TryGetValue(r.Id, out var group))
                plan.Add((r, null));
            else if (group[0].Id == r.Id)
                plan.Add((r, group.Select(g => g.Task!).ToList()));
        }
        return plan;
    }

    private static ReminderTask Facts(ClaimedTask task, TaskCatalogue catalogue)
    {
        var template = task.TemplateCode == AdhocTask.TemplateCode ? null : catalogue.Get(task.TemplateCode, task.TemplateVersion);
        var state = DbNames.Parse<TaskState>(task.State);
        return new ReminderTask(template?.ReminderRule ?? AdhocTask.Reminders, template?.PlanRule.Required ?? false,
            task.OpensAt, task.DueAt, task.PlannedFor, state is TaskState.Submitted or TaskState.Completed,
            state is not (TaskState.Completed or TaskState.Cancelled));
    }

    private static ReminderFacts FactsOf(ClaimedTask task, TaskCatalogue catalogue)
    {
        var template = task.TemplateCode == AdhocTask.TemplateCode ? null : catalogue.Get(task.TemplateCode, task.TemplateVersion);
        return new ReminderFacts(task.Kind, task.TaskId, template?.Name ?? task.AdhocTitle ?? "临时任务", task.OrgName, task.DueAt,
            task.PlannedFor, task.Place);
    }

    /// <summary>
    /// A digest: one message listing its tasks (<see cref="ReminderDigest"/>), through the carrier's channels and under its
    /// client_msg_id; its rows take the carrier's outcome. When none of its tasks needs the reminder any more it is cancelled.
    /// </summary>
    private async Task SendDigestAsync(ClaimedReminder r, IReadOnlyList<ClaimedTask> tasks, TaskCatalogue catalogue, ReminderOptions o,
        Func<DateTimeOffset> at, CancellationToken ct)
    {
        if (tasks.Count == 0 || !tasks.Any(t => ReminderSchedule.Applies(Facts(t, catalogue), t.Kind)))
        {
            await reminders.FinishAsync(r.Id, Owner, ReminderStatus.Cancelled, null, "任务已有佐证或已结束，无需提醒", at(), ct);
            return;
        }
        var kind = tasks[0].Kind;
        var items = tasks.Select(t => FactsOf(t, catalogue)).ToList();
        var words = ReminderDigest.For(kind, items);
        var message = new OutgoingMessage(o.For(words.Template), words.OaData, words.MpData, words.Page);
        await DeliverAsync(r, message, (words, ReminderDigest.SmsFacts(kind, items, sms.MaxParamLength)), o, at, ct);
    }

    private async Task SendOneAsync(ClaimedReminder r, ReminderOptions o, Func<DateTimeOffset> at, CancellationToken ct)
    {
        OutgoingMessage message;
        (ReminderMessage Words, ReminderFacts Facts)? smsFacts = null;
        if (r.Task is { } task)
        {
            var template = task.TemplateCode == AdhocTask.TemplateCode ? null : (await duties.GetAsync(ct)).Get(task.TemplateCode, task.TemplateVersion);
            var state = DbNames.Parse<TaskState>(task.State);
            var facts = new ReminderTask(template?.ReminderRule ?? AdhocTask.Reminders, template?.PlanRule.Required ?? false,
                task.OpensAt, task.DueAt, task.PlannedFor, state is TaskState.Submitted or TaskState.Completed,
                state is not (TaskState.Completed or TaskState.Cancelled));
            if (!ReminderSchedule.Applies(facts, task.Kind))
            {
                await reminders.FinishAsync(r.Id, Owner, ReminderStatus.Cancelled, null, "任务已有佐证或已结束，无需提醒", at(), ct);
                return;
            }
            var reminderFacts = new ReminderFacts(task.Kind, task.TaskId, template?.Name ?? task.AdhocTitle ?? "临时任务",
                task.OrgName, task.DueAt, task.PlannedFor, task.Place);
            var words = ReminderContent.For(reminderFacts);
            smsFacts = (words, reminderFacts);
            message = new OutgoingMessage(o.For(words.Template), words.OaData, words.MpData, words.Page);
        }
        else if (r.Content is { } json && r.TemplateKey is { } key
                 && JsonSerializer.Deserialize<NoticeContent>(json, JsonDefaults.Storage) is { } content)
            message = new OutgoingMessage(o.Templates.GetValueOrDefault(key) ?? new TemplateIds(), content.Oa, content.Mp, content.Page);
        else
        {
            await reminders.FinishAsync(r.Id, Owner, ReminderStatus.Failed, null, "通知内容缺失", at(), ct);
            return;
        }
        await DeliverAsync(r, message, smsFacts, o, at, ct);
    }

    /// <summary>Through the kind's channels in order until one takes it; else recorded as reaching nobody, with the reasons.</summary>
    private async Task DeliverAsync(ClaimedReminder r, OutgoingMessage message, (ReminderMessage Words, ReminderFacts Facts)? smsFacts,
        ReminderOptions o, Func<DateTimeOffset> at, CancellationToken ct)
    {
        var ids = message.Ids;
        var reasons = new List<string>();
        long? lastOutbound = null;

        // Reminders:AlsoSms: this kind's SMS goes as well as the WeChat message (first, once: its own record keeps a
        // redelivered reminder from sending it again); the reminder's status follows the WeChat channels.
        var alsoSms = smsFacts is not null && o.AlsoSms.Contains(r.Kind, StringComparer.Ordinal);
        var smsWent = false;
        if (alsoSms && smsFacts is { } copy)
        {
            var outcome = await sms.TryAsync(r, copy.Words, copy.Facts, Owner, o, at, ct, alongside: true);
            smsWent = outcome.Done;
            if (outcome.Reason is { } reason)
                reasons.Add(reason);
        }

        // Reminders:ChannelOrder: the channels of this kind, in order (official account, mini program, SMS unless set).
        foreach (var channel in ChannelOrder.For(o.ChannelOrder, r.Kind))
        {
            if (channel == ReminderChannel.Oa)
            {
                if (r.OaOpenId is { } oaOpenId && ids.Oa is { } oaTemplate)
                {
                    var outcome = await TryChannelAsync(r, ReminderChannel.Oa, wechat.Value.Oa.AppId, oaOpenId, oaTemplate, message, o, at, ct);
                    if (outcome.Done)
                        return;
                    reasons.Add(outcome.Reason!);
                    lastOutbound = outcome.OutboundId ?? lastOutbound;
                }
                else
                    reasons.Add("未关注公众号");
            }
            else if (channel == ReminderChannel.Mp)
            {
                if (r.MpOpenId is { } mpOpenId && ids.Mp is { } mpTemplate
                    && await subscriptions.RemainingAsync(wechat.Value.Mp.AppId, mpOpenId, mpTemplate, ct) > 0)
                {
                    var outcome = await TryChannelAsync(r, ReminderChannel.Mp, wechat.Value.Mp.AppId, mpOpenId, mpTemplate, message, o, at, ct);
                    if (outcome.Done)
                        return;
                    reasons.Add(outcome.Reason!);
                    lastOutbound = outcome.OutboundId ?? lastOutbound;
                }
                else
                    reasons.Add(r.MpOpenId is null ? "未使用小程序" : "小程序订阅消息无剩余授权");
            }
            else if (smsFacts is { } f && !alsoSms)
            {
                var outcome = await sms.TryAsync(r, f.Words, f.Facts, Owner, o, at, ct);
                if (outcome.Done)
                    return;
                if (outcome.Reason is { } reason)
                    reasons.Add(reason);
            }
        }

        if (smsWent)
        {
            await sms.MarkSentAlongsideAsync(r, at(), ct);
            return;
        }
        // Nobody reached: recorded with the reasons.
        await reminders.FinishAsync(r.Id, Owner, ReminderStatus.Unreachable, lastOutbound, string.Join("；", reasons), at(), ct);
    }

    /// <summary>What goes out: the template of each app and its fields, and the page both link to.</summary>
    private sealed record OutgoingMessage(TemplateIds Ids, IReadOnlyDictionary<string, string> OaData,
        IReadOnlyDictionary<string, string> MpData, string Page);

    /// <summary>Done: the reminder reached its end state (sent, released for a retry, or failed). Otherwise the reason this channel failed.</summary>
    private sealed record ChannelOutcome(bool Done, string? Reason = null, long? OutboundId = null);

    private async Task<ChannelOutcome> TryChannelAsync(ClaimedReminder r, ReminderChannel channel, string appId, string openId,
        string templateId, OutgoingMessage message, ReminderOptions o, Func<DateTimeOffset> at, CancellationToken ct)
    {
        var clientMsgId = channel == ReminderChannel.Oa ? $"reminder-{r.Id}" : $"reminder-{r.Id}-mp";
        var data = channel == ReminderChannel.Oa ? message.OaData : message.MpData;
        var now = at();
        var (outboundId, isNew) = await outbound.RecordAsync(new NewOutbound(appId, channel == ReminderChannel.Oa ? "template" : "subscribe",
            openId, templateId, clientMsgId, JsonSerializer.Serialize(new { data, page = message.Page }, JsonDefaults.Storage)), now, ct);

        if (!isNew && await outbound.FindAsync(appId, clientMsgId, ct) is { } prior)
        {
            if (prior.ErrCode == 0)
            {
                // WeChat accepted it and the answer was recorded, but the reminder was not updated: finish that.
                await reminders.MarkSentAsync(r.Id, channel, outboundId, prior.MsgId, answerKnown: true, now, ct);
                return new ChannelOutcome(true);
            }
            if (prior.ErrCode is null)
            {
                // In doubt: its worker died (or the network failed) before WeChat's answer was recorded.
                if (await outbound.AdoptOrphanAsync(appId, openId, templateId, prior.AttemptedAt - ClockSkew, outboundId, now, ct)
                    is { } report)
                {
                    log.LogInformation("Reminder {Id}: the send in doubt reached WeChat (delivery report {Status}); not sent again",
                        r.Id, report.Status);
                    await reminders.MarkSentAsync(r.Id, channel, outboundId, report.MsgId, answerKnown: true, now, ct);
                    return new ChannelOutcome(true);
                }
                if (now < prior.AttemptedAt + o.InDoubtWait)
                {
                    await reminders.ReleaseAsync(r.Id, Owner, prior.AttemptedAt + o.InDoubtWait, "等待微信送达回执", now, ct);
                    return new ChannelOutcome(true);
                }
                log.LogWarning("Reminder {Id}: no delivery report for the send in doubt since {At}; sending again under client_msg_id {ClientMsgId}",
                    r.Id, prior.AttemptedAt, clientMsgId);
            }
            await outbound.BeginAttemptAsync(outboundId, now, ct);
        }

        await rate.WaitAsync(appId, o.RatePerSecond, ct);
        WechatResult<long> result;
        try
        {
            result = channel == ReminderChannel.Oa
                ? await oa.SendTemplateAsync(new TemplateMessage(openId, templateId, data, MiniProgramPage: message.Page,
                    ClientMsgId: clientMsgId), ct)
                : await mp.SendSubscribeAsync(new SubscribeMessage(openId, templateId, data, message.Page), ct) is var sent && sent.IsOk
                    ? WechatResult<long>.Ok(0)
                    : WechatResult<long>.Fail(sent.ErrCode, sent.ErrMsg);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // The request may or may not have reached WeChat: the send stays in doubt (no answer recorded).
            return await RetryLaterAsync(r, o, $"网络错误：{ex.GetType().Name}", Math.Max(o.RetryBackoff.Ticks, o.InDoubtWait.Ticks), at, ct);
        }

        now = at();
        if (result.IsOk)
        {
            await reminders.MarkSentAsync(r.Id, channel, outboundId, channel == ReminderChannel.Oa ? result.Value : null, answerKnown: false,
                now, ct);
            if (channel == ReminderChannel.Mp)
                await subscriptions.UseOneAsync(appId, openId, templateId, ct);
            return new ChannelOutcome(true);
        }

        await outbound.RecordResultAsync(outboundId, null, result.ErrCode, result.ErrMsg, now, ct);
        switch (result.ErrCode)
        {
            case WechatErrors.Busy or WechatErrors.MinuteQuota:
                return await RetryLaterAsync(r, o, $"微信繁忙（{result.ErrCode}）", o.RetryBackoff.Ticks, at, ct);
            case WechatErrors.DailyQuota:
                // Today's quota is spent: try again in an hour (not counted as a failed attempt).
                await reminders.ReleaseAsync(r.Id, Owner, QuietHours.Defer(now.AddHours(1)), "今日发送额度已用完（45009）", now, ct);
                return new ChannelOutcome(true);
            case WechatErrors.MustFollow:
                await wechatUsers.SetSubscribedAsync(appId, openId, false, now, ct);
                return new ChannelOutcome(false, "已取消关注公众号（43004）", outboundId);
            case WechatErrors.SubscribeRefused:
                await subscriptions.RefusedAsync(appId, openId, templateId, now, ct);
                return new ChannelOutcome(false, "用户未授权订阅消息（43101）", outboundId);
            case WechatErrors.ArgumentInvalid:
                log.LogError("Reminder {Id}: WeChat refused the {Channel} message content: {ErrMsg}", r.Id, channel, result.ErrMsg);
                return new ChannelOutcome(false, $"消息内容不符合模板要求（47003 {result.ErrMsg}）", outboundId);
            default:
                return new ChannelOutcome(false, $"微信拒绝（{result.ErrCode} {result.ErrMsg}）", outboundId);
        }
    }

    /// <summary>Busy or network trouble: again after a growing wait, until the attempts run out.</summary>
    private async Task<ChannelOutcome> RetryLaterAsync(ClaimedReminder r, ReminderOptions o, string reason, long minimumWaitTicks,
        Func<DateTimeOffset> at, CancellationToken ct)
    {
        var now = at();
        if (r.Attempts >= o.MaxAttempts)
        {
            await reminders.FinishAsync(r.Id, Owner, ReminderStatus.Failed, null, $"{reason}，已尝试 {r.Attempts} 次", now, ct);
            return new ChannelOutcome(true);
        }
        var backoff = TimeSpan.FromTicks(Math.Max(minimumWaitTicks, o.RetryBackoff.Ticks * (1L << Math.Min(r.Attempts - 1, 10))));
        await reminders.ReleaseAsync(r.Id, Owner, QuietHours.Defer(now + backoff), reason, now, ct);
        return new ChannelOutcome(true);
    }
}
