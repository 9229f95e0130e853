using System.Text.RegularExpressions;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Model.Wishes;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Bot;
using WxQms.Domain.Storage;
using WxQms.Sandbox.Demo;
using WxQms.Tests.Bot;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Sandbox;

namespace WxQms.Tests.Seeding;

/// <summary>
/// The demo's history (issue #16 item 7): after seed and simulate on a December day, the demo subdistrict has been live
/// since 1 January and every month so far shows real use — held meetings with evidence, attendance and photos, a few
/// late, a handful missed, reviews, closes, reminders and wishes in every state — and a branch secretary's 工作台 shows
/// a few overdue duties, not the whole year's. Simulating again changes nothing.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed partial class DemoHistoryTests(WxQmsApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly SandboxDriver wx = new(app);
    private int year;

    public async ValueTask InitializeAsync()
    {
        await app.SeedDemoAsync();
        await new BotWorld(app, wx).ForgetAsync();
        year = Periods.LocalDate(app.Clock.GetUtcNow()).Year;
        var december = LocalTime.ToInstant(new DateOnly(year, 12, 17), new TimeOnly(10, 0));
        if (app.Clock.GetUtcNow() < december)
            app.Clock.SetUtcNow(december);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task A_December_demo_has_a_year_of_history_a_few_overdue_per_branch_and_simulating_again_changes_nothing()
    {
        var months = await app.Get<DemoSimulation>().SimulateYearAsync(Ct);
        await app.Get<DemoWishes>().PostAsync(Ct);
        var first = await CountsAsync();

        Assert.Equal(Enumerable.Range(1, 12).Select(m => $"{year}-{m:00}"), months.Select(m => m.Month));
        var liveOn = await TestDb.QuerySingleAsync<DateTime?>("SELECT live_on FROM orgs WHERE parent_id IS NULL");
        Assert.Equal(new DateTime(year, 1, 1), liveOn);
        Assert.Equal(0, await TestDb.ScalarAsync("SELECT COUNT(*) FROM tasks WHERE due_at <= @jan1",
            new { jan1 = LocalTime.ToInstant(new DateOnly(year, 1, 1), TimeOnly.MinValue).UtcDateTime }));

        // Every finished month: meetings held (most on time, some late) with evidence, attendance and photos, and a close.
        for (var m = 1; m <= 11; m++)
        {
            var key = $"{year}-{m:00}";
            var month = Periods.Containing(Recurrence.Monthly, LocalTime.ToInstant(new DateOnly(year, m, 15), TimeOnly.MinValue));
            var (completed, late, withAttendance, withPhotos) = await TestDb.QuerySingleAsync<(long, long, long, long)>("""
                SELECT COUNT(*), CAST(COALESCE(SUM(NOT e.on_time), 0) AS SIGNED),
                       CAST(COALESCE(SUM(EXISTS (SELECT 1 FROM evidence_attendance a
                                                 WHERE a.evidence_id = e.id AND a.presence = 'present')), 0) AS SIGNED),
                       CAST(COALESCE(SUM(EXISTS (SELECT 1 FROM evidence_photos p WHERE p.evidence_id = e.id)), 0) AS SIGNED)
                FROM tasks t JOIN task_evidence e ON e.task_id = t.id
                WHERE t.due_at > @from AND t.due_at <= @to AND t.state = 'completed'
                """, new { from = month.StartsAt.UtcDateTime, to = month.EndsAt.UtcDateTime });
            Assert.True(completed > 100, $"{key}: {completed} completed");
            Assert.InRange(late, 1, completed / 5);
            Assert.Equal(completed, withAttendance);
            Assert.Equal(completed, withPhotos);
            Assert.Equal(1, await TestDb.ScalarAsync("SELECT COUNT(*) FROM assessment_closes WHERE period_key = @key", new { key }));
        }
        Assert.True(await TestDb.ScalarAsync("SELECT COUNT(*) FROM task_evidence WHERE review_decision = 'approve'") > 100);
        Assert.True(await TestDb.ScalarAsync("SELECT COUNT(*) FROM tasks WHERE state = 'returned'") > 0);
        Assert.True(await TestDb.ScalarAsync("SELECT COUNT(*) FROM reminders WHERE status = 'sent' AND kind = 'organiser'") > 1000);
        // The meetings' own side (#18): check-ins by WeChat, the mini program and by hand, some late, each one present in its
        // evidence; leave approved (on leave in the evidence) and refused; anonymous ratings.
        Assert.Equal(["hand", "mp", "oa"], (await TestDb.QueryAsync<string>("SELECT DISTINCT via FROM meeting_checkins ORDER BY via")).ToArray());
        Assert.True(await TestDb.ScalarAsync("SELECT COUNT(*) FROM meeting_checkins WHERE late") > 100);
        Assert.Equal(0, await TestDb.ScalarAsync("""
            SELECT COUNT(*) FROM meeting_checkins c JOIN task_evidence e ON e.task_id = c.task_id
            LEFT JOIN evidence_attendance a ON a.evidence_id = e.id AND a.member_id = c.member_id
            WHERE a.presence IS NULL OR a.presence <> 'present'
            """));
        Assert.Equal(0, await TestDb.ScalarAsync("""
            SELECT COUNT(*) FROM leave_requests l JOIN task_evidence e ON e.task_id = l.task_id
            JOIN evidence_attendance a ON a.evidence_id = e.id AND a.member_id = l.member_id
            WHERE (l.state = 'approved') <> (a.presence = 'on_leave')
            """));
        Assert.Equal(["approved", "refused"], (await TestDb.QueryAsync<string>("SELECT DISTINCT state FROM leave_requests ORDER BY state")).ToArray());
        Assert.True(await TestDb.ScalarAsync("SELECT COUNT(*) FROM meeting_feedback WHERE comment IS NOT NULL") > 10);
        var states = (await TestDb.QueryAsync<string>("SELECT DISTINCT status FROM wishes")).ToHashSet();
        Assert.All(Enum.GetValues<WishStatus>(), s => Assert.Contains(DbNames.Of(s), states));

        // A handful missed per branch, and the first branch's secretary sees a few on her 工作台.
        Assert.InRange(await TestDb.ScalarAsync("""
            SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM tasks WHERE state = 'overdue' GROUP BY org_id) x
            """), 1, DemoSimulation.MaxMissedPerOrg);
        var world = new BotWorld(app, wx);
        var secretary = await world.HolderAsync(Roles.Secretary, "DFL-C01-B01");
        var staff = await world.WithRoleAsync(Roles.Staff, "subdistrict");
        var (_, url, _) = await world.PrintCodeAsync(await wx.SignInMemberAsync(world.Http, staff.MemberId), secretary.OrgId);
        wx.Sandbox.Users.SetFollows(secretary.OpenId, true);
        await world.BindAsync(secretary, url);
        var workbench = await world.TapAsync(secretary, BotMenuKeys.Workbench);
        TestContext.Current.TestOutputHelper?.WriteLine(workbench ?? "");
        var overdue = int.Parse(Overdue().Match(workbench!).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(overdue, 0, 5);

        await app.Get<DemoSimulation>().SimulateYearAsync(Ct);
        await app.Get<DemoWishes>().PostAsync(Ct);
        Assert.Equal(first, await CountsAsync());
    }

    [GeneratedRegex("逾期：(\\d+)项")]
    private static partial Regex Overdue();

    private static async Task<string> CountsAsync() => string.Join(", ", await TestDb.QueryAsync<string>("""
        SELECT CONCAT('tasks ', state, ' ', COUNT(*)) FROM tasks GROUP BY state
        UNION ALL SELECT CONCAT('evidence ', COUNT(*)) FROM task_evidence
        UNION ALL SELECT CONCAT('attendance ', COUNT(*)) FROM evidence_attendance
        UNION ALL SELECT CONCAT('photos ', COUNT(*)) FROM evidence_photos
        UNION ALL SELECT CONCAT('ledger ', COUNT(*), ' ', COALESCE(SUM(points), 0)) FROM points_ledger
        UNION ALL SELECT CONCAT('closes ', COUNT(*)) FROM assessment_closes
        UNION ALL SELECT CONCAT('reminders ', COUNT(*)) FROM reminders
        UNION ALL SELECT CONCAT('wishes ', COUNT(*)) FROM wishes
        UNION ALL SELECT CONCAT('checkins ', COUNT(*)) FROM meeting_checkins
        UNION ALL SELECT CONCAT('leave ', COUNT(*)) FROM leave_requests
        UNION ALL SELECT CONCAT('feedback ', COUNT(*)) FROM meeting_feedback
        """));
}
