using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using WxQms.Domain.Rules.Sms;
using WxQms.Domain.Sms;

namespace WxQms.Sandbox.Sms;

/// <summary>A message a phone received from the SMS sandbox, or a reply it sent.</summary>
public sealed record SandboxSmsMessage(string SerialNo, string Phone, string TemplateId, string Content, DateTimeOffset At, string? SessionContext);

/// <summary>A phone's reply (上行) as the sandbox keeps it.</summary>
public sealed record SandboxSmsReply(string Phone, string Content, DateTimeOffset At);

/// <summary>
/// The imitation of Tencent Cloud SMS: <c>SendSms</c> checks the TC3-HMAC-SHA256 signature against <c>Sms:SecretKey</c>
/// (the key the provider knows), the SdkAppId, the template, the number, the balance and the provider's limits per number
/// (one identical message in 30 s, <see cref="PerHour"/> an hour, <see cref="PerDay"/> a day), and answers with the
/// provider's codes. Accepted messages land in the phone's inbox, and their receipts wait <see cref="ReceiptDelay"/>
/// before they are pushed to our status callback. Time comes from the app's clock.
/// </summary>
public sealed class SandboxSms(TimeProvider clock, IOptionsMonitor<SmsOptions> options)
{
    public const string MeetingReminderTemplate = "2100001";
    public const string TaskWarningTemplate = "2100002";

    public const int PerHour = 5;
    public const int PerDay = 10;

    public static readonly TimeSpan ReceiptDelay = TimeSpan.FromSeconds(2);

    /// <summary>The sandbox's approved templates, their text with numbered parameters.</summary>
    public static readonly IReadOnlyDictionary<string, string> Templates = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [MeetingReminderTemplate] = "{1}定于{2}在{3}举行，请准时参加。回复TD退订",
        [TaskWarningTemplate] = "{1}截止{2}，当前{3}，请及时办理。回复TD退订",
    };

    private readonly ConcurrentDictionary<string, List<SandboxSmsMessage>> inboxes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, List<SandboxSmsReply>> replies = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(DateTimeOffset DueAt, SandboxSmsMessage Message, bool Delivered)> receipts = new();
    private readonly Lock gate = new();
    private long serial;

    /// <summary>When set, every number answers as if the account's package were used up.</summary>
    public bool OutOfBalance { get; set; }

    /// <summary>Numbers whose handset rejects messages: accepted by the provider, then a failed receipt.</summary>
    public ConcurrentDictionary<string, bool> Unreachable { get; } = new(StringComparer.Ordinal);

    public TimeProvider Clock => clock;

    public void Reset()
    {
        inboxes.Clear();
        replies.Clear();
        receipts.Clear();
        Unreachable.Clear();
        OutOfBalance = false;
    }

    public IReadOnlyList<SandboxSmsMessage> Inbox(string phone) =>
        inboxes.TryGetValue(Key(phone), out var list) ? Snapshot(list) : [];

    public IReadOnlyList<SandboxSmsReply> Replies(string phone) =>
        replies.TryGetValue(Key(phone), out var list) ? Snapshot(list) : [];

    public void RecordReply(string phone, string content)
    {
        lock (gate)
            replies.GetOrAdd(Key(phone), _ => []).Add(new SandboxSmsReply(Key(phone), content, clock.GetUtcNow()));
    }

    /// <summary>The phone as the inbox keys it: 11 digits.</summary>
    public static string Key(string phone) => SmsRules.ToE164(phone) is { } e164 ? e164[3..] : phone;

    /// <summary>The error of a request the provider refuses as a whole, or null (SendSms's Response.Error).</summary>
    public (string Code, string Message)? CheckSignature(string? authorization, string? timestamp, string? action, string? contentType,
        string host, string payload)
    {
        var o = options.CurrentValue;
        var credential = Tc3Signer.Parse(authorization);
        if (credential is null || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var ts))
            return ("AuthFailure.SignatureFailure", "The provided credentials could not be validated.");
        if (credential.SecretId != o.SecretId)
            return ("AuthFailure.SecretIdNotFound", "The SecretId is not found.");
        if (Math.Abs(clock.GetUtcNow().ToUnixTimeSeconds() - ts) > 300)
            return ("AuthFailure.SignatureExpire", "Signature expired.");
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in credential.SignedHeaders)
            headers[name] = name switch
            {
                "content-type" => contentType ?? "",
                "host" => host,
                "x-tc-action" => action ?? "",
                _ => "",
            };
        var expected = Tc3Signer.Sign(o.SecretId, o.SecretKey, credential.Service, ts, payload, headers);
        return expected.Authorization == authorization ? null : ("AuthFailure.SignatureFailure", "The provided credentials could not be validated.");
    }

    /// <summary>One number's outcome of a SendSms whose signature passed: its status entry.</summary>
    public object Send(string phone, JsonElement request)
    {
        var o = options.CurrentValue;
        string Text(string name) => request.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
        var templateId = Text("TemplateId");
        var values = request.TryGetProperty("TemplateParamSet", out var set) && set.ValueKind == JsonValueKind.Array
            ? set.EnumerateArray().Select(v => v.GetString() ?? "").ToArray()
            : [];
        var session = Text("SessionContext");
        object Status(string code, string message, string serialNo = "", int fee = 0) =>
            new { SerialNo = serialNo, PhoneNumber = phone, Fee = fee, SessionContext = session, Code = code, Message = message, IsoCode = "CN" };

        if (Text("SmsSdkAppId") != o.SdkAppId)
            return Status("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId not exist.");
        if (!Templates.TryGetValue(templateId, out var template))
            return Status("FailedOperation.TemplateIncorrectOrUnapproved", "template is not approved or request content does not match the approved template content.");
        if (SmsRules.ToE164(phone) is not { } e164 || e164 != phone)
            return Status("InvalidParameterValue.IncorrectPhoneNumber", "incorrect number format.");
        if (SmsRules.Validate(values, SmsRules.ParamCount, o.MaxParamLength).FirstOrDefault() is { } bad)
            return Status("InvalidParameterValue.TemplateParameterLengthLimit", bad);
        if (OutOfBalance)
            return Status("FailedOperation.InsufficientBalanceInSmsPackage", "insufficient balance in SMS package.");

        var content = $"【{Text("SignName")}】" + string.Format(CultureInfo.InvariantCulture, template
            .Replace("{1}", "{0}", StringComparison.Ordinal).Replace("{2}", "{1}", StringComparison.Ordinal)
            .Replace("{3}", "{2}", StringComparison.Ordinal), values.Cast<object>().ToArray());
        var now = clock.GetUtcNow();
        lock (gate)
        {
            var inbox = inboxes.GetOrAdd(Key(phone), _ => []);
            if (inbox.Any(m => m.Content == content && now - m.At < TimeSpan.FromSeconds(30)))
                return Status("LimitExceeded.PhoneNumberThirtySecondLimit", "the number of SMS messages sent from a single mobile number within 30 seconds exceeds the upper limit.");
            if (inbox.Count(m => now - m.At < TimeSpan.FromHours(1)) >= PerHour)
                return Status("LimitExceeded.PhoneNumberOneHourLimit", "the number of SMS messages sent from a single mobile number within 1 hour exceeds the upper limit.");
            var today = Day(now);
            if (inbox.Count(m => Day(m.At) == today) >= PerDay)
                return Status("LimitExceeded.PhoneNumberDailyLimit", "the number of SMS messages sent from a single mobile number every day exceeds the upper limit.");
            var serialNo = string.Create(CultureInfo.InvariantCulture, $"sandbox:{Interlocked.Increment(ref serial)}");
            var message = new SandboxSmsMessage(serialNo, Key(phone), templateId, content, now, session);
            inbox.Add(message);
            receipts.Enqueue((now + ReceiptDelay, message, !Unreachable.ContainsKey(Key(phone))));
            return Status(SmsSendResult.OkCode, "send success", serialNo, SmsRules.BillingUnits(content));
        }
    }

    /// <summary>The receipts whose delay has passed, as the provider's status callback carries them.</summary>
    public IReadOnlyList<object> DrainDueReceipts()
    {
        var now = clock.GetUtcNow();
        var due = new List<object>();
        var keep = new List<(DateTimeOffset, SandboxSmsMessage, bool)>();
        while (receipts.TryDequeue(out var r))
        {
            if (r.DueAt > now)
            {
                keep.Add(r);
                continue;
            }
            var local = TimeZoneInfo.ConvertTime(r.DueAt, WxQms.Domain.Rules.Tasks.Periods.Shanghai);
            due.Add(new Dictionary<string, object>
            {
                ["user_receive_time"] = local.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                ["nationcode"] = "86",
                ["mobile"] = r.Message.Phone,
                ["report_status"] = r.Delivered ? "SUCCESS" : "FAIL",
                ["errmsg"] = r.Delivered ? "DELIVRD" : "MK:0001",
                ["description"] = r.Delivered ? "用户短信送达成功" : "用户手机终端拒收",
                ["sid"] = r.Message.SerialNo,
            });
        }
        foreach (var r in keep)
            receipts.Enqueue(r);
        return due;
    }

    private static DateOnly Day(DateTimeOffset at) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, WxQms.Domain.Rules.Tasks.Periods.Shanghai).DateTime);

    private IReadOnlyList<T> Snapshot<T>(List<T> list)
    {
        lock (gate)
            return [.. list];
    }
}
