using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Nonconformities;
using WxQms.Sandbox.Demo;
using WxQms.Tests.Assessment;
using WxQms.Tests.Infrastructure;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Nonconformities;

/// <summary>
/// Nonconformities and their corrective action (issue #19 items 4 and 5) through the real pipeline on the demo subdistrict:
/// a branch with two warned tasks in a quarter gets one by itself, once, however often and however concurrently the scan
/// runs; the CAPA loop driven as the mini program drives it (the secretary's cause and countermeasure, completion, the
/// committee's check failing once and passing the second time, the trail of every step); the refusals.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class NonconformityTests : IAsyncLifetime
{
    private readonly OwnClockApp app = new(); // moves its own clock forward to the check's day
    private AssessmentWorld people = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string BranchCode = "DFL-C02-B01";
    private const string CommunityCode = "DFL-C02";

    public async ValueTask InitializeAsync()
    {
        await app.InitializeAsync();
        await app.SeedDemoAsync();
        await app.PlanYearAsync();
        people = new AssessmentWorld(app);
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private DateOnly Today => Periods.LocalDate(app.Clock.GetUtcNow());

    private static string S(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private Task<HttpClient> ClientAsync(long memberId) => people.ClientAsync(memberId, followRedirects: true);

    private static Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK) => response.JsonAsync(expected);

    private static async Task<string?> CodeAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await JsonAsync(response, expected);
        return body.TryGetProperty("code", out var code) ? code.GetString() : null;
    }

    private async Task<long> RaiseAsync(long branch, string sourceRef) =>
        (await app.Get<NonconformityService>().RaiseAsync(new NewNonconformity(branch, NonconformitySource.Inspection, sourceRef, "DFL-QP-03 §4.2",
            NonconformitySeverity.Minor, "三会一课记录不完整，缺少会议签到表。"), NcActor.System, Ct)).Id;

    [Fact]
    public async Task A_branch_with_two_warned_tasks_in_a_quarter_gets_a_nonconformity_by_itself_once()
    {
        var branch = await people.OrgAsync("DFL-C04-B02");
        // Two of the branch's tasks due in the same quarter of the last year were warned (as the reminder scan marks them).
        var tasks = (await QueryAsync<(long Id, DateTime DueAt)>("""
            SELECT id, due_at FROM tasks WHERE org_id = @branch AND due_at < @now AND due_at >= @yearAgo AND state <> 'cancelled' ORDER BY due_at
            """, new { branch, now = app.Clock.GetUtcNow().UtcDateTime, yearAgo = app.Clock.GetUtcNow().AddMonths(-11).UtcDateTime })).ToList();
        var quarter = tasks.GroupBy(t => WxQms.Domain.Rules.Nonconformities.RaisedByRule.Quarter(
            Periods.LocalDate(new DateTimeOffset(DateTime.SpecifyKind(t.DueAt, DateTimeKind.Utc)).AddTicks(-1)))).First(g => g.Count() >= 2);
        await ExecuteAsync("UPDATE tasks SET warned_at = due_at WHERE id IN @ids", new { ids = quarter.Take(2).Select(t => t.Id).ToArray() });
        var sourceRef = $"tasks:{branch}:{quarter.Key}";

        var scan = app.Get<NonconformityScan>();
        var now = app.Clock.GetUtcNow();
        var first = await scan.RaiseByRulesAsync(now, Ct);
        var again = await scan.RaiseByRulesAsync(now, Ct);
        await ExecuteAsync("DELETE FROM reminders WHERE subject_type = 'nonconformity'");
        await ExecuteAsync("DELETE FROM nonconformity_photos");
        await ExecuteAsync("DELETE FROM nonconformity_steps");
        await ExecuteAsync("DELETE FROM nonconformities");
        // Two workers at once, on an empty register.
        var both = await Task.WhenAll(scan.RaiseByRulesAsync(now, Ct), scan.RaiseByRulesAsync(now, Ct));

        Assert.True(first >= 1, $"{first} raised");
        Assert.Equal(0, again);
        Assert.Equal(first, both.Sum());
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM nonconformities WHERE source = 'rule' AND source_ref = @sourceRef", new { sourceRef }));
        var id = await ScalarAsync("SELECT id FROM nonconformities WHERE source_ref = @sourceRef", new { sourceRef });
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'nonconformity.raised' AND entity_id = @id", new { id }));
        // Assigned to the branch secretary: she is told once, and sees it in her list.
        var secretary = await people.HolderAsync("secretary", "DFL-C04-B02");
        Assert.Equal(1, await ScalarAsync("""
            SELECT COUNT(*) FROM reminders WHERE subject_type = 'nonconformity' AND subject_id = @id AND kind = 'assigned1' AND member_id = @secretary
            """, new { id, secretary }));
        var list = await JsonAsync(await (await ClientAsync(secretary)).GetAsync("/api/mp/nonconformities", Ct));
        var mine = list.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetInt64() == id);
        Assert.Equal(("rule", "open"), (mine.GetProperty("source").GetString(), mine.GetProperty("state").GetString()));
        Assert.Contains("预警或逾期", mine.GetProperty("description").GetString());
    }

    [Fact]
    public async Task The_secretary_corrects_the_committees_check_fails_once_and_passes_the_second_time_and_the_trail_shows_every_step()
    {
        var branch = await people.OrgAsync(BranchCode);
        var id = await RaiseAsync(branch, $"test:{Guid.NewGuid():N}");
        var secretaryId = await people.HolderAsync("secretary", BranchCode);
        var checkerId = await people.HolderAsync("secretary", CommunityCode);
        var secretary = await ClientAsync(secretaryId);
        var url = $"/api/mp/nonconformities/{id}";

        // Round 1: cause and countermeasure, then done with a note.
        var open = await JsonAsync(await secretary.GetAsync(url, Ct));
        Assert.Equal(("open", true), (open.GetProperty("state").GetString(), open.GetProperty("mayAct").GetBoolean()));
        var v = open.GetProperty("version").GetInt32();
        var recorded = await JsonAsync(await secretary.PostAsJsonAsync($"{url}/actions", new
        {
            cause = "会议记录员未接受培训，签到表未随记录归档。", action = "培训记录员，补齐本季度签到表并按月归档。", dueOn = S(Today.AddDays(14)), version = v,
        }, Ct));
        Assert.Equal("action_recorded", recorded.GetProperty("state").GetString());
        // A stale version (the one before the step) is refused and changes nothing.
        Assert.Equal("nonconformity.version_conflict", await CodeAsync(await secretary.PostAsJsonAsync($"{url}/completion",
            new { note = "已完成", version = v }, Ct), HttpStatusCode.Conflict));
        var done = await JsonAsync(await secretary.PostAsJsonAsync($"{url}/completion",
            new { note = "已培训两名记录员，签到表已补齐归档。", version = recorded.GetProperty("version").GetInt32() }, Ct));
        Assert.Equal("awaiting_check", done.GetProperty("state").GetString());

        // The branch secretary cannot check her own action; the community's can, once the check is due.
        Assert.Equal("auth.forbidden", await CodeAsync(await secretary.PostAsJsonAsync($"{url}/checks",
            new { passed = true, version = done.GetProperty("version").GetInt32() }, Ct), HttpStatusCode.Forbidden));
        var checker = await ClientAsync(checkerId);
        Assert.Equal("nonconformity.check_not_due", await CodeAsync(await checker.PostAsJsonAsync($"{url}/checks",
            new { passed = true, version = done.GetProperty("version").GetInt32() }, Ct), HttpStatusCode.Conflict));
        app.Clock.Advance(TimeSpan.FromDays(31));
        Assert.True(await app.Get<NonconformityScan>().RemindAsync(app.Clock.GetUtcNow(), Ct) > 0);
        Assert.True(await ScalarAsync("""
            SELECT COUNT(*) FROM reminders WHERE subject_type = 'nonconformity' AND subject_id = @id AND kind = 'check_due1' AND member_id = @checkerId
            """, new { id, checkerId }) == 1);
        checker = await ClientAsync(checkerId);
        var due = await JsonAsync(await checker.GetAsync("/api/mp/nonconformities/checks", Ct));
        Assert.Contains(due.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetInt64() == id && i.GetProperty("checkDueNow").GetBoolean());
        var failed = await JsonAsync(await checker.PostAsJsonAsync($"{url}/checks",
            new { passed = false, note = "抽查十月会议，签到表仍缺失，问题再次发生。", version = done.GetProperty("version").GetInt32() }, Ct));
        Assert.Equal(("reopened", 2), (failed.GetProperty("state").GetString(), failed.GetProperty("cycle").GetInt32()));
        Assert.Equal(1, await ScalarAsync("""
            SELECT COUNT(*) FROM reminders WHERE subject_type = 'nonconformity' AND subject_id = @id AND kind = 'assigned2' AND member_id = @secretaryId
            """, new { id, secretaryId }));

        // Round 2: a new cause and countermeasure, done, checked again after the set time: closed.
        secretary = await ClientAsync(secretaryId);
        var again = await JsonAsync(await secretary.PostAsJsonAsync($"{url}/actions", new
        {
            cause = "签到表由记录员一人保管，无人复核。", action = "每次会后由组织委员复核签到表并拍照上传。", dueOn = S(Today.AddDays(7)),
            version = failed.GetProperty("version").GetInt32(),
        }, Ct));
        var doneAgain = await JsonAsync(await secretary.PostAsJsonAsync($"{url}/completion",
            new { note = "已建立复核制度，十一月两次会议均复核。", version = again.GetProperty("version").GetInt32() }, Ct));
        app.Clock.Advance(TimeSpan.FromDays(31));
        checker = await ClientAsync(checkerId);
        var closed = await JsonAsync(await checker.PostAsJsonAsync($"{url}/checks",
            new { passed = true, note = "抽查两次会议，签到表齐全。", version = doneAgain.GetProperty("version").GetInt32() }, Ct));
        Assert.Equal("closed", closed.GetProperty("state").GetString());

        // The trail shows every step, each one audit entry; the corrective actions are nested by cycle.
        secretary = await ClientAsync(secretaryId);
        var trail = await JsonAsync(await secretary.GetAsync(url, Ct));
        Assert.Equal(["raised", "action_recorded", "completed", "check_failed", "action_recorded", "completed", "check_passed"],
            trail.GetProperty("trail").EnumerateArray().Select(s => s.GetProperty("kind").GetString()!).ToArray());
        var actions = trail.GetProperty("correctiveActions").EnumerateArray().ToList();
        Assert.Equal((false, true), (actions[0].GetProperty("passed").GetBoolean(), actions[1].GetProperty("passed").GetBoolean()));
        Assert.Equal(7, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE entity_type = 'nonconformity' AND entity_id = @id", new { id }));
        // Closed is closed.
        Assert.Equal("nonconformity.closed", await CodeAsync(await secretary.PostAsJsonAsync($"{url}/actions", new
        {
            cause = "x", action = "y", dueOn = S(Today.AddDays(3)), version = closed.GetProperty("version").GetInt32(),
        }, Ct), HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task Plain_members_and_other_branches_are_refused_and_bad_input_is_a_409_not_a_500()
    {
        var branch = await people.OrgAsync(BranchCode);
        var id = await RaiseAsync(branch, $"test:{Guid.NewGuid():N}");
        var url = $"/api/mp/nonconformities/{id}";
        var member = await ClientAsync(await people.MemberOfAsync(BranchCode));
        Assert.Equal("auth.forbidden", await CodeAsync(await member.GetAsync(url, Ct), HttpStatusCode.Forbidden));
        var other = await ClientAsync(await people.HolderAsync("secretary", "DFL-C05-B01"));
        Assert.Equal("auth.forbidden", await CodeAsync(await other.GetAsync(url, Ct), HttpStatusCode.Forbidden));
        Assert.Equal("auth.forbidden", await CodeAsync(await other.PostAsJsonAsync($"{url}/actions",
            new { cause = "c", action = "a", dueOn = S(Today.AddDays(3)), version = 1 }, Ct), HttpStatusCode.Forbidden));
        var secretary = await ClientAsync(await people.HolderAsync("secretary", BranchCode));
        Assert.Equal("nonconformity.due_past", await CodeAsync(await secretary.PostAsJsonAsync($"{url}/actions",
            new { cause = "c", action = "a", dueOn = S(Today.AddDays(-1)), version = 1 }, Ct), HttpStatusCode.Conflict));
        Assert.Equal("nonconformity.no_action", await CodeAsync(await secretary.PostAsJsonAsync($"{url}/completion",
            new { note = "做完了", version = 1 }, Ct), HttpStatusCode.Conflict));
        Assert.Equal("nonconformity.not_found", await CodeAsync(await secretary.GetAsync("/api/mp/nonconformities/987654321", Ct),
            HttpStatusCode.NotFound));
        // The same finding raised again is the same nonconformity.
        var (again, created) = await app.Get<NonconformityService>().RaiseAsync(new NewNonconformity(branch, NonconformitySource.Inspection,
            (await QuerySingleAsync<string>("SELECT source_ref FROM nonconformities WHERE id = @id", new { id })), null, NonconformitySeverity.Major,
            "重复"), NcActor.System, Ct);
        Assert.Equal((id, false), (again, created));
    }

    [Fact]
    public async Task The_demo_shows_nonconformities_in_every_state_some_raised_by_rule_and_posting_again_adds_nothing()
    {
        var branch = await people.OrgAsync("DFL-C01-B01");
        var due = await QueryAsync<long>("""
            SELECT id FROM tasks WHERE org_id = @branch AND due_at < @now AND state <> 'cancelled' ORDER BY due_at DESC LIMIT 2
            """, new { branch, now = app.Clock.GetUtcNow().UtcDateTime });
        await ExecuteAsync("UPDATE tasks SET warned_at = due_at, state = 'overdue' WHERE id IN @ids", new { ids = due.ToArray() });

        var first = await app.Get<DemoNonconformities>().PostAsync(Ct);
        var again = await app.Get<DemoNonconformities>().PostAsync(Ct);

        Assert.True(first.RaisedByRule >= 1 && first.Inspected == 6, $"{first}");
        Assert.Equal((0, 0), (again.RaisedByRule, again.Inspected));
        var states = (await QueryAsync<string>("SELECT DISTINCT state FROM nonconformities")).ToHashSet();
        Assert.Superset(new HashSet<string> { "open", "action_recorded", "awaiting_check", "reopened", "closed" }, states);
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM nonconformities WHERE state = 'action_recorded' AND action_due_on < @today",
            new { today = Today.ToDateTime(TimeOnly.MinValue) }));
        Assert.True(await ScalarAsync("SELECT COUNT(*) FROM nonconformities WHERE state = 'closed' AND cycle = 2") == 1);

        // The office's register filters by state and source and shows the trail of one; a branch secretary is refused.
        var office = await ClientAsync(await people.HolderAsync("staff", "DFL"));
        var reopened = await ScalarAsync("SELECT id FROM nonconformities WHERE state = 'reopened'");
        var closed = await ScalarAsync("SELECT id FROM nonconformities WHERE state = 'closed' AND cycle = 2");
        var page = await office.GetAsync("/admin/nonconformities?state=reopened&source=inspection", Ct);
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.True(page.StatusCode == HttpStatusCode.OK, html);
        Assert.Contains($"NC{reopened}<", html);
        Assert.DoesNotContain($"NC{closed}<", html);
        Assert.Contains("共 1 条", html);
        html = await (await office.GetAsync($"/admin/nonconformities/{closed}", Ct)).Content.ReadAsStringAsync(Ct);
        Assert.Contains("有效性验证未通过（重新整改）", html);
        Assert.Contains("有效性验证通过（关闭）", html);
        Assert.Equal(2, html.Split("原因分析与纠正措施").Length - 1); // one step per cycle
        var secretary = await ClientAsync(await people.HolderAsync("secretary", "DFL-C01-B01"));
        Assert.Equal(HttpStatusCode.Forbidden, (await secretary.GetAsync("/admin/nonconformities", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_nonconformity_past_due_costs_its_branch_the_configured_deduction_in_the_periods_result()
    {
        var branch = await people.OrgAsync(BranchCode);
        var id = await RaiseAsync(branch, $"test:{Guid.NewGuid():N}");
        var dueDay = Today.AddDays(-1);
        var period = Periods.Containing(Recurrence.Monthly, Periods.StartOf(dueDay));
        var assessment = app.Get<WxQms.Domain.Services.Assessment.AssessmentService>();
        async Task<decimal> TotalAsync() => (await assessment.GetResultsAsync(period, Ct)).Lines.Single(l => l.Org.Id == branch).Result.Total;
        var before = await TotalAsync();

        var root = await QuerySingleAsync<(long Id, string Path)>("SELECT id, path FROM orgs WHERE code = 'DFL'");
        var office = new NcActor([new WxQms.Domain.Rules.Grant(Roles.Staff, root.Id, root.Path, OrgKind.Subdistrict)], "test:office", null, null);
        await app.Get<NonconformityService>().RecordActionAsync(id, "原因", "措施", Today, 1, office, Ct);
        Assert.Equal(before, await TotalAsync()); // due today: not past due yet
        await ExecuteAsync("UPDATE nonconformities SET action_due_on = @d WHERE id = @id", new { id, d = dueDay.ToDateTime(TimeOnly.MinValue) });

        Assert.Equal(before - 0.5m, await TotalAsync());
    }

    [Fact]
    public async Task The_secretary_is_reminded_before_the_countermeasures_due_date_and_warned_after_it_each_once()
    {
        var branch = await people.OrgAsync(BranchCode);
        var id = await RaiseAsync(branch, $"test:{Guid.NewGuid():N}");
        var secretaryId = await people.HolderAsync("secretary", BranchCode);
        var secretary = await ClientAsync(secretaryId);
        await JsonAsync(await secretary.PostAsJsonAsync($"/api/mp/nonconformities/{id}/actions",
            new { cause = "原因", action = "措施", dueOn = S(Today.AddDays(2)), version = 1 }, Ct));
        var scan = app.Get<NonconformityScan>();
        Task<long> CountAsync(string kind) => ScalarAsync("""
            SELECT COUNT(*) FROM reminders WHERE subject_type = 'nonconformity' AND subject_id = @id AND kind = @kind AND member_id = @secretaryId
            """, new { id, kind, secretaryId });

        await scan.RemindAsync(app.Clock.GetUtcNow(), Ct);
        await scan.RemindAsync(app.Clock.GetUtcNow(), Ct);
        Assert.Equal((1, 0), (await CountAsync("due_soon1"), await CountAsync("overdue1")));
        app.Clock.Advance(TimeSpan.FromDays(3));
        await Task.WhenAll(scan.RemindAsync(app.Clock.GetUtcNow(), Ct), scan.RemindAsync(app.Clock.GetUtcNow(), Ct));
        Assert.Equal((1, 1), (await CountAsync("due_soon1"), await CountAsync("overdue1")));
        // The register shows it past due.
        secretary = await ClientAsync(secretaryId);
        Assert.True((await JsonAsync(await secretary.GetAsync($"/api/mp/nonconformities/{id}", Ct))).GetProperty("pastDue").GetBoolean());
    }
}
