using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Meetings;
using WxQms.Tests.Bot;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Sandbox;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Meetings;

/// <summary>
/// Issue #18 items 1, 2 and 5 through the pipeline: a secretary shows a check-in code for a planned meeting, members scan
/// it with WeChat's scanner (SCAN reaches the bot) or the mini program, one asks leave in the chat and is approved, an old
/// code is refused, the evidence form starts from three present and one on leave, and those who attended rate it.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class CheckinLeaveTests(WxQmsApp app, PlannedSubdistrict planned) : IClassFixture<PlannedSubdistrict>, IAsyncLifetime
{
    private readonly BotWorld world = new(app);
    private SandboxDriver wx => world.Wx;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Assert.NotNull(planned);
        await world.ForgetAsync();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>A branch with a secretary and at least five plain full members with phones, not used by an earlier test.</summary>
    private async Task<(long Branch, long Secretary, Person[] Members)> BranchAsync(int skip)
    {
        var branch = (await QueryAsync<long>("""
            SELECT o.id FROM orgs o
            WHERE o.kind = 'branch' AND EXISTS (SELECT 1 FROM member_roles r JOIN members s ON s.id = r.member_id
                                               WHERE r.org_id = o.id AND r.role = 'secretary' AND s.phone IS NOT NULL)
              AND (SELECT COUNT(*) FROM members m WHERE m.org_id = o.id AND m.status = 'full' AND m.phone IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM member_roles r WHERE r.member_id = m.id AND r.role <> 'member')) >= 5
            ORDER BY o.id LIMIT 1 OFFSET @skip
            """, new { skip })).Single();
        var secretary = await QuerySingleAsync<long>("""
            SELECT MIN(r.member_id) FROM member_roles r JOIN members m ON m.id = r.member_id
            WHERE r.org_id = @branch AND r.role = 'secretary' AND m.phone IS NOT NULL
            """, new { branch });
        var rows = await QueryAsync<(long Id, string Name, string Phone)>("""
            SELECT m.id, m.name, m.phone FROM members m
            WHERE m.org_id = @branch AND m.status = 'full' AND m.phone IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM member_roles r WHERE r.member_id = m.id AND r.role <> 'member')
            ORDER BY m.id LIMIT 5
            """, new { branch });
        var people = new List<Person>();
        foreach (var r in rows)
        {
            var user = (await wx.UsersAsync($"memberId={r.Id}"))[0];
            people.Add(new Person(r.Id, r.Name, r.Phone, branch, "", user.Str("openid"), user.Str("mpOpenid")));
        }
        return (branch, secretary, people.ToArray());
    }

    /// <summary>Office staff print the branch's code and each person follows and binds with it.</summary>
    private async Task BindAllAsync(long branch, IEnumerable<Person> people)
    {
        var staff = await world.WithRoleAsync(Roles.Staff, "subdistrict");
        var (_, url, _) = await world.PrintCodeAsync(await wx.SignInMemberAsync(world.Http, staff.MemberId), branch);
        foreach (var p in people)
        {
            wx.Sandbox.Users.SetFollows(p.OpenId, true);
            await world.BindAsync(p, url);
        }
    }

    /// <summary>Next month's 主题党日 of the branch, planned for the 20th at 14:00 (Shanghai); the clock then stands at <paramref name="before"/> it.</summary>
    private async Task<(long TaskId, DateTimeOffset Start)> PlanMeetingAsync(long branch, string secretaryToken)
    {
        var month = Periods.Containing(Recurrence.Monthly, app.Clock.GetUtcNow().AddDays(35));
        var taskId = await QuerySingleAsync<long>("SELECT id FROM tasks WHERE org_id = @branch AND template_code = @code AND period_key = @key",
            new { branch, code = TaskCodes.ThemePartyDay, key = month.Key });
        var start = new DateTimeOffset(month.LastDay.Year, month.LastDay.Month, 20, 14, 0, 0, TimeSpan.FromHours(8));
        var planned = await SendAsync(HttpMethod.Put, $"/api/mp/tasks/{taskId}/plan", secretaryToken,
            new { plannedFor = start, place = "社区党群服务中心", topic = "学习新修订的条例", version = 1 });
        Assert.True(planned.StatusCode == HttpStatusCode.OK, await planned.Content.ReadAsStringAsync(Ct));
        return (taskId, start);
    }

    private void ClockTo(DateTimeOffset at)
    {
        if (app.Clock.GetUtcNow() < at)
            app.Clock.SetUtcNow(at);
    }

    [Fact]
    public async Task Three_scan_the_code_with_wechat_one_asks_leave_in_the_chat_an_old_code_is_refused_and_the_evidence_starts_from_them()
    {
        var (branch, secretaryId, people) = await BranchAsync(0);
        await BindAllAsync(branch, people);
        var secretary = await wx.SignInMemberAsync(world.Http, secretaryId);
        var (taskId, start) = await PlanMeetingAsync(branch, secretary);

        // Before the meeting: the fourth asks leave by chat, the secretary approves it in the mini program.
        ClockTo(start.AddDays(-1));
        Assert.StartsWith("已提交请假：主题党日", await world.SayAsync(people[3], "请假 出差在外地"));
        secretary = await wx.SignInMemberAsync(world.Http, secretaryId);
        var requests = await GetAsync($"/api/mp/leave-requests?taskId={taskId}", secretary);
        var request = Assert.Single(requests.EnumerateArray());
        Assert.Equal("出差在外地", request.Str("reason"));
        Assert.Equal("pending", request.Str("state"));
        var decided = await SendAsync(HttpMethod.Post, $"/api/mp/leave-requests/{request.GetProperty("id").GetInt64()}/decision", secretary,
            new { approve = true, note = "同意" });
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM reminders WHERE subject_type = 'leave_request' AND member_id = @m AND kind = 'leave_approved'",
            new { m = people[3].MemberId }));

        // Too early for a code.
        var early = await SendAsync(HttpMethod.Post, "/api/mp/checkins/codes", secretary, new { taskId });
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Equal("checkin.not_open", await CodeAsync(early));

        // Ten minutes before the start the secretary shows the code; three scan it with WeChat's scanner.
        ClockTo(start.AddMinutes(-10));
        secretary = await wx.SignInMemberAsync(world.Http, secretaryId);
        var code = await ShowCodeAsync(secretary, taskId);
        Assert.StartsWith("data:image/png;base64,", code.Str("image"));
        foreach (var p in people.Take(3))
            Assert.StartsWith("签到成功：主题党日", await world.ScanReplyAsync(p, code.Str("url")));
        Assert.StartsWith("您已签到：主题党日", await world.ScanReplyAsync(people[0], code.Str("url")));

        // A minute later the old code (a photo sent to a friend) is refused; WeChat still knows it, we do not take it.
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.StartsWith("签到码已过期", await world.ScanReplyAsync(people[4], code.Str("url")));
        var late = await SendAsync(HttpMethod.Post, "/api/mp/checkins", await wx.SignInMemberAsync(world.Http, people[4].MemberId),
            new { code = code.Str("url") });
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal("checkin.code_expired", await CodeAsync(late));
        Assert.Equal(3, await ScalarAsync("SELECT COUNT(*) FROM meeting_checkins WHERE task_id = @taskId", new { taskId }));

        // The evidence form starts from three present, one on leave, the rest absent.
        var draft = (await GetAsync($"/api/mp/checkins?taskId={taskId}", secretary)).EnumerateArray().ToList();
        var byId = draft.ToDictionary(r => r.GetProperty("memberId").GetInt64());
        Assert.All(people.Take(3), p => Assert.Equal("present", byId[p.MemberId].Str("presence")));
        Assert.Equal("onLeave", byId[people[3].MemberId].Str("presence"));
        Assert.Equal("approved", byId[people[3].MemberId].Str("leave"));
        Assert.Equal("absent", byId[people[4].MemberId].Str("presence"));
        Assert.Equal(draft.Count - 4, draft.Count(r => r.Str("presence") == "absent"));
        Assert.All(people.Take(3), p => Assert.False(byId[p.MemberId].GetProperty("late").GetBoolean()));
    }

    [Fact]
    public async Task The_mini_programs_scanner_marks_late_arrivals_the_secretary_marks_the_unbound_by_hand_and_those_present_rate_it_anonymously()
    {
        var (branch, secretaryId, people) = await BranchAsync(1);
        var secretary = await wx.SignInMemberAsync(world.Http, secretaryId);
        var (taskId, start) = await PlanMeetingAsync(branch, secretary);

        // The day before, one asks leave in the mini program and is refused; a reason is needed.
        ClockTo(start.AddDays(-1));
        var asker = await wx.SignInMemberAsync(world.Http, people[3].MemberId);
        var meetings = await GetAsync("/api/mp/leave-requests/meetings", asker);
        Assert.Contains(meetings.EnumerateArray(), m => m.GetProperty("taskId").GetInt64() == taskId);
        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync(HttpMethod.Post, "/api/mp/leave-requests", asker, new { taskId, reason = " " })).StatusCode);
        var asked = await SendAsync(HttpMethod.Post, "/api/mp/leave-requests", asker, new { taskId, reason = "孩子生病" });
        Assert.Equal(HttpStatusCode.Created, asked.StatusCode);
        var leaveId = (await asked.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.Forbidden,
            (await SendAsync(HttpMethod.Post, $"/api/mp/leave-requests/{leaveId}/decision", asker, new { approve = true })).StatusCode);
        secretary = await wx.SignInMemberAsync(world.Http, secretaryId);
        Assert.Equal(HttpStatusCode.OK,
            (await SendAsync(HttpMethod.Post, $"/api/mp/leave-requests/{leaveId}/decision", secretary, new { approve = false, note = "请尽量参加" })).StatusCode);
        var again = await SendAsync(HttpMethod.Post, $"/api/mp/leave-requests/{leaveId}/decision", secretary, new { approve = true });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("leave.decided", await CodeAsync(again));
        Assert.Equal("refused", (await GetAsync("/api/mp/leave-requests", asker)).EnumerateArray().Single().Str("state"));

        // A quarter of an hour after the start two scan with the mini program: late. The third is not bound: by hand.
        ClockTo(start.AddMinutes(15));
        secretary = await wx.SignInMemberAsync(world.Http, secretaryId);
        var code = await ShowCodeAsync(secretary, taskId);
        foreach (var p in people.Take(2))
        {
            var scanned = await SendAsync(HttpMethod.Post, "/api/mp/checkins", await wx.SignInMemberAsync(world.Http, p.MemberId),
                new { code = code.Str("url") });
            Assert.Equal(HttpStatusCode.OK, scanned.StatusCode);
            Assert.True((await scanned.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("late").GetBoolean());
        }
        var unknown = await SendAsync(HttpMethod.Post, "/api/mp/checkins", await wx.SignInMemberAsync(world.Http, people[4].MemberId),
            new { code = "http://weixin.qq.com/q/not-ours" });
        Assert.Equal("checkin.unknown_code", await CodeAsync(unknown));
        var outsider = await world.PlainMemberAsync(branch);
        var foreign = await SendAsync(HttpMethod.Post, "/api/mp/checkins", await wx.SignInMemberAsync(world.Http, outsider.MemberId),
            new { code = code.Str("url") });
        Assert.Equal("checkin.not_member", await CodeAsync(foreign));
        Assert.Equal(HttpStatusCode.OK,
            (await SendAsync(HttpMethod.Post, "/api/mp/checkins/by-hand", secretary, new { taskId, memberId = people[2].MemberId })).StatusCode);

        var draft = (await GetAsync($"/api/mp/checkins?taskId={taskId}", secretary)).EnumerateArray()
            .ToDictionary(r => r.GetProperty("memberId").GetInt64());
        Assert.Equal("hand", draft[people[2].MemberId].Str("via"));
        Assert.Equal("mp", draft[people[0].MemberId].Str("via"));
        Assert.True(draft[people[0].MemberId].GetProperty("late").GetBoolean());
        Assert.Equal("absent", draft[people[3].MemberId].Str("presence")); // refused leave is no leave
        Assert.Equal("refused", draft[people[3].MemberId].Str("leave"));
        asker = await wx.SignInMemberAsync(world.Http, people[3].MemberId);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Get, $"/api/mp/checkins?taskId={taskId}", asker)).StatusCode);

        // After the meeting those who were there rate it once; someone absent may not; the branch sees no comments.
        var first = await wx.SignInMemberAsync(world.Http, people[0].MemberId);
        Assert.True((await GetAsync($"/api/mp/meeting-feedback/{taskId}", first)).GetProperty("mayRate").GetBoolean());
        Assert.Equal(HttpStatusCode.NoContent,
            (await SendAsync(HttpMethod.Post, "/api/mp/meeting-feedback", first, new { taskId, rating = 5, comment = "讲得很实在" })).StatusCode);
        Assert.Equal("feedback.already",
            await CodeAsync(await SendAsync(HttpMethod.Post, "/api/mp/meeting-feedback", first, new { taskId, rating = 1 })));
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Post, "/api/mp/meeting-feedback",
            await wx.SignInMemberAsync(world.Http, people[1].MemberId), new { taskId, rating = 4 })).StatusCode);
        var absent = await wx.SignInMemberAsync(world.Http, people[4].MemberId);
        Assert.Equal("feedback.not_attended",
            await CodeAsync(await SendAsync(HttpMethod.Post, "/api/mp/meeting-feedback", absent, new { taskId, rating = 1 })));
        Assert.Equal("request.invalid",
            await CodeAsync(await SendAsync(HttpMethod.Post, "/api/mp/meeting-feedback", absent, new { taskId, rating = 9 })));

        var seenByBranch = (await GetAsync($"/api/mp/meeting-feedback/{taskId}", secretary)).GetProperty("summary");
        Assert.Equal(2, seenByBranch.GetProperty("count").GetInt32());
        Assert.Equal(4.5m, seenByBranch.GetProperty("average").GetDecimal());
        Assert.Equal(JsonValueKind.Null, seenByBranch.GetProperty("comments").ValueKind);
        // The task itself shows the count and average to whoever reads it (a member of the branch too), never the comments.
        var onTask = (await GetAsync($"/api/mp/tasks/{taskId}", absent)).GetProperty("feedback");
        Assert.Equal(2, onTask.GetProperty("count").GetInt32());
        Assert.Equal(4.5m, onTask.GetProperty("average").GetDecimal());
        Assert.False(onTask.TryGetProperty("comments", out _));
        var office = await world.WithRoleAsync(Roles.Staff, "subdistrict");
        var seenByOffice = (await GetAsync($"/api/mp/meeting-feedback/{taskId}", await wx.SignInMemberAsync(world.Http, office.MemberId)))
            .GetProperty("summary");
        Assert.Equal(["讲得很实在"], seenByOffice.GetProperty("comments").EnumerateArray().Select(c => c.GetString()!).ToArray());
        Assert.Equal([0, 0, 0, 1, 1], seenByOffice.GetProperty("distribution").EnumerateArray().Select(c => c.GetInt32()).ToArray());
        // The office's task detail of the ranking (the tasks workbook) carries the meeting's average and how many rated.
        var period = await QuerySingleAsync<string>("SELECT period_key FROM tasks WHERE id = @taskId", new { taskId });
        using var workbook = await SendAsync(HttpMethod.Get, $"/api/exports/tasks.xlsx?period={period}",
            await wx.SignInMemberAsync(world.Http, office.MemberId));
        Assert.Equal(HttpStatusCode.OK, workbook.StatusCode);
        await using var xlsx = new MemoryStream(await workbook.Content.ReadAsByteArrayAsync(Ct));
        var lines = MiniExcelLibs.MiniExcel.Query(xlsx, useHeaderRow: true).Cast<IDictionary<string, object>>().ToList();
        Assert.Contains(lines, l => Convert.ToInt32(l["评价人数"], System.Globalization.CultureInfo.InvariantCulture) == 2
            && Convert.ToDecimal(l["会议评价"], System.Globalization.CultureInfo.InvariantCulture) == 4.5m);
        // Nothing that names who rated leaves the server: the trail says only that someone rated.
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'meeting.rated' AND data LIKE '%rating%'"));
    }

    [Fact]
    public async Task With_two_meetings_ahead_the_chat_asks_which_one_and_the_number_chosen_asks_leave_from_it()
    {
        var (branch, secretaryId, people) = await BranchAsync(2);
        await BindAllAsync(branch, people.Take(1));
        var secretary = await wx.SignInMemberAsync(world.Http, secretaryId);
        var (themeDay, start) = await PlanMeetingAsync(branch, secretary);
        var quarter = Periods.Containing(Recurrence.Quarterly, start);
        var lecture = await QuerySingleAsync<long>("SELECT id FROM tasks WHERE org_id = @branch AND template_code = @code AND period_key = @key",
            new { branch, code = TaskCodes.PartyLecture, key = quarter.Key });
        var planned = await SendAsync(HttpMethod.Put, $"/api/mp/tasks/{lecture}/plan", secretary,
            new { plannedFor = start.AddDays(1), place = "社区党群服务中心", topic = "党史专题党课", version = 1 });
        Assert.True(planned.StatusCode == HttpStatusCode.OK, await planned.Content.ReadAsStringAsync(Ct));
        ClockTo(start.AddDays(-2));

        Assert.Equal(CheckinReplies.LeaveUsage, await world.SayAsync(people[0], "请假"));
        var question = await world.SayAsync(people[0], "请假 参加社区值班");
        Assert.StartsWith("您有多个会议可以请假，请回复序号选择：\n1. 主题党日", question);
        Assert.Contains("\n2. 党课", question);
        Assert.StartsWith("已提交请假：党课", await world.SayAsync(people[0], "2"));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM leave_requests WHERE task_id = @lecture AND member_id = @m AND reason = '参加社区值班'",
            new { lecture, m = people[0].MemberId }));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM leave_requests WHERE task_id = @themeDay", new { themeDay }));
    }

    [Fact]
    public async Task A_leave_request_reaches_the_branch_secretary_once_through_the_outbox_opening_the_page_where_she_decides()
    {
        var (branch, secretaryId, people) = await BranchAsync(3);
        var secretary = await wx.SignInMemberAsync(world.Http, secretaryId);
        var (taskId, start) = await PlanMeetingAsync(branch, secretary);
        ClockTo(start.AddDays(-2));
        var asker = await wx.SignInMemberAsync(world.Http, people[2].MemberId);
        var asked = await SendAsync(HttpMethod.Post, "/api/mp/leave-requests", asker, new { taskId, reason = "出差" });
        Assert.Equal(HttpStatusCode.Created, asked.StatusCode);
        var leaveId = (await asked.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
        // Asking again with another reason while it waits changes the reason, not the number of notices.
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(HttpMethod.Post, "/api/mp/leave-requests", asker, new { taskId, reason = "出差到外地" })).StatusCode);

        var notices = (await QueryAsync<(long MemberId, string Template, string Content)>("""
            SELECT member_id, template_key, content FROM reminders WHERE subject_type = @subject AND subject_id = @leaveId AND kind = @kind
            """, new { subject = LeaveService.Subject, leaveId, kind = LeaveService.AskedKind })).ToList();
        var notice = Assert.Single(notices);
        Assert.Equal(secretaryId, notice.MemberId);
        Assert.Equal("taskWarning", notice.Template);
        var content = JsonDocument.Parse(notice.Content).RootElement;
        var page = content.EnumerateObject().Single(p => p.Name.Equals("page", StringComparison.OrdinalIgnoreCase)).Value.GetString();
        Assert.Equal($"pages/checkin/index?id={taskId}", page);
        static IEnumerable<string> Texts(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.Object => e.EnumerateObject().SelectMany(p => Texts(p.Value)),
            JsonValueKind.String => [e.GetString()!],
            _ => [],
        };
        var texts = Texts(content).ToList();
        Assert.Contains(texts, t => t.StartsWith($"{people[2].Name}请假", StringComparison.Ordinal));
        Assert.Contains("待审批", texts);

        // The page she opens lists the request waiting, and she decides there.
        secretary = await wx.SignInMemberAsync(world.Http, secretaryId);
        var waiting = await GetAsync($"/api/mp/leave-requests?taskId={taskId}", secretary);
        Assert.Equal("pending", waiting.EnumerateArray().Single(l => l.GetProperty("id").GetInt64() == leaveId).Str("state"));
        Assert.Equal(HttpStatusCode.OK,
            (await SendAsync(HttpMethod.Post, $"/api/mp/leave-requests/{leaveId}/decision", secretary, new { approve = true })).StatusCode);
    }

    [Fact]
    public async Task The_demo_leaves_requests_waiting_for_the_secretaries_of_the_coming_meetings_once()
    {
        var (branch, secretaryId, _) = await BranchAsync(4);
        var secretary = await wx.SignInMemberAsync(world.Http, secretaryId);
        var (taskId, start) = await PlanMeetingAsync(branch, secretary);
        ClockTo(start.AddDays(-3));
        var demo = app.Get<WxQms.Sandbox.Demo.DemoLeave>();
        Assert.True(await demo.PostAsync(Ct) >= 2);
        Assert.Equal(0, await demo.PostAsync(Ct));
        var pending = (await QueryAsync<long>("SELECT id FROM leave_requests WHERE task_id = @taskId AND state = 'pending'", new { taskId })).ToList();
        Assert.Equal(2, pending.Count);
        Assert.Equal(2, await ScalarAsync("""
            SELECT COUNT(*) FROM reminders WHERE subject_type = @subject AND subject_id IN @pending AND kind = @kind AND member_id = @secretaryId
            """, new { subject = LeaveService.Subject, pending, kind = LeaveService.AskedKind, secretaryId }));
    }

    private async Task<JsonElement> ShowCodeAsync(string token, long taskId)
    {
        var response = await SendAsync(HttpMethod.Post, "/api/mp/checkins/codes", token, new { taskId });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).TryGetProperty("code", out var c) ? c.GetString() : null;

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string token, object? body = null)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
            request.Content = JsonContent.Create(body);
        return await world.Http.SendAsync(request, Ct);
    }

    private async Task<JsonElement> GetAsync(string url, string token)
    {
        using var response = await SendAsync(HttpMethod.Get, url, token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }
}
