using System.Data.Common;

namespace WxQms.Domain.Services.Pay;

// The seam between WeChat Pay (orders, the v3 client, notifications, refunds) and what is paid for (dues today).
// A product area asks for an order with a PayRequest and settles it in an IPaidOrderHandler of its own kind.

/// <summary>
/// An order a product area asks for: what it pays for (<paramref name="Kind"/> names the handler that settles it), who
/// pays, how much in fen (always from our own rows, never from the client), the line the payer sees, and the area's own
/// reference (<paramref name="Payload"/>, e.g. the months as JSON), handed back when the order is paid.
/// </summary>
public sealed record PayRequest(string Kind, long MemberId, int AmountFen, string Description, string Payload);

/// <summary>An order paid, as WeChat Pay's verified notification (or the order query) reported it.</summary>
public sealed record PaidOrder(long OrderId, string OutTradeNo, string Kind, long MemberId, int AmountFen, string Payload,
    string TransactionId, DateTimeOffset PaidAt);

/// <summary>What the mini program passes to <c>wx.requestPayment</c>, and the order's number for its later queries.</summary>
public sealed record RequestPaymentParams(string TimeStamp, string NonceStr, string Package, string SignType, string PaySign,
    string OutTradeNo);

/// <summary>Starts WeChat Pay orders (JSAPI): one order per request, a unique <c>out_trade_no</c>.</summary>
public interface IPayOrders
{
    /// <summary>Creates the order with WeChat Pay for the payer's mini-program openid and answers the payment's parameters.</summary>
    Task<RequestPaymentParams> StartAsync(PayRequest request, string payerMpOpenId, CancellationToken ct);
}

/// <summary>
/// Settles a paid order of one kind. Called exactly once per order, inside the transaction that records the payment
/// (a repeated notification never reaches it again). Returns false when what the order paid for was already settled
/// by another payment: the payment is then refunded.
/// </summary>
public interface IPaidOrderHandler
{
    string Kind { get; }

    Task<bool> SettleAsync(PaidOrder order, DbConnection conn, DbTransaction tx, CancellationToken ct);

    /// <summary>After the transaction that settled <paramref name="order"/> has committed: retire what caches showed of it.</summary>
    Task SettledAsync(PaidOrder order) => Task.CompletedTask;
}
