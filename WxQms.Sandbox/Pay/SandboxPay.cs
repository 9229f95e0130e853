using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using WxQms.Domain.Wechat;
using WxQms.Domain.Wechat.Pay;

namespace WxQms.Sandbox.Pay;

/// <summary>The sandbox's WeChat Pay settings (<c>Wechat:Sandbox:Pay</c>).</summary>
public sealed class SandboxPayOptions
{
    public const string Section = "Wechat:Sandbox:Pay";

    /// <summary>The sandbox platform's private key (a demo file; the matching certificate is <c>Wechat:Pay:PlatformCertPath</c>).</summary>
    public string PlatformKeyPath { get; set; } = "sandbox-pay/sandbox-demo-platform-key.pem";

    /// <summary>
    /// Waits between deliveries of a notification nobody acknowledged. WeChat's own are 15 s, 15 s, 30 s, 3 min, 10 min,
    /// 20 min, 30 min … up to 24 h; the sandbox's are a few quick ones, shorter still in tests.
    /// </summary>
    public TimeSpan[] NotifyRetryDelays { get; set; } = [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15)];
}

/// <summary>An order as the sandbox's WeChat Pay keeps it.</summary>
public sealed class SandboxPayOrder
{
    public required string OutTradeNo { get; init; }
    public required string AppId { get; init; }
    public required string MchId { get; init; }
    public required string Description { get; init; }
    public required int Total { get; init; }
    public required string OpenId { get; init; }
    public required string NotifyUrl { get; init; }
    public required DateTimeOffset TimeExpire { get; init; }
    public required string PrepayId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>NOTPAY, SUCCESS, CLOSED or REFUND, as the query answers trade_state.</summary>
    public string State { get; set; } = "NOTPAY";

    public string? TransactionId { get; set; }
    public DateTimeOffset? PaidAt { get; set; }

    /// <summary>The TRANSACTION.SUCCESS notification's body, sealed once and sent as it is each time.</summary>
    public string? Notification { get; set; }

    /// <summary>How many times the notification was posted and how many of them were acknowledged.</summary>
    public int Deliveries { get; set; }

    public int Acknowledged { get; set; }
}

public sealed record SandboxRefund(string OutRefundNo, string RefundId, string OutTradeNo, string TransactionId, int Refund,
    int Total, string NotifyUrl, DateTimeOffset CreatedAt);

/// <summary>What delivering a notification once came to.</summary>
public sealed record SandboxNotifyResult(bool Acknowledged, int Status, string Answer);

/// <summary>
/// The imitation of WeChat Pay's side: the orders it keeps, its platform key (answers and notifications are signed with
/// it, the sandbox's certificate is what <c>Wechat:Pay:PlatformCertPath</c> names), the merchant key it checks requests
/// against (as WeChat knows the merchant's certificate), and notifications posted to the order's notify_url, signed,
/// sealed with the APIv3 key and sent again on <see cref="SandboxPayOptions.NotifyRetryDelays"/> until acknowledged.
/// In memory, like the rest of the sandbox.
/// </summary>
public sealed class SandboxPay(IOptionsMonitor<WechatPayOptions> pay, IOptionsMonitor<SandboxPayOptions> options, WechatPayKeys keys,
    IHostEnvironment environment, IHttpClientFactory httpFactory, TimeProvider clock, ILogger<SandboxPay> log)
{
    private readonly Lazy<RSA> platformKey = new(() =>
        WechatPayKeys.LoadPrivateKey(WechatPayKeys.Resolve(options.CurrentValue.PlatformKeyPath, environment.ContentRootPath)));

    public ConcurrentDictionary<string, SandboxPayOrder> Orders { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, SandboxRefund> Refunds { get; } = new(StringComparer.Ordinal);

    public TimeProvider Clock => clock;

    public WechatPayOptions Merchant => pay.CurrentValue;

    private readonly ConcurrentDictionary<string, int> failures = new(StringComparer.Ordinal);

    public void Reset()
    {
        Orders.Clear();
        Refunds.Clear();
        failures.Clear();
    }

    /// <summary>
    /// The next <paramref name="count"/> signed calls to <paramref name="api"/> (<c>jsapi</c>, <c>query</c>, <c>close</c>,
    /// <c>refund</c>, <c>refund-query</c>) answer 500 SYSTEM_ERROR, as WeChat Pay does when it is busy; 0 ends it.
    /// </summary>
    public void FailNext(string api, int count) => failures[api] = count;

    /// <summary>Whether this call to <paramref name="api"/> is one <see cref="FailNext"/> asked to fail.</summary>
    public bool TakeFailure(string api)
    {
        while (failures.TryGetValue(api, out var left) && left > 0)
        {
            if (failures.TryUpdate(api, left - 1, left))
                return true;
        }
        return false;
    }

    /// <summary>Null when the request carries the merchant's valid, fresh signature; otherwise WeChat's reason.</summary>
    public string? CheckRequest(string method, string pathAndQuery, string? authorization, string body)
    {
        var fields = WechatPaySigning.ParseAuthorization(authorization);
        if (fields is null || !fields.TryGetValue("mchid", out var mchid) || !fields.TryGetValue("nonce_str", out var nonce)
            || !fields.TryGetValue("timestamp", out var timestamp) || !fields.TryGetValue("signature", out var signature)
            || !fields.TryGetValue("serial_no", out var serial))
            return "Authorization 头缺失或格式错误";
        if (mchid != Merchant.MchId)
            return "商户号与签名不符";
        if (!string.Equals(serial, Merchant.SerialNo, StringComparison.OrdinalIgnoreCase))
            return "商户证书序列号有误";
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var unix)
            || (clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(Math.Min(unix, 253402300799))).Duration() > TimeSpan.FromMinutes(5))
            return "时间戳已过期";
        return WechatPaySigning.Verify(keys.Merchant, WechatPaySigning.RequestMessage(method, pathAndQuery, timestamp, nonce, body), signature)
            ? null
            : "签名错误";
    }

    /// <summary>The Wechatpay-* headers of an answer or a notification with this body.</summary>
    public IReadOnlyDictionary<string, string> Sign(string body)
    {
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var nonce = WechatPaySigning.Nonce();
        return new Dictionary<string, string>
        {
            ["Wechatpay-Timestamp"] = timestamp,
            ["Wechatpay-Nonce"] = nonce,
            ["Wechatpay-Signature"] = WechatPaySigning.Sign(platformKey.Value, WechatPaySigning.ResponseMessage(timestamp, nonce, body)),
            ["Wechatpay-Serial"] = keys.PlatformSerial,
        };
    }

    /// <summary>The transaction as the query and the notification describe it.</summary>
    public object Transaction(SandboxPayOrder o) => new
    {
        appid = o.AppId,
        mchid = o.MchId,
        out_trade_no = o.OutTradeNo,
        transaction_id = o.TransactionId,
        trade_type = o.TransactionId is null ? null : "JSAPI",
        trade_state = o.State,
        trade_state_desc = o.State switch { "SUCCESS" => "支付成功", "CLOSED" => "已关闭", "REFUND" => "转入退款", _ => "未支付" },
        bank_type = o.TransactionId is null ? null : "OTHERS",
        attach = "",
        success_time = o.PaidAt?.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
        payer = new { openid = o.OpenId },
        amount = new { total = o.Total, payer_total = o.TransactionId is null ? (int?)null : o.Total, currency = "CNY", payer_currency = "CNY" },
    };

    /// <summary>
    /// The user pays: the order becomes SUCCESS and its notification is sealed. Null when there is no such order, otherwise
    /// the order and why it cannot be paid (closed, expired, paid already).
    /// </summary>
    public (SandboxPayOrder? Order, string? Refusal) Confirm(string outTradeNo)
    {
        if (!Orders.TryGetValue(outTradeNo, out var order))
            return (null, null);
        lock (order)
        {
            if (order.State == "NOTPAY" && clock.GetUtcNow() > order.TimeExpire)
                order.State = "CLOSED";
            if (order.State != "NOTPAY")
                return (order, order.State == "CLOSED" ? "订单已关闭" : "订单已支付");
            order.State = "SUCCESS";
            order.PaidAt = clock.GetUtcNow();
            order.TransactionId = "4200" + RandomNumberGenerator.GetString("0123456789", 24);
            order.Notification = Seal("TRANSACTION.SUCCESS", "支付成功", "transaction",
                JsonSerializer.Serialize(Transaction(order)));
            return (order, null);
        }
    }

    /// <summary>A notification body as WeChat Pay posts it: the resource sealed with the APIv3 key.</summary>
    public string Seal(string eventType, string summary, string originalType, string resourceJson)
    {
        var nonce = RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 12);
        var associatedData = originalType;
        return JsonSerializer.Serialize(new
        {
            id = Guid.NewGuid().ToString(),
            create_time = clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            resource_type = "encrypt-resource",
            event_type = eventType,
            summary,
            resource = new
            {
                original_type = originalType,
                algorithm = "AEAD_AES_256_GCM",
                ciphertext = WechatPaySigning.Encrypt(Merchant.ApiV3Key!, nonce, associatedData, resourceJson),
                associated_data = associatedData,
                nonce,
            },
        }, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <summary>Posts a notification once, signed now; acknowledged when our side answers 200 or 204.</summary>
    public async Task<SandboxNotifyResult> DeliverAsync(string notifyUrl, string body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, notifyUrl)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in Sign(body))
            request.Headers.TryAddWithoutValidation(name, value);
        request.Headers.UserAgent.ParseAdd("Mozilla/4.0");
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(TimeSpan.FromSeconds(5));
            using var response = await httpFactory.CreateClient(SandboxPush.HttpClientName).SendAsync(request, cts.Token);
            var answer = await response.Content.ReadAsStringAsync(cts.Token);
            return new SandboxNotifyResult((int)response.StatusCode is 200 or 204, (int)response.StatusCode, answer);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return new SandboxNotifyResult(false, 0, ex.GetType().Name);
        }
    }

    /// <summary>
    /// Posts the order's notification and, while it is not acknowledged, again after each of the retry delays (in the
    /// background, on real time like any network wait). Answers the first delivery's result.
    /// </summary>
    public async Task<SandboxNotifyResult> NotifyAsync(SandboxPayOrder order, CancellationToken ct)
    {
        var first = await DeliverCountedAsync(order, ct);
        if (!first.Acknowledged)
            _ = Task.Run(() => RetryAsync(order, options.CurrentValue.NotifyRetryDelays), CancellationToken.None);
        return first;
    }

    /// <summary>Posts the order's notification once more, exactly as before (the test helper for a repeated notification).</summary>
    public Task<SandboxNotifyResult> RepeatAsync(SandboxPayOrder order, CancellationToken ct) => DeliverCountedAsync(order, ct);

    private async Task<SandboxNotifyResult> DeliverCountedAsync(SandboxPayOrder order, CancellationToken ct)
    {
        var result = await DeliverAsync(order.NotifyUrl, order.Notification!, ct);
        lock (order)
        {
            order.Deliveries++;
            if (result.Acknowledged)
                order.Acknowledged++;
        }
        return result;
    }

    private async Task RetryAsync(SandboxPayOrder order, IReadOnlyList<TimeSpan> delays)
    {
        foreach (var delay in delays)
        {
            await Task.Delay(delay);
            var result = await DeliverCountedAsync(order, CancellationToken.None);
            if (result.Acknowledged)
                return;
            log.LogInformation("Sandbox WeChat Pay: notification of {OutTradeNo} not acknowledged (HTTP {Status})",
                order.OutTradeNo, result.Status);
        }
    }

    /// <summary>A refund is accepted and, in the sandbox, succeeds at once: REFUND.SUCCESS is posted to its notify_url.</summary>
    public async Task NotifyRefundAsync(SandboxRefund refund, CancellationToken ct)
    {
        var body = Seal("REFUND.SUCCESS", "退款成功", "refund", JsonSerializer.Serialize(new
        {
            mchid = Merchant.MchId,
            out_trade_no = refund.OutTradeNo,
            transaction_id = refund.TransactionId,
            out_refund_no = refund.OutRefundNo,
            refund_id = refund.RefundId,
            refund_status = "SUCCESS",
            success_time = clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            user_received_account = "支付用户零钱",
            amount = new { total = refund.Total, refund = refund.Refund, payer_total = refund.Total, payer_refund = refund.Refund },
        }));
        var result = await DeliverAsync(refund.NotifyUrl, body, ct);
        if (!result.Acknowledged)
            log.LogInformation("Sandbox WeChat Pay: refund notification {OutRefundNo} not acknowledged", refund.OutRefundNo);
    }
}
