using Microsoft.Extensions.Options;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Nonconformities;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Assessment;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Nonconformities;

/// <summary>
/// The assessment's deduction for nonconformities past due (issue #19 item 5): a branch loses
/// <see cref="NonconformityOptions.DeductionPerItem"/> for each nonconformity whose countermeasure fell due in the period
/// and is still not done today, at most <see cref="NonconformityOptions.DeductionCap"/> (<see cref="NonconformityDeduction"/>).
/// </summary>
public sealed class NonconformityDeductions(NonconformityStore store, IOptions<NonconformityOptions> options, TimeProvider clock) : IAssessmentDeductions
{
    public async Task<IReadOnlyDictionary<long, decimal>> DeductionsAsync(Period period, CancellationToken ct)
    {
        var o = options.Value;
        var pastDue = await store.PastDueInAsync(period.FirstDay, period.LastDay, Periods.LocalDate(clock.GetUtcNow()), ct);
        return pastDue.Select(p => (p.Key, Points: NonconformityDeduction.For(p.Value, o.DeductionPerItem, o.DeductionCap)))
            .Where(p => p.Points > 0).ToDictionary(p => p.Key, p => p.Points);
    }
}
