using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Bot;
using WxQms.Tests.Browser;
using WxQms.Tests.Bot;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Sandbox;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Admin;

/// <summary>
/// Where staff already are (issue #16, item 8): the review queue, the reminder list and bind-code printing as console
/// pages, through the real pipeline on the demo subdistrict with this year's plan.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class AdminWorkPagesTests(WxQmsApp app, AdminWorkPagesTests.World world) : IClassFixture<AdminWorkPagesTests.World>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class World(WxQmsApp app) : IAsyncLifetime
    {
        public Period Month { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            await app.SeedDemoAsync();
            Month = await app.PlanMonthAsync();
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private readonly HttpClient http = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
    private readonly SandboxDriver wx = new(app);

    private static Task<long> HolderAsync(string role, string orgCode) => QuerySingleAsync<long>("""
        SELECT r.member_id FROM member_roles r JOIN orgs o ON o.id = r.org_id JOIN members m ON m.id = r.member_id
        WHERE r.role = @role AND o.code = @orgCode AND m.phone IS NOT NULL ORDER BY r.member_id LIMIT 1
        """, new { role, orgCode });

    private Task<string> SignInAsync(long memberId) => wx.SignInMemberAsync(http, memberId);

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string token, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request, Ct);
    }

    private async Task<(HttpStatusCode Status, string Html)> PageAsync(string url, string token)
    {
        using var response = await SendAsync(HttpMethod.Get, url, token);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    private async Task<HttpResponseMessage> PostFormAsync(string url, string token, params (string, string)[] fields) =>
        await SendAsync(HttpMethod.Post, url, token, new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Item1, f.Item2))));

    /// <summary>DFL-C03-B01's secretary plans and completes a theme party day of next month through the mini program's Api.</summary>
    private async Task<long> CompletedTaskAsync(string periodCode)
    {
        var secretaryId = await HolderAsync("secretary", "DFL-C03-B01");
        var token = await SignInAsync(secretaryId);
        var month = world.Month;
        var taskId = await QuerySingleAsync<long>("""
            SELECT t.id FROM tasks t JOIN orgs o ON o.id = t.org_id
            WHERE o.code = 'DFL-C03-B01' AND t.template_code = @code AND t.period_key = @key AND t.state IN ('pending', 'planned', 'returned')
            """, new { code = periodCode, key = month.Key });
        var day20 = new DateTimeOffset(month.LastDay.Year, month.LastDay.Month, 20, 14, 0, 0, TimeSpan.FromHours(8));
        var version = await QuerySingleAsync<int>("SELECT row_version FROM tasks WHERE id = @taskId", new { taskId });
        using (var planned = await SendAsync(HttpMethod.Put, $"/api/mp/tasks/{taskId}/plan", token,
                   JsonContent.Create(new { plannedFor = day20, place = "社区党群服务中心", topic = "志愿服务进楼院", version })))
            Assert.True(planned.IsSuccessStatusCode, await planned.Content.ReadAsStringAsync(Ct));
        if (app.Clock.GetUtcNow() < day20.AddHours(3))
            app.Clock.SetUtcNow(day20.AddHours(3));
        token = await SignInAsync(secretaryId);
        var photos = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var form = new MultipartFormDataContent { { new ByteArrayContent(TestPng.Create(50 + i + (int)(taskId % 50), 40)) { Headers = { ContentType = new("image/png") } }, "file", "photo.png" } };
            using var uploaded = await SendAsync(HttpMethod.Post, "/api/mp/uploads", token, form);
            Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
            photos.Add((await uploaded.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("token").GetString()!);
        }
        var roster = await QueryAsync<long>("""
            SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id
            WHERE o.path LIKE (SELECT CONCAT(path, '%') FROM orgs WHERE code = 'DFL-C03-B01') AND m.status IN ('full', 'probationary')
            """);
        using var submitted = await SendAsync(HttpMethod.Post, $"/api/mp/tasks/{taskId}/evidence", token, JsonContent.Create(new
        {
            heldAt = app.Clock.GetUtcNow().AddHours(-2), place = "社区党群服务中心", topic = "志愿服务进楼院",
            minutes = "活动记录：清理楼道、走访独居老人……", version = version + 1,
            attendance = roster.Select(id => new { memberId = id, presence = "present" }), photoTokens = photos,
        }));
        Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync(Ct));
        Assert.Equal("awaiting", await QuerySingleAsync<string>("SELECT review_status FROM tasks WHERE id = @taskId", new { taskId }));
        return taskId;
    }

    [Fact]
    public async Task Staff_find_a_submission_in_the_review_queue_and_return_it_with_a_reason_after_inline_errors()
    {
        var taskId = await CompletedTaskAsync(TaskCodes.ThemePartyDay);
        var staff = await SignInAsync(await HolderAsync("staff", "DFL"));
        var secretary = await SignInAsync(await HolderAsync("secretary", "DFL-C03-B01"));

        var (queueStatus, queue) = await PageAsync("/admin/reviews?q=DFL", staff);
        using var json = await SendAsync(HttpMethod.Get, "/api/admin/reviews", staff);
        var (_, searched) = await PageAsync("/admin/reviews?q=" + Uri.EscapeDataString("主题党日"), staff);
        var (pageStatus, page) = await PageAsync($"/admin/reviews/{taskId}", staff);
        var version = await QuerySingleAsync<int>("SELECT row_version FROM tasks WHERE id = @taskId", new { taskId });
        using var noReason = await PostFormAsync($"/admin/reviews/{taskId}", staff, ("decision", "return"), ("reason", " "), ("version", $"{version}"));
        using var badAdjustment = await PostFormAsync($"/admin/reviews/{taskId}", staff, ("decision", "approve"), ("adjustment", "很多"), ("version", $"{version}"));
        using var tooMuch = await PostFormAsync($"/admin/reviews/{taskId}", staff, ("decision", "approve"), ("adjustment", "0.9"), ("reason", "好"), ("version", $"{version}"));
        var (refusedStatus, refused) = await PageAsync("/admin/reviews", secretary);
        using var secretaryPost = await PostFormAsync($"/admin/reviews/{taskId}", secretary, ("decision", "approve"), ("version", $"{version}"));
        using var returned = await PostFormAsync($"/admin/reviews/{taskId}", staff, ("decision", "return"), ("reason", "照片与会议记录不符，请补充"), ("version", $"{version}"));

        Assert.Equal(HttpStatusCode.OK, queueStatus);
        Assert.Contains((await json.Content.ReadFromJsonAsync<JsonElement>(Ct)).EnumerateArray(), t => t.GetProperty("id").GetInt64() == taskId);
        Assert.Contains($"/admin/reviews/{taskId}", searched);
        Assert.Contains("共 0 条", queue); // the search names orgs and tasks, not codes
        Assert.Equal(HttpStatusCode.OK, pageStatus);
        Assert.Contains("活动记录：清理楼道", page);
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Contains("退回须填写原因", await noReason.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.BadRequest, badAdjustment.StatusCode);
        Assert.Contains("请填写数字", await badAdjustment.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.BadRequest, tooMuch.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refusedStatus);
        Assert.Contains("街道党建办", refused);
        Assert.Equal(HttpStatusCode.Forbidden, secretaryPost.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, returned.StatusCode);
        Assert.Equal("/admin/reviews?done=return", returned.Headers.Location!.ToString());
        Assert.Equal("returned", await QuerySingleAsync<string>("SELECT state FROM tasks WHERE id = @taskId", new { taskId }));
        Assert.Equal(1, await ScalarAsync(
            "SELECT COUNT(*) FROM task_evidence WHERE task_id = @taskId AND review_decision = 'return' AND review_reason = '照片与会议记录不符，请补充'", new { taskId }));
        var (_, after) = await PageAsync("/admin/reviews", staff);
        Assert.DoesNotContain($"/admin/reviews/{taskId}\"", after);
    }

    [Fact]
    public async Task Secretaries_read_the_reminders_of_their_scope_by_status_and_a_bad_status_is_an_inline_error()
    {
        await app.Get<WxQms.Domain.Services.Reminders.ReminderScan>().ScanDueAsync(app.Clock.GetUtcNow(), Ct);
        var secretary = await SignInAsync(await HolderAsync("secretary", "DFL-C03-B01"));
        var member = await SignInAsync(await QuerySingleAsync<long>("""
            SELECT m.id FROM members m WHERE m.status = 'full' AND NOT EXISTS (SELECT 1 FROM member_roles r WHERE r.member_id = m.id AND r.role <> 'member')
            ORDER BY m.id LIMIT 1
            """));
        var pending = await ScalarAsync("""
            SELECT COUNT(*) FROM reminders r JOIN orgs o ON o.id = r.org_id
            WHERE o.path LIKE (SELECT CONCAT(path, '%') FROM orgs WHERE code = 'DFL-C03-B01') AND r.status = 'pending'
            """);

        var (status, page) = await PageAsync("/admin/reminders?status=pending", secretary);
        var (badStatus, bad) = await PageAsync("/admin/reminders?status=lost", secretary);
        var (memberStatus, _) = await PageAsync("/admin/reminders", member);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains($"共 {Math.Min(pending, 200)} 条", page);
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);
        Assert.Contains("未知的状态", bad);
        Assert.Equal(HttpStatusCode.Forbidden, memberStatus);
    }

    [Fact]
    public async Task Staff_print_a_branch_code_from_the_console_and_a_secretary_binds_with_it()
    {
        var staff = await SignInAsync(await HolderAsync("staff", "DFL"));
        var secretaryToken = await SignInAsync(await HolderAsync("secretary", "DFL-C03-B01"));
        var branch = await QuerySingleAsync<(long Id, string Name)>("SELECT id, name FROM orgs WHERE code = 'DFL-C03-B02'");
        var group = await QuerySingleAsync<long>("SELECT id FROM orgs WHERE kind = 'party_group' ORDER BY id LIMIT 1");

        var (listStatus, list) = await PageAsync("/admin/bind-codes?q=" + Uri.EscapeDataString(branch.Name), staff);
        var (printStatus, printed) = await PageAsync($"/admin/bind-codes/{branch.Id}", staff);
        var (groupStatus, groupPage) = await PageAsync($"/admin/bind-codes/{group}", staff);
        var (secretaryStatus, _) = await PageAsync($"/admin/bind-codes/{branch.Id}", secretaryToken);

        Assert.Equal(HttpStatusCode.OK, listStatus);
        Assert.Contains($"/admin/bind-codes/{branch.Id}", list);
        Assert.Equal(HttpStatusCode.OK, printStatus);
        Assert.Contains("data:image/png;base64,", printed);
        Assert.Equal(HttpStatusCode.Conflict, groupStatus);
        Assert.Contains("党小组", groupPage);
        Assert.Equal(HttpStatusCode.Forbidden, secretaryStatus);
        // The printed code is a live WeChat code of that branch: a member of it who scans starts binding.
        var url = await QuerySingleAsync<string>("SELECT qr_url FROM bind_codes WHERE org_id = @Id ORDER BY id DESC LIMIT 1", new { branch.Id });
        var member = await QuerySingleAsync<long>("SELECT r.member_id FROM member_roles r WHERE r.role = 'secretary' AND r.org_id = @Id LIMIT 1", new { branch.Id });
        var user = (await wx.UsersAsync($"memberId={member}"))[0];
        var who = new Person(member, "", "", branch.Id, branch.Name, user.Str("openid"), user.Str("mpOpenid"));
        wx.Sandbox.Users.SetFollows(who.OpenId, true);
        Assert.Equal(BotReplies.BindStart(branch.Name), await new BotWorld(app, wx).ScanReplyAsync(who, url));
    }
}
