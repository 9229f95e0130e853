using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using MiniExcelLibs;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Development;
using WxQms.Domain.Services.Reminders;
using WxQms.Sandbox.Demo;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Sandbox;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Development;

/// <summary>
/// Member development around the steps (#17): the demo's applicants at several stages, the timetable's reminders and
/// warnings through the outbox, who may record which step, the approvals waiting for the community committee, and the
/// office's console page with the year's numbers per community exported to Excel.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class DevelopmentPipelineTests(WxQmsApp app, SeededSubdistrict seeded) : IClassFixture<SeededSubdistrict>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly HttpClient http = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
    private readonly SandboxDriver wx = new(app);

    private DateOnly Today => Periods.LocalDate(app.Clock.GetUtcNow());

    [Fact]
    public async Task The_demo_shows_applicants_at_every_stage_and_the_office_sees_them_with_the_years_numbers_in_Excel()
    {
        _ = seeded;
        await app.Get<DemoDevelopment>().PostAsync(Ct);
        Assert.Equal(0, await app.Get<DemoDevelopment>().PostAsync(Ct)); // once only
        // Their branches' development work is among the branches' tasks (the talk, the assessments, the meetings).
        Assert.True(await ScalarAsync("""
            SELECT COUNT(*) FROM tasks t JOIN dev_applicants a ON t.unique_key LIKE CONCAT('dev:', a.id, ':%')
            WHERE a.actor = @Actor AND t.org_id = a.org_id
            """, new { DemoSeeder.Actor }) > 0);

        var staff = await wx.SignInMemberAsync(http, await HolderAsync("staff", "DFL"));
        var pipeline = await GetJsonAsync("/api/mp/development/applicants?all=true", staff);
        var statuses = pipeline.EnumerateArray().Select(a => a.GetProperty("status").GetString()).Distinct().ToHashSet();
        Assert.Superset(new HashSet<string?> { "applicant", "activist", "candidate", "probationary", "full" }, statuses);
        Assert.True(await ScalarAsync("SELECT COUNT(*) FROM members WHERE status = 'full' AND party_standing_on IS NOT NULL") > 0);

        var (status, html) = await PageAsync("/admin/development", staff);
        Assert.Equal(HttpStatusCode.OK, status);
        var name = pipeline.EnumerateArray().First(a => a.GetProperty("status").GetString() == "applicant").GetProperty("name").GetString()!;
        Assert.Contains(name, html);
        Assert.Contains($"{Today.Year}年发展党员情况", html);

        // The year's numbers per community, as the page's export writes them.
        using var export = await SendAsync(HttpMethod.Get, $"/api/admin/exports/development.xlsx?year={Today.Year}", staff);
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        var rows = (await (await export.Content.ReadAsStreamAsync(Ct)).QueryAsync(useHeaderRow: true, cancellationToken: Ct))
            .Cast<IDictionary<string, object?>>().ToList();
        Assert.Equal(await ScalarAsync("SELECT COUNT(*) FROM orgs WHERE depth = 1 AND dissolved_on IS NULL"), rows.Count);
        var from = new DateTime(Today.Year, 1, 1);
        Assert.Equal(await ScalarAsync("SELECT COUNT(*) FROM dev_steps WHERE step = 1 AND occurred_on >= @from AND occurred_on < @to",
            new { from, to = from.AddYears(1) }), rows.Sum(r => Convert.ToInt64(r["递交入党申请"])));
        Assert.Equal(await ScalarAsync("SELECT COUNT(*) FROM dev_steps WHERE step = 17 AND occurred_on >= @from AND occurred_on < @to",
            new { from, to = from.AddYears(1) }), rows.Sum(r => Convert.ToInt64(r["接收预备党员"])));

        // A branch secretary's console shows her branch's pipeline but not the subdistrict's numbers; her export is refused.
        var secretary = await wx.SignInMemberAsync(http, await HolderAsync("secretary", "DFL-C03-B01"));
        var (own, ownHtml) = await PageAsync("/admin/development", secretary);
        Assert.Equal(HttpStatusCode.OK, own);
        Assert.DoesNotContain("年发展党员情况", ownHtml);
        using var refused = await SendAsync(HttpMethod.Get, "/api/admin/exports/development.xlsx", secretary);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task A_deadline_that_is_the_branchs_task_is_reminded_by_the_task_alone_and_one_that_is_not_is_told_and_warned_once()
    {
        var branch = await ScalarAsync("SELECT id FROM orgs WHERE code = 'DFL-C05-B01'");
        var secretaryId = await HolderAsync("secretary", "DFL-C05-B01");
        var secretary = await wx.SignInMemberAsync(http, secretaryId);
        var scan = app.Get<DevelopmentReminderScan>();
        var now = app.Clock.GetUtcNow();

        // Applied 29 days ago: the talk is due within a month, in a day or two, and is the branch's task (issued when the
        // application was recorded), which reminds the secretary as any task does. The development scan, run as often
        // as the job runs it and on past the deadline, does not tell her a second time.
        var id = await AddApplicantAsync(secretary, branch, "周明轩");
        var applied = Today.AddDays(-29);
        var recorded = await PostJsonAsync($"/api/mp/development/applicants/{id}/steps", secretary, new { step = 1, occurredOn = applied, version = 0 });
        Assert.True(recorded.StatusCode == HttpStatusCode.OK, await recorded.Content.ReadAsStringAsync(Ct));
        var body = await recorded.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("development.document_missing", body.GetProperty("steps")[0].GetProperty("warnings")[0].GetProperty("code").GetString());
        // A month is as long as the calendar makes it: two days left after a 31-day month, fewer after a shorter one.
        Assert.Equal(applied.AddMonths(1).DayNumber - Today.DayNumber, body.GetProperty("next").GetProperty("daysLeft").GetInt32());
        var talk = await ScalarAsync("SELECT id FROM tasks WHERE unique_key = @key", new { key = $"dev:{id}:2:{applied.AddMonths(1):yyyyMMdd}" });
        await scan.ScanAsync(now, Ct);
        await app.Get<ReminderScan>().ScanDueAsync(now, Ct);
        await scan.ScanAsync(now, Ct);
        await scan.ScanAsync(now.AddDays(10), Ct);
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM reminders WHERE subject_type = 'dev_applicant' AND subject_id = @id AND member_id = @secretaryId",
            new { id, secretaryId }));
        Assert.Equal(["organiser"], (await QueryAsync<string>("SELECT kind FROM reminders WHERE task_id = @talk AND member_id = @secretaryId",
            new { talk, secretaryId })).ToList());

        // Applied in the month before last: the talk fell due last month, before the branch's tasks carried it (a closed
        // month is not rewritten), so the development scan is what warns her, once however often it runs.
        var earlier = await AddApplicantAsync(secretary, branch, "吴佳怡");
        var appliedBefore = new DateOnly(Today.Year, Today.Month, 1).AddMonths(-2);
        var before = await PostJsonAsync($"/api/mp/development/applicants/{earlier}/steps", secretary, new { step = 1, occurredOn = appliedBefore, version = 0 });
        Assert.True(before.StatusCode == HttpStatusCode.OK, await before.Content.ReadAsStringAsync(Ct));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM tasks WHERE unique_key LIKE @key", new { key = $"dev:{earlier}:%" }));
        await scan.ScanAsync(now, Ct);
        await scan.ScanAsync(now.AddDays(1), Ct);
        var due = appliedBefore.AddMonths(1);
        Assert.Equal([$"late2-{due:yyyyMMdd}"], (await QueryAsync<string>(
            "SELECT kind FROM reminders WHERE subject_type = 'dev_applicant' AND subject_id = @earlier AND member_id = @secretaryId", new { earlier, secretaryId })).ToList());
        // It opens the applicant's page in the mini program, a page it has.
        var pages = await QueryAsync<string>("SELECT JSON_UNQUOTE(JSON_EXTRACT(content, '$.page')) FROM reminders WHERE subject_type = 'dev_applicant' AND subject_id = @earlier",
            new { earlier });
        Assert.All(pages, page => Assert.Equal($"pages/development-applicant/index?id={earlier}", page));
        Assert.Contains("pages/development-applicant/index", MiniProgramPages());
    }

    [Fact]
    public async Task The_committee_steps_wait_for_the_community_and_nobody_else_records_them()
    {
        var branch = await ScalarAsync("SELECT id FROM orgs WHERE code = 'DFL-C03-B02'");
        var secretary = await wx.SignInMemberAsync(http, await HolderAsync("secretary", "DFL-C03-B02"));
        var id = await AddApplicantAsync(secretary, branch, "许静怡");
        foreach (var (step, daysAgo) in new[] { (1, 60), (2, 50), (3, 40) })
        {
            var r = await PostJsonAsync($"/api/mp/development/applicants/{id}/steps", secretary,
                new { step, occurredOn = Today.AddDays(-daysAgo), version = step - 1 });
            Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync(Ct));
        }

        var approvalPage = await QuerySingleAsync<string>("""
            SELECT JSON_UNQUOTE(JSON_EXTRACT(r.content, '$.page')) FROM reminders r JOIN dev_steps s ON s.id = r.subject_id
            WHERE r.subject_type = 'dev_step' AND r.kind = 'approve-4' AND s.applicant_id = @id LIMIT 1
            """, new { id });
        Assert.Contains(approvalPage, MiniProgramPages()); // the notice of an approval waiting opens 待审批

        var community = await wx.SignInMemberAsync(http, await HolderAsync("secretary", "DFL-C03"));
        var otherCommunity = await wx.SignInMemberAsync(http, await HolderAsync("secretary", "DFL-C05"));
        var waiting = await GetJsonAsync("/api/mp/development/approvals", community);
        var mine = waiting.EnumerateArray().Single(a => a.GetProperty("id").GetInt64() == id);
        Assert.Equal(4, mine.GetProperty("next").GetProperty("number").GetInt32());
        Assert.Equal("committee", mine.GetProperty("next").GetProperty("recorder").GetString());
        Assert.DoesNotContain((await GetJsonAsync("/api/mp/development/approvals", otherCommunity)).EnumerateArray(),
            a => a.GetProperty("id").GetInt64() == id);

        var byOther = await PostJsonAsync($"/api/mp/development/applicants/{id}/steps", otherCommunity, new { step = 4, occurredOn = Today, version = 3 });
        var skipping = await PostJsonAsync($"/api/mp/development/applicants/{id}/steps", community, new { step = 8, occurredOn = Today, version = 3 });
        var filed = await PostJsonAsync($"/api/mp/development/applicants/{id}/steps", community, new { step = 4, occurredOn = Today, version = 3 });
        Assert.Equal(HttpStatusCode.Forbidden, byOther.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, skipping.StatusCode);
        Assert.Equal("development.out_of_order", (await skipping.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, filed.StatusCode);
        var stale = await PostJsonAsync($"/api/mp/development/applicants/{id}/steps", secretary, new { step = 5, occurredOn = Today, version = 3, people = new long[] { 1 } });
        Assert.Equal("development.version_conflict", (await stale.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task The_community_records_its_approval_in_the_console_refused_too_early_with_the_rule_and_the_branch_may_not()
    {
        var branch = await ScalarAsync("SELECT id FROM orgs WHERE code = 'DFL-C03-B03'");
        var secretary = await wx.SignInMemberAsync(http, await HolderAsync("secretary", "DFL-C03-B03"));
        var id = await AddApplicantAsync(secretary, branch, "韩雨萱");
        foreach (var (step, daysAgo) in new[] { (1, 70), (2, 60), (3, 30) })
        {
            var r = await PostJsonAsync($"/api/mp/development/applicants/{id}/steps", secretary,
                new { step, occurredOn = Today.AddDays(-daysAgo), version = step - 1 });
            Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync(Ct));
        }
        var community = await wx.SignInMemberAsync(http, await HolderAsync("secretary", "DFL-C03"));

        var (listStatus, list) = await PageAsync("/admin/development", community);
        var (status, page) = await PageAsync($"/admin/development/{id}", community);
        using var byBranch = await PostFormAsync($"/admin/development/{id}", secretary, ("occurredOn", $"{Today:yyyy-MM-dd}"), ("version", "3"));
        using var noDate = await PostFormAsync($"/admin/development/{id}", community, ("occurredOn", "明天"), ("version", "3"));
        using var tooEarly = await PostFormAsync($"/admin/development/{id}", community, ("occurredOn", $"{Today.AddDays(-40):yyyy-MM-dd}"), ("version", "3"));
        using var filed = await PostFormAsync($"/admin/development/{id}", community, ("occurredOn", $"{Today:yyyy-MM-dd}"), ("note", "社区党委备案"), ("version", "3"));
        var (_, after) = await PageAsync($"/admin/development/{id}", community);

        Assert.Equal(HttpStatusCode.OK, listStatus);
        Assert.Contains($"/admin/development/{id}", list);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("第4步 报上级党委备案（积极分子）", page);
        Assert.Contains("记录第4步", page);
        Assert.Equal(HttpStatusCode.Forbidden, byBranch.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noDate.StatusCode);
        Assert.Contains("请填写日期", await noDate.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.BadRequest, tooEarly.StatusCode);
        Assert.Contains("不能早于上一步", await tooEarly.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.SeeOther, filed.StatusCode);
        Assert.Equal($"/admin/development/{id}?recorded=4", filed.Headers.Location?.ToString());
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM dev_steps WHERE applicant_id = @id AND step = 4", new { id }));
        Assert.Equal(4, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'development.step_recorded' AND entity_id = @id", new { id }));
        Assert.Contains("第5步 指定培养联系人", after);
        Assert.Contains("须在小程序中记录", after); // the contacts are picked in the mini program
    }

    // ---- helpers --------------------------------------------------------------------------------

    private async Task<long> AddApplicantAsync(string token, long branch, string name)
    {
        var added = await PostJsonAsync("/api/mp/development/applicants", token, new
        {
            orgId = branch, name, sex = "male", birthDate = new DateOnly(1995, 6, 1),
        });
        Assert.True(added.StatusCode == HttpStatusCode.Created, await added.Content.ReadAsStringAsync(Ct));
        return (await added.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
    }

    /// <summary>The pages the mini program declares in its app.json.</summary>
    private static IReadOnlyList<string> MiniProgramPages() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(TestEnvironment.RepoRoot(), "miniprogram", "app.json"))).RootElement
            .GetProperty("pages").EnumerateArray().Select(p => p.GetString()!).ToList();

    private static Task<long> HolderAsync(string role, string orgCode) => QuerySingleAsync<long>("""
        SELECT r.member_id FROM member_roles r JOIN orgs o ON o.id = r.org_id JOIN members m ON m.id = r.member_id
        WHERE r.role = @role AND o.code = @orgCode AND m.phone IS NOT NULL ORDER BY r.member_id LIMIT 1
        """, new { role, orgCode });

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string token, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request, Ct);
    }

    private Task<HttpResponseMessage> PostFormAsync(string url, string token, params (string Key, string Value)[] fields) =>
        SendAsync(HttpMethod.Post, url, token, new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Key, f.Value))));

    private Task<HttpResponseMessage> PostJsonAsync(string url, string token, object body) => SendAsync(HttpMethod.Post, url, token, JsonContent.Create(body));

    private async Task<JsonElement> GetJsonAsync(string url, string token)
    {
        using var response = await SendAsync(HttpMethod.Get, url, token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private async Task<(HttpStatusCode Status, string Html)> PageAsync(string url, string token)
    {
        using var response = await SendAsync(HttpMethod.Get, url, token);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }
}
