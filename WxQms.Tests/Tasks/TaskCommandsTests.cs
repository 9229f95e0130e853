using Dapper;
using MySqlConnector;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Tasks;

[Collection(IntegrationCollection.Name)]
public sealed class TaskCommandsTests(WxQmsApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private TaskCommands Commands => app.Get<TaskCommands>();
    private Period nextMonth = null!;
    private long taskId;

    /// <summary>A branch's theme party day of next month (the shared test clock only moves forward).</summary>
    public async ValueTask InitializeAsync()
    {
        await app.SeedDemoAsync();
        nextMonth = await app.PlanMonthAsync();
        taskId = await TestDb.ScalarAsync("""
            SELECT t.id FROM tasks t JOIN orgs o ON o.id = t.org_id
            WHERE o.code = 'DFL-C01-B01' AND t.template_code = 'theme_party_day' AND t.period_key = @Key
            """, new { nextMonth.Key });
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private DateTimeOffset Day20At10 => new DateTimeOffset(nextMonth.LastDay.Year, nextMonth.LastDay.Month, 20, 10, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task Reporting_a_plan_moves_the_task_to_planned_and_leaves_a_trail()
    {
        var planned = await Commands.ReportPlanAsync(taskId, 1, new PlanReport(Day20At10, " 社区党群服务中心 ", "学习二十届四中全会精神"),
            "member:7", 7, Ct);

        Assert.Equal(TaskState.Planned, planned.State);
        Assert.Equal(2, planned.RowVersion);
        Assert.Equal(Day20At10, planned.PlannedFor);
        Assert.Equal("社区党群服务中心", planned.Place);
        var trail = await TestDb.QuerySingleAsync<(string Actor, long? Member, string Data)>(
            "SELECT actor, actor_member_id, data FROM audit_log WHERE action = 'task.planned' AND entity_id = @taskId", new { taskId });
        Assert.Equal(("member:7", 7L), (trail.Actor, trail.Member));
        Assert.Contains("\"from\":\"pending\"", trail.Data);
        Assert.Contains("\"to\":\"planned\"", trail.Data);
    }

    [Fact]
    public async Task A_plan_outside_the_period_or_incomplete_is_refused_with_the_reason()
    {
        var tomorrow = app.Clock.GetUtcNow().AddDays(1); // before the period opens (days-ahead is covered by PlanCheckTests)
        var nextYear = Day20At10.AddYears(1);

        var early = await Assert.ThrowsAsync<RuleViolationException>(() =>
            Commands.ReportPlanAsync(taskId, 1, new PlanReport(tomorrow, "会议室", "学习"), "t", null, Ct));
        var outside = await Assert.ThrowsAsync<RuleViolationException>(() =>
            Commands.ReportPlanAsync(taskId, 1, new PlanReport(nextYear, "会议室", "学习"), "t", null, Ct));
        var noPlace = await Assert.ThrowsAsync<RuleViolationException>(() =>
            Commands.ReportPlanAsync(taskId, 1, new PlanReport(Day20At10, "  ", "学习"), "t", null, Ct));

        Assert.Equal("task.plan_refused", early.Code);
        Assert.Equal("task.plan_refused", outside.Code);
        Assert.Contains("不在本期内", outside.Message);
        Assert.Equal("请填写地点", noPlace.Message);
        Assert.Equal(TaskState.Pending, (await app.Get<TaskQueries>().GetAsync(taskId, Ct))!.State);
    }

    [Fact]
    public async Task A_change_based_on_a_stale_version_gets_a_conflict_not_an_overwrite()
    {
        await Commands.ReportPlanAsync(taskId, 1, new PlanReport(Day20At10, "会议室", "第一次"), "a", null, Ct);

        var stale = await Assert.ThrowsAsync<ConflictException>(() =>
            Commands.ReportPlanAsync(taskId, 1, new PlanReport(Day20At10.AddDays(1), "礼堂", "第二次"), "b", null, Ct));

        Assert.Equal("task.version_conflict", stale.Code);
        Assert.Equal("第一次", (await app.Get<TaskQueries>().GetAsync(taskId, Ct))!.Topic);
    }

    [Fact]
    public async Task Of_two_concurrent_changes_exactly_one_wins()
    {
        var attempts = Enumerable.Range(0, 2).Select(i => Task.Run(async () =>
        {
            try
            {
                await Commands.ReportPlanAsync(taskId, 1, new PlanReport(Day20At10.AddDays(i), "会议室", $"方案{i}"), $"u{i}", null, Ct);
                return true;
            }
            catch (ConflictException)
            {
                return false;
            }
        }));

        var outcomes = await Task.WhenAll(attempts);

        Assert.Single(outcomes, won => won);
        Assert.Equal(2, (await app.Get<TaskQueries>().GetAsync(taskId, Ct))!.RowVersion);
        Assert.Equal(1, await TestDb.ScalarAsync(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'task.planned' AND entity_id = @taskId", new { taskId }));
    }

    [Fact]
    public async Task An_unknown_task_is_not_found() =>
        await Assert.ThrowsAsync<NotFoundException>(() =>
            Commands.ReportPlanAsync(999_999_999, 1, new PlanReport(Day20At10, "会议室", "学习"), "t", null, Ct));
}
