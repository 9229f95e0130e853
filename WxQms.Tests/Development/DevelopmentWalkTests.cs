using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Reminders;
using WxQms.Sandbox;
using WxQms.Tests.Browser;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Sandbox;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Development;

/// <summary>
/// Issue #17's done-when: an applicant walks all 25 steps through the API while the clock moves on over two and a half
/// years; a step recorded too early is refused with the rule that forbids it; she ends a full member with a party
/// standing date. The app runs on a clock of its own (the shared one must not jump years ahead of the other tests).
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class DevelopmentWalkTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly OwnClockApp app = new();
    private HttpClient client = null!;
    private SandboxDriver wx = null!;
    private const string Branch = "DFL-C03-B01";

    public async ValueTask InitializeAsync()
    {
        await app.InitializeAsync();
        await app.SeedDemoAsync();
        client = app.CreateClient();
        wx = new SandboxDriver(app);
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task An_applicant_walks_all_25_steps_is_refused_a_step_too_early_and_ends_a_full_member_with_a_party_standing_date()
    {
        var branchId = await ScalarAsync("SELECT id FROM orgs WHERE code = @Branch", new { Branch });
        var secretaryId = await HolderAsync("secretary", Branch);
        var committeeId = await HolderAsync("secretary", "DFL-C03");
        var full = (await QueryAsync<long>("""
            SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id
            WHERE o.path LIKE (SELECT CONCAT(path, '%') FROM orgs WHERE id = @branchId) AND m.status = 'full' AND m.id <> @secretaryId
            ORDER BY m.id
            """, new { branchId, secretaryId })).ToList();
        var eligible = full.Count + 1;

        // 2026-11-25: a resident applies herself in the mini program; the branch records her written application with a photo.
        var resident = SandboxUsers.Residents[1].MpOpenId;
        var applicantToken = await wx.SignInAsync(client, resident, bind: false);
        // The mini program's application form lists the branches with their communities; she picks hers.
        var community = await QuerySingleAsync<string>("SELECT name FROM orgs WHERE code = 'DFL-C03'");
        Assert.Contains((await GetAsync("/api/mp/development/branches", applicantToken)).EnumerateArray(),
            b => b.GetProperty("id").GetInt64() == branchId && b.GetProperty("communityName").GetString() == community);
        var applied = await SendAsync(HttpMethod.Post, "/api/mp/development/me", applicantToken, JsonContent.Create(new
        {
            orgId = branchId, name = "林晓雨", sex = "female", birthDate = new DateOnly(1998, 4, 12), phone = "13900001111",
        }));
        Assert.True(applied.StatusCode == HttpStatusCode.Created, await applied.Content.ReadAsStringAsync(Ct));
        var id = (await applied.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();

        await StepAsync(id, 1, new DateOnly(2026, 11, 25), Secretary, photo: true);
        var mine = await GetAsync("/api/mp/development/me", applicantToken);
        Assert.Equal(2, mine[0].GetProperty("next").GetProperty("number").GetInt32());
        Assert.Equal("2026-12-25", mine[0].GetProperty("next").GetProperty("due").GetString());

        // The branch's development work is among its tasks: the talk, due a month after the application, done by recording it.
        var talk = await DevTaskAsync(branchId, "与入党申请人林晓雨谈话", "2026-12");
        Assert.Equal(("pending", 2m, new DateOnly(2026, 12, 25)), Summary(talk));
        await StepAsync(id, 2, new DateOnly(2026, 12, 5), Secretary);
        Assert.Equal("completed", (await DevTaskAsync(branchId, "与入党申请人林晓雨谈话", "2026-12")).GetProperty("state").GetString());
        Assert.Equal(2m, await QuerySingleAsync<decimal>(
            "SELECT SUM(points) FROM points_ledger WHERE task_id = @task AND source = 'task.completed' AND subject_type = 'org' AND subject_id = @branchId",
            new { task = talk.GetProperty("id").GetInt64(), branchId }));
        await StepAsync(id, 3, new DateOnly(2026, 12, 28), Secretary);

        // Step 4 is the community committee's: it waits among its approvals, told through the outbox.
        var waiting = await GetAsync("/api/mp/development/approvals", await Committee());
        Assert.Contains(waiting.EnumerateArray(), a => a.GetProperty("id").GetInt64() == id && a.GetProperty("next").GetProperty("number").GetInt32() == 4);
        Assert.True(await ScalarAsync("SELECT COUNT(*) FROM reminders WHERE subject_type = 'dev_step' AND kind = 'approve-4' AND member_id = @committeeId",
            new { committeeId }) == 1);
        var bySecretary = await SendStepAsync(id, 4, new DateOnly(2027, 1, 5), await Secretary());
        Assert.Equal(HttpStatusCode.Forbidden, bySecretary.StatusCode);

        await StepAsync(id, 4, new DateOnly(2027, 1, 5), Committee);
        await StepAsync(id, 5, new DateOnly(2027, 1, 6), Secretary, people: [full[0]]);
        // The activist's assessment every half year from her confirmation, each one a task done by recording it.
        const string assessment = "半年考察入党积极分子林晓雨";
        var firstAssessment = await DevTaskAsync(branchId, assessment, "2027-06");
        Assert.Equal(("pending", 2m, new DateOnly(2027, 6, 28)), Summary(firstAssessment));
        // Reminded as any task is: within three days of its falling due, the secretary has a reminder of it in the outbox.
        await MoveToAsync(new DateOnly(2027, 6, 27));
        await app.Get<ReminderScan>().ScanDueAsync(app.Clock.GetUtcNow(), Ct);
        Assert.True(await ScalarAsync("SELECT COUNT(*) FROM reminders WHERE task_id = @task AND member_id = @secretaryId",
            new { task = firstAssessment.GetProperty("id").GetInt64(), secretaryId }) > 0);
        await StepAsync(id, 6, new DateOnly(2027, 6, 28), Secretary);
        Assert.Equal("completed", (await DevTaskAsync(branchId, assessment, "2027-06")).GetProperty("state").GetString());
        Assert.Equal(("pending", 2m, new DateOnly(2027, 12, 28)), Summary(await DevTaskAsync(branchId, assessment, "2027-12")));
        await StepAsync(id, 6, new DateOnly(2027, 12, 20), Secretary);
        Assert.Equal("completed", (await DevTaskAsync(branchId, assessment, "2027-12")).GetProperty("state").GetString());
        Assert.Equal("pending", (await DevTaskAsync(branchId, assessment, "2028-06")).GetProperty("state").GetString());

        // A year as activist ends on 2027-12-28: a day earlier the candidate step is refused with that rule.
        await MoveToAsync(new DateOnly(2027, 12, 27));
        var early = await SendStepAsync(id, 7, new DateOnly(2027, 12, 27), await Secretary());
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        var problem = await early.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("development.activist_year", problem.GetProperty("code").GetString());
        Assert.Contains("《中国共产党发展党员工作细则》第十三条", problem.GetProperty("detail").GetString());

        await StepAsync(id, 7, new DateOnly(2027, 12, 28), Secretary);
        // A candidate is no longer assessed as an activist: the next half year's task is withdrawn, not left to fall overdue.
        Assert.Equal("cancelled", (await DevTaskAsync(branchId, assessment, "2028-06")).GetProperty("state").GetString());
        await StepAsync(id, 8, new DateOnly(2028, 1, 4), Committee);
        await StepAsync(id, 9, new DateOnly(2028, 1, 5), Secretary, people: [full[0], full[1]]);
        await StepAsync(id, 10, new DateOnly(2028, 1, 10), Secretary, extra: new { conclusion = "政治历史清白，现实表现良好" });
        await StepAsync(id, 11, new DateOnly(2028, 1, 20), Secretary, extra: new { training = new { days = 3, hours = 24 } });
        await StepAsync(id, 12, new DateOnly(2028, 2, 1), Secretary);
        await StepAsync(id, 13, new DateOnly(2028, 2, 10), Committee);
        await StepAsync(id, 14, new DateOnly(2028, 2, 15), Secretary, photo: true);
        var vote = new { eligible, present = eligible - 1, inFavour = eligible - 2 };
        Assert.Equal(("pending", 2m, new DateOnly(2028, 3, 10)), Summary(await DevTaskAsync(branchId, "党员大会讨论接收林晓雨", "2028-03")));
        await StepAsync(id, 15, new DateOnly(2028, 3, 1), Secretary, extra: new { vote }, photo: true);
        Assert.Equal("completed", (await DevTaskAsync(branchId, "党员大会讨论接收林晓雨", "2028-03")).GetProperty("state").GetString());
        await StepAsync(id, 16, new DateOnly(2028, 3, 10), Committee);
        var admitted = await StepAsync(id, 17, new DateOnly(2028, 4, 1), Committee);

        // Admission made her a probationary member of the branch, admitted on the meeting's day, linked to her WeChat user.
        var memberId = admitted.GetProperty("memberId").GetInt64();
        Assert.Equal("probationary", admitted.GetProperty("status").GetString());
        Assert.Equal(("probationary", new DateTime(2028, 3, 1), branchId), await QuerySingleAsync<(string, DateTime, long)>(
            "SELECT status, admitted_on, org_id FROM members WHERE id = @memberId", new { memberId }));
        Assert.Equal(memberId, await ScalarAsync("SELECT member_id FROM wechat_users WHERE app_id = @app AND openid = @resident",
            new { app = WxQmsApp.MpAppId, resident }));

        await StepAsync(id, 18, new DateOnly(2028, 4, 10), Committee);
        await StepAsync(id, 19, new DateOnly(2028, 4, 15), Secretary);
        await StepAsync(id, 20, new DateOnly(2028, 5, 1), Secretary, photo: true);
        Assert.Equal(("pending", 2m, new DateOnly(2028, 11, 1)), Summary(await DevTaskAsync(branchId, "半年考察预备党员林晓雨", "2028-11")));
        await StepAsync(id, 21, new DateOnly(2028, 9, 1), Secretary);
        Assert.Equal("completed", (await DevTaskAsync(branchId, "半年考察预备党员林晓雨", "2028-11")).GetProperty("state").GetString());
        await StepAsync(id, 22, new DateOnly(2029, 2, 20), Secretary, photo: true);
        Assert.Equal("cancelled", (await DevTaskAsync(branchId, "半年考察预备党员林晓雨", "2029-03")).GetProperty("state").GetString());
        Assert.Equal(("pending", 2m, new DateOnly(2029, 6, 1)), Summary(await DevTaskAsync(branchId, "党员大会讨论林晓雨转正", "2029-06")));

        // Probation ends a year after the meeting (2029-03-01): the full-membership meeting a day before is refused.
        await MoveToAsync(new DateOnly(2029, 2, 28));
        var tooEarly = await SendStepAsync(id, 23, new DateOnly(2029, 2, 28), await Secretary(), new { vote });
        Assert.Equal(HttpStatusCode.Conflict, tooEarly.StatusCode);
        var refusal = await tooEarly.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("development.probation_not_over", refusal.GetProperty("code").GetString());
        Assert.Contains("《中国共产党章程》第七条", refusal.GetProperty("detail").GetString());

        await StepAsync(id, 23, new DateOnly(2029, 3, 1), Secretary, extra: new { vote });
        Assert.Equal("completed", (await DevTaskAsync(branchId, "党员大会讨论林晓雨转正", "2029-06")).GetProperty("state").GetString());
        await StepAsync(id, 24, new DateOnly(2029, 3, 15), Committee);
        var done = await StepAsync(id, 25, new DateOnly(2029, 3, 20), Committee);

        Assert.Equal("full", done.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, done.GetProperty("next").ValueKind);
        Assert.Equal("2029-03-01", done.GetProperty("partyStandingOn").GetString());
        Assert.Equal(("full", new DateTime(2029, 3, 1)), await QuerySingleAsync<(string, DateTime)>(
            "SELECT status, party_standing_on FROM members WHERE id = @memberId", new { memberId }));
        Assert.Equal(26, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'development.step_recorded' AND entity_id = @id", new { id }));
        Assert.Equal(5, await ScalarAsync("SELECT COUNT(*) FROM dev_step_photos p JOIN dev_steps s ON s.id = p.step_id WHERE s.applicant_id = @id",
            new { id }));

        // She sees it all herself, now as the member admission made of her.
        var mineAtEnd = await GetAsync("/api/mp/development/me", await wx.SignInAsync(client, resident, bind: false));
        Assert.Equal(26, mineAtEnd[0].GetProperty("steps").GetArrayLength());
    }

    // ---- helpers --------------------------------------------------------------------------------

    /// <summary>The branch's task of that name in that month, as its secretary's task list shows it.</summary>
    private async Task<JsonElement> DevTaskAsync(long branchId, string name, string period)
    {
        var list = await GetAsync($"/api/mp/tasks?scope={branchId}&period={period}", await Secretary());
        return list.EnumerateArray().Single(t => t.GetProperty("templateName").GetString() == name);
    }

    /// <summary>A task's state, points and due day (the last day it may be done, in Shanghai).</summary>
    private static (string?, decimal, DateOnly) Summary(JsonElement task) => (task.GetProperty("state").GetString(),
        task.GetProperty("possiblePoints").GetDecimal(), Periods.LocalDate(task.GetProperty("dueAt").GetDateTimeOffset()).AddDays(-1));

    private async Task<string> Secretary() => await wx.SignInMemberAsync(client, await HolderAsync("secretary", Branch));

    private async Task<string> Committee() => await wx.SignInMemberAsync(client, await HolderAsync("secretary", "DFL-C03"));

    /// <summary>Moves the app's clock to ten in the morning of <paramref name="day"/> (never back).</summary>
    private async Task MoveToAsync(DateOnly day)
    {
        var target = LocalTime.ToInstant(day, new TimeOnly(10, 0));
        if (target > app.Clock.GetUtcNow())
            await wx.AdvanceAsync(target - app.Clock.GetUtcNow());
    }

    /// <summary>Moves the clock to the day and records the step there, as whoever records it; the applicant as answered.</summary>
    private async Task<JsonElement> StepAsync(long id, int step, DateOnly on, Func<Task<string>> who, long[]? people = null, object? extra = null,
        bool photo = false)
    {
        await MoveToAsync(on);
        var token = await who();
        var response = await SendStepAsync(id, step, on, token, extra, people, photo ? [await UploadAsync(token, step)] : null);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"step {step}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private async Task<HttpResponseMessage> SendStepAsync(long id, int step, DateOnly on, string token, object? extra = null, long[]? people = null,
        string[]? photos = null)
    {
        var version = (await GetAsync($"/api/mp/development/applicants/{id}", token)).GetProperty("version").GetInt32();
        var body = new Dictionary<string, object?> { ["step"] = step, ["occurredOn"] = on, ["version"] = version, ["people"] = people,
            ["photoTokens"] = photos };
        if (extra is not null)
        {
            foreach (var p in JsonSerializer.SerializeToElement(extra).EnumerateObject())
                body[p.Name] = p.Value;
        }
        return await SendAsync(HttpMethod.Post, $"/api/mp/development/applicants/{id}/steps", token, JsonContent.Create(body));
    }

    private async Task<string> UploadAsync(string token, int seed)
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(TestPng.Create(40 + seed, 30)) { Headers = { ContentType = new("image/png") } }, "file", "photo.png" } };
        var response = await SendAsync(HttpMethod.Post, "/api/mp/uploads", token, form);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("token").GetString()!;
    }

    private Task<JsonElement> GetAsync(string url, string token) => client.GetJsonAsync(url, token);

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string? token, HttpContent? content = null) =>
        client.SendAsync(method, url, token, content);

    private static Task<long> HolderAsync(string role, string orgCode) => Seeded.HolderWithPhoneAsync(role, orgCode);
}
