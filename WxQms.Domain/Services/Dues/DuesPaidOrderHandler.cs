using System.Data.Common;
using System.Text.Json;
using WxQms.Domain.Caching;
using WxQms.Domain.Rules.Dues;
using WxQms.Domain.Services.Pay;

namespace WxQms.Domain.Services.Dues;

/// <summary>What a dues order carries in its payload: the months it pays and the voluntary part above them (自愿多交).</summary>
public sealed record DuesOrderPayload(IReadOnlyList<string> Months, int VoluntaryFen = 0);

/// <summary>
/// Settles a paid dues order (kind "dues") in the payment's transaction: the months paid, one ledger line (its reference the
/// order's out_trade_no) and one audit entry. False when any month was already settled by another payment (a second order for
/// the same months, a cash payment meanwhile): WeChat Pay's side then refunds it. Once committed, the payer's record (her dues
/// line, the points of paying on time) is retired.
/// </summary>
public sealed class DuesPaidOrderHandler(DuesSettlement settlement, RecordCache records) : IPaidOrderHandler
{
    public const string OrderKind = "dues";

    public string Kind => OrderKind;

    public async Task<bool> SettleAsync(PaidOrder order, DbConnection conn, DbTransaction tx, CancellationToken ct)
    {
        var payload = JsonSerializer.Deserialize<DuesOrderPayload>(order.Payload, JsonOptions);
        var months = new List<DuesMonth>();
        foreach (var key in payload?.Months ?? [])
        {
            if (!DuesMonth.TryParse(key, out var m))
                return false;
            months.Add(m.Value);
        }
        if (months.Count == 0)
            return false;
        // An order pays exactly what its months asked when it was started; anything else is settled by no one and refunded.
        return await settlement.SettleAsync(conn, tx, new DuesPayment(order.MemberId, months, order.AmountFen, DuesSettlement.ViaWechat,
            order.OutTradeNo, $"member:{order.MemberId}", order.MemberId, order.PaidAt, payload!.VoluntaryFen), ct);
    }

    public Task SettledAsync(PaidOrder order) => records.InvalidateAsync();

    public static string Payload(IEnumerable<DuesMonth> months, int voluntaryFen = 0) =>
        JsonSerializer.Serialize(new DuesOrderPayload(months.Select(m => m.Key).ToList(), voluntaryFen), JsonOptions);

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
