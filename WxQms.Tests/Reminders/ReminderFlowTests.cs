using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WxQms.Sandbox;
using WxQms.Domain.Model;
using WxQms.Domain.Services;
using WxQms.Domain.Rules.Reminders;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Reminders;
using WxQms.Domain.Storage;
using WxQms.Sandbox.Demo;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Reminders;

/// <summary>
/// The seed's 生物钟 end to end on the demo data: a branch plans its theme party day; three days before,
/// the secretary and the party-affairs worker are reminded; the day before, every member; a reschedule
/// moves what is unsent and repeats nothing; with no evidence at the end of the day the task is warned and
/// the community is told, then escalated. Messages go out through the sandbox as WeChat would show them.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class ReminderFlowTests(WxQmsApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly ReminderWorld world = new(app);

    public async ValueTask InitializeAsync() => await world.InitializeAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task A_planned_meeting_reminds_organisers_then_members_and_warns_the_community_when_no_evidence_comes()
    {
        var api = app.CreateClient();
        var taskId = await world.TaskIdAsync(ReminderWorld.Branch, TaskCodes.ThemePartyDay);
        var secretary = (await world.MembersWithRoleAsync(ReminderWorld.Branch, Roles.Secretary)).Single();
        var worker = (await world.MembersWithRoleAsync(ReminderWorld.Branch, Roles.Worker)).Single();
        var communitySecretary = (await world.MembersWithRoleAsync(ReminderWorld.Community, Roles.Secretary)).Single();
        var secretaryOpenId = await world.FollowAsync(secretary);
        await world.SubscribeAsync(api, worker, "meetingReminder");       // the worker uses only the mini program
        var communityOpenId = await world.FollowAsync(communitySecretary);
        var meeting = world.Day(20, 14, 30);
        await app.Get<TaskCommands>().ReportPlanAsync(taskId, 1, new PlanReport(meeting, "党群服务中心", "学习党章"), "test", null, Ct);

        // T−3: the organisers.
        await world.ScanAsync(meeting.AddDays(-3));
        await world.SendAsync(meeting.AddDays(-3));
        var afterT3 = await world.RemindersAsync(taskId);
        Assert.Equal(new[] { secretary, worker }.Order(), afterT3.Select(r => r.MemberId).Order());
        Assert.All(afterT3, r => Assert.Equal(("organiser", "sent"), (r.Kind, r.Status)));
        Assert.Equal("oa", afterT3.Single(r => r.MemberId == secretary).Channel);
        Assert.Equal("mp", afterT3.Single(r => r.MemberId == worker).Channel);
        var page = $"pages/task/index?id={taskId}"; // other tasks of the month remind too (their plans are due)
        var card = (await world.InboxAsync(secretaryOpenId)).Single(m => m.Kind == "template" && m.Page == page);
        Assert.Equal("会议提醒", card.Title);
        Assert.Equal(["主题党日：请准备议题", Periods.Describe(meeting), "党群服务中心"],
            card.Fields!.Select(f => f.Value).ToArray());
        var subscribeCard = (await world.InboxAsync(await world.MpOpenIdAsync(worker))).Single(m => m.Kind == "subscribe" && m.Page == page);
        Assert.Equal("请提前准备会议、拟定议题", subscribeCard.Fields!.Single(f => f.Key == "thing4").Value);

        // Moved five days later: the members' reminder follows the new date, the organisers' is not repeated.
        var moved = meeting.AddDays(5);
        await app.Get<TaskCommands>().ReportPlanAsync(taskId, 2, new PlanReport(moved, "党群服务中心", "学习党章"), "test", null, Ct);
        await world.ScanAsync(meeting.AddDays(-1));
        Assert.DoesNotContain(await world.RemindersAsync(taskId), r => r.Kind == "members");
        await world.ScanAsync(moved.AddDays(-3));
        await world.ScanAsync(moved.AddDays(-1));
        await world.SendAsync(moved.AddDays(-1));
        var rows = await world.RemindersAsync(taskId);
        Assert.Equal(2, rows.Count(r => r.Kind == "organiser"));
        var branchMembers = await TestDb.ScalarAsync("""
            SELECT COUNT(*) FROM members m JOIN orgs o ON o.id = m.org_id
            WHERE o.path LIKE CONCAT((SELECT path FROM orgs WHERE code = @Branch), '%') AND m.status IN ('full', 'probationary')
            """, new { ReminderWorld.Branch });
        Assert.Equal(branchMembers, rows.Count(r => r.Kind == "members"));
        Assert.Equal(2, (await world.InboxAsync(secretaryOpenId)).Count(m => m.Kind == "template" && m.Page == page)); // T−3 and T−1

        // The end of the meeting day without evidence: warned at midnight, told at eight (quiet hours).
        var midnight = Periods.StartOf(Periods.LocalDate(moved).AddDays(1));
        await world.ScanAsync(midnight);
        Assert.NotNull(await TestDb.QuerySingleAsync<DateTime?>("SELECT warned_at FROM tasks WHERE id = @taskId", new { taskId }));
        Assert.Equal(1, await TestDb.ScalarAsync(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'task.warned' AND entity_id = @taskId", new { taskId }));
        var warnings = (await world.RemindersAsync(taskId)).Where(r => r.Kind == "warning").ToList();
        Assert.Equal(new[] { secretary, worker, communitySecretary }.Order(), warnings.Select(r => r.MemberId).Order());
        Assert.All(warnings, w => Assert.Equal(midnight.AddHours(8).UtcDateTime, w.DueAt));
        await world.SendAsync(midnight.AddHours(1));
        Assert.All((await world.RemindersAsync(taskId)).Where(r => r.Kind == "warning"), w => Assert.Equal("pending", w.Status));
        await world.SendAsync(midnight.AddHours(8));
        var toCommunity = (await world.InboxAsync(communityOpenId)).Single(m => m.Kind == "template" && m.Page == page);
        Assert.Equal("任务预警", toCommunity.Title);
        Assert.Contains(toCommunity.Fields!, f => f.Value == "未交佐证");
        Assert.Contains(toCommunity.Fields!, f => f.Label == "责任组织" && f.Value.Contains("党支部", StringComparison.Ordinal));

        // A day later still nothing: escalated to the community, not to the branch.
        await world.ScanAsync(midnight.AddDays(1));
        var escalations = (await world.RemindersAsync(taskId)).Where(r => r.Kind == "escalation1").ToList();
        Assert.Equal([communitySecretary], escalations.Select(r => r.MemberId).ToArray());
    }

    [Fact]
    public async Task Evidence_before_the_day_cancels_the_reminders_still_waiting_and_no_warning_follows()
    {
        var taskId = await world.TaskIdAsync(ReminderWorld.Branch, TaskCodes.ThemePartyDay);
        var meeting = world.Day(20, 22, 30);   // T−1 falls in quiet hours: it waits for 08:00
        await app.Get<TaskCommands>().ReportPlanAsync(taskId, 1, new PlanReport(meeting, "党群服务中心", "学习党章"), "test", null, Ct);
        await world.ScanAsync(meeting.AddDays(-1));
        Assert.Contains(await world.RemindersAsync(taskId), r => r.Kind == "members" && r.Status == "pending");

        await TestDb.ExecuteAsync("UPDATE tasks SET state = 'submitted' WHERE id = @taskId", new { taskId });
        await world.SendAsync(world.Day(20, 8));
        await world.ScanAsync(Periods.StartOf(Periods.LocalDate(meeting).AddDays(1)));

        var rows = await world.RemindersAsync(taskId);
        Assert.All(rows.Where(r => r.Kind == "members"), r => Assert.Equal("cancelled", r.Status));
        Assert.DoesNotContain(rows, r => r.Kind == "warning");
        Assert.Null(await TestDb.QuerySingleAsync<DateTime?>("SELECT warned_at FROM tasks WHERE id = @taskId", new { taskId }));
    }

    [Fact]
    public async Task Staff_list_reminders_by_status_in_their_scope_and_members_may_not()
    {
        var api = app.CreateClient();
        var taskId = await world.TaskIdAsync(ReminderWorld.Branch, TaskCodes.ThemePartyDay);
        var secretary = (await world.MembersWithRoleAsync(ReminderWorld.Branch, Roles.Secretary)).Single();
        var communitySecretary = (await world.MembersWithRoleAsync(ReminderWorld.Community, Roles.Secretary)).Single();
        var otherCommunitySecretary = (await world.MembersWithRoleAsync("DFL-C02", Roles.Secretary)).Single();
        var plainMember = await TestDb.ScalarAsync("""
            SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id
            WHERE o.path LIKE CONCAT((SELECT path FROM orgs WHERE code = @Branch), '%') AND NOT EXISTS (SELECT 1 FROM member_roles r WHERE r.member_id = m.id AND r.role <> 'member')
            ORDER BY m.id LIMIT 1
            """, new { ReminderWorld.Branch });
        await world.FollowAsync(secretary);
        await world.InsertAsync(taskId, "organiser", [secretary, plainMember], world.Day(10, 9));
        await world.SendAsync(world.Day(10, 9));

        var mine = await GetAsync(api, await world.Wx.SignInMemberAsync(api, communitySecretary), "/api/mp/reminders?status=sent");
        var unreachable = await GetAsync(api, await world.Wx.SignInMemberAsync(api, communitySecretary), "/api/mp/reminders?status=unreachable");
        var other = await GetAsync(api, await world.Wx.SignInMemberAsync(api, otherCommunitySecretary), "/api/mp/reminders");
        using var member = await SendAsync(api, await world.Wx.SignInMemberAsync(api, plainMember), "/api/mp/reminders");
        using var bad = await SendAsync(api, await world.Wx.SignInMemberAsync(api, communitySecretary), "/api/mp/reminders?status=lost");

        var item = mine.GetProperty("items").EnumerateArray().Single();
        Assert.Equal(secretary, item.GetProperty("memberId").GetInt64());
        Assert.Equal("会前准备提醒", item.GetProperty("kindLabel").GetString());
        Assert.Equal("已发送", item.GetProperty("statusLabel").GetString());
        Assert.Equal(1, mine.GetProperty("counts").GetProperty("sent").GetInt32());
        Assert.Equal(1, mine.GetProperty("counts").GetProperty("unreachable").GetInt32());
        Assert.Contains("未关注公众号", unreachable.GetProperty("items")[0].GetProperty("lastError").GetString());
        Assert.Equal(0, other.GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.Forbidden, member.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("lost", (await bad.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString());

        // WeChat's delivery report turns "sent" into "delivered".
        Assert.Equal(1, await world.DeliverPushesAsync());
        var delivered = await GetAsync(api, await world.Wx.SignInMemberAsync(api, communitySecretary), "/api/mp/reminders?status=sent");
        Assert.Equal("已送达", delivered.GetProperty("items")[0].GetProperty("statusLabel").GetString());
        Assert.Equal("success", delivered.GetProperty("items")[0].GetProperty("delivery").GetString());
    }

    [Fact]
    public async Task The_demo_scenario_puts_a_T3_card_a_T1_card_and_a_warning_on_the_phones_it_names()
    {
        var now = app.Clock.GetUtcNow();
        // simulate plans the current year; other test classes may have moved the shared clock into another one.
        foreach (var year in new[] { now.AddDays(-1), now, now.AddDays(3) }.Select(d => Periods.LocalDate(d).Year).Distinct())
            await app.Get<PlanService>().GenerateYearAsync(year, Ct);
        var demo = app.Get<DemoReminders>();
        var linked = await demo.LinkMembersAsync(Ct);
        var phones = await demo.PlanScenarioAsync(Ct);

        await world.ScanAsync(now);
        await world.SendAsync(QuietHours.Defer(now));

        Assert.InRange(linked, 1500, 2500);
        Assert.Equal(4, phones.Count); // the three reminders' phones and the office staff's, for the console's scan
        Assert.StartsWith("街道党建办", phones[3].Role);
        Assert.Equal(1, await TestDb.ScalarAsync("""
            SELECT COUNT(*) FROM wechat_users w JOIN member_roles r ON r.member_id = w.member_id AND r.role = 'staff' WHERE w.openid = @openid
            """, new { openid = phones[3].OpenId }));
        var organiser = (await world.InboxAsync(phones[0].OpenId)).Where(m => m.Kind == "template").ToList();
        var member = (await world.InboxAsync(phones[1].OpenId)).Where(m => m.Kind == "template").ToList();
        var community = (await world.InboxAsync(phones[2].OpenId)).Where(m => m.Kind == "template").ToList();
        Assert.Contains(organiser, m => m.Title == "会议提醒" && m.Fields![0].Value.EndsWith("请准备议题", StringComparison.Ordinal));
        Assert.Contains(member, m => m.Title == "会议提醒" && m.Fields![0].Value.EndsWith("请准时参加", StringComparison.Ordinal));
        Assert.Contains(community, m => m.Title == "任务预警" && m.Fields!.Any(f => f.Value == "未交佐证"));
        // Of the three meetings the scenario placed, yesterday's is warned and the two to come are not. (Other tasks may
        // be warned too: where the shared clock stands, a period may have just ended with its meetings undone.)
        var placed = await TestDb.QueryAsync<(bool Yesterday, bool Warned)>("""
            SELECT a.data LIKE '%"scenario":"warning"%', t.warned_at IS NOT NULL FROM audit_log a JOIN tasks t ON t.id = a.entity_id
            WHERE a.actor = 'simulate' AND a.action = 'task.planned' ORDER BY a.id
            """);
        Assert.Equal([(false, false), (false, false), (true, true)], placed);
    }

    [Fact]
    public async Task Subscribe_events_are_recorded_a_reject_in_settings_ends_consent_and_sent_events_report_delivery()
    {
        var api = app.CreateClient();
        var worker = (await world.MembersWithRoleAsync(ReminderWorld.Branch, Roles.Worker)).Single();
        var taskId = await world.TaskIdAsync(ReminderWorld.Branch, TaskCodes.ThemePartyDay);
        await app.Get<TaskCommands>().ReportPlanAsync(taskId, 1, new PlanReport(world.Day(20, 14, 30), "党群服务中心", "学习党章"), "test", null, Ct);
        await world.SubscribeAsync(api, worker, "meetingReminder", "taskWarning");
        var mpOpenId = await world.MpOpenIdAsync(worker);
        var t0 = app.Clock.GetUtcNow();                      // the callback stamps reports with this clock
        await world.InsertAsync(taskId, "organiser", [worker], t0);
        await world.SendAsync(t0);
        await world.DeliverPushesAsync();                     // subscribe_msg_sent_event for the meeting card

        var push = app.Get<SandboxPush>();
        await push.DeliverAsync(SandboxApp.Mp, push.MiniProgramEvent(mpOpenId, "subscribe_msg_change_event", new Dictionary<string, object?>
        {
            ["List"] = new { TemplateId = SandboxTemplates.MpTaskWarning, SubscribeStatusString = "reject" },
        }), Ct);

        Assert.Equal("success", await TestDb.QuerySingleAsync<string>(
            "SELECT delivery_status FROM wechat_outbound WHERE kind = 'subscribe' AND template_id = @t", new { t = SandboxTemplates.MpMeetingReminder }));
        Assert.Equal(0, await app.Get<SubscriptionStore>().RemainingAsync(WxQmsApp.MpAppId, mpOpenId, SandboxTemplates.MpTaskWarning, Ct));
        Assert.Equal(1, await TestDb.ScalarAsync(
            "SELECT COUNT(*) FROM mp_subscription_events WHERE source = 'settings' AND result = 'reject' AND template_id = @t",
            new { t = SandboxTemplates.MpTaskWarning }));
    }

    [Fact]
    public async Task Consent_reported_by_the_mini_program_is_counted_per_template_and_bad_reports_are_refused()
    {
        var api = app.CreateClient();
        var worker = (await world.MembersWithRoleAsync(ReminderWorld.Branch, Roles.Worker)).Single();
        var token = await world.SubscribeAsync(api, worker, "meetingReminder", "taskWarning");
        await world.SubscribeAsync(api, worker, "meetingReminder");

        var templates = (await GetAsync(api, token, "/api/mp/subscriptions")).GetProperty("templates").EnumerateArray()
            .ToDictionary(t => t.GetProperty("key").GetString()!, t => t.GetProperty("remaining").GetInt32());
        using var unknown = await PostAsync(api, token, "/api/mp/subscriptions",
            new { results = new[] { new { key = "meetingReminder", templateId = "TMPL_NOT_OURS", result = "accept" } } });
        using var wrongResult = await PostAsync(api, token, "/api/mp/subscriptions",
            new { results = new[] { new { key = "meetingReminder", templateId = SandboxTemplates.MpMeetingReminder, result = "maybe" } } });

        Assert.Equal(2, templates["meetingReminder"]);
        Assert.Equal(1, templates["taskWarning"]);
        Assert.Equal(0, templates["reviewResult"]);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal("subscription.unknown_template", (await unknown.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, wrongResult.StatusCode);
        Assert.Equal(3, await TestDb.ScalarAsync("SELECT COUNT(*) FROM mp_subscription_events WHERE source = 'client'"));
    }

    private static async Task<JsonElement> GetAsync(HttpClient api, string token, string url)
    {
        using var response = await SendAsync(api, token, url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient api, string token, string url)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new("Bearer", token);
        return api.SendAsync(request, Ct);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient api, string token, string url, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new("Bearer", token);
        return api.SendAsync(request, Ct);
    }
}
