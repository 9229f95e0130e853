using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using WxQms.Domain.Model.Reminders;
using WxQms.Domain.Rules.Reminders;
using WxQms.Domain.Rules.Tasks;

namespace WxQms.Domain.Rules.Sms;

/// <summary>
/// The SMS side of a reminder: the number in the provider's form, the template's numbered parameters (the
/// provider's rules checked before a send, as WeChat's template fields are), and the words of each kind. Pure.
/// </summary>
public static partial class SmsRules
{
    /// <summary>A mainland mobile number as the provider takes it (<c>+86</c> and 11 digits), or null.</summary>
    public static string? ToE164(string? phone)
    {
        var digits = phone?.Trim().Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal) ?? "";
        if (digits.StartsWith("+86", StringComparison.Ordinal))
            digits = digits[3..];
        else if (digits.StartsWith("0086", StringComparison.Ordinal))
            digits = digits[4..];
        return Mainland().IsMatch(digits) ? "+86" + digits : null;
    }

    /// <summary>
    /// Why the provider would refuse these parameters for a template with <paramref name="count"/> of them: the
    /// number must match, none may be empty or longer than <paramref name="maxLength"/> characters, none may carry a
    /// line break or a link. Empty when they pass.
    /// </summary>
    public static IReadOnlyList<string> Validate(IReadOnlyList<string> values, int count, int maxLength)
    {
        var errors = new List<string>();
        if (values.Count != count)
            errors.Add($"模板需要 {count} 个参数，实际 {values.Count} 个");
        for (var i = 0; i < values.Count; i++)
        {
            var v = values[i];
            var length = v.EnumerateRunes().Count();
            if (string.IsNullOrWhiteSpace(v))
                errors.Add($"参数{{{i + 1}}}为空");
            else if (length > maxLength)
                errors.Add($"参数{{{i + 1}}}超过 {maxLength} 个字符（{length}）");
            if (v.Contains('\n', StringComparison.Ordinal) || v.Contains('\r', StringComparison.Ordinal))
                errors.Add($"参数{{{i + 1}}}含换行");
            if (v.Contains("http", StringComparison.OrdinalIgnoreCase) || v.Contains("www.", StringComparison.OrdinalIgnoreCase))
                errors.Add($"参数{{{i + 1}}}含链接");
        }
        return errors;
    }

    /// <summary>A parameter of at most <paramref name="maxLength"/> characters: shortened with an ellipsis, line breaks as spaces.</summary>
    public static string Param(string text, int maxLength)
    {
        var clean = text.ReplaceLineEndings(" ").Trim();
        var runes = clean.EnumerateRunes().ToArray();
        if (runes.Length <= maxLength)
            return clean;
        var sb = new StringBuilder();
        foreach (var r in runes.Take(maxLength - 1))
            sb.Append(r.ToString());
        return sb.Append('…').ToString();
    }

    /// <summary>The parameters each template takes: meetingReminder {1} 会议 {2} 时间 {3} 地点; taskWarning {1} 任务 {2} 日期 {3} 状态.</summary>
    public const int ParamCount = 3;

    /// <summary>A task reminder's SMS: the same template as its WeChat message, in three short parameters.</summary>
    public static IReadOnlyList<string> ParamsFor(ReminderMessage message, ReminderFacts f, int maxLength)
    {
        if (message.Template == ReminderTemplate.MeetingReminder && f.PlannedFor is { } planned)
        {
            var local = TimeZoneInfo.ConvertTime(planned, Periods.Shanghai);
            return
            [
                Param(f.TaskName, maxLength),
                Param(local.ToString("M月d日HH:mm", CultureInfo.InvariantCulture), maxLength),
                Param(string.IsNullOrWhiteSpace(f.Place) ? "待定" : f.Place, maxLength),
            ];
        }
        var date = message.OaData.GetValueOrDefault("date2") ?? "";
        return [Param(f.TaskName, maxLength), Param(date, maxLength), Param(message.OaData.GetValueOrDefault("phrase3") ?? "", maxLength)];
    }

    /// <summary>Replies that opt a number out of non-essential notices: 「TD」 or 「退订」 (any case, spaces ignored).</summary>
    public static bool IsOptOut(string? reply)
    {
        var t = (reply ?? "").Trim().ToUpperInvariant();
        return t.Replace(" ", "", StringComparison.Ordinal) is "TD" or "退订";
    }

    /// <summary>Billing units of a message: 1 up to 70 characters, else one per 67 (a long message's parts).</summary>
    public static int BillingUnits(string text)
    {
        var length = text.EnumerateRunes().Count();
        return length <= 70 ? 1 : (length + 66) / 67;
    }

    /// <summary>
    /// When a number may next be sent to under the provider's limits (one identical message per 30 s,
    /// <paramref name="perHour"/> in any hour, <paramref name="perDay"/> a local day), or null when it may now.
    /// The counts are the number's accepted or in-doubt sends.
    /// </summary>
    public static DateTimeOffset? NextAllowed(DateTimeOffset? identicalAt, long lastHour, DateTimeOffset? oldestInHour, long today,
        DateTimeOffset now, int perHour, int perDay)
    {
        if (today >= perDay)
            return Periods.StartOf(Periods.LocalDate(now).AddDays(1));
        if (lastHour >= perHour)
            return (oldestInHour ?? now).AddHours(1).AddSeconds(1);
        if (identicalAt is { } same && now < same.AddSeconds(30))
            return same.AddSeconds(31);
        return null;
    }

    [GeneratedRegex("^1[3-9][0-9]{9}$")]
    private static partial Regex Mainland();
}
