using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat.Pay;

namespace WxQms.Domain.Services.Pay;

/// <summary>What one pass of <see cref="PayReconciler"/> did.</summary>
public sealed record PayReconcileResult(int Queried, int PaidByQuery, int Closed, int RefundsFollowed);

/// <summary>
/// The job behind WeChat Pay (<c>pay-reconcile</c>): an order whose notification never came is queried and, if paid,
/// recorded through the same path as the notification (once); an order not paid by its time_expire is closed with
/// WeChat and here; refunds WeChat has not accepted are sent again, and those still processing are queried.
/// </summary>
public sealed class PayReconciler(PayStore store, WechatPayClient client, PaySettlement settlement,
    IOptions<WechatPayOptions> options, TimeProvider clock, ILogger<PayReconciler> log)
{
    private const int Batch = 100;

    public async Task<PayReconcileResult> RunAsync(CancellationToken ct)
    {
        if (!options.Value.IsConfigured)
            return new PayReconcileResult(0, 0, 0, 0);
        var now = clock.GetUtcNow();
        int queried = 0, paid = 0, closed = 0, refunds = 0;

        foreach (var order in await store.DueForQueryAsync(now, options.Value.QueryAfter, Batch, ct))
        {
            queried++;
            if (await PaidByQueryAsync(order, ct))
                paid++;
            else
                await store.MarkCheckedAsync(order.Id, now, ct);
        }

        foreach (var order in await store.ExpiredAsync(now, Batch, ct))
        {
            // One last look: a payment made at the last minute is recorded, not closed.
            if (order.PrepayId is not null && await PaidByQueryAsync(order, ct))
            {
                paid++;
                continue;
            }
            try
            {
                if (order.PrepayId is not null)
                    await client.CloseAsync(order.OutTradeNo, ct);
                if (await store.EndAsync(order.Id, PayStore.States.Closed, "not paid in time", clock.GetUtcNow(), ct))
                    closed++;
            }
            catch (WechatPayException ex)
            {
                log.LogWarning("Closing {OutTradeNo} failed: {Status} {Code}", order.OutTradeNo, ex.Status, ex.Code);
            }
        }

        foreach (var refund in await store.RefundsToFollowAsync(now - options.Value.QueryAfter, Batch, ct))
        {
            refunds++;
            if (refund.State == PayStore.States.RefundPending)
            {
                await settlement.SendRefundAsync(refund, ct);
                continue;
            }
            try
            {
                var known = await client.QueryRefundAsync(refund.OutRefundNo, ct);
                if (known.State == "SUCCESS")
                    await store.MarkRefundDoneAsync(refund.OutRefundNo, known.RefundId, "query", clock.GetUtcNow(), ct);
            }
            catch (WechatPayException ex)
            {
                log.LogWarning("Refund query {OutRefundNo} failed: {Status} {Code}", refund.OutRefundNo, ex.Status, ex.Code);
            }
        }
        return new PayReconcileResult(queried, paid, closed, refunds);
    }

    private async Task<bool> PaidByQueryAsync(PayOrderRow order, CancellationToken ct)
    {
        try
        {
            var known = await client.QueryAsync(order.OutTradeNo, ct);
            if (known.TradeState != PayTransaction.Success)
                return false;
            await settlement.RecordAsync(known, "query", ct);
            return true;
        }
        catch (Exception ex) when (ex is WechatPayException or PayMismatchException)
        {
            log.LogWarning("Query of {OutTradeNo} failed: {Reason}", order.OutTradeNo, ex.Message);
            return false;
        }
    }
}
