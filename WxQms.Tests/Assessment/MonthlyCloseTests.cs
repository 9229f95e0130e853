using Dapper;
using MySqlConnector;
using WxQms.Domain.Services.Assessment;
using WxQms.Domain.Storage;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Assessment;

/// <summary>Period results from the ledger, the monthly close, and corrections after it (issue #6).</summary>
[Collection(IntegrationCollection.Name)]
public sealed class MonthlyCloseTests(WxQmsApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly AssessmentWorld world = new(app);
    private AssessmentService Assessment => app.Get<AssessmentService>();

    public async ValueTask InitializeAsync() => await world.InitializeAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<Dictionary<long, decimal?>> BranchRatiosAsync()
    {
        var results = await Assessment.GetResultsAsync(world.Month, Ct);
        return results.Lines.Where(l => l.BranchRank is not null || l.Org.Kind == Domain.Model.OrgKind.Branch)
            .ToDictionary(l => l.Org.Id, l => l.Result.Ratio);
    }

    [Fact]
    public async Task An_adhoc_task_given_to_only_some_branches_does_not_change_the_others_results()
    {
        foreach (var code in new[] { "DFL-C01-B01", "DFL-C01-B02", "DFL-C02-B01" })
        {
            var tasks = await world.TasksAsync(code, world.Month);
            foreach (var (id, possible) in tasks.Take(tasks.Count / 2 + 1))
                await world.BookAsync(id, possible, "task.completed");
        }
        app.Clock.SetUtcNow(world.Month.EndsAt.AddMinutes(5)); // over, not closed yet: every task has come due
        var before = await BranchRatiosAsync();

        var adhoc = await world.AdhocAsync("DFL-C01-B01", world.Month, 5);
        await world.AdhocAsync("DFL-C02-B01", world.Month, 5);
        await world.BookAsync(adhoc, 5, "task.completed");
        var after = await BranchRatiosAsync();

        var touched = new[] { await world.OrgAsync("DFL-C01-B01"), await world.OrgAsync("DFL-C02-B01") };
        Assert.All(before.Keys.Except(touched), id => Assert.Equal(before[id], after[id]));
        Assert.True(after[touched[0]] > before[touched[0]]); // its ad-hoc task was done
        Assert.True(after[touched[1]] < before[touched[1]]); // its ad-hoc task is still open
    }

    [Fact]
    public async Task A_branch_with_nothing_due_shows_no_tasks_not_zero_percent()
    {
        app.Clock.SetUtcNow(world.Month.EndsAt.AddMinutes(5)); // over, not closed yet: every task has come due
        var results = await Assessment.GetResultsAsync(world.Month, Ct);
        var c01 = await world.OrgAsync("DFL-C01");
        await using var conn = AssessmentWorld.Db();
        await conn.ExecuteAsync("UPDATE tasks SET state = 'cancelled' WHERE org_id = (SELECT id FROM orgs WHERE code = 'DFL-C01-B01')");

        var after = (await Assessment.GetResultsAsync(world.Month, Ct)).Lines.Single(l => l.Org.Id == world.OrgAsync("DFL-C01-B01").Result);

        Assert.True(results.Provisional);
        Assert.Null(after.Result.Ratio);
        Assert.Null(after.BranchRank);
        Assert.NotNull((await Assessment.GetResultsAsync(world.Month, Ct)).Lines.Single(l => l.Org.Id == c01).CommunityRank);
    }

    [Fact]
    public async Task A_correction_after_a_month_is_closed_changes_the_next_snapshot_not_the_closed_one()
    {
        var branch = await world.OrgAsync("DFL-C03-B01");
        var tasks = await world.TasksAsync("DFL-C03-B01", world.Month);
        await world.BookAsync(tasks[0].Id, tasks[0].Possible, "task.completed");
        var member = await world.MemberOfAsync("DFL-C03-B01");
        await world.BookMemberAsync(member, 5, "task.attendance", tasks[0].Id, world.Month.StartsAt.AddDays(3));
        app.Clock.SetUtcNow(world.Month.EndsAt.AddHours(2));

        Assert.True(await Assessment.CloseMonthAsync(world.Month, Ct));
        Assert.False(await Assessment.CloseMonthAsync(world.Month, Ct)); // once only
        var closed = (await Assessment.GetResultsAsync(world.Month, Ct)).Lines.Single(l => l.Org.Id == branch);
        Assert.Equal(tasks[0].Possible, closed.Result.Earned);
        var (stars, provisional) = await Assessment.MemberStarsAsync(member, world.Month, Ct);
        Assert.False(provisional);
        Assert.Equal((5m, 2), (stars!.Points, stars.Stars)); // default thresholds: 4 points make 2 stars

        // A reviewer's correction to the closed month: a new ledger entry.
        await world.BookAsync(tasks[0].Id, 0.5m, "task.review", complete: false);

        var stillClosed = (await Assessment.GetResultsAsync(world.Month, Ct)).Lines.Single(l => l.Org.Id == branch);
        Assert.Equal(closed.Result, stillClosed.Result);
        var live = (await Assessment.GetResultsAsync(world.Next, Ct)).Lines.Single(l => l.Org.Id == branch);
        Assert.Equal(0.5m, live.Result.Carried);

        app.Clock.SetUtcNow(world.Next.EndsAt.AddHours(1));
        Assert.True(await Assessment.CloseMonthAsync(world.Next, Ct));
        var next = (await Assessment.GetResultsAsync(world.Next, Ct)).Lines.Single(l => l.Org.Id == branch);
        Assert.Equal(0.5m, next.Result.Carried);
        Assert.Equal(closed.Result, (await Assessment.GetResultsAsync(world.Month, Ct)).Lines.Single(l => l.Org.Id == branch).Result);
    }

    [Fact]
    public async Task A_snapshot_cannot_be_edited_or_deleted_even_by_the_application()
    {
        app.Clock.SetUtcNow(world.Month.EndsAt.AddHours(2));
        Assert.True(await Assessment.CloseMonthAsync(world.Month, Ct));
        await using var conn = AssessmentWorld.Db();

        var edit = await Assert.ThrowsAsync<MySqlException>(() => conn.ExecuteAsync(
            "UPDATE assessment_org_results SET earned = earned + 1 WHERE period_key = @Key", new { world.Month.Key }));
        var delete = await Assert.ThrowsAsync<MySqlException>(() => conn.ExecuteAsync(
            "DELETE FROM assessment_closes WHERE period_key = @Key", new { world.Month.Key }));

        Assert.Contains("append-only", edit.Message);
        Assert.Contains("append-only", delete.Message);
    }

    [Fact]
    public async Task Two_workers_closing_the_same_month_at_once_write_one_snapshot()
    {
        app.Clock.SetUtcNow(world.Month.EndsAt.AddHours(2));

        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Assessment.CloseMonthAsync(world.Month, Ct)));

        Assert.Equal(1, results.Count(r => r));
        await using var conn = AssessmentWorld.Db();
        Assert.Equal(1, await conn.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM assessment_closes WHERE period_key = @Key", new { world.Month.Key }));
    }

    [Fact]
    public async Task The_close_job_closes_the_previous_month_from_one_oclock_and_retires_cached_rankings()
    {
        var job = app.Get<MonthlyClose>();
        await job.CloseDueAsync(world.Next.StartsAt.AddMinutes(30), Ct);
        Assert.Null(await app.Get<AssessmentStore>().GetCloseAsync(world.Month.Key, Ct));

        app.Clock.SetUtcNow(world.Next.StartsAt.AddHours(1));
        await job.CloseDueAsync(app.Clock.GetUtcNow(), Ct);

        Assert.NotNull(await app.Get<AssessmentStore>().GetCloseAsync(world.Month.Key, Ct));
    }
}
