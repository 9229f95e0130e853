using WxQms.Domain.Rules.Dues;
using WxQms.Domain.Rules.Tasks;
using WxQms.Sandbox.Demo;
using WxQms.Tests.Infrastructure;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Dues;

/// <summary>The demo shows dues in use this year: most paid, some owing one or two months, one six-month case, a cash payment, hand-ups.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class DemoDuesTests : IAsyncLifetime
{
    private readonly OwnClockApp app = new(); // a date of this year, whatever the shared clock's month
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await app.InitializeAsync();
        await app.SeedDemoAsync();
        await app.PlanYearAsync();
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task The_demo_has_dues_in_every_state_and_posting_again_changes_nothing()
    {
        var current = DuesMonth.Of(Periods.LocalDate(app.Clock.GetUtcNow()));
        var first = await app.Get<DemoDues>().PostAsync(Ct);

        var onRoll = await ScalarAsync("SELECT COUNT(*) FROM dues_bases");
        Assert.True(onRoll > 1500, $"{onRoll} bases");
        var past = await QuerySingleAsync<(long Paid, long Open)>("""
            SELECT CAST(SUM(state = 'paid') AS SIGNED), CAST(SUM(state IN ('owed', 'partly_paid')) AS SIGNED) FROM dues_months WHERE month < @m
            """, new { m = current.Key });
        Assert.True(past.Paid > 20 * past.Open, $"past months: {past.Paid} paid, {past.Open} open");
        Assert.True(past.Open > 50, $"{past.Open} past months open");
        Assert.True(await ScalarAsync("SELECT COUNT(*) FROM dues_months WHERE state = 'waived'") > 0);
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM dues_months WHERE state = 'partly_paid'"));
        Assert.Equal(2, await ScalarAsync("SELECT COUNT(*) FROM dues_ledger WHERE via = 'cash'"));
        Assert.True(await ScalarAsync("SELECT COUNT(*) FROM dues_ledger WHERE kind = 'handed_up'") > 0);
        Assert.Equal((1, 1), (first.Arrears.CommitteeCases, await ScalarAsync("SELECT COUNT(*) FROM dues_cases WHERE kind = 'committee'")));
        Assert.True(first.Arrears.Reminded > 50 && first.Arrears.Talks >= 1, $"{first.Arrears}");
        Assert.True(await ScalarAsync("SELECT COUNT(*) FROM dues_disclosures") > 0);
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM dues_months WHERE state = 'owed' AND reason IS NOT NULL"));
        // 自愿多交 of both kinds, and farmers paying the province's amount.
        Assert.Equal(["forward_in_full", "voluntary"], await QueryAsync<string>(
            "SELECT voluntary_kind FROM dues_ledger WHERE voluntary_fen > 0 ORDER BY voluntary_kind"));
        Assert.True(await ScalarAsync("SELECT COUNT(*) FROM dues_bases WHERE category = 'farmer' AND monthly_fen = 50") > 0);
        Assert.Equal(["confirmed", "pending", "refused"], await QueryAsync<string>("SELECT state FROM dues_declarations ORDER BY state"));
        // Someone owes exactly the last three months (the Done-when's member paying three months can be found).
        Assert.True(await ScalarAsync("""
            SELECT COUNT(*) FROM (SELECT member_id FROM dues_months WHERE state = 'owed' GROUP BY member_id HAVING COUNT(*) = 3) t
            """) > 0);

        var counts = await CountsAsync();
        var again = await app.Get<DemoDues>().PostAsync(Ct);
        Assert.Equal((0, 0, 0, 0), (again.Bases, again.Rows, again.CashPayments, again.HandUps));
        Assert.Equal(counts, await CountsAsync());
    }

    private static async Task<string> CountsAsync() => string.Join(", ", await QueryAsync<string>("""
        SELECT CONCAT('months ', state, ' ', COUNT(*), ' ', SUM(paid_fen)) FROM dues_months GROUP BY state
        UNION ALL SELECT CONCAT('ledger ', kind, ' ', COUNT(*), ' ', SUM(amount_fen)) FROM dues_ledger GROUP BY kind
        UNION ALL SELECT CONCAT('cases ', COUNT(*)) FROM dues_cases
        UNION ALL SELECT CONCAT('declarations ', COUNT(*)) FROM dues_declarations
        UNION ALL SELECT CONCAT('reminders ', COUNT(*)) FROM reminders
        """));
}
