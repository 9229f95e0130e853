using WxQms.Sandbox;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Reminders;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat;
using WxQms.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace WxQms.Tests.Reminders;

/// <summary>
/// The sender against the sandbox: which channel reaches whom, what is retried and what is not, and
/// that a send is never repeated — with two senders at once, and after a sender died in the middle of
/// a call. WeChat's own client_msg_id de-duplication is off here, so every repeat would show.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class ReminderSenderTests(WxQmsApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly ReminderWorld world = new(app);
    private long taskId;
    private DateTimeOffset at;

    public async ValueTask InitializeAsync()
    {
        await world.InitializeAsync();
        world.Wx.Sandbox.Messages.DeduplicateClientMsgIds = false;
        taskId = await world.TaskIdAsync(ReminderWorld.Branch, TaskCodes.ThemePartyDay);
        // Planned, so its reminders are meeting cards (会议提醒) and the members' reminder applies.
        await app.Get<TaskCommands>().ReportPlanAsync(taskId, 1, new PlanReport(world.Day(20, 14, 30), "党群服务中心", "学习党章"),
            "test", null, Ct);
        at = world.Day(10, 9);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<long[]> BranchMembersAsync(int count) => (await TestDb.QueryAsync<long>("""
        SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id
        WHERE o.path LIKE CONCAT((SELECT path FROM orgs WHERE code = @Branch), '%') ORDER BY m.id LIMIT @count
        """, new { ReminderWorld.Branch, count })).ToArray();

    [Fact]
    public async Task A_reminder_the_sender_cannot_read_fails_alone_and_is_no_longer_claimed_after_its_failures()
    {
        var members = await BranchMembersAsync(3);
        foreach (var member in members)
            await world.FollowAsync(member);
        var ids = await world.InsertAsync(taskId, "organiser", members, at);
        // The middle one becomes a notice whose stored content this code cannot read.
        await TestDb.ExecuteAsync("""
            UPDATE reminders SET task_id = NULL, subject_type = 'wish', template_key = 'wishUpdated', content = 'not json' WHERE id = @id
            """, new { id = ids[1] });
        string Status(long id) => TestDb.QuerySingleAsync<string>("SELECT status FROM reminders WHERE id = @id", new { id }).GetAwaiter().GetResult();

        await world.SendAsync(at);

        Assert.Equal(["sent", "pending", "sent"], ids.Select(Status).ToArray());
        for (var hour = 1; hour <= OutboxStore.MaxFailures + 2; hour++)
            await world.SendAsync(at.AddHours(hour));
        Assert.Equal("failed", Status(ids[1]));
        Assert.Equal(OutboxStore.MaxFailures, await TestDb.ScalarAsync("SELECT failures FROM reminders WHERE id = @id", new { id = ids[1] }));
        // Had its sender died on it each time instead, it would still be due: the claim leaves it all the same.
        await TestDb.ExecuteAsync("UPDATE reminders SET status = 'pending' WHERE id = @id", new { id = ids[1] });
        var wechat = app.Get<Microsoft.Extensions.Options.IOptions<WechatOptions>>().Value;
        Assert.Empty(await app.Get<OutboxStore>().ClaimAsync("test", at.AddDays(1), TimeSpan.FromMinutes(2), 50, wechat.Oa.AppId,
            wechat.Mp.AppId, Ct));
    }

    [Fact]
    public async Task An_unfollowed_member_is_reached_through_the_mini_program_while_consent_lasts_then_recorded_as_unreachable()
    {
        var api = app.CreateClient();
        var member = (await world.MembersWithRoleAsync(ReminderWorld.Branch, Roles.Worker)).Single();
        var openid = await world.FollowAsync(member);
        world.Wx.Sandbox.Users.SetFollows(openid, false);           // unfollowed since: WeChat answers 43004
        await world.SubscribeAsync(api, member, "meetingReminder");  // one consent
        var ids = await world.InsertAsync(taskId, "organiser", [member], at);
        await TestDb.ExecuteAsync("""
            INSERT INTO reminders (subject_type, subject_id, task_id, kind, member_id, recipient, org_id, status, due_at, created_at, updated_at)
            SELECT subject_type, subject_id, task_id, 'members', member_id, recipient, org_id, 'pending', due_at, created_at, updated_at
            FROM reminders WHERE id = @id
            """, new { id = ids[0] });

        await world.SendAsync(at);

        // The members' T−1 is the more urgent kind, so it is claimed first and takes the one consent.
        var rows = await world.RemindersAsync(taskId);
        var first = rows.Single(r => r.Kind == "members");
        var second = rows.Single(r => r.Kind == "organiser");
        Assert.Equal(("sent", "mp"), (first.Status, first.Channel));
        Assert.Equal("unreachable", second.Status);
        Assert.Contains("已取消关注公众号（43004）", second.LastError);
        Assert.Contains("无剩余授权", second.LastError);
        Assert.False(await app.Get<WechatUserStore>().IsSubscribedAsync(WxQmsApp.OaAppId, openid, Ct));
        Assert.Equal(0, await app.Get<SubscriptionStore>().RemainingAsync(WxQmsApp.MpAppId, await world.MpOpenIdAsync(member),
            SandboxTemplates.MpMeetingReminder, Ct));
    }

    [Fact]
    public async Task Consent_we_counted_but_WeChat_no_longer_has_is_refused_with_43101_and_not_retried()
    {
        var api = app.CreateClient();
        var member = (await world.MembersWithRoleAsync(ReminderWorld.Branch, Roles.Worker)).Single();
        await world.Wx.SignInMemberAsync(api, member);
        await app.Get<SubscriptionStore>().RecordClientAsync(WxQmsApp.MpAppId, await world.MpOpenIdAsync(member),
            [(SandboxTemplates.MpMeetingReminder, "accept")], at, Ct);     // the sandbox never saw this consent
        await world.InsertAsync(taskId, "organiser", [member], at);

        await world.SendAsync(at);
        await world.SendAsync(at.AddHours(1));

        var row = (await world.RemindersAsync(taskId)).Single();
        Assert.Equal(("unreachable", 1), (row.Status, row.Attempts));
        Assert.Contains("43101", row.LastError);
        Assert.Equal(0, await app.Get<SubscriptionStore>().RemainingAsync(WxQmsApp.MpAppId, await world.MpOpenIdAsync(member),
            SandboxTemplates.MpMeetingReminder, Ct));
    }

    [Fact]
    public async Task WeChat_busy_is_retried_with_growing_waits_and_the_message_goes_out_once()
    {
        var member = (await world.MembersWithRoleAsync(ReminderWorld.Branch, Roles.Secretary)).Single();
        await world.FollowAsync(member);
        var id = (await world.InsertAsync(taskId, "organiser", [member], at)).Single();
        world.Wx.Sandbox.FailNext("message/template/send", WechatErrors.Busy, 2);

        await world.SendAsync(at);
        var afterFirst = (await world.RemindersAsync(taskId)).Single();
        await world.SendAsync(at.AddSeconds(29));                     // backoff 30 s: nothing yet
        await world.SendAsync(at.AddSeconds(30));                     // second try: busy again, waits 60 s
        var afterSecond = (await world.RemindersAsync(taskId)).Single();
        await world.SendAsync(at.AddSeconds(90));

        var done = (await world.RemindersAsync(taskId)).Single();
        Assert.Equal(("pending", 1), (afterFirst.Status, afterFirst.Attempts));
        Assert.Contains("-1", afterFirst.LastError);
        Assert.Equal(("pending", 2), (afterSecond.Status, afterSecond.Attempts));
        Assert.Equal(at.AddSeconds(90).UtcDateTime, afterSecond.DueAt);
        Assert.Equal(("sent", 3), (done.Status, done.Attempts));
        Assert.Equal(1, world.Wx.Sandbox.Messages.AcceptedByClientMsgId[$"reminder-{id}"]);
    }

    [Fact]
    public async Task Two_senders_at_once_send_every_reminder_exactly_once()
    {
        var members = await BranchMembersAsync(40);
        foreach (var m in members)
            await world.FollowAsync(m);
        var ids = (await world.InsertAsync(taskId, "members", members, at))
            .Concat(await world.InsertAsync(taskId, "organiser", members, at)).ToArray();
        var second = ActivatorUtilities.CreateInstance<ReminderSender>(app.Services); // another process's sender

        await Task.WhenAll(
            Task.Run(async () => { while (await world.Sender.SendBatchAsync(at, Ct) > 0) { } }, Ct),
            Task.Run(async () => { while (await second.SendBatchAsync(at, Ct) > 0) { } }, Ct));

        var accepted = world.Wx.Sandbox.Messages.AcceptedByClientMsgId;
        Assert.Equal(80, ids.Length);
        Assert.All(ids, id => Assert.Equal(1, accepted.GetValueOrDefault($"reminder-{id}")));
        Assert.All(await world.RemindersAsync(taskId), r => Assert.Equal("sent", r.Status));
        Assert.Equal(80, await TestDb.ScalarAsync("SELECT COUNT(*) FROM wechat_outbound WHERE errcode = 0"));
    }

    [Fact]
    public async Task A_send_whose_worker_died_after_WeChat_took_it_is_adopted_from_the_delivery_report_not_sent_again()
    {
        var member = (await world.MembersWithRoleAsync(ReminderWorld.Branch, Roles.Secretary)).Single();
        var openid = await world.FollowAsync(member);
        var t0 = app.Clock.GetUtcNow();                                // delivery reports are stamped with this clock
        var id = (await world.InsertAsync(taskId, "organiser", [member], t0)).Single();
        // The dead worker: it claimed the reminder, recorded the send, and WeChat accepted it; then nothing.
        await DieMidSendAsync(id, openid, t0, reachedWechat: true);
        await world.DeliverPushesAsync();                              // TEMPLATESENDJOBFINISH with a msgid we never recorded

        await world.SendAsync(t0.AddSeconds(5));                       // its lease still holds: nothing happens
        var held = (await world.RemindersAsync(taskId)).Single();
        await world.SendAsync(t0.AddSeconds(20));

        var row = (await world.RemindersAsync(taskId)).Single();
        Assert.Equal("sending", held.Status);
        Assert.Equal("sent", row.Status);
        Assert.Equal(1, world.Wx.Sandbox.Messages.AcceptedByClientMsgId[$"reminder-{id}"]);
        Assert.Equal("success", await TestDb.QuerySingleAsync<string>(
            "SELECT delivery_status FROM wechat_outbound WHERE client_msg_id = @c", new { c = $"reminder-{id}" }));
    }

    [Fact]
    public async Task A_send_whose_worker_died_before_WeChat_saw_it_waits_for_a_report_then_goes_out_once()
    {
        var member = (await world.MembersWithRoleAsync(ReminderWorld.Branch, Roles.Secretary)).Single();
        var openid = await world.FollowAsync(member);
        var t0 = app.Clock.GetUtcNow();
        var id = (await world.InsertAsync(taskId, "organiser", [member], t0)).Single();
        await DieMidSendAsync(id, openid, t0, reachedWechat: false);

        await world.SendAsync(t0.AddSeconds(20));                      // lease over, but a report may still come: wait
        var waiting = (await world.RemindersAsync(taskId)).Single();
        await world.SendAsync(t0.AddSeconds(59));
        var stillWaiting = (await world.RemindersAsync(taskId)).Single();
        await world.SendAsync(t0.AddSeconds(61));                      // no report within InDoubtWait (1 min): send

        Assert.Equal(("pending", "等待微信送达回执"), (waiting.Status, waiting.LastError));
        Assert.Equal("pending", stillWaiting.Status);
        Assert.Equal("sent", (await world.RemindersAsync(taskId)).Single().Status);
        Assert.Equal(1, world.Wx.Sandbox.Messages.AcceptedByClientMsgId[$"reminder-{id}"]);
    }

    [Fact]
    public async Task A_notice_to_a_resident_without_a_member_record_goes_out_once_through_the_outbox()
    {
        var openid = SandboxUsers.OpenIdOf("R01");
        world.Wx.Sandbox.Users.SetFollows(openid, true);
        var userId = await TestDb.ScalarAsync("""
            INSERT INTO wechat_users (app_id, openid, unionid, subscribed, created_at, updated_at)
            VALUES (@app, @openid, @union, TRUE, @now, @now);
            SELECT LAST_INSERT_ID();
            """, new { app = WxQmsApp.OaAppId, openid, union = SandboxUsers.UnionIdOf("R01"), now = at.UtcDateTime });
        var orgId = await TestDb.ScalarAsync("SELECT id FROM orgs WHERE code = @Community", new { ReminderWorld.Community });
        var notice = new Notice("wish", 42, "wish_claimed", orgId, null, userId, "reviewResult",
            new Dictionary<string, string> { ["thing1"] = "微心愿：修理水龙头", ["phrase2"] = "已认领", ["thing3"] = "党员已认领您的心愿", ["time4"] = "2026年12月10日 09:00" },
            new Dictionary<string, string> { ["thing1"] = "微心愿：修理水龙头", ["phrase2"] = "已认领", ["name3"] = "张三", ["time4"] = "2026年12月10日 09:00" },
            "pages/wish/index?id=42");

        bool first, again;
        await using (var conn = new MySqlConnector.MySqlConnection(TestEnvironment.MySql))
        {
            await conn.OpenAsync(Ct);
            await using var tx = await conn.BeginTransactionAsync(Ct);
            first = await OutboxStore.EnqueueAsync(conn, tx, notice, at, Ct);
            again = await OutboxStore.EnqueueAsync(conn, tx, notice, at, Ct);
            await tx.CommitAsync(Ct);
        }
        await world.SendAsync(at);

        Assert.True(first);
        Assert.False(again);
        var card = (await world.InboxAsync(openid)).Single(m => m.Kind == "template");
        Assert.Equal("审核结果通知", card.Title);
        Assert.Equal("pages/wish/index?id=42", card.Page);
        Assert.Equal("已认领", card.Fields!.Single(f => f.Key == "phrase2").Value);
        Assert.Equal("sent", await TestDb.QuerySingleAsync<string>("SELECT status FROM reminders WHERE subject_type = 'wish'"));
    }

    /// <summary>What a worker leaves behind when SIGKILL hits between WeChat's call and recording its answer.</summary>
    private async Task DieMidSendAsync(long id, string openid, DateTimeOffset t0, bool reachedWechat)
    {
        await TestDb.ExecuteAsync("""
            UPDATE reminders SET status = 'sending', locked_by = 'dead-worker', locked_until = @until, attempts = 1 WHERE id = @id
            """, new { id, until = t0.AddSeconds(10).UtcDateTime });
        await app.Get<OutboundStore>().RecordAsync(new NewOutbound(WxQmsApp.OaAppId, "template", openid, SandboxTemplates.OaMeetingReminder,
            $"reminder-{id}", "{}"), t0, Ct);
        if (reachedWechat)
        {
            var sent = await app.Get<OfficialAccountClient>().SendTemplateAsync(new TemplateMessage(openid, SandboxTemplates.OaMeetingReminder,
                new Dictionary<string, string> { ["thing1"] = "主题党日", ["time2"] = "2026年12月20日 14:30", ["thing3"] = "党群服务中心" },
                ClientMsgId: $"reminder-{id}"), Ct);
            Assert.True(sent.IsOk);
        }
    }
}
