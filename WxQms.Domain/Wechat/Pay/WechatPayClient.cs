using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace WxQms.Domain.Wechat.Pay;

/// <summary>
/// WeChat Pay APIv3, as the mini program's merchant calls it: every request signed with the merchant key
/// (<c>Authorization: WECHATPAY2-SHA256-RSA2048 …</c>), every answer verified against the platform key and refused when
/// stale. WeChat's errors (4xx/5xx with <c>{code, message}</c>) and unverifiable answers become
/// <see cref="WechatPayException"/>.
/// </summary>
public sealed class WechatPayClient(IHttpClientFactory httpFactory, IOptions<WechatPayOptions> options, IOptions<WechatOptions> wechat,
    WechatPayKeys keys, TimeProvider clock)
{
    public const string HttpClientName = "wechat-pay";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private WechatPayOptions Pay => options.Value;

    /// <summary>JSAPI order (<c>POST /v3/pay/transactions/jsapi</c>): answers the prepay_id.</summary>
    public async Task<string> JsapiAsync(string outTradeNo, string description, int totalFen, string payerOpenId,
        DateTimeOffset timeExpire, CancellationToken ct)
    {
        var body = new JsapiRequest(wechat.Value.Mp.AppId, Pay.MchId!, description, outTradeNo,
            timeExpire.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            Pay.NotifyUrl!, new Amount(totalFen, "CNY"), new Payer(payerOpenId));
        var answer = await SendAsync<PrepayAnswer>(HttpMethod.Post, "v3/pay/transactions/jsapi", body, ct);
        return answer?.PrepayId ?? throw new WechatPayException(502, "NO_PREPAY_ID", "the answer carries no prepay_id");
    }

    /// <summary>The order as WeChat Pay knows it (<c>GET /v3/pay/transactions/out-trade-no/{no}?mchid=</c>).</summary>
    public async Task<PayTransaction> QueryAsync(string outTradeNo, CancellationToken ct) =>
        await SendAsync<PayTransaction>(HttpMethod.Get,
            $"v3/pay/transactions/out-trade-no/{Uri.EscapeDataString(outTradeNo)}?mchid={Uri.EscapeDataString(Pay.MchId!)}", null, ct)
        ?? throw new WechatPayException(502, "EMPTY_ANSWER", "the query answered no order");

    /// <summary>Closes an unpaid order (<c>POST …/{no}/close</c>, 204).</summary>
    public Task CloseAsync(string outTradeNo, CancellationToken ct) =>
        SendAsync<JsonElement?>(HttpMethod.Post, $"v3/pay/transactions/out-trade-no/{Uri.EscapeDataString(outTradeNo)}/close",
            new { mchid = Pay.MchId }, ct);

    /// <summary>Refunds (all of) a payment (<c>POST /v3/refund/domestic/refunds</c>).</summary>
    public async Task<PayRefund> RefundAsync(string outTradeNo, string outRefundNo, int refundFen, int totalFen, string reason,
        CancellationToken ct) =>
        await SendAsync<PayRefund>(HttpMethod.Post, "v3/refund/domestic/refunds",
            new RefundRequest(outTradeNo, outRefundNo, reason, Pay.NotifyUrl!, new RefundAmount(refundFen, totalFen, "CNY")), ct)
        ?? throw new WechatPayException(502, "EMPTY_ANSWER", "the refund answered nothing");

    /// <summary>A refund as WeChat Pay knows it (<c>GET /v3/refund/domestic/refunds/{out_refund_no}</c>).</summary>
    public async Task<PayRefund> QueryRefundAsync(string outRefundNo, CancellationToken ct) =>
        await SendAsync<PayRefund>(HttpMethod.Get, $"v3/refund/domestic/refunds/{Uri.EscapeDataString(outRefundNo)}", null, ct)
        ?? throw new WechatPayException(502, "EMPTY_ANSWER", "the refund query answered nothing");

    private async Task<T?> SendAsync<T>(HttpMethod method, string relative, object? body, CancellationToken ct)
    {
        if (!Pay.IsConfigured)
            throw new WechatPayException(503, "NOT_CONFIGURED", "Wechat:Pay is not configured");
        var http = httpFactory.CreateClient(HttpClientName);
        var json = body is null ? "" : JsonSerializer.Serialize(body, body.GetType(), Json);
        using var request = new HttpRequestMessage(method, relative);
        var uri = new Uri(http.BaseAddress!, relative);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var nonce = WechatPaySigning.Nonce();
        var signature = WechatPaySigning.Sign(keys.Merchant,
            WechatPaySigning.RequestMessage(method.Method, uri.PathAndQuery, timestamp, nonce, json));
        request.Headers.TryAddWithoutValidation("Authorization",
            WechatPaySigning.Authorization(Pay.MchId!, Pay.SerialNo!, nonce, timestamp, signature));
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.UserAgent.ParseAdd("WxQms/1.0");
        if (body is not null)
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");

        HttpResponseMessage response;
        string answer;
        try
        {
            response = await http.SendAsync(request, ct);
            answer = await response.Content.ReadAsStringAsync(ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new WechatPayException(503, "NETWORK", $"WeChat Pay did not answer: {ex.GetType().Name}");
        }
        using (response)
        {
            var verified = VerifyAnswer(response, answer);
            if (!response.IsSuccessStatusCode)
            {
                var error = Read<PayError>(answer);
                throw new WechatPayException((int)response.StatusCode, error?.Code ?? $"HTTP_{(int)response.StatusCode}",
                    error?.Message ?? "", verified);
            }
            if (!verified)
                throw new WechatPayException(502, "ANSWER_NOT_VERIFIED", "the answer's platform signature does not verify or is stale");
            return response.StatusCode == HttpStatusCode.NoContent || answer.Length == 0 ? default : Read<T>(answer);
        }
    }

    private bool VerifyAnswer(HttpResponseMessage response, string body)
    {
        string? Header(string name) => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
        return WechatPayVerifier.Verify(keys, Pay.TimestampTolerance, clock.GetUtcNow(), Header("Wechatpay-Timestamp"),
            Header("Wechatpay-Nonce"), Header("Wechatpay-Signature"), Header("Wechatpay-Serial"), body) is null;
    }

    private static T? Read<T>(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Json);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private sealed record JsapiRequest(string Appid, string Mchid, string Description, string OutTradeNo, string TimeExpire,
        string NotifyUrl, Amount Amount, Payer Payer);

    private sealed record Amount(int Total, string Currency);

    private sealed record Payer(string Openid);

    private sealed record PrepayAnswer(string? PrepayId);

    private sealed record RefundRequest(string OutTradeNo, string OutRefundNo, string Reason, string NotifyUrl, RefundAmount Amount);

    private sealed record RefundAmount(int Refund, int Total, string Currency);

    private sealed record PayError(string? Code, string? Message);
}

/// <summary>A transaction as the query and the TRANSACTION.SUCCESS notification describe it.</summary>
public sealed record PayTransaction(string? Appid, string? Mchid, string? OutTradeNo, string? TransactionId, string? TradeState,
    string? TradeStateDesc, string? SuccessTime, PayTransaction.TransactionAmount? Amount, PayTransaction.TransactionPayer? Payer)
{
    public const string Success = "SUCCESS";

    public sealed record TransactionAmount(int Total, int? PayerTotal, string? Currency);

    public sealed record TransactionPayer(string? Openid);
}

/// <summary>A refund as its answer, its query and the REFUND.* notification describe it.</summary>
public sealed record PayRefund(string? RefundId, string? OutRefundNo, string? OutTradeNo, string? TransactionId, string? Status,
    string? RefundStatus)
{
    /// <summary>The answer and the query say <c>status</c>, the notification <c>refund_status</c>.</summary>
    public string? State => Status ?? RefundStatus;
}

/// <summary>WeChat Pay refused or failed a call; <see cref="Code"/> is WeChat's (ORDER_PAID, SIGN_ERROR …) or ours.</summary>
public sealed class WechatPayException(int status, string code, string message, bool verified = true)
    : Exception($"WeChat Pay {status} {code}: {message}")
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    /// <summary>Whether the error answer carried a valid platform signature.</summary>
    public bool Verified { get; } = verified;

    /// <summary>Worth trying again later: the network, WeChat's 5xx, a rate limit.</summary>
    public bool IsTransient => Status >= 500 || Status == 429 || Code is "SYSTEM_ERROR" or "FREQUENCY_LIMITED";
}
