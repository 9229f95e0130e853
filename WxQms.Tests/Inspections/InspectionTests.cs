using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Inspections;
using WxQms.Sandbox.Demo;
using WxQms.Tests.Assessment;
using WxQms.Tests.Browser;
using WxQms.Tests.Infrastructure;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Inspections;

/// <summary>
/// Inspectors, the inspection plan with its coverage, self-inspection and the internal audit (issue #19 items 2, 3, 6)
/// through the real pipeline on the demo subdistrict: the office appoints and plans in the console; the inspector fills the
/// checklist in the mini program's routes with a photo and two findings, which enter the register assigned to the branch's
/// secretary, who sees the report; the demo's plan covers every branch and a removed visit shows as a gap; the branch's
/// self-inspection and the audit raise findings under their own sources; the refusals.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class InspectionTests : IAsyncLifetime
{
    private readonly OwnClockApp app = new();
    private AssessmentWorld people = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string BranchCode = "DFL-C02-B01";

    public async ValueTask InitializeAsync()
    {
        await app.InitializeAsync();
        await app.SeedDemoAsync();
        people = new AssessmentWorld(app);
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private DateOnly Today => Periods.LocalDate(app.Clock.GetUtcNow());

    private Task<HttpClient> ClientAsync(long memberId) => people.ClientAsync(memberId);

    private static Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK) => response.JsonAsync(expected);

    private static async Task<string?> CodeAsync(HttpResponseMessage response, HttpStatusCode expected) =>
        (await JsonAsync(response, expected)).TryGetProperty("code", out var code) ? code.GetString() : null;

    private static async Task<string> PostFormAsync(HttpClient client, string url, params (string, string)[] fields)
    {
        var response = await client.PostAsync(url, new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2))), Ct);
        Assert.True(response.StatusCode == HttpStatusCode.SeeOther, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        return response.Headers.Location!.ToString();
    }

    private static async Task<string> PageAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url, Ct);
        var html = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {html}");
        return html;
    }

    private string S(DateOnly d) => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private (int Year, int Quarter) Quarter => app.Get<InspectionService>().CurrentQuarter();

    /// <summary>The office appoints <paramref name="inspector"/> and plans her inspection of the branch this quarter; its id.</summary>
    private async Task<long> PlanAsync(HttpClient office, long inspector, long branch)
    {
        await PostFormAsync(office, $"/admin/inspections/inspectors?year={Quarter.Year}", ("memberId", inspector.ToString()), ("unit", "街道党工委"),
            ("from", S(Today.AddDays(-30))), ("to", S(Today.AddYears(1))));
        var back = await PostFormAsync(office, $"/admin/inspections/plan?year={Quarter.Year}", ("orgId", branch.ToString()),
            ("quarter", Quarter.Quarter.ToString()), ("inspector", inspector.ToString()));
        Assert.Contains("done=planned", back);
        return await ScalarAsync("SELECT id FROM inspections WHERE org_id = @branch AND kind = 'inspection'", new { branch });
    }

    private static object[] Answers(JsonElement inspection, Func<int, object?> special) =>
        inspection.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("no").GetInt32())
            .Select(no => special(no) ?? new { no, result = "pass" }).ToArray();

    private async Task<string> UploadAsync(HttpClient client)
    {
        var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(TestPng.Create(64, 48)) { Headers = { ContentType = new("image/png") } }, "file", "photo.png" },
        };
        return (await JsonAsync(await client.PostAsync("/api/mp/uploads", form, Ct), HttpStatusCode.Created)).GetProperty("token").GetString()!;
    }

    [Fact]
    public async Task An_inspector_inspects_a_branch_from_the_mini_program_with_two_findings_and_a_photo_and_the_secretary_sees_them()
    {
        var branch = await people.OrgAsync(BranchCode);
        var office = await ClientAsync(await people.HolderAsync("staff", "DFL"));
        var inspectorId = await people.HolderAsync("inspector", "DFL");
        var id = await PlanAsync(office, inspectorId, branch);
        var inspector = await ClientAsync(inspectorId);

        // My plan lists it; it opens with the checklist, each item citing its clause.
        var plan = await JsonAsync(await inspector.GetAsync("/api/mp/inspections", Ct));
        Assert.Contains(plan.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetInt64() == id && i.GetProperty("state").GetString() == "planned");
        var form = await JsonAsync(await inspector.GetAsync($"/api/mp/inspections/{id}", Ct));
        Assert.True(form.GetProperty("mayFill").GetBoolean());
        Assert.True(form.GetProperty("items").GetArrayLength() >= 3);
        Assert.All(form.GetProperty("items").EnumerateArray(), i => Assert.False(string.IsNullOrWhiteSpace(i.GetProperty("clause").GetString())));

        // On site: a photo, two findings (one grave, with the photo), the rest as found.
        var photo = await UploadAsync(inspector);
        var body = new
        {
            items = Answers(form, no => no switch
            {
                1 => new { no, result = "fail", severity = "major", note = "支部委员会会议记录缺少九月、十月两次的签到表。", photoTokens = new[] { photo } },
                2 => new { no, result = "fail", severity = "minor", note = "主题党日活动照片未体现活动内容。", photoTokens = Array.Empty<string>() },
                3 => (object)new { no, result = "na" },
                _ => null,
            }),
            summary = "总体较好，两处问题请按期整改。",
            version = form.GetProperty("version").GetInt32(),
        };
        var done = await JsonAsync(await inspector.PostAsJsonAsync($"/api/mp/inspections/{id}/submit", body, Ct));
        Assert.Equal(("submitted", 2, false), (done.GetProperty("state").GetString(), done.GetProperty("findings").GetInt32(), done.GetProperty("mayFill").GetBoolean()));
        var findings = done.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("result").GetString() == "fail").ToList();
        Assert.All(findings, f => Assert.True(f.GetProperty("nonconformityId").GetInt64() > 0));
        Assert.Equal(1, findings[0].GetProperty("photos").GetInt32());
        var photoUrl = Assert.Single(findings[0].GetProperty("photoUrls").EnumerateArray()).GetString()!;
        Assert.StartsWith($"/api/mp/inspections/{id}/photos/", photoUrl);
        Assert.Empty(findings[1].GetProperty("photoUrls").EnumerateArray());
        var served = await inspector.GetAsync(photoUrl, Ct);
        Assert.Equal((HttpStatusCode.OK, "image/png"), (served.StatusCode, served.Content.Headers.ContentType?.MediaType));
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await served.Content.ReadAsByteArrayAsync(Ct)));
        Assert.EndsWith("/" + sha, photoUrl);
        Assert.Equal(HttpStatusCode.NotFound, (await inspector.GetAsync($"/api/mp/inspections/{id}/photos/{new string('0', 64)}", Ct)).StatusCode);
        // A member of another community may not see the inspection, nor its photos.
        var stranger = await ClientAsync(await people.HolderAsync("secretary", "DFL-C01-B01"));
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync(photoUrl, Ct)).StatusCode);

        // Both entered the register as inspection findings with their clause, the photo as the first one's evidence.
        var ncs = (await QueryAsync<(long Id, string Source, string? Clause, string Severity)>(
            "SELECT id, source, clause, severity FROM nonconformities WHERE org_id = @branch AND source_ref LIKE @prefix ORDER BY source_ref",
            new { branch, prefix = $"inspection:{id}:%" })).ToList();
        Assert.Equal(2, ncs.Count);
        Assert.All(ncs, n => Assert.Equal("inspection", n.Source));
        Assert.Equal(["major", "minor"], ncs.Select(n => n.Severity));
        Assert.Equal(findings[0].GetProperty("clause").GetString(), ncs[0].Clause);
        Assert.Equal(1, await ScalarAsync("""
            SELECT COUNT(*) FROM nonconformity_photos p JOIN nonconformity_steps s ON s.id = p.step_id WHERE s.nonconformity_id = @id
            """, new { ncs[0].Id }));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'inspection.submitted' AND entity_id = @id", new { id }));

        // A retry (the answer was lost when the network dropped) gets the same report and raises nothing twice.
        var again = await JsonAsync(await inspector.PostAsJsonAsync($"/api/mp/inspections/{id}/submit", body, Ct));
        Assert.Equal("submitted", again.GetProperty("state").GetString());
        Assert.Equal(2, await ScalarAsync("SELECT COUNT(*) FROM nonconformities WHERE source_ref LIKE @prefix", new { prefix = $"inspection:{id}:%" }));

        // The branch's secretary is told of each, sees the report and the findings in 我们的问题, and records cause and action.
        var secretaryId = await people.HolderAsync("secretary", BranchCode);
        Assert.Equal(2, await ScalarAsync("""
            SELECT COUNT(*) FROM reminders WHERE subject_type = 'nonconformity' AND subject_id IN @ids AND kind = 'assigned1' AND member_id = @secretaryId
            """, new { ids = ncs.Select(n => n.Id).ToArray(), secretaryId }));
        var secretary = await ClientAsync(secretaryId);
        var reports = await JsonAsync(await secretary.GetAsync("/api/mp/inspections", Ct));
        Assert.Contains(reports.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetInt64() == id);
        var report = await JsonAsync(await secretary.GetAsync($"/api/mp/inspections/{id}", Ct));
        Assert.Equal(("总体较好，两处问题请按期整改。", false), (report.GetProperty("summary").GetString(), report.GetProperty("mayFill").GetBoolean()));
        // …with the photo, served to her as to the inspector.
        Assert.Equal(HttpStatusCode.OK, (await secretary.GetAsync(photoUrl, Ct)).StatusCode);
        var ours = await JsonAsync(await secretary.GetAsync("/api/mp/nonconformities", Ct));
        Assert.Equal(2, ours.GetProperty("items").EnumerateArray().Count(n => ncs.Any(x => x.Id == n.GetProperty("id").GetInt64())));
        await JsonAsync(await secretary.PostAsJsonAsync($"/api/mp/nonconformities/{ncs[0].Id}/actions", new
        {
            cause = "记录员未将签到表随会议记录归档。", action = "补齐签到表，会后由组织委员复核归档。", dueOn = S(Today.AddDays(14)), version = 1,
        }, Ct));

        // The office reads the report in the console, each finding linked to the register.
        var html = await PageAsync(office, $"/admin/inspections/{id}");
        Assert.Contains($"NC{ncs[0].Id}", html);
        Assert.Contains("支部委员会会议记录缺少九月、十月两次的签到表。", html);
        var consolePhoto = $"/admin/inspections/{id}/photos/{sha}";
        Assert.Contains($"src=\"{consolePhoto}\"", html);
        Assert.Equal(HttpStatusCode.OK, (await office.GetAsync(consolePhoto, Ct)).StatusCode);
        Assert.True((await app.CreateClient(new() { AllowAutoRedirect = false }).GetAsync(consolePhoto, Ct)).StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found);
    }

    [Fact]
    public async Task The_demos_plan_covers_every_branch_and_a_removed_visit_shows_as_a_gap()
    {
        var demo = await app.Get<DemoInspections>().PostAsync(Ct);
        var branches = await ScalarAsync("SELECT COUNT(*) FROM orgs WHERE kind = 'branch' AND dissolved_on IS NULL");
        Assert.Equal(branches, demo.Planned);
        Assert.True(demo.Submitted > 0 && demo.Submitted < demo.Planned, $"{demo}");
        var office = await ClientAsync(await people.HolderAsync("staff", "DFL"));
        var year = Quarter.Year;
        var html = await PageAsync(office, $"/admin/inspections?year={year}");
        Assert.Contains($"覆盖 <b>{branches}</b> / {branches} 个支部，全部覆盖", html);
        Assert.DoesNotContain("（未安排）", html);

        // Remove one branch's (planned) visit: the coverage names it as the gap.
        var (visit, name) = await QuerySingleAsync<(long, string)>("""
            SELECT i.id, o.name FROM inspections i JOIN orgs o ON o.id = i.org_id WHERE i.kind = 'inspection' AND i.state = 'planned' ORDER BY i.id LIMIT 1
            """);
        Assert.Contains("done=removed", await PostFormAsync(office, $"/admin/inspections/{visit}/remove?year={year}"));
        html = await PageAsync(office, $"/admin/inspections?year={year}");
        Assert.Contains($"覆盖 <b>{branches - 1}</b> / {branches} 个支部", html);
        Assert.Contains("缺口 1 个", html);
        Assert.Contains($"{name}（未安排）", html);
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'inspection.removed' AND entity_id = @visit", new { visit }));
        // A visit already done cannot be removed.
        var submitted = await ScalarAsync("SELECT MIN(id) FROM inspections WHERE kind = 'inspection' AND state = 'submitted'");
        Assert.Contains("error=", await PostFormAsync(office, $"/admin/inspections/{submitted}/remove?year={year}"));
        // Running the demo again adds nothing; every state shows: planned and done inspections, self-inspections and audits.
        Assert.Equal(0, (await app.Get<DemoInspections>().PostAsync(Ct)).Planned);
        Assert.Equal(["planned", "submitted"], (await QueryAsync<string>("SELECT DISTINCT state FROM inspections ORDER BY state")).ToArray());
        Assert.Equal(["audit", "inspection", "self_inspection"], (await QueryAsync<string>("SELECT DISTINCT kind FROM inspections ORDER BY kind")).ToArray());
        Assert.Equal(["audit", "inspection", "self_inspection"], (await QueryAsync<string>(
            "SELECT DISTINCT source FROM nonconformities WHERE source_ref LIKE 'inspection:%' ORDER BY source")).ToArray());
    }

    [Fact]
    public async Task A_branch_runs_the_checklist_on_itself_each_quarter_and_its_findings_enter_the_register_as_self_inspection()
    {
        var branch = await people.OrgAsync(BranchCode);
        var secretaryId = await people.HolderAsync("secretary", BranchCode);
        var secretary = await ClientAsync(secretaryId);
        var started = await JsonAsync(await secretary.PostAsJsonAsync("/api/mp/inspections/self", new { orgId = branch }, Ct));
        Assert.Equal(("self_inspection", true, Quarter.Quarter), (started.GetProperty("kind").GetString(), started.GetProperty("mayFill").GetBoolean(),
            started.GetProperty("quarter").GetInt32()));
        var id = started.GetProperty("id").GetInt64();
        // Once a quarter: starting again opens the same one.
        Assert.Equal(id, (await JsonAsync(await secretary.PostAsJsonAsync("/api/mp/inspections/self", new { orgId = branch }, Ct))).GetProperty("id").GetInt64());
        // A plain member may not start it, nor another branch's secretary fill it.
        var member = await ClientAsync(await people.MemberOfAsync(BranchCode));
        Assert.Equal("auth.forbidden", await CodeAsync(await member.PostAsJsonAsync("/api/mp/inspections/self", new { orgId = branch }, Ct), HttpStatusCode.Forbidden));
        var other = await ClientAsync(await people.HolderAsync("secretary", "DFL-C05-B01"));
        Assert.Equal("auth.forbidden", await CodeAsync(await other.PostAsJsonAsync($"/api/mp/inspections/{id}/submit",
            new { items = Answers(started, _ => null), version = 1 }, Ct), HttpStatusCode.Forbidden));

        var done = await JsonAsync(await secretary.PostAsJsonAsync($"/api/mp/inspections/{id}/submit", new
        {
            items = Answers(started, no => no == 2 ? new { no, result = "fail", note = "党务公开栏本季度未更新。" } : null),
            version = started.GetProperty("version").GetInt32(),
        }, Ct));
        Assert.Equal(1, done.GetProperty("findings").GetInt32());
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM nonconformities WHERE source = 'self_inspection' AND org_id = @branch AND source_ref = @r",
            new { branch, r = $"inspection:{id}:2" }));
    }

    [Fact]
    public async Task The_office_plans_the_yearly_internal_audit_of_every_branch_and_its_report_counts_the_findings()
    {
        var office = await ClientAsync(await people.HolderAsync("staff", "DFL"));
        var auditorId = await people.HolderAsync("inspector", "DFL");
        var year = Quarter.Year;
        // Without an inspector in term the audit cannot be planned.
        Assert.Contains("error=", await PostFormAsync(office, $"/admin/inspections/audit?year={year}", ("quarter", Quarter.Quarter.ToString())));
        await PostFormAsync(office, $"/admin/inspections/inspectors?year={year}", ("memberId", auditorId.ToString()), ("unit", "街道党工委"),
            ("from", S(Today.AddDays(-1))), ("to", S(Today.AddYears(1))));
        Assert.Contains("done=audit", await PostFormAsync(office, $"/admin/inspections/audit?year={year}", ("quarter", Quarter.Quarter.ToString())));
        var branches = await ScalarAsync("SELECT COUNT(*) FROM orgs WHERE kind = 'branch' AND dissolved_on IS NULL");
        Assert.Equal(branches, await ScalarAsync("SELECT COUNT(*) FROM inspections WHERE kind = 'audit' AND year = @year", new { year }));

        var id = await ScalarAsync("SELECT MIN(id) FROM inspections WHERE kind = 'audit'");
        var auditor = await ClientAsync(auditorId);
        var form = await JsonAsync(await auditor.GetAsync($"/api/mp/inspections/{id}", Ct));
        Assert.Equal(("audit", true), (form.GetProperty("kind").GetString(), form.GetProperty("mayFill").GetBoolean()));
        await JsonAsync(await auditor.PostAsJsonAsync($"/api/mp/inspections/{id}/submit", new
        {
            items = Answers(form, no => no == 1 ? new { no, result = "fail", note = "党员发展档案缺少政治审查材料。" } : null),
            version = form.GetProperty("version").GetInt32(),
        }, Ct));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM nonconformities WHERE source = 'audit' AND source_ref = @r", new { r = $"inspection:{id}:1" }));
        var html = await PageAsync(office, $"/admin/inspections/audit?year={year}");
        Assert.Contains($"已安排 {branches} 个支部，已完成 1 个，未安排 0 个", html);
        Assert.Contains("不符合 1 项", html);
    }

    [Fact]
    public async Task Only_the_planned_inspector_in_term_fills_it_and_a_bad_form_is_a_409_not_a_500()
    {
        var branch = await people.OrgAsync(BranchCode);
        var office = await ClientAsync(await people.HolderAsync("staff", "DFL"));
        var inspectorId = await people.HolderAsync("inspector", "DFL");
        var id = await PlanAsync(office, inspectorId, branch);
        // Planning the same branch twice in a quarter, or by a member who is no inspector, is refused on the page.
        Assert.Contains("error=", await PostFormAsync(office, $"/admin/inspections/plan?year={Quarter.Year}", ("orgId", branch.ToString()),
            ("quarter", Quarter.Quarter.ToString()), ("inspector", inspectorId.ToString())));
        var notInspector = await people.MemberOfAsync("DFL-C03");
        Assert.Contains("error=", await PostFormAsync(office, $"/admin/inspections/plan?year={Quarter.Year}",
            ("orgId", (await people.OrgAsync("DFL-C03-B01")).ToString()), ("quarter", Quarter.Quarter.ToString()), ("inspector", notInspector.ToString())));
        var inspector = await ClientAsync(inspectorId);
        var form = await JsonAsync(await inspector.GetAsync($"/api/mp/inspections/{id}", Ct));
        var v = form.GetProperty("version").GetInt32();

        Assert.Equal("inspection.incomplete", await CodeAsync(await inspector.PostAsJsonAsync($"/api/mp/inspections/{id}/submit",
            new { items = new[] { new { no = 1, result = "pass" } }, version = v }, Ct), HttpStatusCode.Conflict));
        Assert.Equal("inspection.finding_note_required", await CodeAsync(await inspector.PostAsJsonAsync($"/api/mp/inspections/{id}/submit",
            new { items = Answers(form, no => no == 1 ? new { no, result = "fail" } : null), version = v }, Ct), HttpStatusCode.Conflict));
        Assert.Equal("inspection.version_conflict", await CodeAsync(await inspector.PostAsJsonAsync($"/api/mp/inspections/{id}/submit",
            new { items = Answers(form, _ => null), version = v + 5 }, Ct), HttpStatusCode.Conflict));
        // The branch's secretary reads it but may not fill it; a plain member may not read it.
        var secretary = await ClientAsync(await people.HolderAsync("secretary", BranchCode));
        Assert.Equal("auth.forbidden", await CodeAsync(await secretary.PostAsJsonAsync($"/api/mp/inspections/{id}/submit",
            new { items = Answers(form, _ => null), version = v }, Ct), HttpStatusCode.Forbidden));
        var member = await ClientAsync(await people.MemberOfAsync(BranchCode));
        Assert.Equal("auth.forbidden", await CodeAsync(await member.GetAsync($"/api/mp/inspections/{id}", Ct), HttpStatusCode.Forbidden));
        // Once the term has ended, the inspector can no longer fill it.
        await ExecuteAsync("UPDATE inspectors SET term_to = @y WHERE member_id = @inspectorId", new { y = Today.AddDays(-1).ToDateTime(TimeOnly.MinValue), inspectorId });
        Assert.False((await JsonAsync(await inspector.GetAsync($"/api/mp/inspections/{id}", Ct))).GetProperty("mayFill").GetBoolean());
        Assert.Equal("inspection.term_ended", await CodeAsync(await inspector.PostAsJsonAsync($"/api/mp/inspections/{id}/submit",
            new { items = Answers(form, _ => null), version = v }, Ct), HttpStatusCode.Conflict));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM nonconformities WHERE source_ref LIKE @p", new { p = $"inspection:{id}:%" }));
        // The console's plan is for office staff only.
        Assert.Equal(HttpStatusCode.Forbidden, (await secretary.GetAsync("/admin/inspections", Ct)).StatusCode);
    }

    [Fact]
    public async Task The_inspector_is_told_once_when_her_inspection_is_not_made_in_the_quarters_last_two_weeks()
    {
        var branch = await people.OrgAsync(BranchCode);
        var office = await ClientAsync(await people.HolderAsync("staff", "DFL"));
        var inspectorId = await people.HolderAsync("inspector", "DFL");
        var id = await PlanAsync(office, inspectorId, branch);
        var service = app.Get<InspectionService>();
        var end = WxQms.Domain.Rules.Inspections.InspectionRules.QuarterEnd(Quarter.Year, Quarter.Quarter);
        if (Today < end.AddDays(-20))
            Assert.Equal(0, await service.RemindAsync(app.Clock.GetUtcNow(), Ct)); // not yet due
        var days = end.AddDays(-3).DayNumber - Today.DayNumber;
        if (days > 0)
            app.Clock.Advance(TimeSpan.FromDays(days));
        var now = app.Clock.GetUtcNow();
        var both = await Task.WhenAll(service.RemindAsync(now, Ct), service.RemindAsync(now, Ct));
        Assert.Equal(1, both.Sum());
        Assert.Equal(0, await service.RemindAsync(now, Ct));
        Assert.Equal(1, await ScalarAsync("""
            SELECT COUNT(*) FROM reminders WHERE subject_type = 'inspection' AND subject_id = @id AND kind = 'due' AND member_id = @inspectorId
            """, new { id, inspectorId }));
    }
}
