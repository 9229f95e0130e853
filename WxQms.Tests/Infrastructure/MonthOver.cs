using WxQms.Domain.Caching;
using WxQms.Domain.Model.Tasks;

namespace WxQms.Tests.Infrastructure;

/// <summary>
/// Moves the shared clock (never back) to just after a period's end, so its tasks have all fallen due, and drops the
/// rankings cached at an earlier instant: Redis keeps a live ranking for a real-time minute, whatever the test clock says.
/// Tokens signed before may have expired; sign in again after it.
/// </summary>
public static class MonthOver
{
    public static async Task LetPeriodEndAsync(this WxQmsApp app, Period period)
    {
        var over = period.EndsAt.AddMinutes(5);
        if (app.Clock.GetUtcNow() < over)
            app.Clock.SetUtcNow(over);
        await app.Get<RankingCache>().InvalidateAsync();
    }
}
