using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Bot;
using WxQms.Tests.Bot;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Sandbox;

namespace WxQms.Tests.Tasks;

/// <summary>
/// Go-live (issue #16 item 7) through the real pipeline: office staff set a community's go-live with
/// <c>PUT /api/admin/orgs/{id}/go-live</c> or the console page /admin/go-live; nothing due before it is planned, marked
/// overdue, listed, counted on the bot's 工作台 or scored; moving it later cancels the unstarted tasks before it.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class GoLiveTests : IAsyncLifetime
{
    private readonly OwnClockApp app = new(); // a date of this year, whatever the shared clock's month
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private SandboxDriver wx = null!;
    private BotWorld world = null!;
    private int year;
    private DateOnly june;

    public async ValueTask InitializeAsync()
    {
        await app.InitializeAsync();
        wx = new SandboxDriver(app);
        await app.SeedDemoAsync();
        world = new BotWorld(app, wx);
        await world.ForgetAsync();
        year = Periods.LocalDate(app.Clock.GetUtcNow()).Year;
        june = new DateOnly(year, 6, 1);
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_community_live_from_June_gets_no_earlier_task_and_its_lists_workbench_and_rankings_start_in_June()
    {
        var c03 = await OrgIdAsync("DFL-C03");
        var staff = await TokenAsync(Roles.Staff, "DFL");

        using var set = await PutAsync($"/api/admin/orgs/{c03}/go-live", staff, new { liveOn = june });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        await app.Get<PlanService>().GenerateYearAsync(year, Ct);
        await app.Get<OverdueMarker>().MarkDueAsync(app.Clock.GetUtcNow(), Ct);

        var liveFrom = LocalTime.ToInstant(june, TimeOnly.MinValue).UtcDateTime;
        Assert.Equal(0, await CountAsync("DFL-C03", "t.due_at <= @liveFrom", liveFrom));
        Assert.True(await CountAsync("DFL-C03", "t.due_at > @liveFrom", liveFrom) > 0);
        Assert.True(await CountAsync("DFL-C04", "t.due_at <= @liveFrom", liveFrom) > 0, "another community still has its whole year");
        Assert.Equal(0, await CountAsync("DFL-C03", "t.state = 'overdue' AND t.due_at <= @liveFrom", liveFrom));

        // The mini program's list of March is empty; the bot's 工作台 counts only what is due since June.
        var secretary = await BoundAsync(Roles.Secretary, "DFL-C03-B01");
        var token = await wx.SignInMemberAsync(world.Http, secretary.MemberId);
        var march = await GetAsync($"/api/mp/tasks?period={year}-03&scope={secretary.OrgId}", token);
        Assert.Equal(0, march.GetArrayLength());
        var overdue = await CountAsync("DFL-C03-B01", "t.state = 'overdue'", liveFrom);
        Assert.True(overdue > 0);
        Assert.Contains($"逾期：{overdue}项\n", await world.TapAsync(secretary, BotMenuKeys.Workbench));

        // March's ranking scores none of the community's branches; another community's are scored and missed.
        var c03March = await GetAsync($"/api/rankings?period={year}-03&scope={c03}&level=branch", staff);
        Assert.All(c03March.GetProperty("rows").EnumerateArray(), r =>
        {
            Assert.Equal(0, r.GetProperty("tasks").GetInt32());
            Assert.Equal(0, r.GetProperty("missed").GetInt32());
        });
        var c04March = await GetAsync($"/api/rankings?period={year}-03&scope={await OrgIdAsync("DFL-C04")}&level=branch", staff);
        Assert.Contains(c04March.GetProperty("rows").EnumerateArray(), r => r.GetProperty("missed").GetInt32() > 0);
    }

    [Fact]
    public async Task Moving_go_live_later_cancels_the_unstarted_tasks_before_it_with_their_trail_and_nets_their_deductions()
    {
        await app.Get<PlanService>().GenerateYearAsync(year, Ct);
        await app.Get<OverdueMarker>().MarkDueAsync(app.Clock.GetUtcNow(), Ct);
        var secretary = await BoundAsync(Roles.Secretary, "DFL-C04-B01");
        var before = await world.TapAsync(secretary, BotMenuKeys.Workbench);
        var overdueBefore = await CountAsync("DFL-C04-B01", "t.state = 'overdue'", DateTime.MinValue);
        Assert.Contains($"逾期：{overdueBefore}项\n", before);
        Assert.True(overdueBefore > 5);
        var staff = await TokenAsync(Roles.Staff, "DFL");
        var c04 = await OrgIdAsync("DFL-C04");

        using var set = await PutAsync($"/api/admin/orgs/{c04}/go-live", staff, new { liveOn = june });
        var body = await set.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var liveFrom = LocalTime.ToInstant(june, TimeOnly.MinValue).UtcDateTime;
        var left = await CountAsync("DFL-C04", "t.state IN ('pending', 'overdue') AND t.due_at <= @liveFrom", liveFrom);
        var cancelled = await CountAsync("DFL-C04", "t.state = 'cancelled'", liveFrom);
        Assert.Equal(0, left);
        Assert.True(cancelled > 0);
        Assert.Equal(cancelled, body.GetProperty("cancelledTasks").GetInt32());
        Assert.Equal(cancelled, await TestDb.ScalarAsync("""
            SELECT COUNT(*) FROM audit_log a JOIN tasks t ON t.id = a.entity_id AND a.entity_type = 'task'
            WHERE a.action = 'task.cancelled' AND t.state = 'cancelled'
            """, new { }));
        Assert.Equal(1, await TestDb.ScalarAsync(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'org.go_live_set' AND entity_id = @c04", new { c04 }));
        Assert.Equal(0, await TestDb.ScalarAsync("""
            SELECT COUNT(*) FROM (SELECT l.task_id FROM points_ledger l JOIN tasks t ON t.id = l.task_id
                                  WHERE t.state = 'cancelled' GROUP BY l.task_id, l.subject_type, l.subject_id HAVING SUM(l.points) <> 0) x
            """, new { }));
        app.Clock.Advance(TimeSpan.FromSeconds(1)); // an event has no MsgId: the same second would be the same delivery
        var after = await world.TapAsync(secretary, BotMenuKeys.Workbench);
        var overdueAfter = await CountAsync("DFL-C04-B01", "t.state = 'overdue'", DateTime.MinValue);
        Assert.True(overdueAfter < overdueBefore);
        Assert.Contains($"逾期：{overdueAfter}项\n", after);
    }

    [Fact]
    public async Task An_orgs_own_go_live_is_cleared_back_to_its_subdistricts_with_its_trail_cancelling_what_the_later_date_excludes()
    {
        var (dfl, c06) = (await OrgIdAsync("DFL"), await OrgIdAsync("DFL-C06"));
        var staff = await TokenAsync(Roles.Staff, "DFL");
        var secretary = await TokenAsync(Roles.Secretary, "DFL-C06");
        var march = new DateOnly(year, 3, 1);
        using (var own = await PutAsync($"/api/admin/orgs/{c06}/go-live", staff, new { liveOn = march }))
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        using (var root = await PutAsync($"/api/admin/orgs/{dfl}/go-live", staff, new { liveOn = june }))
            Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        await app.Get<PlanService>().GenerateYearAsync(year, Ct);
        var liveFrom = LocalTime.ToInstant(june, TimeOnly.MinValue).UtcDateTime;
        Assert.True(await CountAsync("DFL-C06", "t.state IN ('pending', 'overdue') AND t.due_at <= @liveFrom", liveFrom) > 0);

        using var refused = await SendAsync(world.Http, HttpMethod.Delete, $"/api/admin/orgs/{c06}/go-live", secretary);
        using var cleared = await SendAsync(world.Http, HttpMethod.Delete, $"/api/admin/orgs/{c06}/go-live", staff);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var body = await cleared.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(cleared.StatusCode == HttpStatusCode.OK, body.ToString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("liveOn").ValueKind);
        Assert.Equal(june.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), body.GetProperty("inForce").GetString());
        Assert.Equal(0, await TestDb.ScalarAsync("SELECT COUNT(*) FROM orgs WHERE id = @c06 AND live_on IS NOT NULL", new { c06 }));
        Assert.Equal(0, await CountAsync("DFL-C06", "t.state IN ('pending', 'overdue') AND t.due_at <= @liveFrom", liveFrom));
        Assert.True(body.GetProperty("cancelledTasks").GetInt32() > 0);
        Assert.Equal(1, await TestDb.ScalarAsync(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'org.go_live_cleared' AND entity_id = @c06", new { c06 }));

        // The console page clears too: the subdistrict's own date, so nothing limits it any more.
        var client = app.CreateClient(new() { AllowAutoRedirect = false });
        using var page = await SendAsync(client, HttpMethod.Post, "/admin/go-live", staff,
            new FormUrlEncodedContent(new Dictionary<string, string> { ["orgId"] = dfl.ToString(CultureInfo.InvariantCulture), ["liveOn"] = "", ["clear"] = "1" }));
        Assert.Equal(HttpStatusCode.SeeOther, page.StatusCode);
        Assert.Equal(0, await TestDb.ScalarAsync("SELECT COUNT(*) FROM orgs WHERE live_on IS NOT NULL", new { }));
        using var shown = await SendAsync(client, HttpMethod.Get, page.Headers.Location!.ToString(), staff);
        Assert.Contains("已清除", await shown.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task The_route_refuses_a_missing_or_far_date_and_anyone_but_office_staff()
    {
        var c03 = await OrgIdAsync("DFL-C03");
        var staff = await TokenAsync(Roles.Staff, "DFL");
        var secretary = await TokenAsync(Roles.Secretary, "DFL-C03");

        using var missing = await PutAsync($"/api/admin/orgs/{c03}/go-live", staff, new { });
        using var far = await PutAsync($"/api/admin/orgs/{c03}/go-live", staff, new { liveOn = new DateOnly(year + 5, 1, 1) });
        using var unknown = await PutAsync("/api/admin/orgs/999999/go-live", staff, new { liveOn = june });
        using var refused = await PutAsync($"/api/admin/orgs/{c03}/go-live", secretary, new { liveOn = june });

        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("request.invalid", (await missing.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, far.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(0, await TestDb.ScalarAsync("SELECT COUNT(*) FROM orgs WHERE live_on IS NOT NULL", new { }));
    }

    [Fact]
    public async Task The_console_page_lists_communities_shows_inline_errors_and_sets_the_date()
    {
        var staff = await TokenAsync(Roles.Staff, "DFL");
        var member = await wx.SignInMemberAsync(world.Http, (await world.PlainMemberAsync(0)).MemberId);
        var c05 = await OrgIdAsync("DFL-C05");
        var client = app.CreateClient(new() { AllowAutoRedirect = false });

        using var page = await SendAsync(client, HttpMethod.Get, "/admin/go-live", staff);
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains(await TestDb.QuerySingleAsync<string>("SELECT name FROM orgs WHERE id = @c05", new { c05 }), html);
        Assert.Contains("href=\"/admin/go-live\" class=on>上线", html);

        using var bad = await SendAsync(client, HttpMethod.Post, "/admin/go-live", staff,
            new FormUrlEncodedContent(new Dictionary<string, string> { ["orgId"] = c05.ToString(CultureInfo.InvariantCulture), ["liveOn"] = "2026-13-40" }));
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        Assert.Contains("<em>日期格式应为 2026-01-01</em>", await bad.Content.ReadAsStringAsync(Ct));
        Assert.Equal(0, await TestDb.ScalarAsync("SELECT COUNT(*) FROM orgs WHERE live_on IS NOT NULL", new { }));

        using var good = await SendAsync(client, HttpMethod.Post, "/admin/go-live", staff,
            new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["orgId"] = c05.ToString(CultureInfo.InvariantCulture), ["liveOn"] = june.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            }));
        Assert.Equal(HttpStatusCode.SeeOther, good.StatusCode);
        Assert.StartsWith($"/admin/go-live?set={c05}", good.Headers.Location!.ToString());
        Assert.Equal(1, await TestDb.ScalarAsync("SELECT COUNT(*) FROM orgs WHERE id = @c05 AND live_on = @june",
            new { c05, june = june.ToDateTime(TimeOnly.MinValue) }));
        using var shown = await SendAsync(client, HttpMethod.Get, good.Headers.Location!.ToString(), staff);
        Assert.Contains("已将", await shown.Content.ReadAsStringAsync(Ct));

        using var denied = await SendAsync(client, HttpMethod.Get, "/admin/go-live", member);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
    }

    private async Task<Person> BoundAsync(string role, string orgCode)
    {
        var person = await world.HolderAsync(role, orgCode);
        var staff = await world.WithRoleAsync(Roles.Staff, "subdistrict");
        var (_, url, _) = await world.PrintCodeAsync(await wx.SignInMemberAsync(world.Http, staff.MemberId), person.OrgId);
        wx.Sandbox.Users.SetFollows(person.OpenId, true);
        await world.BindAsync(person, url);
        return person;
    }

    private async Task<string> TokenAsync(string role, string orgCode) =>
        await wx.SignInMemberAsync(world.Http, (await world.HolderAsync(role, orgCode)).MemberId);

    private static Task<long> OrgIdAsync(string code) => TestDb.ScalarAsync("SELECT id FROM orgs WHERE code = @code", new { code });

    /// <summary>Tasks of the org's subtree meeting <paramref name="where"/>.</summary>
    private static async Task<int> CountAsync(string orgCode, string where, DateTime liveFrom) => (int)await TestDb.ScalarAsync($"""
        SELECT COUNT(*) FROM tasks t JOIN orgs o ON o.id = t.org_id
        WHERE o.path LIKE CONCAT((SELECT path FROM orgs WHERE code = @orgCode), '%') AND {where}
        """, new { orgCode, liveFrom });

    private async Task<HttpResponseMessage> PutAsync(string url, string token, object body) =>
        await SendAsync(world.Http, HttpMethod.Put, url, token, JsonContent.Create(body));

    private async Task<JsonElement> GetAsync(string url, string token)
    {
        using var response = await SendAsync(world.Http, HttpMethod.Get, url, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string url, string token,
        HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request, Ct);
    }
}
