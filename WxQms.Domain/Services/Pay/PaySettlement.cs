using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat;
using WxQms.Domain.Wechat.Pay;

namespace WxQms.Domain.Services.Pay;

/// <summary>
/// Records a payment WeChat Pay reported (the notification or the order query) once, settles it with its kind's handler
/// in the same transaction, and refunds it when what it paid for was already settled by another payment.
/// </summary>
public sealed class PaySettlement(PayStore store, PaidOrderHandlers handlers, WechatPayClient client,
    IOptions<WechatPayOptions> options, IOptions<WechatOptions> wechat, TimeProvider clock, ILogger<PaySettlement> log)
{
    /// <summary>Records a SUCCESS transaction; throws <see cref="PayMismatchException"/> when it is not one of ours as we started it.</summary>
    public async Task<PaymentRecorded> RecordAsync(PayTransaction paid, string source, CancellationToken ct)
    {
        if (paid.TradeState != PayTransaction.Success || string.IsNullOrEmpty(paid.OutTradeNo) || string.IsNullOrEmpty(paid.TransactionId))
            throw new PayMismatchException("not a successful transaction");
        if (paid.Mchid != options.Value.MchId || paid.Appid != wechat.Value.Mp.AppId)
            throw new PayMismatchException("another merchant's or app's transaction");
        var order = await store.FindAsync(paid.OutTradeNo, ct) ?? throw new PayMismatchException("no such order");
        if (paid.Amount?.Total != order.AmountFen)
            throw new PayMismatchException("the amount paid is not the order's");

        var paidAt = DateTimeOffset.TryParse(paid.SuccessTime, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            ? at
            : clock.GetUtcNow();
        PaidOrder? settled = null;
        var (outcome, row) = await store.RecordPaymentAsync(paid.OutTradeNo, paid.TransactionId, paidAt, source, clock.GetUtcNow(),
            (o, conn, tx) => handlers.Get(o.Kind).SettleAsync(settled = new PaidOrder(o.Id, o.OutTradeNo, o.Kind, o.MemberId, o.AmountFen,
                o.Payload, o.TransactionId!, paidAt), conn, tx, ct), ct);
        log.LogInformation("Payment of {OutTradeNo} from the {Source}: {Outcome}", paid.OutTradeNo, source, outcome);
        if (outcome == PaymentRecorded.Settled && settled is not null)
            await handlers.Get(settled.Kind).SettledAsync(settled);
        if (outcome == PaymentRecorded.RefundPending && await store.FindRefundAsync(row!.Id, ct) is { } refund)
            await SendRefundAsync(refund, ct);
        return outcome;
    }

    /// <summary>
    /// Asks WeChat to refund (safe to repeat: out_refund_no is the same each time); a failure leaves it pending for the job.
    /// </summary>
    public async Task SendRefundAsync(PayRefundRow refund, CancellationToken ct)
    {
        try
        {
            var answer = await client.RefundAsync(refund.OutTradeNo, refund.OutRefundNo, refund.AmountFen, refund.OrderAmountFen,
                refund.Reason, ct);
            await store.MarkRefundSentAsync(refund.Id, answer.RefundId, clock.GetUtcNow(), ct);
            if (answer.State == "SUCCESS")
                await store.MarkRefundDoneAsync(refund.OutRefundNo, answer.RefundId, "refund", clock.GetUtcNow(), ct);
        }
        catch (WechatPayException ex)
        {
            log.LogWarning("Refund {OutRefundNo} not accepted yet: {Status} {Code}", refund.OutRefundNo, ex.Status, ex.Code);
        }
    }
}

/// <summary>A transaction that does not match the order we started: recorded nowhere.</summary>
public sealed class PayMismatchException(string message) : Exception(message);
