using WxQms.Domain.Rules.Dues;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Members;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Dues;

/// <summary>
/// The dues line of a member's record (我的档案): how many months she owes up to this month, or the month she has paid up to;
/// nothing when the branch has made her no monthly rows yet.
/// </summary>
public sealed class DuesRecordStatus(DuesStore store, TimeProvider clock) : IDuesStatus
{
    public async Task<DuesStatus?> StatusAsync(long memberId, CancellationToken ct)
    {
        var current = DuesMonth.Of(Periods.LocalDate(clock.GetUtcNow()));
        var rows = (await store.MemberMonthsAsync(memberId, "2000-01", current.Key, ct))
            .Select(r => (Month: DuesMonth.Parse(r.Month), Open: DuesSettlement.IsOpen(r.State))).ToList();
        if (rows.Count == 0)
            return null;
        var owed = rows.Where(r => r.Open).Select(r => r.Month).Order().ToList();
        if (owed.Count > 0)
            return new DuesStatus($"欠缴{owed.Count}个月（{owed[0].Chinese}起）", true);
        return new DuesStatus($"已缴至{rows.Max(r => r.Month).Chinese}", false);
    }

    public async Task<Model.DuesPaidThrough?> PaidThroughAsync(long memberId, CancellationToken ct)
    {
        // Months paid ahead count, up to the end of next year at most.
        var until = new DuesMonth(Periods.LocalDate(clock.GetUtcNow()).Year + 1, 12);
        var rows = await store.MemberMonthsAsync(memberId, "2000-01", until.Key, ct);
        return PaidUpTo.Of(rows.Select(r => (DuesMonth.Parse(r.Month), DbNames.Parse<DuesState>(r.State)))) is { } m
            ? new Model.DuesPaidThrough(m.Year, m.Month)
            : null;
    }
}
