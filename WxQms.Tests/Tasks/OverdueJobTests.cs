using System.Text.Json;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Services;
using WxQms.Tests.Infrastructure;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Tasks;

[Collection(IntegrationCollection.Name)]
public sealed class OverdueJobTests(WxQmsApp app) : IAsyncLifetime
{
    private static readonly DateTimeOffset Nov25 = new(2026, 11, 25, 1, 0, 0, TimeSpan.Zero);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await app.SeedDemoAsync();
        await app.Get<PlanService>().GenerateYearAsync(2026, Ct);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Two_workers_mark_each_past_due_task_overdue_exactly_once_with_its_deduction_and_trail()
    {
        var due = await ScalarAsync("SELECT COUNT(*) FROM tasks WHERE due_at <= '2026-11-25 01:00:00'");
        var job = app.Get<OverdueMarker>();

        await Task.WhenAll(Task.Run(() => job.MarkDueAsync(Nov25, Ct), Ct), Task.Run(() => job.MarkDueAsync(Nov25, Ct), Ct));
        var again = await job.MarkBatchAsync(Nov25, Ct);

        Assert.True(due > 3000);
        Assert.Equal(0, again);
        Assert.Equal(due, await ScalarAsync("SELECT COUNT(*) FROM tasks WHERE state = 'overdue'"));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM tasks WHERE state = 'overdue' AND due_at > '2026-11-25 01:00:00'"));
        Assert.Equal(due, await ScalarAsync("SELECT COUNT(*) FROM points_ledger WHERE source = 'task.overdue' AND points < 0"));
        Assert.Equal(due, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'task.overdue'"));
        Assert.Equal(due, await ScalarAsync("SELECT COUNT(DISTINCT task_id) FROM points_ledger WHERE source = 'task.overdue'"));
    }

    [Fact]
    public async Task A_task_marked_overdue_shows_the_marking_in_its_trail_like_any_other_change()
    {
        var taskId = await ScalarAsync("""
            SELECT t.id FROM tasks t JOIN orgs o ON o.id = t.org_id
            WHERE o.code = 'DFL-C03-B01' AND t.due_at <= '2026-11-25 01:00:00' ORDER BY t.due_at DESC, t.id LIMIT 1
            """);

        await app.Get<OverdueMarker>().MarkDueAsync(Nov25, Ct);

        var (_, history) = await app.Get<TaskQueries>().RecordAsync(taskId, Ct);
        var marked = Assert.Single(history);
        Assert.Equal(("task.overdue", "system", Nov25), (marked.Action, marked.Actor, marked.At));
        using var data = JsonDocument.Parse(marked.Data!);
        Assert.Equal(("pending", "overdue"), (data.RootElement.GetProperty("from").GetString(), data.RootElement.GetProperty("to").GetString()));
        Assert.Equal(TaskState.Overdue, (await app.Get<TaskQueries>().GetAsync(taskId, Ct))!.State);
    }

}
