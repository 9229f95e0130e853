using System.Data.Common;
using Dapper;
using MySqlConnector;

namespace WxQms.Domain.Storage;

/// <summary>A WeChat Pay order as stored (pay_orders).</summary>
public sealed record PayOrderRow(long Id, string OutTradeNo, string Kind, long MemberId, int AmountFen, string Description,
    string Payload, string PayerOpenId, string? PrepayId, string State, DateTime CreatedAt, DateTime ExpiresAt,
    string? TransactionId, DateTime? PaidAt);

/// <summary>A refund as stored (pay_refunds), with its order's number and total.</summary>
public sealed record PayRefundRow(long Id, long OrderId, string OutRefundNo, int AmountFen, string Reason, string State,
    string OutTradeNo, int OrderAmountFen);

/// <summary>What recording a payment did.</summary>
public enum PaymentRecorded
{
    /// <summary>No order with this out_trade_no: not ours.</summary>
    UnknownOrder,

    /// <summary>Recorded before (a repeated notification, or the query got there first): nothing changed.</summary>
    AlreadyRecorded,

    /// <summary>Recorded now and settled by its kind's handler.</summary>
    Settled,

    /// <summary>Recorded now; what it paid for was settled by another payment, so a refund is pending.</summary>
    RefundPending,
}

/// <summary>
/// pay_orders and pay_refunds. A payment is recorded once: the order row is locked, marked paid only if it is not yet,
/// and settled by the caller's delegate in the same transaction, with the audit entries.
/// </summary>
public sealed class PayStore(MySqlDataSource db)
{
    public static class States
    {
        public const string Open = "open";
        public const string Paid = "paid";
        public const string Closed = "closed";
        public const string Failed = "failed";
        public const string RefundPending = "pending";
        public const string RefundSent = "sent";
        public const string RefundDone = "done";
    }

    private const string Columns = """
        id AS Id, out_trade_no AS OutTradeNo, kind AS Kind, member_id AS MemberId, amount_fen AS AmountFen,
        description AS Description, payload AS Payload, payer_openid AS PayerOpenId, prepay_id AS PrepayId, state AS State,
        created_at AS CreatedAt, expires_at AS ExpiresAt, transaction_id AS TransactionId, paid_at AS PaidAt
        """;

    private const string RefundColumns = """
        r.id AS Id, r.order_id AS OrderId, r.out_refund_no AS OutRefundNo, r.amount_fen AS AmountFen, r.reason AS Reason,
        r.state AS State, o.out_trade_no AS OutTradeNo, o.amount_fen AS OrderAmountFen
        """;

    /// <summary>Writes a new open order and its audit entry; answers its id.</summary>
    public Task<long> InsertOrderAsync(string outTradeNo, string kind, long memberId, int amountFen, string description,
        string payload, string payerOpenId, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken ct) =>
        db.InTransactionAsync(async (conn, tx) =>
        {
            var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
                INSERT INTO pay_orders (out_trade_no, kind, member_id, amount_fen, description, payload, payer_openid, state,
                                        created_at, expires_at)
                VALUES (@outTradeNo, @kind, @memberId, @amountFen, @description, @payload, @payerOpenId, @state, @now, @expiresAt);
                SELECT LAST_INSERT_ID();
                """, new
            {
                outTradeNo, kind, memberId, amountFen, description, payload, payerOpenId, state = States.Open,
                now = now.UtcDateTime, expiresAt = expiresAt.UtcDateTime,
            }, tx, cancellationToken: ct));
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, $"member:{memberId}", "pay.order_started", "pay_order", id,
                ActorMemberId: memberId, Data: new { outTradeNo, kind, amountFen }), ct);
            return id;
        }, ct);

    public async Task SetPrepayIdAsync(long id, string prepayId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("UPDATE pay_orders SET prepay_id = @prepayId WHERE id = @id",
            new { id, prepayId }, cancellationToken: ct));
    }

    public async Task<PayOrderRow?> FindAsync(string outTradeNo, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<PayOrderRow>(new CommandDefinition(
            $"SELECT {Columns} FROM pay_orders WHERE out_trade_no = @outTradeNo", new { outTradeNo }, cancellationToken: ct));
    }

    /// <summary>
    /// Records the payment of an order once. In one transaction: the order is locked; if it is already paid nothing
    /// changes; otherwise it is marked paid, audited, and <paramref name="settle"/> runs on the same connection and
    /// transaction; when it answers false a pending refund of the whole amount is written and audited.
    /// </summary>
    public Task<(PaymentRecorded Outcome, PayOrderRow? Order)> RecordPaymentAsync(string outTradeNo, string transactionId,
        DateTimeOffset paidAt, string source, DateTimeOffset now,
        Func<PayOrderRow, DbConnection, DbTransaction, Task<bool>> settle, CancellationToken ct) =>
        db.InTransactionAsync<(PaymentRecorded, PayOrderRow?)>(async (conn, tx) =>
        {
            var order = await conn.QuerySingleOrDefaultAsync<PayOrderRow>(new CommandDefinition(
                $"SELECT {Columns} FROM pay_orders WHERE out_trade_no = @outTradeNo FOR UPDATE", new { outTradeNo }, tx,
                cancellationToken: ct));
            if (order is null)
                return (PaymentRecorded.UnknownOrder, null);
            if (order.State == States.Paid)
                return (PaymentRecorded.AlreadyRecorded, order);
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE pay_orders SET state = @paid, transaction_id = @transactionId, paid_at = @paidAt, ended_at = @now
                WHERE id = @id
                """, new { order.Id, paid = States.Paid, transactionId, paidAt = paidAt.UtcDateTime, now = now.UtcDateTime }, tx,
                cancellationToken: ct));
            var paid = order with { State = States.Paid, TransactionId = transactionId, PaidAt = paidAt.UtcDateTime };
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, "wechat-pay", "pay.order_paid", "pay_order", order.Id,
                ActorMemberId: order.MemberId, Data: new { order.OutTradeNo, transactionId, order.AmountFen, source, was = order.State }), ct);
            var settled = await settle(paid, conn, tx);
            await conn.ExecuteAsync(new CommandDefinition("UPDATE pay_orders SET settled = @settled WHERE id = @id",
                new { order.Id, settled }, tx, cancellationToken: ct));
            if (settled)
                return (PaymentRecorded.Settled, paid);
            var outRefundNo = "R" + order.OutTradeNo;
            var refundId = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
                INSERT INTO pay_refunds (order_id, out_refund_no, amount_fen, reason, state, created_at)
                VALUES (@orderId, @outRefundNo, @amountFen, @reason, @pending, @now);
                SELECT LAST_INSERT_ID();
                """, new
            {
                orderId = order.Id, outRefundNo, amountFen = order.AmountFen, reason = RefundReason, pending = States.RefundPending,
                now = now.UtcDateTime,
            }, tx, cancellationToken: ct));
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, "wechat-pay", "pay.refund_started", "pay_refund", refundId,
                ActorMemberId: order.MemberId, Data: new { order.OutTradeNo, outRefundNo, order.AmountFen }), ct);
            return (PaymentRecorded.RefundPending, paid);
        }, ct);

    /// <summary>The line the payer sees on the refund.</summary>
    public const string RefundReason = "重复缴纳，原路退回";

    /// <summary>Open orders past their time_expire: to be closed (after one last query).</summary>
    public async Task<IReadOnlyList<PayOrderRow>> ExpiredAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<PayOrderRow>(new CommandDefinition($"""
            SELECT {Columns} FROM pay_orders WHERE state = @open AND expires_at <= @now ORDER BY expires_at LIMIT @limit
            """, new { open = States.Open, now = now.UtcDateTime, limit }, cancellationToken: ct))).ToList();
    }

    /// <summary>Open orders with a prepay_id whose notification has not come <paramref name="after"/> their start (or last query).</summary>
    public async Task<IReadOnlyList<PayOrderRow>> DueForQueryAsync(DateTimeOffset now, TimeSpan after, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<PayOrderRow>(new CommandDefinition($"""
            SELECT {Columns} FROM pay_orders
            WHERE state = @open AND prepay_id IS NOT NULL AND expires_at > @now AND COALESCE(checked_at, created_at) <= @before
            ORDER BY created_at LIMIT @limit
            """, new { open = States.Open, now = now.UtcDateTime, before = (now - after).UtcDateTime, limit }, cancellationToken: ct)))
            .ToList();
    }

    public async Task MarkCheckedAsync(long id, DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("UPDATE pay_orders SET checked_at = @now WHERE id = @id",
            new { id, now = now.UtcDateTime }, cancellationToken: ct));
    }

    /// <summary>Ends an open order as closed (not paid in time) or failed (WeChat refused it); false when it was no longer open.</summary>
    public Task<bool> EndAsync(long id, string state, string reason, DateTimeOffset now, CancellationToken ct) =>
        db.InTransactionAsync(async (conn, tx) =>
        {
            var changed = await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE pay_orders SET state = @state, ended_at = @now WHERE id = @id AND state = @open",
                new { id, state, open = States.Open, now = now.UtcDateTime }, tx, cancellationToken: ct));
            if (changed == 1)
                await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, "wechat-pay", $"pay.order_{state}", "pay_order", id,
                    Data: new { reason }), ct);
            return changed == 1;
        }, ct);

    /// <summary>Refunds written but not yet accepted by WeChat, and those accepted but not known done before <paramref name="sentBefore"/>.</summary>
    public async Task<IReadOnlyList<PayRefundRow>> RefundsToFollowAsync(DateTimeOffset sentBefore, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<PayRefundRow>(new CommandDefinition($"""
            SELECT {RefundColumns} FROM pay_refunds r JOIN pay_orders o ON o.id = r.order_id
            WHERE r.state = @pending OR (r.state = @sent AND r.sent_at <= @sentBefore)
            ORDER BY r.id LIMIT @limit
            """, new { pending = States.RefundPending, sent = States.RefundSent, sentBefore = sentBefore.UtcDateTime, limit },
            cancellationToken: ct))).ToList();
    }

    public async Task<PayRefundRow?> FindRefundAsync(long orderId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<PayRefundRow>(new CommandDefinition(
            $"SELECT {RefundColumns} FROM pay_refunds r JOIN pay_orders o ON o.id = r.order_id WHERE r.order_id = @orderId",
            new { orderId }, cancellationToken: ct));
    }

    /// <summary>WeChat accepted the refund (still processing): sent, with its refund_id.</summary>
    public async Task MarkRefundSentAsync(long id, string? refundId, DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE pay_refunds SET state = @sent, refund_id = COALESCE(@refundId, refund_id), sent_at = @now
            WHERE id = @id AND state = @pending
            """, new { id, refundId, sent = States.RefundSent, pending = States.RefundPending, now = now.UtcDateTime },
            cancellationToken: ct));
    }

    /// <summary>The money is back with the payer: done once, audited; false when it was done already or is unknown.</summary>
    public Task<bool> MarkRefundDoneAsync(string outRefundNo, string? refundId, string source, DateTimeOffset now, CancellationToken ct) =>
        db.InTransactionAsync(async (conn, tx) =>
        {
            var refund = await conn.QuerySingleOrDefaultAsync<(long Id, string State)?>(new CommandDefinition(
                "SELECT id, state FROM pay_refunds WHERE out_refund_no = @outRefundNo FOR UPDATE", new { outRefundNo }, tx,
                cancellationToken: ct));
            if (refund is not { } r || r.State == States.RefundDone)
                return false;
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE pay_refunds SET state = @done, refund_id = COALESCE(@refundId, refund_id), done_at = @now,
                       sent_at = COALESCE(sent_at, @now)
                WHERE id = @id
                """, new { r.Id, refundId, done = States.RefundDone, now = now.UtcDateTime }, tx, cancellationToken: ct));
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, "wechat-pay", "pay.refund_done", "pay_refund", r.Id,
                Data: new { outRefundNo, refundId, source }), ct);
            return true;
        }, ct);
}
