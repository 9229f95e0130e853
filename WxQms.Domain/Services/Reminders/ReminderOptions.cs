using System.ComponentModel.DataAnnotations;
using WxQms.Domain.Rules.Reminders;

namespace WxQms.Domain.Services.Reminders;

/// <summary>A message template's id in each app, as added on mp.weixin.qq.com (not secrets).</summary>
public sealed class TemplateIds
{
    /// <summary>The official account's template (template/send).</summary>
    public string? Oa { get; set; }

    /// <summary>The mini program's subscribe-message template (subscribe/send).</summary>
    public string? Mp { get; set; }
}

/// <summary><c>Reminders:*</c> — how reminders are scanned, sent and paced.</summary>
public sealed class ReminderOptions : IValidatableObject
{
    public const string Section = "Reminders";

    /// <summary>
    /// Template ids by the key the mini program asks consent with: <c>meetingReminder</c> (会议提醒),
    /// <c>taskWarning</c> (任务预警), <c>reviewResult</c> (审核结果), <c>termReminder</c> (换届提醒).
    /// </summary>
    public Dictionary<string, TemplateIds> Templates { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The channels each reminder kind tries, in order (<see cref="Rules.Reminders.ChannelOrder"/>): e.g.
    /// <c>organiser</c> → <c>["sms", "oa", "mp"]</c>. A kind not listed tries oa, mp, sms.
    /// </summary>
    public Dictionary<string, List<string>> ChannelOrder { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Reminder kinds whose SMS goes as well as the WeChat message (the seed's 平台+短信), e.g. <c>["organiser"]</c> for the
    /// organiser's T−3; each channel is recorded once (the SMS under <c>reminder-{id}-sms</c>), so a redelivered reminder sends
    /// neither again. The reminder shows the WeChat channel when one reached her, else <c>sms</c>.
    /// </summary>
    public List<string> AlsoSms { get; set; } = [];

    /// <summary>Sends per second per app, shared by every sender through Redis.</summary>
    [Range(1, 10_000)]
    public int RatePerSecond { get; set; } = 20;

    /// <summary>Reminders one sender claims at a time.</summary>
    [Range(1, 1_000)]
    public int BatchSize { get; set; } = 50;

    /// <summary>How long a claim lasts; a sender that dies frees its reminders after this.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long a send whose answer was lost (its worker died) waits for WeChat's delivery report before
    /// it is sent again. Under WeChat's 10-minute client_msg_id window, so a repeat is still dropped there.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:09:00")]
    public TimeSpan InDoubtWait { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Attempts for busy (−1) and network errors before a reminder counts as failed.</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 6;

    /// <summary>The first retry waits this long, each further one twice as long.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the sender looks for due reminders.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan SendInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the scanner looks for tasks whose next reminder is due.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromMinutes(1);

    public const string MeetingReminderKey = "meetingReminder";
    public const string TaskWarningKey = "taskWarning";
    public const string ReviewResultKey = "reviewResult";
    public const string TermReminderKey = "termReminder";

    public TemplateIds For(ReminderTemplate template) =>
        Templates.GetValueOrDefault(template == ReminderTemplate.MeetingReminder ? MeetingReminderKey : TaskWarningKey) ?? new();

    /// <summary>The consent key of a mini-program template id, or null when it is not one of ours.</summary>
    public string? KeyOfMpTemplate(string templateId) =>
        Templates.FirstOrDefault(t => string.Equals(t.Value.Mp, templateId, StringComparison.Ordinal)).Key;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var key in new[] { MeetingReminderKey, TaskWarningKey, TermReminderKey })
        {
            if (!Templates.TryGetValue(key, out var ids) || string.IsNullOrWhiteSpace(ids.Oa) || string.IsNullOrWhiteSpace(ids.Mp))
                yield return new ValidationResult(
                    $"Reminders:Templates:{key}:Oa and :Mp are required (the template ids added on mp.weixin.qq.com)",
                    [nameof(Templates)]);
        }
        foreach (var (kind, names) in ChannelOrder)
            if (Rules.Reminders.ChannelOrder.Problem(names) is { } problem)
                yield return new ValidationResult($"Reminders:ChannelOrder:{kind}: {problem}", [nameof(ChannelOrder)]);
    }
}
