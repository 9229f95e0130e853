using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WxQms.Domain.Rules.Reminders;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Sandbox.Demo;
using WxQms.Sandbox.Sms;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Reminders;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Sms;

/// <summary>
/// #21's "Done when" on the demo, through the routes run.sh serves: a retired member the demo leaves without WeChat gets
/// the scenario's T−1 reminder in the sandbox's SMS inbox, the receipt marks it delivered, she replies 「TD」 from the
/// phone, and the next non-essential notice skips SMS.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class SmsDoneWhenTests(WxQmsApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly ReminderWorld world = new(app);
    private readonly SmsSwitch sms = new(app);
    private readonly HttpClient http = app.CreateClient();

    public async ValueTask InitializeAsync()
    {
        await world.InitializeAsync();
        sms.On(essentialKind: "warning");
    }

    public ValueTask DisposeAsync() => sms.OffAsync();

    [Fact]
    public async Task A_retiree_without_WeChat_gets_her_T1_reminder_by_SMS_delivered_and_after_TD_the_next_notice_skips_SMS()
    {
        var now = app.Clock.GetUtcNow();
        foreach (var year in new[] { now.AddDays(-1), now, now.AddDays(3) }.Select(d => Periods.LocalDate(d).Year).Distinct())
            await app.Get<PlanService>().GenerateYearAsync(year, Ct);
        var demo = app.Get<DemoReminders>();
        await demo.LinkMembersAsync(Ct);
        await demo.PlanScenarioAsync(Ct);
        var retiree = await demo.SmsPhoneAsync(Ct);
        Assert.NotNull(retiree);
        var (memberId, born) = await QuerySingleAsync<(long, DateTime)>("SELECT id, birth_date FROM members WHERE phone = @Phone",
            new { retiree.Phone });
        Assert.True(born <= now.AddYears(-DemoReminders.NoWechatAge).UtcDateTime, "the demo's member without WeChat is an older retiree");
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM wechat_users WHERE member_id = @memberId", new { memberId }));

        await world.ScanAsync(now);
        await world.SendAsync(QuietHours.Defer(now));

        // Her T−1 reminder of tomorrow's theme party day is in her number's inbox on the sandbox.
        var t1 = await QuerySingleAsync<(long Id, string Status, string? Channel, long TaskId)>("""
            SELECT id, status, channel, task_id FROM reminders WHERE member_id = @memberId AND kind = 'members' ORDER BY id DESC LIMIT 1
            """, new { memberId });
        Assert.Equal(("sent", "sms"), (t1.Status, t1.Channel));
        var inbox = await InboxAsync(retiree.Phone);
        var message = Assert.Single(inbox.GetProperty("messages").EnumerateArray());
        Assert.Matches("^【.+】主题党日定于.+在社区党群服务中心举行，请准时参加。回复TD退订$", message.GetProperty("content").GetString());

        // The provider's receipt comes back after its delay and marks the reminder delivered.
        app.Clock.Advance(SandboxSms.ReceiptDelay);
        Assert.True(await app.Get<SandboxSmsPush>().DeliverReceiptsAsync(Ct) >= 1);
        Assert.NotNull(await QuerySingleAsync<DateTime?>("SELECT delivered_at FROM reminders WHERE id = @Id", new { t1.Id }));

        // She replies 「TD」 from her phone.
        using (var reply = await http.PostAsJsonAsync($"/sandbox/sms/{retiree.Phone}/reply", new { content = "TD" }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
            Assert.Equal(200, (await reply.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("callbackStatus").GetInt32());
        }

        // The next non-essential notice to her skips SMS; nothing more reaches her inbox.
        var next = app.Clock.GetUtcNow().AddMinutes(1);
        // The scenario's other planned meeting (the T−3), as if she were told of it too.
        var nextMeeting = await ScalarAsync("""
            SELECT entity_id FROM audit_log WHERE actor = 'simulate' AND action = 'task.planned' AND data LIKE '%"scenario":"organisers"%'
            ORDER BY id DESC LIMIT 1
            """);
        var later = (await world.InsertAsync(nextMeeting, "members", [memberId], next)).Max();
        await world.SendAsync(QuietHours.Defer(next));
        var skipped = await QuerySingleAsync<(string Status, string? LastError)>("SELECT status, last_error FROM reminders WHERE id = @later",
            new { later });
        Assert.Equal("unreachable", skipped.Status);
        Assert.Contains("已回复TD退订短信", skipped.LastError, StringComparison.Ordinal);
        inbox = await InboxAsync(retiree.Phone);
        Assert.Single(inbox.GetProperty("messages").EnumerateArray());
        Assert.Equal("TD", inbox.GetProperty("replies")[0].GetProperty("content").GetString());
    }

    private async Task<JsonElement> InboxAsync(string phone) => await http.GetFromJsonAsync<JsonElement>($"/sandbox/sms/{phone}/inbox", Ct);
}
