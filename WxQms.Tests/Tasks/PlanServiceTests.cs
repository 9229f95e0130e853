using Dapper;
using MySqlConnector;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Tests.Infrastructure;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Tasks;

[Collection(IntegrationCollection.Name)]
public sealed class PlanServiceTests(WxQmsApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await app.SeedDemoAsync();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task The_demo_subdistricts_year_is_planned_once_and_a_second_run_adds_nothing()
    {
        var plans = app.Get<PlanService>();

        var first = await plans.GenerateYearAsync(2026, Ct);
        var second = await plans.GenerateYearAsync(2026, Ct);

        Assert.InRange(first.Planned, 4000, 5000); // DUTIES.md E.4: roughly 4,000–5,000 events a year
        Assert.Equal(first.Planned, first.Created);
        Assert.Equal(first.Planned, second.Planned);
        Assert.Equal(0, second.Created);
        Assert.Equal(first.Planned, await ScalarAsync("SELECT COUNT(*) FROM tasks"));
        Assert.Equal(2, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'plan.generated'"));
    }

    [Fact]
    public async Task Every_branch_owes_four_member_meetings_due_at_shanghai_quarter_ends()
    {
        await app.Get<PlanService>().GenerateYearAsync(2026, Ct);

        var perBranch = await TestDb.QueryAsync<long>("""
            SELECT COUNT(*) FROM tasks t JOIN orgs o ON o.id = t.org_id
            WHERE t.template_code = 'member_meeting' AND o.kind = 'branch' GROUP BY t.org_id
            """);
        var dues = (await TestDb.QueryAsync<DateTime>(
            "SELECT DISTINCT due_at FROM tasks WHERE template_code = 'member_meeting' ORDER BY due_at")).ToList();

        Assert.All(perBranch, n => Assert.Equal(4, n));
        Assert.Equal(62, perBranch.Count());
        // Shanghai midnight at the start of the next quarter is 16:00 UTC the day before.
        Assert.Equal([new DateTime(2026, 3, 31, 16, 0, 0), new DateTime(2026, 6, 30, 16, 0, 0),
            new DateTime(2026, 9, 30, 16, 0, 0), new DateTime(2026, 12, 31, 16, 0, 0)], dues);
    }

    [Fact]
    public async Task A_branch_set_up_in_november_owes_only_what_falls_due_after_that()
    {
        var plans = app.Get<PlanService>();
        await plans.GenerateYearAsync(2026, Ct);
        var community = (await app.Get<OrgService>().GetTreeAsync(1, Ct)).Tree!.Children
            .First(c => c.Kind == OrgKind.CommunityCommittee);
        var branch = await app.Get<OrgService>().CreateAsync(community.Id, OrgKind.Branch, "新建楼院党支部", "T-NEW-B", "test", Ct);
        // the shared test clock may have moved on
        await ExecuteAsync("UPDATE orgs SET established_on = '2026-11-25' WHERE id = @Id", new { branch.Id });

        var again = await plans.GenerateYearAsync(2026, Ct);

        var periods = (await TestDb.QueryAsync<string>(
            "SELECT DISTINCT period_key FROM tasks WHERE org_id = @Id ORDER BY period_key", new { branch.Id })).ToList();
        Assert.True(again.Created > 0);
        Assert.Equal(again.Created, await ScalarAsync("SELECT COUNT(*) FROM tasks WHERE org_id = @Id", new { branch.Id }));
        Assert.Equal(["2026", "2026-11", "2026-12", "2026-Q4"], periods);
        Assert.Equal(0, await ScalarAsync(
            "SELECT COUNT(*) FROM tasks WHERE template_code = 'committee_meeting' AND org_id = @Id", new { branch.Id }));
    }

}
