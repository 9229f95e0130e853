using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using MiniExcelLibs;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.ManagementReview;
using WxQms.Domain.Rules.Tasks;
using WxQms.Sandbox.Demo;
using WxQms.Tests.Assessment;
using WxQms.Tests.Infrastructure;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Admin;

/// <summary>
/// 管理评审 (issue #20 item 2) through the real pipeline: the pack's workbook against the rankings of the same period, the
/// year's targets judged per org, decisions becoming ad-hoc tasks that the next review reads back, and who may open it.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class ReviewPackTests(WxQmsApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly AssessmentWorld world = new(app, thisMonth: true);
    private readonly HttpClient http = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
    private string staff = "";
    private long root;
    private Period quarter = null!;

    public async ValueTask InitializeAsync()
    {
        await world.InitializeAsync();
        staff = await world.TokenAsync(await world.HolderAsync("staff", "DFL"));
        root = await world.OrgAsync("DFL");
        quarter = Periods.Containing(Recurrence.Quarterly, app.Clock.GetUtcNow());
        // Some work done this month in two communities, so the ranking is not all zeros.
        foreach (var (code, points) in new[] { ("DFL-C01-B01", 5m), ("DFL-C02-B01", 3m), ("DFL-C02-B02", 2m) })
        {
            var task = (await world.TasksAsync(code, world.Month)).First();
            await world.BookAsync(task.Id, points, "completion");
        }
    }

    public ValueTask DisposeAsync()
    {
        http.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string? token, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = content };
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request, Ct);
    }

    private async Task<HttpResponseMessage> PostFormAsync(string url, params (string, string)[] fields) =>
        await SendAsync(HttpMethod.Post, url, staff, new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Item1, f.Item2))));

    private async Task<Dictionary<string, List<IDictionary<string, object>>>> WorkbookAsync(string query)
    {
        using var response = await SendAsync(HttpMethod.Get, "/api/admin/exports/review.xlsx?" + query, staff);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        var stream = new MemoryStream(await response.Content.ReadAsByteArrayAsync(Ct));
        return MiniExcel.GetSheetNames(stream).ToDictionary(s => s, s =>
            MiniExcel.Query(stream, useHeaderRow: true, sheetName: s).Cast<IDictionary<string, object>>().ToList());
    }

    private static decimal Number(object value) => Convert.ToDecimal(value, CultureInfo.InvariantCulture);

    private static string Name(Period p) => ReviewPeriods.Name(p);

    [Fact]
    public async Task The_quarters_workbook_opens_and_its_totals_equal_the_rankings_of_the_same_period()
    {
        await app.LetPeriodEndAsync(world.Month); // the month's booked tasks all due, no ranking cached before
        staff = await world.TokenAsync(await world.HolderAsync("staff", "DFL")); // a token of the clock's new day
        foreach (var (scope, level) in new[] { (root, "community"), (await world.OrgAsync("DFL-C02"), "branch") })
        {
            var book = await WorkbookAsync($"period={Name(quarter)}&org={scope}");
            using var ranking = await SendAsync(HttpMethod.Get, $"/api/rankings?period={quarter.Key}&scope={scope}&level={level}", staff);
            var rows = (await ranking.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("rows").EnumerateArray()
                .Select(r => (Name: r.GetProperty("name").GetString()!, Score: r.GetProperty("earned").GetDecimal() + r.GetProperty("carried").GetDecimal(),
                    Possible: r.GetProperty("possible").GetDecimal()))
                .ToList();

            Assert.Contains("概况", book.Keys);
            Assert.Contains("本次评审决定", book.Keys);
            var results = book["考核结果"];
            var total = results.Single(r => (string)r["组织"] == "合计");
            var orgs = results.Where(r => (string)r["组织"] != "合计").ToList();
            Assert.Equal(rows.Select(r => r.Name), orgs.Select(r => (string)r["组织"]));
            Assert.Equal(rows.Select(r => r.Score), orgs.Select(r => Number(r["得分"])));
            Assert.Equal(rows.Sum(r => r.Score), Number(total["得分"]));
            Assert.Equal(rows.Sum(r => r.Possible), Number(total["应得分"]));
            Assert.True(rows.Sum(r => r.Score) > 0, "the booked work shows");
            // Nothing was raised in this world: the register's section says so and shows nothing made up.
            Assert.Equal("暂无", (string)book["不合格与纠正措施"].Single()["说明"]);
        }
    }

    [Fact]
    public async Task The_packs_nonconformity_section_counts_the_register_of_the_quarter_by_source_and_state_and_those_past_due()
    {
        // The demo's register: six inspection findings carried to every state (two closed), those raised by rule, one past due.
        await app.Get<DemoNonconformities>().PostAsync(Ct);
        var today = Periods.LocalDate(app.Clock.GetUtcNow()).ToDateTime(TimeOnly.MinValue);
        var raised = await ScalarAsync("SELECT COUNT(*) FROM nonconformities");
        // Past due and due on a day of the quarter (the demo's is five days ago: before the quarter in its first days).
        var pastDue = await ScalarAsync("""
            SELECT COUNT(*) FROM nonconformities
            WHERE state = 'action_recorded' AND action_due_on < @today AND action_due_on >= @first AND action_due_on <= @last
            """, new { today, first = quarter.FirstDay.ToDateTime(TimeOnly.MinValue), last = quarter.LastDay.ToDateTime(TimeOnly.MinValue) });

        var book = await WorkbookAsync($"period={Name(quarter)}&org={root}");
        var section = book["不合格与纠正措施"].ToDictionary(r => (string)r["项目"], r => Number(r["数量"]));

        Assert.Equal(raised, section["本期提出"]);
        Assert.Equal(6, section["来源：巡查"]);
        Assert.Equal(2, section["现状：已关闭"]);
        Assert.Equal(1, section["现状：待验证"]);
        Assert.Equal(pastDue, section["纠正措施逾期未完成"]);
        using var page = await SendAsync(HttpMethod.Get, $"/admin/review?period={Name(quarter)}&org={root}", staff);
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.Contains("来源：巡查", html);
        Assert.Contains("纠正措施逾期未完成", html);
    }

    [Fact]
    public async Task Targets_set_in_the_console_are_judged_per_org_met_or_not()
    {
        var c01 = await world.OrgAsync("DFL-C01");
        var year = quarter.Year.ToString(CultureInfo.InvariantCulture);
        using (var set = await PostFormAsync($"/admin/review/targets?year={year}", ("applies", "community"), ("kind", "MinScore"), ("threshold", "0.1")))
            Assert.Equal(HttpStatusCode.SeeOther, set.StatusCode);
        // DFL-C01's own score target stands in for the level's: 100 points, which nobody has.
        using (var own = await PostFormAsync($"/admin/review/targets?year={year}", ("applies", c01.ToString(CultureInfo.InvariantCulture)),
                   ("kind", "MinScore"), ("threshold", "100")))
            Assert.Equal(HttpStatusCode.SeeOther, own.StatusCode);
        using (var bad = await PostFormAsync($"/admin/review/targets?year={year}", ("applies", "branch"), ("kind", "OnTimeRate"), ("threshold", "120")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("目标值应大于0且不超过100", await bad.Content.ReadAsStringAsync(Ct));
        }

        var book = await WorkbookAsync($"period={Name(quarter)}&org={root}");
        var ratios = book["考核结果"].Where(r => (string)r["组织"] != "合计").ToDictionary(r => (string)r["组织"], r => (string)r["完成率"]);
        var judged = book["目标达成"];

        Assert.Equal(2, await ScalarAsync("SELECT COUNT(*) FROM review_targets WHERE year = @year", new { year = quarter.Year }));
        Assert.Equal(2, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'review.target_set'"));
        var c01Name = await QuerySingleAsync<string>("SELECT name FROM orgs WHERE id = @c01", new { c01 });
        Assert.Equal(("考核得分 ≥ 100 分", "未达成"), judged.Where(r => (string)r["组织"] == c01Name).Select(r => ((string)r["目标"], (string)r["结果"])).Single());
        foreach (var row in judged.Where(r => (string)r["组织"] != c01Name))
        {
            Assert.Equal("考核得分 ≥ 0.1 分", (string)row["目标"]);
            // Met where the ranking shows any result, no data where nothing was due.
            var ratio = ratios[(string)row["组织"]];
            var expected = ratio == "暂无任务" ? "无数据" : decimal.Parse(ratio.TrimEnd('%'), CultureInfo.InvariantCulture) >= 0.1m ? "达成" : "未达成";
            Assert.Equal(expected, (string)row["结果"]);
        }
    }

    [Fact]
    public async Task A_decision_becomes_an_ad_hoc_task_of_its_owner_and_the_next_review_reads_whether_it_was_done()
    {
        var previous = Periods.Containing(Recurrence.Quarterly, quarter.StartsAt.AddDays(-1));
        var owner = await world.OrgAsync("DFL-C03");
        var due = Periods.LocalDate(app.Clock.GetUtcNow()).AddDays(10).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        using (var empty = await PostFormAsync($"/admin/review/decisions?period={Name(previous)}&org={root}", ("text", ""), ("owner", owner.ToString(CultureInfo.InvariantCulture)), ("due", due)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
            Assert.Contains("请填写评审决定", await empty.Content.ReadAsStringAsync(Ct));
        }
        using var decided = await PostFormAsync($"/admin/review/decisions?period={Name(previous)}&org={root}",
            ("text", "支委会连续缺开的社区，由社区党委书记约谈支部书记并报送整改报告"), ("owner", owner.ToString(CultureInfo.InvariantCulture)), ("due", due));

        Assert.Equal(HttpStatusCode.SeeOther, decided.StatusCode);
        var adhoc = await ScalarAsync("SELECT adhoc_task_id FROM review_decisions");
        var task = await QuerySingleAsync<(long Id, long OrgId, string State)>("SELECT id, org_id, state FROM tasks WHERE adhoc_task_id = @adhoc", new { adhoc });
        Assert.Equal((owner, "pending"), (task.OrgId, task.State));
        Assert.StartsWith("评审整改：支委会连续缺开", await QuerySingleAsync<string>("SELECT title FROM adhoc_tasks WHERE id = @adhoc", new { adhoc }));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'review.decided'"));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'adhoc.issued' AND entity_id = @adhoc", new { adhoc }));

        var before = (await WorkbookAsync($"period={Name(quarter)}&org={root}"))["上次评审决定"].Single();
        await ExecuteAsync("UPDATE tasks SET state = 'completed' WHERE id = @id", new { id = task.Id });
        var after = (await WorkbookAsync($"period={Name(quarter)}&org={root}"))["上次评审决定"].Single();

        Assert.Equal((previous.Label, "待办"), ((string)before["评审"], (string)before["落实情况"]));
        Assert.Equal("已完成", (string)after["落实情况"]);
        using var page = await SendAsync(HttpMethod.Get, $"/admin/review?period={Name(quarter)}&org={root}", staff);
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.Contains("六、上次评审决定落实情况", html);
        Assert.Contains("支委会连续缺开的社区", html);
    }

    [Fact]
    public async Task Only_office_staff_open_the_review_and_a_bad_period_is_refused()
    {
        var secretary = await world.TokenAsync(await world.HolderAsync("secretary", "DFL-C03"));
        var member = await world.TokenAsync(await world.MemberOfAsync("DFL-C03-B01"));
        foreach (var url in new[] { $"/admin/review?period={Name(quarter)}", "/admin/review/targets", $"/api/admin/exports/review.xlsx?period={Name(quarter)}" })
        {
            using var anonymous = await SendAsync(HttpMethod.Get, url, null);
            using var asSecretary = await SendAsync(HttpMethod.Get, url, secretary);
            using var asMember = await SendAsync(HttpMethod.Get, url, member);
            using var asStaff = await SendAsync(HttpMethod.Get, url, staff);
            Assert.True(anonymous.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Redirect or HttpStatusCode.Found, $"{url}: {anonymous.StatusCode}");
            Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.OK),
                (asSecretary.StatusCode, asMember.StatusCode, asStaff.StatusCode));
        }

        foreach (var (period, code) in new[] { ("2026-11", "request.invalid"), ("next", "request.invalid"), ($"{quarter.Year + 1}Q4", "period.out_of_range") })
        {
            using var refused = await SendAsync(HttpMethod.Get, $"/api/admin/exports/review.xlsx?period={period}", staff);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal(code, (await refused.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("code").GetString());
        }
        using var branch = await SendAsync(HttpMethod.Get, $"/api/admin/exports/review.xlsx?org={await world.OrgAsync("DFL-C03-B01")}", staff);
        Assert.Equal(HttpStatusCode.BadRequest, branch.StatusCode);
    }
}
