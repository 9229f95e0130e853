using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Wishes;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Admin;

/// <summary>
/// The duty catalogue as data (issue #16 item 6): office staff add a version of a duty from a future date, see first
/// how many tasks of the coming plan it affects, and plan generation, judging and every instance follow it.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class DutyCatalogueTests(WxQmsApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Code = TaskCodes.ThemePartyDay;
    private readonly WishWorld w = new(app);
    private DateOnly today;
    private DateOnly nextMonth;
    private WishWorld.Person staff = null!;

    public async ValueTask InitializeAsync()
    {
        await w.InitializeAsync();
        today = Periods.LocalDate(app.Clock.GetUtcNow());
        nextMonth = new DateOnly(today.Year, today.Month, 1).AddMonths(1);
        foreach (var year in new[] { today.Year, nextMonth.Year }.Distinct())
            await app.Get<PlanService>().GenerateYearAsync(year, Ct);
        staff = await w.HolderAsync("staff", "DFL");
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private object NewPoints(DateOnly from, decimal points = 2.5m) => new { effectiveFrom = from, points, lateDeduction = 1m };

    private static string Key(DateOnly month) => $"{month:yyyy-MM}";

    [Fact]
    public async Task A_new_version_from_next_month_plans_next_month_with_its_points_and_this_months_tasks_keep_version_1()
    {
        var thisMonth = Key(today);
        var preview = await w.ExpectAsync(HttpStatusCode.OK, $"/api/admin/duties/{Code}/preview", staff, NewPoints(nextMonth));
        var affected = preview.GetProperty("impact").GetProperty("affected").GetInt32();
        Assert.True(affected > 0, preview.ToString());
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM tasks WHERE template_code = @Code AND template_version = 2", new { Code }));

        var added = await w.ExpectAsync(HttpStatusCode.Created, $"/api/admin/duties/{Code}/versions", staff, NewPoints(nextMonth));
        Assert.Equal(2, added.GetProperty("version").GetProperty("version").GetInt32());

        // Next month is planned under version 2 with its points; this month's tasks keep version 1 and theirs.
        var next = (await QueryAsync<(int Version, decimal Points)>(
            "SELECT template_version, possible_points FROM tasks WHERE template_code = @Code AND period_key = @key",
            new { Code, key = Key(nextMonth) })).ToList();
        Assert.NotEmpty(next);
        Assert.All(next, t => Assert.Equal((2, 2.5m), t));
        var current = (await QueryAsync<(long Id, int Version, decimal Points)>(
            "SELECT id, template_version, possible_points FROM tasks WHERE template_code = @Code AND period_key = @thisMonth",
            new { Code, thisMonth })).ToList();
        Assert.NotEmpty(current);
        Assert.All(current, t => Assert.Equal((1, 1.5m), (t.Version, t.Points)));

        // A task made under version 1 is still judged by version 1.
        var snapshot = await app.Get<TaskQueries>().GetAsync(current[0].Id, Ct);
        Assert.Equal(1, snapshot!.Template.Version);
        Assert.Equal(1.5m, snapshot.Template.Points);
        Assert.Equal(0.75m, snapshot.Template.LateDeduction);

        // What the preview counted is what plan generation makes under the new version, and generating again adds nothing.
        foreach (var year in new[] { today.Year, nextMonth.Year }.Distinct())
            await app.Get<PlanService>().GenerateYearAsync(year, Ct);
        Assert.Equal(affected, await ScalarAsync(
            "SELECT COUNT(*) FROM tasks WHERE template_code = @Code AND template_version = 2", new { Code }));

        // The addition is one audit entry by the staff member.
        Assert.Equal(1, await ScalarAsync(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'duty.version_added' AND actor_member_id = @id", new { id = staff.MemberId }));
        var duty = await w.GetAsync($"/api/admin/duties/{Code}", staff);
        Assert.Equal(2, duty.GetProperty("next").GetProperty("version").GetInt32());
        Assert.Equal(1, duty.GetProperty("inForce").GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task A_year_not_planned_yet_is_planned_under_the_version_in_force_and_the_preview_counted_it()
    {
        var year = nextMonth.Year + 1;
        var from = new DateOnly(year, 1, 1);
        var preview = await w.ExpectAsync(HttpStatusCode.OK, $"/api/admin/duties/{Code}/preview", staff, NewPoints(from, 2m));
        var impact = preview.GetProperty("impact");
        Assert.Equal(0, impact.GetProperty("moved").GetInt32());
        await w.ExpectAsync(HttpStatusCode.Created, $"/api/admin/duties/{Code}/versions", staff, NewPoints(from, 2m));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM tasks WHERE period_key LIKE @p", new { p = $"{year}%" }));

        var result = await app.Get<PlanService>().GenerateYearAsync(year, Ct);
        Assert.True(result.Created > 0);
        Assert.Equal(impact.GetProperty("affected").GetInt32(), await ScalarAsync(
            "SELECT COUNT(*) FROM tasks WHERE template_code = @Code AND template_version = 2 AND possible_points = 2", new { Code }));
        Assert.Equal(0, await ScalarAsync(
            "SELECT COUNT(*) FROM tasks WHERE template_code = @Code AND period_key LIKE @p AND template_version = 1", new { Code, p = $"{year}%" }));
    }

    [Fact]
    public async Task A_version_in_use_is_never_edited_but_a_scheduled_one_no_task_uses_yet_can_be()
    {
        var refused = await PutAsync($"/api/admin/duties/{Code}/versions/1", new { points = 9m, effectiveFrom = nextMonth });
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Equal("duty.version_in_use", refused.Body.Code());

        await w.ExpectAsync(HttpStatusCode.Created, $"/api/admin/duties/{Code}/versions", staff, NewPoints(nextMonth));
        var second = await PutAsync($"/api/admin/duties/{Code}/versions/2", new { points = 9m, effectiveFrom = nextMonth });
        Assert.Equal(HttpStatusCode.Conflict, second.Status);
        Assert.Equal("duty.version_in_use", second.Body.Code());
        Assert.Equal(2.5m, await QuerySingleAsync<decimal>("SELECT points FROM duty_versions WHERE code = @Code AND version = 2", new { Code }));

        // Far ahead, no plan holds it yet: it may still be rewritten.
        var far = new DateOnly(today.Year + 4, 1, 1);
        await w.ExpectAsync(HttpStatusCode.Created, $"/api/admin/duties/{Code}/versions", staff, NewPoints(far, 3m));
        var rewritten = await PutAsync($"/api/admin/duties/{Code}/versions/3", new { points = 4m, effectiveFrom = far });
        Assert.Equal(HttpStatusCode.OK, rewritten.Status);
        Assert.Equal(4m, await QuerySingleAsync<decimal>("SELECT points FROM duty_versions WHERE code = @Code AND version = 3", new { Code }));
    }

    [Fact]
    public async Task Bad_fields_are_refused_by_field_in_chinese_and_nothing_is_saved()
    {
        var response = await w.PostAsync($"/api/admin/duties/{Code}/preview", staff,
            new { effectiveFrom = today, points = -1m, frequency = "weekly" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("duty.invalid", problem.Code());
        var errors = problem.GetProperty("errors");
        Assert.Contains("晚于今天", errors.GetProperty("effectiveFrom").GetString());
        Assert.Contains("分值", errors.GetProperty("points").GetString());
        Assert.Contains("频次", errors.GetProperty("frequency").GetString());

        var midMonth = await w.PostAsync($"/api/admin/duties/{Code}/versions", staff, new { effectiveFrom = nextMonth.AddDays(14), points = 2m });
        Assert.Equal(HttpStatusCode.BadRequest, midMonth.StatusCode);
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM duty_versions WHERE code = @Code", new { Code }));
    }

    [Fact]
    public async Task Only_office_staff_change_the_catalogue_and_every_console_role_reads_it()
    {
        var secretary = await w.HolderAsync("secretary", "DFL-C01-B01");
        var refused = await w.PostAsync($"/api/admin/duties/{Code}/versions", secretary, NewPoints(nextMonth));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("auth.forbidden", (await refused.Content.ReadFromJsonAsync<JsonElement>(Ct)).Code());
        using var preview = await w.PostAsync($"/api/admin/duties/{Code}/preview", secretary, NewPoints(nextMonth));
        Assert.Equal(HttpStatusCode.Forbidden, preview.StatusCode);
        using var form = await w.SendAsync(HttpMethod.Post, $"/admin/duties/{Code}", secretary, Form(nextMonth, "2", "confirm"));
        Assert.Equal(HttpStatusCode.Forbidden, form.StatusCode);
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM duty_versions WHERE code = @Code", new { Code }));

        var list = await w.GetAsync("/api/admin/duties", secretary);
        Assert.Equal(TaskCatalogue.Default.Codes.Count, list.GetArrayLength());
        using var page = await w.SendAsync(HttpMethod.Get, $"/admin/duties/{Code}", secretary);
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.Contains("支部工作条例", html);
        Assert.DoesNotContain("确认保存", html);
        Assert.DoesNotContain("新增版本", html);

        var member = await w.PlainMemberAsync(0);
        using var forMember = await w.SendAsync(HttpMethod.Get, "/api/admin/duties", member);
        Assert.Equal(HttpStatusCode.Forbidden, forMember.StatusCode);
    }

    [Fact]
    public async Task The_console_previews_then_saves_a_version_and_shows_bad_fields_inline()
    {
        using var list = await w.SendAsync(HttpMethod.Get, "/admin/duties", staff);
        var table = await list.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Contains("职责目录", table);
        Assert.Contains("主题党日", table);

        using var bad = await w.SendAsync(HttpMethod.Post, $"/admin/duties/{Code}", staff, Form(nextMonth, "-1", "preview"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("分值须在0到100之间", await bad.Content.ReadAsStringAsync(Ct));

        using var preview = await w.SendAsync(HttpMethod.Post, $"/admin/duties/{Code}", staff, Form(nextMonth, "2", "preview"));
        var previewHtml = await preview.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        Assert.Contains("影响即将执行计划中的", previewHtml);
        Assert.Contains("确认保存", previewHtml);
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM duty_versions WHERE code = @Code", new { Code }));

        using var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/admin/duties/{Code}") { Content = Form(nextMonth, "2", "confirm") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", staff.Token);
        using var saved = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.SeeOther, saved.StatusCode);
        Assert.Equal($"/admin/duties/{Code}?added=2", saved.Headers.Location!.ToString());
        using var after = await w.SendAsync(HttpMethod.Get, saved.Headers.Location.ToString(), staff);
        var afterHtml = await after.Content.ReadAsStringAsync(Ct);
        Assert.Contains("已新增第2版", afterHtml);
        Assert.Contains("待生效", afterHtml);
    }

    [Fact]
    public async Task Another_api_instance_plans_with_a_new_version_without_a_restart()
    {
        await using var second = new SecondInstance();
        second.Clock.SetUtcNow(app.Clock.GetUtcNow());
        using var secondClient = second.CreateClient();
        Assert.Equal(JsonValueKind.Null, (await DutyOn(secondClient)).GetProperty("next").ValueKind);

        await w.ExpectAsync(HttpStatusCode.Created, $"/api/admin/duties/{Code}/versions", staff, NewPoints(nextMonth));
        second.Clock.Advance(TimeSpan.FromSeconds(11)); // Cache:DutyCatalogueTtl
        Assert.Equal(2.5m, (await DutyOn(secondClient)).GetProperty("next").GetProperty("points").GetDecimal());
        var catalogue = await second.Get<ITaskCatalogueSource>().GetAsync(Ct);
        Assert.Equal(2, catalogue.Resolve(Code, nextMonth).Version);
    }

    private async Task<JsonElement> DutyOn(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/admin/duties/{Code}");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", staff.Token);
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> PutAsync(string url, object body)
    {
        using var response = await w.SendAsync(HttpMethod.Put, url, staff, JsonContent.Create(body));
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(Ct));
    }

    private static FormUrlEncodedContent Form(DateOnly from, string points, string step) => new(new Dictionary<string, string>
    {
        ["effectiveFrom"] = $"{from:yyyy-MM-dd}", ["points"] = points, ["lateDeduction"] = "1", ["step"] = step,
    });

    /// <summary>A second Api instance on the same MySQL and Redis.</summary>
    private sealed class SecondInstance : WxQmsApp;
}
