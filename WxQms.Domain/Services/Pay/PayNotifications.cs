using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat.Pay;

namespace WxQms.Domain.Services.Pay;

/// <summary>The Wechatpay-* headers of a notification.</summary>
public sealed record PayNotifyHeaders(string? Timestamp, string? Nonce, string? Signature, string? Serial);

/// <summary>How to answer WeChat: 200 without a body when taken, else a failure status and <c>{"code":"FAIL",…}</c>.</summary>
public sealed record PayNotifyAnswer(int Status, string? Message)
{
    public static readonly PayNotifyAnswer Taken = new(200, null);

    public bool IsSuccess => Status is 200 or 204;
}

/// <summary>
/// <c>POST /wechat/pay/notify</c>: verifies the platform's signature, opens the resource with the APIv3 key and records
/// what it says (a payment once, a refund done once). Anything that does not verify or open changes nothing and gets a
/// failure answer, so WeChat sends it again.
/// </summary>
public sealed class PayNotifications(WechatPayKeys keys, IOptions<WechatPayOptions> options, PaySettlement settlement,
    PayStore store, TimeProvider clock, ILogger<PayNotifications> log)
{
    private sealed record Notification(string? Id, string? EventType, Resource? Resource);

    private sealed record Resource(string? Algorithm, string? Ciphertext, string? AssociatedData, string? Nonce, string? OriginalType);

    public async Task<PayNotifyAnswer> ReceiveAsync(PayNotifyHeaders headers, string body, CancellationToken ct)
    {
        var pay = options.Value;
        if (!pay.IsConfigured)
            return new PayNotifyAnswer(404, "未开通微信支付");
        if (WechatPayVerifier.Verify(keys, pay.TimestampTolerance, clock.GetUtcNow(), headers.Timestamp, headers.Nonce,
                headers.Signature, headers.Serial, body) is { } problem)
        {
            log.LogWarning("WeChat Pay notification refused: {Problem}", problem);
            return new PayNotifyAnswer(401, "签名验证失败");
        }
        Notification? notification;
        try
        {
            notification = JsonSerializer.Deserialize<Notification>(body, WechatPayClient.Json);
        }
        catch (JsonException)
        {
            notification = null;
        }
        if (notification?.Resource is not { Algorithm: "AEAD_AES_256_GCM", Ciphertext: not null, Nonce: not null } resource)
            return new PayNotifyAnswer(400, "通知内容无效");

        string plain;
        try
        {
            plain = WechatPaySigning.Decrypt(pay.ApiV3Key!, resource.Nonce, resource.AssociatedData, resource.Ciphertext);
        }
        catch (CryptographicException)
        {
            log.LogWarning("WeChat Pay notification {Id}: the resource does not decrypt", notification.Id);
            return new PayNotifyAnswer(400, "解密失败");
        }

        try
        {
            switch (notification.EventType)
            {
                case "TRANSACTION.SUCCESS":
                    var paid = JsonSerializer.Deserialize<PayTransaction>(plain, WechatPayClient.Json)!;
                    await settlement.RecordAsync(paid, "notification", ct);
                    return PayNotifyAnswer.Taken;
                case "REFUND.SUCCESS":
                    var refund = JsonSerializer.Deserialize<PayRefund>(plain, WechatPayClient.Json)!;
                    if (refund.OutRefundNo is not null)
                        await store.MarkRefundDoneAsync(refund.OutRefundNo, refund.RefundId, "notification", clock.GetUtcNow(), ct);
                    return PayNotifyAnswer.Taken;
                default:
                    // REFUND.ABNORMAL / REFUND.CLOSED and anything new: taken, left to the refund query and the log.
                    log.LogWarning("WeChat Pay notification {Id} of type {Type} taken without action", notification.Id,
                        notification.EventType);
                    return PayNotifyAnswer.Taken;
            }
        }
        catch (Exception ex) when (ex is JsonException or PayMismatchException or NullReferenceException)
        {
            log.LogWarning("WeChat Pay notification {Id} not recorded: {Reason}", notification.Id, ex.Message);
            return new PayNotifyAnswer(400, "通知内容与订单不符");
        }
    }
}
