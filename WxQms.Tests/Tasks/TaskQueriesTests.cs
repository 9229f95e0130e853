using Dapper;
using MySqlConnector;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Services;
using WxQms.Tests.Infrastructure;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Tasks;

/// <summary>The superior's live view over a planned year, nothing done yet.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class TaskQueriesTests(WxQmsApp app) : IAsyncLifetime
{
    private static readonly DateTimeOffset Nov25 = new(2026, 11, 25, 1, 0, 0, TimeSpan.Zero); // 09:00 in Shanghai
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private TaskQueries Queries => app.Get<TaskQueries>();

    public async ValueTask InitializeAsync()
    {
        await app.SeedDemoAsync();
        await app.Get<PlanService>().GenerateYearAsync(2026, Ct);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task The_subdistrict_sees_what_is_due_this_month_and_quarter_and_what_is_overdue()
    {
        var summary = (await Queries.SummaryAsync("/1/", Nov25, Ct)).Summary;

        Assert.Equal(await CountAsync("period_key = '2026-11'"), summary.DueThisMonth);
        Assert.Equal(await CountAsync("period_key IN ('2026-11', '2026-12', '2026-Q4', '2026')"), summary.DueThisQuarter);
        Assert.Equal(await CountAsync("due_at <= '2026-11-25 01:00:00'"), summary.Overdue);
        Assert.Equal(summary.DueThisQuarter - await CountAsync("period_key = '2026-12'"), summary.InProgress);
        Assert.Equal(0, summary.Warned);
        Assert.Equal(0, summary.CompletedThisYear);
    }

    [Fact]
    public async Task Three_days_before_the_month_ends_its_open_tasks_are_warned()
    {
        var summary = (await Queries.SummaryAsync("/1/", new DateTimeOffset(2026, 11, 28, 1, 0, 0, TimeSpan.Zero), Ct)).Summary;

        Assert.Equal(await CountAsync("period_key = '2026-11'"), summary.Warned);
    }

    [Fact]
    public async Task The_communities_views_add_up_to_the_subdistricts()
    {
        var communities = await TestDb.QueryAsync<string>("SELECT path FROM orgs WHERE depth = 1");

        var whole = (await Queries.SummaryAsync("/1/", Nov25, Ct)).Summary;
        var parts = new List<TaskSummary>();
        foreach (var path in communities)
            parts.Add((await Queries.SummaryAsync(path, Nov25, Ct)).Summary);

        Assert.Equal(16, parts.Count);
        Assert.Equal(whole.Overdue, parts.Sum(p => p.Overdue));
        Assert.Equal(whole.DueThisQuarter, parts.Sum(p => p.DueThisQuarter));
        Assert.All(parts, p => Assert.True(p.DueThisQuarter > 0));
    }

    [Fact]
    public async Task A_branch_lists_its_tasks_of_a_month_soonest_first_with_chinese_names()
    {
        var branch = await TestDb.QuerySingleAsync<(long Id, string Path)>(
            "SELECT id, path FROM orgs WHERE code = 'DFL-C01-B01'");

        var november = (await Queries.ListAsync(new TaskQueries.ListFilter(branch.Path, PeriodKey: "2026-11"), Ct)).Items;
        var pending = (await Queries.ListAsync(new TaskQueries.ListFilter(branch.Path, TaskState.Pending, Limit: 500), Ct)).Items;

        Assert.NotEmpty(november);
        Assert.All(november, t => Assert.Equal("2026-11", t.PeriodKey));
        Assert.Contains(november, t => t.TemplateName == "主题党日");
        Assert.All(november, t => Assert.Equal(branch.Id, t.OrgId));
        Assert.Equal(pending.OrderBy(t => t.DueAt).Select(t => t.Id), pending.Select(t => t.Id));
        Assert.Equal(await CountAsync("org_id = @Id", new { branch.Id }), pending.Count);
    }

    [Fact]
    public async Task A_repeated_summary_comes_from_the_cache_until_a_task_changes()
    {
        var first = await Queries.SummaryAsync("/1/", Nov25.AddSeconds(20), Ct);
        var again = await Queries.SummaryAsync("/1/", Nov25.AddSeconds(40), Ct);
        await ExecuteAsync("UPDATE tasks SET state = 'overdue' WHERE period_key = '2026-11' AND org_id = (SELECT id FROM orgs WHERE code = 'DFL-C01-B01')");
        await app.Get<WxQms.Domain.Caching.TaskCache>().InvalidateAsync();
        var after = await Queries.SummaryAsync("/1/", Nov25.AddSeconds(50), Ct);

        Assert.Equal(WxQms.Domain.Caching.CacheOutcome.Miss, first.Cache);
        Assert.Equal(WxQms.Domain.Caching.CacheOutcome.Hit, again.Cache);
        Assert.Equal(first.Summary, again.Summary);
        Assert.Equal(Nov25, again.Summary.AsOf);
        Assert.Equal(WxQms.Domain.Caching.CacheOutcome.Miss, after.Cache);
        Assert.True(after.Summary.Overdue > first.Summary.Overdue);
    }

    [Fact]
    public async Task The_next_minute_is_a_new_summary()
    {
        await Queries.SummaryAsync("/1/", Nov25, Ct);

        var next = await Queries.SummaryAsync("/1/", Nov25.AddMinutes(1), Ct);

        Assert.Equal(WxQms.Domain.Caching.CacheOutcome.Miss, next.Cache);
        Assert.Equal(Nov25.AddMinutes(1), next.Summary.AsOf);
    }

    private static async Task<int> CountAsync(string where, object? param = null) =>
        (int)await ScalarAsync("SELECT COUNT(*) FROM tasks WHERE " + where, param);
}
