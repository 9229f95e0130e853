using System.ComponentModel.DataAnnotations;

namespace WxQms.Domain.Sms;

/// <summary>
/// <c>Sms:*</c> — the SMS provider that reaches members WeChat cannot. Off unless <see cref="Provider"/> is set.
/// <see cref="SecretKey"/> is a secret: it comes only from configuration or the environment and is never logged
/// (<see cref="ToString"/> leaves it out).
/// </summary>
public sealed class SmsOptions : IValidatableObject
{
    public const string Section = "Sms";

    public const string Tencent = "tencent";

    /// <summary><c>tencent</c> (Tencent Cloud SMS, API 3.0), or empty: no SMS channel.</summary>
    public string Provider { get; set; } = "";

    /// <summary>The API key's id (not a secret on its own).</summary>
    public string SecretId { get; set; } = "";

    /// <summary>The API key's secret: signs every request (TC3-HMAC-SHA256).</summary>
    public string SecretKey { get; set; } = "";

    /// <summary>The SMS application (SdkAppId, e.g. 1400006666).</summary>
    public string SdkAppId { get; set; } = "";

    /// <summary>The approved signature (签名) every message carries, e.g. 东风路街道党工委.</summary>
    public string SignName { get; set; } = "";

    public string Region { get; set; } = "ap-guangzhou";

    /// <summary>https://sms.tencentcloudapi.com, or the sandbox's /sandbox/sms/api in local runs and tests.</summary>
    [Url]
    public string ApiBase { get; set; } = "https://sms.tencentcloudapi.com";

    /// <summary>
    /// Approved template ids by reminder template key: <c>meetingReminder</c> ({1} 会议 {2} 时间 {3} 地点) and
    /// <c>taskWarning</c> ({1} 任务 {2} 日期 {3} 状态). A kind without a template does not go by SMS.
    /// </summary>
    public Dictionary<string, string> Templates { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The longest value a template parameter may take (the provider's rule for the account's templates).</summary>
    [Range(1, 100)]
    public int MaxParamLength { get; set; } = 12;

    /// <summary>Reminder kinds still sent by SMS to a number that replied 「TD」 (statutory deadlines), e.g. <c>warning</c>.</summary>
    public List<string> EssentialKinds { get; set; } = [];

    /// <summary>The provider's limits per number, kept before sending: one identical message per 30 s, this many an hour, a day.</summary>
    [Range(1, 100)]
    public int PerHour { get; set; } = 5;

    [Range(1, 1000)]
    public int PerDay { get; set; } = 10;

    /// <summary>
    /// Billing units (70 characters a message, 67 a part of a long one, as the provider counts them) a local month may use;
    /// once used, only <see cref="EssentialKinds"/> still go by SMS and the office is warned. 0: no budget.
    /// </summary>
    [Range(0, 100_000_000)]
    public int MonthlyBudgetUnits { get; set; }

    /// <summary>Shared secret the status and reply callback URLs carry (<c>?token=</c>); callbacks without it are refused.</summary>
    public string CallbackToken { get; set; } = "";

    public bool Enabled => Provider.Length > 0;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
            yield break;
        if (!string.Equals(Provider, Tencent, StringComparison.Ordinal))
            yield return new ValidationResult($"Sms:Provider must be '{Tencent}' or empty", [nameof(Provider)]);
        foreach (var (name, value) in new[] { (nameof(SecretId), SecretId), (nameof(SecretKey), SecretKey), (nameof(SdkAppId), SdkAppId),
                     (nameof(SignName), SignName), (nameof(CallbackToken), CallbackToken) })
            if (string.IsNullOrWhiteSpace(value))
                yield return new ValidationResult($"Sms:{name} is required when Sms:Provider is set", [name]);
    }

    public override string ToString() => $"Sms(Provider={Provider}, SecretId={SecretId}, SdkAppId={SdkAppId}, Region={Region})";
}
