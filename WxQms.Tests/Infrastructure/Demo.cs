using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Sandbox.Demo;

namespace WxQms.Tests.Infrastructure;

/// <summary>
/// Where most integration classes start: the database and Redis emptied and the demo subdistrict (16 communities, about
/// 2,100 members) seeded, then the plan of the months a class works in. The shared app or an <see cref="OwnClockApp"/>.
/// </summary>
public static class Demo
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A clean database holding the demo subdistrict (copied from the process's template, <see cref="DemoTemplate"/>).</summary>
    public static Task<SeedResult> SeedDemoAsync(this WxQmsApp app) => app.ResetAndSeedDemoAsync();

    /// <summary>
    /// The month <paramref name="daysAhead"/> days from the app's clock, its year planned. The default, 35, is a month that
    /// has not started (the shared clock only moves forward, so a test cannot go back into a month that has); 0 is this one.
    /// </summary>
    public static async Task<Period> PlanMonthAsync(this WxQmsApp app, int daysAhead = 35)
    {
        var month = Periods.Containing(Recurrence.Monthly, app.Clock.GetUtcNow().AddDays(daysAhead));
        await app.PlanYearAsync(month.Year);
        return month;
    }

    /// <summary>The year's plan; with no year, the year the app's clock stands in (Shanghai's date).</summary>
    public static async Task<int> PlanYearAsync(this WxQmsApp app, int? year = null)
    {
        var planned = year ?? Periods.LocalDate(app.Clock.GetUtcNow()).Year;
        await app.Get<PlanService>().GenerateYearAsync(planned, Ct);
        return planned;
    }
}
