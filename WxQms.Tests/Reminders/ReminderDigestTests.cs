using System.Net.Http.Json;
using System.Text.Json;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Reminders;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat;
using WxQms.Sandbox;
using WxQms.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace WxQms.Tests.Reminders;

/// <summary>
/// The 08:00 burst (#25): a person's reminders of one kind in one sending round go out as one digest card, never twice and
/// never lost — after a worker died between WeChat and our records, and with two senders at once — while each reminder keeps
/// its own row (sent as part of the digest); and the most urgent kinds go first. WeChat's de-duplication is off here.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class ReminderDigestTests(WxQmsApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly ReminderWorld world = new(app);
    private static readonly string[] Duties =
        [TaskCodes.MemberMeeting, TaskCodes.CommitteeMeeting, TaskCodes.PartyLecture, TaskCodes.ThemePartyDay, TaskCodes.OrgLifeMeeting];

    public async ValueTask InitializeAsync()
    {
        await world.InitializeAsync();
        world.Wx.Sandbox.Messages.DeduplicateClientMsgIds = false;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Next month's unplanned duties of the branch that need a plan: each one's 待报计划 reminder applies.</summary>
    private async Task<long[]> UnplannedDutiesAsync(string branch = ReminderWorld.Branch)
    {
        var ids = new List<long>();
        foreach (var code in Duties)
            ids.AddRange(await TestDb.QueryAsync<long>("""
                SELECT t.id FROM tasks t JOIN orgs o ON o.id = t.org_id
                WHERE o.code = @branch AND t.template_code = @code AND t.period_key = @Key AND t.party_group_id IS NULL
                """, new { branch, code, world.NextMonth.Key }));
        return [.. ids];
    }

    private async Task<long[]> PlanReportsAsync(long memberId, IEnumerable<long> taskIds, DateTimeOffset due)
    {
        var ids = new List<long>();
        foreach (var taskId in taskIds)
            ids.AddRange(await world.InsertAsync(taskId, "plan_report", [memberId], due) is var all ? all.TakeLast(1) : []);
        return [.. ids];
    }

    [Fact]
    public async Task Five_plan_reminders_to_one_secretary_in_a_round_are_one_digest_card_and_every_row_is_marked_sent_with_it()
    {
        var secretary = (await world.MembersWithRoleAsync(ReminderWorld.Branch, Roles.Secretary)).Single();
        var openid = await world.FollowAsync(secretary);
        var tasks = await UnplannedDutiesAsync();
        var at = world.Day(3, 8);
        var ids = await PlanReportsAsync(secretary, tasks, at);

        await world.SendAsync(at);

        var cards = (await world.InboxAsync(openid)).Where(m => m.Kind == "template").ToList();
        var card = Assert.Single(cards);
        Assert.Equal("任务预警", card.Title);
        Assert.Equal("pages/tasks/index", card.Page);
        var thing1 = card.Fields!.Single(f => f.Key == "thing1").Value;
        Assert.StartsWith($"{ids.Length} 项任务待报计划：", thing1);
        Assert.Contains($"等 {ids.Length} 项", thing1);
        Assert.InRange(thing1.EnumerateRunes().Count(), 1, 20);
        Assert.Equal("待报计划", card.Fields!.Single(f => f.Key == "phrase3").Value);
        var rows = await TestDb.QueryAsync<(long Id, string Status, long? DigestId, long? OutboundId)>(
            "SELECT id, status, digest_id, outbound_id FROM reminders WHERE id IN @ids ORDER BY id", new { ids });
        Assert.All(rows, r => Assert.Equal(("sent", ids.Min()), (r.Status, r.DigestId)));
        Assert.Single(rows.Select(r => r.OutboundId).Distinct());
        Assert.Equal(1, world.Wx.Sandbox.Messages.AcceptedByClientMsgId[$"reminder-{ids.Min()}"]);

        // The mini program's reminder list still shows each reminder, sent.
        var communitySecretary = (await world.MembersWithRoleAsync(ReminderWorld.Community, Roles.Secretary)).Single();
        var api = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/mp/reminders?status=sent&kind=plan_report");
        request.Headers.Authorization = new("Bearer", await world.Wx.SignInMemberAsync(api, communitySecretary));
        using var response = await api.SendAsync(request, Ct);
        var list = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var listed = list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).ToHashSet();
        Assert.All(ids, id => Assert.Contains(id, listed));
    }

    [Fact]
    public async Task The_most_urgent_go_first_warnings_then_the_members_T_minus_1_then_the_rest()
    {
        var members = (await TestDb.QueryAsync<long>("""
            SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id
            WHERE o.path LIKE CONCAT((SELECT path FROM orgs WHERE code = @Branch), '%') ORDER BY m.id LIMIT 6
            """, new { ReminderWorld.Branch })).ToArray();
        foreach (var m in members)
            await world.FollowAsync(m);
        var taskId = await world.TaskIdAsync(ReminderWorld.Branch, TaskCodes.ThemePartyDay);
        await app.Get<TaskCommands>().ReportPlanAsync(taskId, 1, new PlanReport(world.Day(20, 14, 30), "党群服务中心", "学习党章"),
            "test", null, Ct);
        // Written in the opposite order, the least urgent oldest: due order alone would send them first.
        var at = world.Day(19, 8);
        var organiser = await world.InsertAsync(taskId, "organiser", members[..2], at.AddHours(-10));
        var t1 = await world.InsertAsync(taskId, "members", members[2..4], at.AddHours(-9));
        var warning = await world.InsertAsync(taskId, "warning", members[4..], at.AddHours(-8));

        await world.SendAsync(at);

        var order = (await TestDb.QueryAsync<string>("""
            SELECT r.kind FROM reminders r JOIN wechat_outbound w ON w.id = r.outbound_id WHERE r.task_id = @taskId ORDER BY w.id
            """, new { taskId })).ToList();
        Assert.Equal(["warning", "warning", "members", "members", "organiser", "organiser"], order);
        Assert.Equal(6, organiser.Length + t1.Length + warning.Length);
    }

    [Fact]
    public async Task A_digest_whose_worker_died_after_WeChat_took_it_is_adopted_not_sent_again_and_every_row_is_marked()
    {
        var secretary = (await world.MembersWithRoleAsync(ReminderWorld.Branch, Roles.Secretary)).Single();
        var openid = await world.FollowAsync(secretary);
        var t0 = app.Clock.GetUtcNow();
        var ids = await PlanReportsAsync(secretary, await UnplannedDutiesAsync(), t0);
        await DieMidDigestAsync(ids, openid, t0, reachedWechat: true);
        await world.DeliverPushesAsync();                              // TEMPLATESENDJOBFINISH with a msgid we never recorded

        await world.SendAsync(t0.AddSeconds(5));                       // the dead worker's lease still holds
        var held = await StatusesAsync(ids);
        await world.SendAsync(t0.AddSeconds(20));
        await world.SendAsync(t0.AddMinutes(5));                       // and again, long after: nothing more goes out

        Assert.All(held, s => Assert.Equal("sending", s));
        Assert.All(await StatusesAsync(ids), s => Assert.Equal("sent", s));
        Assert.Equal(1, world.Wx.Sandbox.Messages.AcceptedByClientMsgId[$"reminder-{ids.Min()}"]);
        Assert.Single(await world.InboxAsync(openid), m => m.Kind == "template");
    }

    [Fact]
    public async Task A_digest_whose_worker_died_before_WeChat_saw_it_goes_out_once_with_the_same_rows()
    {
        var secretary = (await world.MembersWithRoleAsync(ReminderWorld.Branch, Roles.Secretary)).Single();
        var openid = await world.FollowAsync(secretary);
        var t0 = app.Clock.GetUtcNow();
        var ids = await PlanReportsAsync(secretary, await UnplannedDutiesAsync(), t0);
        await DieMidDigestAsync(ids, openid, t0, reachedWechat: false);

        await world.SendAsync(t0.AddSeconds(20));                      // lease over, but a report may still come: wait
        var waiting = await StatusesAsync(ids);
        await world.SendAsync(t0.AddSeconds(61));                      // no report within InDoubtWait: the same digest, once

        Assert.Equal("pending", waiting[0]);
        Assert.All(waiting.Skip(1), s => Assert.Equal("sending", s)); // out of every claim, following the carrier
        Assert.All(await StatusesAsync(ids), s => Assert.Equal("sent", s));
        Assert.Equal(1, world.Wx.Sandbox.Messages.AcceptedByClientMsgId[$"reminder-{ids.Min()}"]);
        var card = Assert.Single(await world.InboxAsync(openid), m => m.Kind == "template");
        Assert.StartsWith($"{ids.Length} 项任务待报计划", card.Fields!.Single(f => f.Key == "thing1").Value);
    }

    [Fact]
    public async Task Two_senders_at_once_send_each_person_one_digest_and_every_row_once()
    {
        var members = (await TestDb.QueryAsync<long>("""
            SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id
            WHERE o.path LIKE CONCAT((SELECT path FROM orgs WHERE code = @Branch), '%') ORDER BY m.id LIMIT 30
            """, new { ReminderWorld.Branch })).ToArray();
        var openids = new Dictionary<long, string>();
        foreach (var m in members)
            openids[m] = await world.FollowAsync(m);
        var at = world.Day(3, 8);
        var ids = new List<long>();
        foreach (var taskId in await UnplannedDutiesAsync())           // task by task, as the scanner writes them
            ids.AddRange((await world.InsertAsync(taskId, "plan_report", members, at)));
        var second = ActivatorUtilities.CreateInstance<ReminderSender>(app.Services); // another process's sender

        await Task.WhenAll(
            Task.Run(async () => { while (await world.Sender.SendBatchAsync(at, Ct) > 0) { } }, Ct),
            Task.Run(async () => { while (await second.SendBatchAsync(at, Ct) > 0) { } }, Ct));

        Assert.All(await StatusesAsync([.. ids]), s => Assert.Equal("sent", s));
        var accepted = world.Wx.Sandbox.Messages.AcceptedByClientMsgId;
        Assert.All(accepted.Values, n => Assert.Equal(1, n));
        Assert.Equal(members.Length, accepted.Count);
        foreach (var m in members)
            Assert.Single(await world.InboxAsync(openids[m]), x => x.Kind == "template");
    }

    private static async Task<IReadOnlyList<string>> StatusesAsync(long[] ids) =>
        (await TestDb.QueryAsync<string>("SELECT status FROM reminders WHERE id IN @ids ORDER BY id", new { ids })).ToList();

    /// <summary>What a worker leaves when SIGKILL hits after it formed a digest and recorded its send, before WeChat's answer was recorded.</summary>
    private async Task DieMidDigestAsync(long[] ids, string openid, DateTimeOffset t0, bool reachedWechat)
    {
        var store = app.Get<OutboxStore>();
        var claimed = await store.ClaimAsync("dead-worker", t0, TimeSpan.FromSeconds(10), 50, WxQmsApp.OaAppId, WxQmsApp.MpAppId, Ct);
        Assert.Equal(ids.Order(), claimed.Select(c => c.Id).Order());
        Assert.True(await store.FormDigestAsync(ids.Min(), ids, "dead-worker", t0, Ct));
        await app.Get<OutboundStore>().RecordAsync(new NewOutbound(WxQmsApp.OaAppId, "template", openid, SandboxTemplates.OaTaskWarning,
            $"reminder-{ids.Min()}", "{}"), t0, Ct);
        if (reachedWechat)
        {
            var sent = await app.Get<OfficialAccountClient>().SendTemplateAsync(new TemplateMessage(openid, SandboxTemplates.OaTaskWarning,
                new Dictionary<string, string> { ["thing1"] = $"{ids.Length} 项任务待报计划", ["date2"] = "2026年12月31日", ["phrase3"] = "待报计划", ["thing4"] = "第一支部" },
                ClientMsgId: $"reminder-{ids.Min()}"), Ct);
            Assert.True(sent.IsOk);
        }
    }
}
