using WxQms.Domain.Rules.Sms;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Reminders;

/// <summary>
/// Whether a member's reminders may go by SMS, as her record shows it: opted out (her number replied 「TD」/「退订」, on that
/// day), reached by SMS when WeChat cannot, or no mobile number on record.
/// </summary>
public sealed record SmsStanding(bool OptedOut, DateTimeOffset? OptedOutAt, string Label);

/// <summary>A member's SMS standing for her record (the mini program's 我的档案, the console's member page).</summary>
public sealed class SmsOptOuts(SmsStore store)
{
    public async Task<SmsStanding> OfMemberAsync(long memberId, CancellationToken ct)
    {
        if (SmsRules.ToE164(await store.MemberPhoneAsync(memberId, ct)) is not { } phone)
            return new SmsStanding(false, null, "未登记手机号，收不到短信提醒");
        if (await store.OptedOutAtAsync(phone, ct) is not { } at)
            return new SmsStanding(false, null, "接收短信提醒（微信收不到时）");
        var when = DateTime.SpecifyKind(at, DateTimeKind.Utc);
        return new SmsStanding(true, when, $"{Periods.LocalDate(when):yyyy-MM-dd} 回复「TD」退订：非紧急提醒不再发短信");
    }
}
