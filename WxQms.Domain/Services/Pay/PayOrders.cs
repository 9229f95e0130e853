using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WxQms.Domain.Model;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat;
using WxQms.Domain.Wechat.Pay;

namespace WxQms.Domain.Services.Pay;

/// <summary>
/// Starts JSAPI orders: the order row first (so a notification always finds it), then WeChat Pay's prepay_id, then the
/// signed parameters of <c>wx.requestPayment</c>. Amounts come from the caller's <see cref="PayRequest"/> (our rows).
/// </summary>
public sealed class PayOrders(PayStore store, WechatPayClient client, WechatPayKeys keys, IOptions<WechatPayOptions> options,
    IOptions<WechatOptions> wechat, PaidOrderHandlers handlers, TimeProvider clock, ILogger<PayOrders> log) : IPayOrders
{
    public async Task<RequestPaymentParams> StartAsync(PayRequest request, string payerMpOpenId, CancellationToken ct)
    {
        if (!options.Value.IsConfigured)
            throw new RuleViolationException("pay.not_configured", "暂未开通微信支付，请联系支部用现金或转账缴纳");
        if (!handlers.Has(request.Kind))
            throw new InvalidOperationException($"No IPaidOrderHandler is registered for the kind '{request.Kind}'");
        if (request.AmountFen <= 0)
            throw new RuleViolationException("pay.amount_invalid", "支付金额必须大于零");
        if (string.IsNullOrEmpty(payerMpOpenId))
            throw new RuleViolationException("pay.no_openid", "请先在小程序中登录微信后再支付");

        var now = clock.GetUtcNow();
        var expiresAt = now + options.Value.OrderLifetime;
        var outTradeNo = OutTradeNo(now);
        var description = Clip(request.Description, 127);
        var id = await store.InsertOrderAsync(outTradeNo, request.Kind, request.MemberId, request.AmountFen, description,
            request.Payload, payerMpOpenId, now, expiresAt, ct);
        string prepayId;
        try
        {
            prepayId = await client.JsapiAsync(outTradeNo, description, request.AmountFen, payerMpOpenId, expiresAt, ct);
        }
        catch (WechatPayException ex)
        {
            log.LogWarning("WeChat Pay refused the order {OutTradeNo}: {Status} {Code}", outTradeNo, ex.Status, ex.Code);
            // A definite refusal ends the order; anything else stays open for the job to query and close.
            if (!ex.IsTransient)
                await store.EndAsync(id, PayStore.States.Failed, ex.Code, clock.GetUtcNow(), ct);
            throw new WechatUnavailableException($"微信支付暂时无法下单（{ex.Code}），请稍后再试");
        }
        await store.SetPrepayIdAsync(id, prepayId, ct);

        var timeStamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var nonce = WechatPaySigning.Nonce();
        var package = "prepay_id=" + prepayId;
        var paySign = WechatPaySigning.Sign(keys.Merchant, WechatPaySigning.PayMessage(wechat.Value.Mp.AppId, timeStamp, nonce, package));
        return new RequestPaymentParams(timeStamp, nonce, package, "RSA", paySign, outTradeNo);
    }

    /// <summary>P, the Shanghai date and time, 12 random characters: 27 of WeChat's allowed 6–32, unique by construction.</summary>
    private static string OutTradeNo(DateTimeOffset now) =>
        "P" + now.ToOffset(TimeSpan.FromHours(8)).ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture)
            + System.Security.Cryptography.RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 12);

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..max];
}

/// <summary>The registered <see cref="IPaidOrderHandler"/>s by their kind.</summary>
public sealed class PaidOrderHandlers(IEnumerable<IPaidOrderHandler> handlers)
{
    private readonly Dictionary<string, IPaidOrderHandler> byKind = handlers.ToDictionary(h => h.Kind, StringComparer.Ordinal);

    public bool Has(string kind) => byKind.ContainsKey(kind);

    public IPaidOrderHandler Get(string kind) =>
        byKind.TryGetValue(kind, out var handler)
            ? handler
            : throw new InvalidOperationException($"No IPaidOrderHandler is registered for the kind '{kind}'");
}
