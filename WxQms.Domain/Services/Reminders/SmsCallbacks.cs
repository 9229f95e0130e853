using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WxQms.Domain.Caching;
using WxQms.Domain.Logging;
using WxQms.Domain.Rules.Sms;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Sms;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Reminders;

/// <summary>
/// The SMS provider's two pushes: status receipts (a JSON array of <c>{sid, mobile, report_status, errmsg, description,
/// user_receive_time}</c>) update the reminder — delivered, or failed with the provider's code — and replies (上行,
/// <c>{mobile, text, sign, time}</c>) are recorded, 「TD」 or 「退订」 opting the number out. Tencent Cloud documents no
/// signature on either push (its bodies carry none; the URLs are set in its console), so they are authenticated as far as
/// its documents allow: the URL carries <c>Sms:CallbackToken</c> (anything else is refused), a receipt counts only when its
/// sid and mobile are those of a message we sent, and a reply only when it names our signature (<c>sign</c> = Sms:SignName).
/// </summary>
public sealed class SmsCallbacks(SmsStore store, IOptionsMonitor<SmsOptions> options, TimeProvider clock, RecordCache records,
    ILogger<SmsCallbacks> log)
{
    public bool Authenticated(string? token)
    {
        var expected = options.CurrentValue.CallbackToken;
        return options.CurrentValue.Enabled && expected.Length > 0 && token is not null
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(expected));
    }

    /// <summary>Applies each receipt of ours; returns how many matched a message we sent. False: the body is not a receipt array.</summary>
    public async Task<int?> ApplyReceiptsAsync(JsonElement body, CancellationToken ct)
    {
        if (body.ValueKind != JsonValueKind.Array)
            return null;
        var applied = 0;
        foreach (var receipt in body.EnumerateArray())
        {
            if (receipt.ValueKind != JsonValueKind.Object || Text(receipt, "sid") is not { Length: > 0 } sid)
                return null;
            var delivered = Text(receipt, "report_status") == "SUCCESS";
            var reportedAt = DateTime.TryParseExact(Text(receipt, "user_receive_time"), "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture,
                DateTimeStyles.None, out var local)
                ? new DateTimeOffset(local, Periods.Shanghai.GetUtcOffset(local))
                : clock.GetUtcNow();
            if (await store.ApplyReceiptAsync(sid, SmsRules.ToE164(Text(receipt, "mobile")) ?? "", delivered, Text(receipt, "errmsg") ?? "",
                    Text(receipt, "description"), reportedAt, clock.GetUtcNow(), ct))
                applied++;
            else
                log.LogInformation("SMS receipt {Sid} for {Phone} matches no message of ours", sid, LogMask.Phone(Text(receipt, "mobile")));
        }
        return applied;
    }

    /// <summary>Records a reply; false when the body is not one.</summary>
    public async Task<bool> ReceiveReplyAsync(JsonElement body, CancellationToken ct)
    {
        if (body.ValueKind != JsonValueKind.Object || SmsRules.ToE164(Text(body, "mobile")) is not { } phone
            || Text(body, "text") is not { Length: > 0 } text || Text(body, "sign") != options.CurrentValue.SignName)
            return false;
        var optOut = SmsRules.IsOptOut(text);
        await store.RecordReplyAsync(phone, text, optOut, clock.GetUtcNow(), ct);
        if (optOut)
        {
            await records.InvalidateAsync(); // her record shows the opt-out
            log.LogInformation("SMS number {Phone} opted out of non-essential notices", LogMask.Phone(phone));
        }
        return true;
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        } : null;
}
