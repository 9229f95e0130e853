using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WxQms.Domain.Caching;
using WxQms.Domain.Model.Reminders;
using WxQms.Domain.Rules.Reminders;
using WxQms.Domain.Rules.Sms;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Sms;
using WxQms.Domain.Storage;
using static WxQms.Domain.Storage.DbTime;

namespace WxQms.Domain.Services.Reminders;

/// <summary>
/// The last channel of a task reminder: an SMS to the member's mobile number when neither WeChat channel reached her
/// (Sms:*; off while Sms:Provider is empty or the reminder's template has no SMS template). The same outbox row and
/// lease; the send is recorded before the provider is called (<c>reminder-{id}-sms</c>), so a send whose answer was
/// lost waits <see cref="ReminderOptions.InDoubtWait"/> for a late answer and then ends failed, in doubt, rather than risk
/// a second SMS (Tencent's SendSms has no idempotency key); the number's limits are kept before the send; a number that
/// replied 「TD」 gets only the kinds in <see cref="SmsOptions.EssentialKinds"/>.
/// </summary>
public sealed class SmsChannel(SmsStore store, OutboxStore reminders, ISmsProvider provider, SendRateLimiter rate,
    IOptionsMonitor<SmsOptions> options, SmsBudget budget, ILogger<SmsChannel> log)
{
    /// <summary>
    /// Done: the reminder reached its end state or was released (<c>alongside</c>: the SMS went, now or before); otherwise why
    /// SMS did not reach her (null: SMS is off).
    /// </summary>
    public readonly record struct Outcome(bool Done, string? Reason);

    /// <summary>The provider's longest template parameter (Sms:MaxParamLength): a digest's list is cut to it.</summary>
    public int MaxParamLength => options.CurrentValue.MaxParamLength;

    /// <summary>The reason a reminder whose SMS may or may not have gone ends with (it is not sent again).</summary>
    public const string InDoubt = "短信发送结果不明（未收到服务商应答），为免重复不再重发";
    /// <summary>
    /// Sends the reminder's SMS. <paramref name="alongside"/>: the SMS goes as well as the WeChat message
    /// (<see cref="ReminderOptions.AlsoSms"/>), so it leaves the reminder row to the WeChat channels — it neither finishes nor
    /// releases it, and a copy held by a number's limit or in doubt is not sent (it never waits, never goes twice).
    /// </summary>
    public async Task<Outcome> TryAsync(ClaimedReminder r, ReminderMessage words, ReminderFacts facts, string owner, ReminderOptions o,
        Func<DateTimeOffset> at, CancellationToken ct, bool alongside = false)
    {
        var s = options.CurrentValue;
        var key = words.Template == ReminderTemplate.MeetingReminder ? ReminderOptions.MeetingReminderKey : ReminderOptions.TaskWarningKey;
        if (!s.Enabled || r.MemberId is not { } memberId || !s.Templates.TryGetValue(key, out var templateId)
            || string.IsNullOrWhiteSpace(templateId))
            return new Outcome(false, null);
        if (SmsRules.ToE164(await store.MemberPhoneAsync(memberId, ct)) is not { } phone)
            return new Outcome(false, "无有效手机号");
        if (!s.EssentialKinds.Contains(r.Kind, StringComparer.Ordinal) && await store.IsOptedOutAsync(phone, ct))
            return new Outcome(false, "已回复TD退订短信");
        if (!await budget.AllowsAsync(r.Kind, at(), ct))
            return new Outcome(false, "本月短信预算已用完");
        var values = SmsRules.ParamsFor(words, facts, s.MaxParamLength);
        if (SmsRules.Validate(values, SmsRules.ParamCount, s.MaxParamLength) is [var bad, ..])
        {
            log.LogError("Reminder {Id}: its SMS parameters break the provider's rules: {Error}", r.Id, bad);
            return new Outcome(false, $"短信参数不符合模板要求（{bad}）");
        }

        var clientRef = $"reminder-{r.Id}-sms";
        var now = at();
        if (await store.FindAsync(clientRef, ct) is { } prior)
        {
            if (prior.Code == SmsSendResult.OkCode)
            {
                // Accepted and recorded, but the reminder was not updated: finish that.
                if (!alongside)
                    await store.MarkSentAsync(r.Id, prior.Id, prior.SerialNo ?? "", 0, now, ct);
                return new Outcome(true, null);
            }
            if (prior.Code is null && alongside)
                return new Outcome(false, InDoubt);
            if (prior.Code is null)
            {
                var attempted = Utc(prior.AttemptedAt);
                if (now < attempted + o.InDoubtWait)
                {
                    await reminders.ReleaseAsync(r.Id, owner, attempted + o.InDoubtWait, "等待短信发送结果", now, ct);
                    return new Outcome(true, null);
                }
                // Tencent's SendSms has no idempotency key (SessionContext is only echoed back), so a second send could reach
                // her twice: the reminder ends in doubt instead, never sent again.
                log.LogWarning("Reminder {Id}: no answer for the SMS in doubt since {At}; not sent again", r.Id, attempted);
                await reminders.FinishAsync(r.Id, owner, ReminderStatus.Failed, null, InDoubt, now, ct);
                return new Outcome(true, null);
            }
        }

        var paramsJson = JsonSerializer.Serialize(values, JsonDefaults.Storage);
        var sms = new NewSms(clientRef, r.Id, phone, r.Kind, r.OrgId, templateId, paramsJson, Tc3Signer.Sha256Hex(templateId + "\n" + paramsJson));
        DateTimeOffset? Next(SmsRecent recent) => SmsRules.NextAllowed(recent.IdenticalAt is { } i ? Utc(i) : null, recent.LastHour,
            recent.OldestInHour is { } h ? Utc(h) : null, recent.Today, now, s.PerHour, s.PerDay);
        var (smsId, recent) = await store.TryBeginAsync(sms, now, Periods.StartOf(Periods.LocalDate(now)), rc => Next(rc) is null, ct);
        if (smsId is null && alongside)
            return new Outcome(false, "短信频率限制，本条未发短信");
        if (smsId is not { } id)
        {
            await reminders.ReleaseAsync(r.Id, owner, QuietHours.Defer(Next(recent)!.Value), "短信频率限制，稍后再发", now, ct);
            return new Outcome(true, null);
        }

        await rate.WaitAsync("sms:" + s.SdkAppId, o.RatePerSecond, ct);
        SmsSendResult result;
        try
        {
            result = await provider.SendAsync(new SmsRequest(phone, templateId, values, clientRef), ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // It may or may not have reached the provider: in doubt (no answer recorded).
            now = at();
            var reason = $"短信网络错误：{ex.GetType().Name}";
            if (alongside)
                return new Outcome(false, InDoubt);
            if (r.Attempts >= o.MaxAttempts)
                await reminders.FinishAsync(r.Id, owner, ReminderStatus.Failed, null, $"{reason}，已尝试 {r.Attempts} 次", now, ct);
            else
                await reminders.ReleaseAsync(r.Id, owner, QuietHours.Defer(now + (o.InDoubtWait > o.RetryBackoff ? o.InDoubtWait : o.RetryBackoff)),
                    reason, now, ct);
            return new Outcome(true, null);
        }

        now = at();
        if (result.IsOk)
        {
            if (alongside)
                await store.RecordAcceptedAsync(id, result.SerialNo ?? "", result.Fee, ct);
            else
                await store.MarkSentAsync(r.Id, id, result.SerialNo ?? "", result.Fee, now, ct);
            return new Outcome(true, null);
        }
        await store.RecordRefusalAsync(id, result.Code, result.Message, ct);
        if (alongside)
            return new Outcome(false, $"短信发送失败（{result.Code}）");
        if (SmsErrors.IsFrequencyLimit(result.Code) || result.Code == SmsErrors.InsufficientBalance)
        {
            log.LogWarning("Reminder {Id}: the SMS provider refused it for now ({Code}); again in an hour", r.Id, result.Code);
            await reminders.ReleaseAsync(r.Id, owner, QuietHours.Defer(now.AddHours(1)), $"短信暂不能发送（{result.Code}）", now, ct);
            return new Outcome(true, null);
        }
        return new Outcome(false, $"短信发送失败（{result.Code}）");
    }

    /// <summary>The reminder whose SMS went alongside reached her by SMS only (no WeChat channel did): recorded sent by SMS.</summary>
    public Task MarkSentAlongsideAsync(ClaimedReminder r, DateTimeOffset now, CancellationToken ct) => store.MarkReminderSentAsync(r.Id, now, ct);
}
