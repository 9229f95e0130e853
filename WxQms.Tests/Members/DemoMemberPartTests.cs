using System.Diagnostics;
using WxQms.Domain.Rules.Tasks;
using WxQms.Sandbox.Demo;
using WxQms.Tests.Infrastructure;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Members;

/// <summary>The demo shows check-ups and appraisals for last year and this year in progress (issue #18), once however often it runs.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class DemoMemberPartTests(WxQmsApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly MemberPartWorld w = new(app);

    public async ValueTask InitializeAsync() => await w.InitializeAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Last_year_is_complete_this_year_is_in_progress_and_running_again_adds_nothing()
    {
        // Two branches have held this year's 组织生活会.
        await ExecuteAsync("""
            UPDATE tasks t JOIN orgs o ON o.id = t.org_id SET t.state = 'completed'
            WHERE t.template_code = @code AND o.code IN ('DFL-C01-B01', 'DFL-C02-B01')
            """, new { code = TaskCodes.OrgLifeMeeting });
        var watch = Stopwatch.StartNew();
        var first = await app.Get<DemoMemberPart>().PostAsync(Ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"demo members' own part: {watch.ElapsedMilliseconds} ms, {first}");
        var again = await app.Get<DemoMemberPart>().PostAsync(Ct);

        var onRoll = await ScalarAsync("SELECT COUNT(*) FROM members WHERE status IN ('full', 'probationary')");
        var (year, last) = (w.Year, w.Year - 1);
        Assert.Equal(onRoll, await ScalarAsync("SELECT COUNT(*) FROM checkups WHERE year = @last AND grade IS NOT NULL", new { last }));
        var selfThisYear = await ScalarAsync("SELECT COUNT(*) FROM checkups WHERE year = @year", new { year });
        var doneThisYear = await ScalarAsync("SELECT COUNT(*) FROM checkups WHERE year = @year AND grade IS NOT NULL", new { year });
        Assert.InRange(selfThisYear, 1, onRoll - 1);
        Assert.InRange(doneThisYear, 1, selfThisYear - 1);
        Assert.Equal(5, (await QueryAsync<string>("SELECT DISTINCT section FROM checkup_items WHERE year = @year", new { year })).Count());

        // Last year every branch graded its full members, 优秀 within a third; this year only the two that held the meeting.
        Assert.Equal(await ScalarAsync("SELECT COUNT(*) FROM members WHERE status = 'full'"),
            await ScalarAsync("SELECT COUNT(*) FROM appraisals WHERE year = @last", new { last }));
        Assert.Equal(0, await ScalarAsync("""
            SELECT COUNT(*) FROM (SELECT org_id FROM appraisals a WHERE year = @last GROUP BY org_id
                                  HAVING SUM(grade = 'excellent') * 3 > COUNT(*) + 2) x
            """, new { last }));
        Assert.Equal(2, await ScalarAsync("""
            SELECT COUNT(DISTINCT COALESCE(g.parent_id, a.org_id)) FROM appraisals a JOIN orgs o ON o.id = a.org_id
            LEFT JOIN orgs g ON g.id = a.org_id AND g.kind = 'party_group' WHERE a.year = @year
            """, new { year }));
        Assert.True(await ScalarAsync("SELECT COUNT(*) FROM appraisal_followups WHERE year = @last AND closed_at IS NOT NULL", new { last }) > 0);
        Assert.Equal(0, again.Items + again.Checkups + again.Appraisals + again.FollowUps);
    }
}
