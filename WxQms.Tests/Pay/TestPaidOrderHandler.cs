using System.Data.Common;
using Dapper;
using WxQms.Domain.Services.Pay;
using WxQms.Domain.Storage;

namespace WxQms.Tests.Pay;

/// <summary>
/// The test host's own kind of order ("test"): settling writes a <c>test.settled</c> audit entry for the order's payload,
/// in the payment's transaction; a payload settled before answers false (the payment is refunded). A test can make the
/// next settlements fail, as a database outage would, to see WeChat's retries.
/// </summary>
public sealed class TestPaidOrderHandler : IPaidOrderHandler
{
    public const string TestKind = "test";

    private static int failures;

    public string Kind => TestKind;

    /// <summary>The next <paramref name="count"/> settlements throw (the notification is answered with a failure).</summary>
    public static void FailNext(int count) => Volatile.Write(ref failures, count);

    public async Task<bool> SettleAsync(PaidOrder order, DbConnection conn, DbTransaction tx, CancellationToken ct)
    {
        if (Interlocked.Decrement(ref failures) >= 0)
            throw new InvalidOperationException("test: settlement fails");
        Interlocked.Exchange(ref failures, 0);
        var before = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            SELECT COUNT(*) FROM audit_log WHERE action = 'test.settled' AND JSON_UNQUOTE(JSON_EXTRACT(data, '$.payload')) = @payload
            """, new { payload = order.Payload }, tx, cancellationToken: ct));
        if (before > 0)
            return false;
        await AuditLog.AppendAsync(conn, tx, new AuditEntry(order.PaidAt, $"member:{order.MemberId}", "test.settled", "pay_order",
            order.OrderId, ActorMemberId: order.MemberId, Data: new { payload = order.Payload, order.OutTradeNo, order.AmountFen }), ct);
        return true;
    }
}
