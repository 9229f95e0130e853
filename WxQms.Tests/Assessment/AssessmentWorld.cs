using MySqlConnector;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Assessment;

/// <summary>The seeded demo subdistrict with plans for two months, and ways to book work on it.</summary>
/// <param name="thisMonth">
/// Work in the month the shared clock stands in (its rankings and stars exist: a period that has not begun is
/// refused) rather than in one that has not started yet.
/// </param>
public sealed class AssessmentWorld(WxQmsApp app, bool thisMonth = false)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// A month that has not started (the shared clock only moves forward), or with <c>thisMonth</c> the current one;
    /// and the month after it.
    /// </summary>
    public Period Month { get; private set; } = null!;

    public Period Next { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await app.SeedDemoAsync();
        Month = await app.PlanMonthAsync(thisMonth ? 0 : 35);
        Next = Periods.Containing(Recurrence.Monthly, Month.EndsAt.AddDays(1));
        await app.PlanYearAsync(Next.Year);
    }

    /// <summary>A connection of its own on the test database (for the browser tests that still read through one); prefer <see cref="TestDb"/>.</summary>
    public static MySqlConnection Db() => new(TestEnvironment.MySql);

    public Task<long> OrgAsync(string code) => Seeded.OrgAsync(code);

    public Task<long> HolderAsync(string role, string orgCode) => Seeded.HolderAsync(role, orgCode);

    public Task<long> MemberOfAsync(string orgCode) => Seeded.MemberOfAsync(orgCode);

    /// <summary>A bearer token as /api/mp/login would issue it (one wechat user per member).</summary>
    public async Task<string> TokenAsync(long memberId) => (await app.IssueAsync(memberId, $"o-assess-{memberId}")).Token;

    /// <summary>The member signed in (<see cref="TokenAsync"/>): an HttpClient carrying their token, following no redirect.</summary>
    public async Task<HttpClient> ClientAsync(long memberId, bool followRedirects = false) =>
        app.ClientWith(await TokenAsync(memberId), followRedirects);

    public async Task<IReadOnlyList<(long Id, decimal Possible)>> TasksAsync(string orgCode, Period period)
    {
        return (await TestDb.QueryAsync<(long, decimal)>("""
            SELECT t.id, t.possible_points FROM tasks t JOIN orgs o ON o.id = t.org_id
            WHERE o.code = @orgCode AND t.due_at > @from AND t.due_at <= @to ORDER BY t.id
            """, new { orgCode, from = period.StartsAt.UtcDateTime, to = period.EndsAt.UtcDateTime })).ToList();
    }

    /// <summary>Books a completion (or any ledger entry) for a task, as the task flow does.</summary>
    public async Task BookAsync(long taskId, decimal points, string source, bool complete = true)
    {
        if (complete)
            await TestDb.ExecuteAsync("UPDATE tasks SET state = 'completed' WHERE id = @taskId", new { taskId });
        await TestDb.ExecuteAsync("""
            INSERT INTO points_ledger (subject_type, subject_id, period_key, points, source, task_id, reason, created_at)
            SELECT 'org', org_id, period_key, @points, @source, id, 'test', @now FROM tasks WHERE id = @taskId
            """, new { taskId, points, source, now = app.Clock.GetUtcNow().UtcDateTime });
    }

    public async Task BookMemberAsync(long memberId, decimal points, string source, long taskId, DateTimeOffset at)
    {
        await TestDb.ExecuteAsync("""
            INSERT INTO points_ledger (subject_type, subject_id, period_key, points, source, task_id, reason, created_at)
            VALUES ('member', @memberId, 'test', @points, @source, @taskId, 'test', @at)
            """, new { memberId, points, source, taskId, at = at.UtcDateTime });
    }

    /// <summary>An ad-hoc task (临时任务) for one org, due at the end of <paramref name="period"/>.</summary>
    public async Task<long> AdhocAsync(string orgCode, Period period, decimal points)
    {
        var now = app.Clock.GetUtcNow().UtcDateTime;
        return await TestDb.ScalarAsync("""
            INSERT INTO tasks (unique_key, org_id, template_code, template_version, period_key, opens_at, due_at, possible_points,
                               state, adhoc, created_at, updated_at)
            SELECT CONCAT('adhoc:test:', o.id, ':', @key), o.id, 'adhoc_cleanup', 1, @key, @opens, @due, @points, 'pending', TRUE, @now, @now
            FROM orgs o WHERE o.code = @orgCode;
            SELECT LAST_INSERT_ID();
            """, new { orgCode, key = period.Key, opens = period.StartsAt.UtcDateTime, due = period.EndsAt.UtcDateTime, points, now });
    }
}
