using System.Net;
using System.Text.RegularExpressions;
using WxQms.Sandbox.Demo;
using WxQms.Tests.Assessment;
using WxQms.Tests.Infrastructure;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Dashboard;

/// <summary>
/// /h5/dashboard (#20 item 1) over the demo on 6 December (November worked and closed, December so far): every number is a
/// link to its list and the list has exactly that many rows, for the subdistrict and for one community; a viewer without a
/// dashboard, or asking for an org outside hers, is refused politely.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed partial class DashboardTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly OwnClockApp app = new();
    private AssessmentWorld world = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        await app.InitializeAsync();
        app.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 6, 2, 0, 0, TimeSpan.Zero));
        world = new AssessmentWorld(app, thisMonth: true);
        await world.InitializeAsync();
        await app.Get<DemoSimulation>().SimulateRecentAsync(Ct);
        await app.Get<DemoNonconformities>().PostAsync(Ct); // #19's register: findings in every state, one countermeasure past due
        client = app.CreateClient();
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [GeneratedRegex("<a [^>]*data-tile=\"(?<tile>[a-z_]+)\"[^>]*href=\"(?<href>[^\"]+)\"[^>]*>(?:<b>)?(?<n>\\d+)<")]
    private static partial Regex NumberLink();

    [GeneratedRegex("<b id=count>(\\d+)</b>")]
    private static partial Regex ListCount();

    private async Task<(HttpStatusCode Status, string Html)> GetAsync(string url)
    {
        var response = await client.GetAsync(url, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>Each number linked on <paramref name="html"/> whose link names <paramref name="orgId"/>: its list's count and rows.</summary>
    private async Task<int> CheckNumbersAsync(string html, long orgId)
    {
        var checkedLinks = 0;
        foreach (Match m in NumberLink().Matches(html))
        {
            var href = WebUtility.HtmlDecode(m.Groups["href"].Value);
            if (!href.Contains($"org={orgId}&", StringComparison.Ordinal))
                continue;
            var count = int.Parse(m.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture);
            var (status, list) = await GetAsync(href);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(count, int.Parse(ListCount().Match(list).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            var body = list.Contains("<tbody id=items>", StringComparison.Ordinal) ? list[list.IndexOf("<tbody id=items>", StringComparison.Ordinal)..] : "";
            Assert.True(count == Regex.Matches(body, "<tr>").Count, $"{m.Groups["tile"].Value} {href}: {count} counted, listed otherwise");
            checkedLinks++;
        }
        return checkedLinks;
    }

    /// <summary>The big number of a tile on the page (its card, not an org's row).</summary>
    private static int Tile(string html, string tile) => int.Parse(NumberLink().Matches(html)
        .Single(m => m.Groups["tile"].Value == tile && m.Value.Contains("class=\"tile", StringComparison.Ordinal)).Groups["n"].Value,
        System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Every_number_on_the_dashboard_equals_the_length_of_its_list_for_the_subdistrict_and_for_a_community()
    {
        var staff = await world.TokenAsync(await world.HolderAsync("staff", "DFL"));
        var subdistrict = await world.OrgAsync("DFL");
        var community = await world.OrgAsync("DFL-C02");

        var (status, html) = await GetAsync($"/h5/dashboard?token={staff}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("<h1>工作台看板</h1>", html);
        Assert.Contains("/vendor/echarts/echarts.min.js", html);
        foreach (var tile in new[] { "in_progress", "due_month", "due_quarter", "overdue", "warned", "awaiting_review" })
            Assert.Contains($"data-tile=\"{tile}\"", html);
        Assert.Contains("id=heatmap", html);
        var overdue = NumberLink().Matches(html).Single(m => m.Groups["tile"].Value == "overdue" && m.Value.Contains("class=\"tile", StringComparison.Ordinal));
        Assert.True(int.Parse(overdue.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, "the demo has overdue tasks");
        // The register's numbers: open nonconformities and countermeasures past due (the demo has one), each its list.
        // Six inspection findings of which two are closed, and those raised by rule (none closed).
        Assert.Equal(4 + await ScalarAsync("SELECT COUNT(*) FROM nonconformities WHERE source = 'rule'"), Tile(html, "nc_open"));
        Assert.Equal(1, Tile(html, "capa_past_due"));
        // The subdistrict's own numbers (tasks, nonconformities, reminders, wishes) and one community's row.
        Assert.True(await CheckNumbersAsync(html, subdistrict) >= 6 + 2 + 3 + 7);
        Assert.True(await CheckNumbersAsync(html, community) >= 6 + 2);

        var (communityStatus, communityHtml) = await GetAsync($"/h5/dashboard?org={community}");
        Assert.Equal(HttpStatusCode.OK, communityStatus);
        Assert.True(await CheckNumbersAsync(communityHtml, community) >= 6 + 3 + 7);
    }

    /// <summary>
    /// The monthly trend is cached (a change behind the application's back does not show) until a committed change to tasks
    /// retires it: November's on-time cell counts one task less once a plan is reported on another task.
    /// </summary>
    [Fact]
    public async Task The_monthly_trend_is_kept_until_a_change_to_tasks_retires_it()
    {
        var staff = await world.TokenAsync(await world.HolderAsync("staff", "DFL"));
        var community = await world.OrgAsync("DFL-C02");
        var pattern = await QuerySingleAsync<string>("SELECT CONCAT(path, '%') FROM orgs WHERE id = @community", new { community });
        var (_, first) = await GetAsync($"/h5/dashboard?token={staff}&org={community}");
        var before = NovemberDue(first);
        var november = WxQms.Domain.Rules.Tasks.Periods.For(WxQms.Domain.Model.Tasks.RecurrenceKind.Monthly, 2026, 11);

        var due = await ScalarAsync("""
            SELECT t.id FROM tasks t JOIN orgs o ON o.id = t.org_id
            WHERE o.path LIKE @pattern AND t.state <> 'cancelled' AND t.due_at > @from AND t.due_at <= @to ORDER BY t.id LIMIT 1
            """, new { pattern, from = november.StartsAt.UtcDateTime, to = november.EndsAt.UtcDateTime });
        Assert.True(due > 0, "the community had a task due in November");
        await ExecuteAsync("UPDATE tasks SET state = 'cancelled' WHERE id = @due", new { due });
        var (_, behindItsBack) = await GetAsync($"/h5/dashboard?org={community}");
        var open = await QuerySingleAsync<(long Id, int Version)>("""
            SELECT t.id, t.row_version FROM tasks t JOIN orgs o ON o.id = t.org_id
            WHERE o.path LIKE @pattern AND t.template_code = @code AND t.period_key = '2026-12' AND t.state = 'pending' ORDER BY t.id LIMIT 1
            """, new { pattern, code = WxQms.Domain.Rules.Tasks.TaskCodes.ThemePartyDay });
        await app.Get<WxQms.Domain.Services.TaskCommands>().ReportPlanAsync(open.Id, open.Version,
            new WxQms.Domain.Services.PlanReport(app.Clock.GetUtcNow().AddDays(10), "党群服务中心", "学习党章"), "test", null, Ct);
        var (_, afterAChange) = await GetAsync($"/h5/dashboard?org={community}");

        Assert.Equal(before, NovemberDue(behindItsBack));
        Assert.Equal(before - 1, NovemberDue(afterAChange));
    }

    /// <summary>November's row of the trend table: how many tasks were due (the n of 按时完成's “（k/n）”).</summary>
    private static int NovemberDue(string html) => int.Parse(Regex.Match(html, "<tr><td>2026-11</td><td>.*?（\\d+/(\\d+)）</a></td></tr>").Groups[1].Value,
        System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_community_secretary_sees_her_community_only_and_a_branch_member_is_refused_politely()
    {
        var secretary = await world.TokenAsync(await world.HolderAsync("secretary", "DFL-C01"));
        var member = await world.TokenAsync(await world.MemberOfAsync("DFL-C02-B01"));
        var own = await world.OrgAsync("DFL-C01");

        var (status, html) = await GetAsync($"/h5/dashboard?token={secretary}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains($"data-tile=\"overdue\" href=\"/h5/dashboard/list?tile=overdue&amp;org={own}&amp;", html);
        Assert.True(await CheckNumbersAsync(html, own) >= 6);

        var (other, otherHtml) = await GetAsync($"/h5/dashboard?org={await world.OrgAsync("DFL-C02")}");
        Assert.Equal(HttpStatusCode.Forbidden, other);
        Assert.Contains("无权查看", otherHtml);
        var (otherList, _) = await GetAsync($"/h5/dashboard/list?tile=overdue&org={await world.OrgAsync("DFL-C02")}");
        Assert.Equal(HttpStatusCode.Forbidden, otherList);
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync("/h5/dashboard/list?tile=nonsense")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync("/h5/dashboard?period=1999")).Status);

        var memberClient = app.CreateClient();
        var refused = await memberClient.GetAsync($"/h5/dashboard?token={member}", Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("暂无可查看的看板", await refused.Content.ReadAsStringAsync(Ct));
    }
}
