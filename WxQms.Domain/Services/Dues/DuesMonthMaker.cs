using Microsoft.Extensions.Logging;
using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Dues;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Dues;

/// <summary>
/// Makes each member's row for the month (the dues-months job): every member on the roll of a branch who owes that month
/// (full members; probationary members from their admission month) and has a base for its year, priced from the base (a
/// special amount of zero makes the month waived with its reason). Idempotent: a row that exists is left alone.
/// </summary>
public sealed class DuesMonthMaker(DuesStore store, RecordCache records, ILogger<DuesMonthMaker> log)
{
    /// <summary>Makes the rows of the month containing <paramref name="now"/>; returns how many it added.</summary>
    public Task<int> MakeAsync(DateTimeOffset now, CancellationToken ct) => MakeAsync(DuesMonth.Of(Periods.LocalDate(now)), now, ct);

    public async Task<int> MakeAsync(DuesMonth month, DateTimeOffset now, CancellationToken ct)
    {
        var members = await store.MembersOnRollAsync(null, ct);
        var bases = (await store.BasesAsync(members.Select(m => m.Id).ToList(), month.Year, ct)).ToDictionary(b => b.MemberId);
        var rows = new List<NewDuesMonth>();
        foreach (var m in members)
        {
            if (!bases.TryGetValue(m.Id, out var b) || DuesService.Amount(b) is not { } amount)
                continue;
            if (DuesRules.Owes(DbNames.Parse<MemberStatus>(m.Status), D(m.AdmittedOn), D(m.JoinedOn), month))
                rows.Add(Row(m.Id, m.BranchId, month, amount, b.SpecialReason));
        }
        var added = await store.InsertMonthsAsync(rows, now, ct);
        if (added > 0)
        {
            await records.InvalidateAsync(); // the members' records' dues lines
            log.LogInformation("Dues rows of {Month}: {Added} added", month.Key, added);
        }
        return added;
    }

    public static NewDuesMonth Row(long memberId, long branchId, DuesMonth month, DuesAmount amount, string? reason) =>
        amount.MonthlyFen == 0
            ? new NewDuesMonth(memberId, branchId, month.Key, 0, DbNames.Of(DuesState.Waived), reason)
            : new NewDuesMonth(memberId, branchId, month.Key, amount.MonthlyFen, DbNames.Of(DuesState.Owed), null);

    private static DateOnly? D(DateTime? d) => d is { } v ? DateOnly.FromDateTime(v) : null;
}
