using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Reminders;
using WxQms.Sandbox;
using WxQms.Sandbox.Demo;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Reminders;

/// <summary>
/// #25's Done-when on its own clock, as on a fresh <c>WXQMS_CLOCK=2026-12-07T10:00:00+08:00 scripts/run.sh</c>: the demo's
/// secretary (run.sh's demo phone) used to get about ten cards in the same minute, most of them 「待报计划」, one per duty; she
/// gets one 待报计划 digest listing them, and her other cards (the T−3 meeting) stay single.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class ReminderBurstDemoTests(SeededOwnClock seeded) : IClassFixture<SeededOwnClock>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly OwnClockApp app = seeded.App;

    [Fact]
    public async Task The_demo_secretary_at_ten_on_7_December_gets_one_plan_digest_not_a_card_per_duty()
    {
        var at = new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.FromHours(8));
        if (app.Clock.GetUtcNow() < at)
            app.Clock.SetUtcNow(at);
        await app.Get<PlanService>().GenerateYearAsync(2026, Ct);
        var demo = app.Get<DemoReminders>();
        await demo.LinkMembersAsync(Ct);
        var secretary = (await demo.PlanScenarioAsync(Ct)).First(p => !p.OpenId.StartsWith("sms:", StringComparison.Ordinal));
        var scanner = app.Get<ReminderScan>();
        var sender = app.Get<ReminderSender>();
        var now = app.Clock.GetUtcNow();

        await scanner.ScanDueAsync(now, Ct);
        await sender.SendDueAsync(now, Ct);

        var cards = (await app.Get<SandboxWechat>().InboxAsync(secretary.OpenId, Ct)).Where(m => m.Kind == "template").ToList();
        var plans = cards.Where(c => c.Fields!.Any(f => f.Key == "phrase3" && f.Value == "待报计划")).ToList();
        var digest = Assert.Single(plans);
        var thing1 = digest.Fields!.Single(f => f.Key == "thing1").Value;
        TestContext.Current.SendDiagnosticMessage($"{secretary.Name}: {cards.Count} cards; the digest: {thing1}");
        Assert.Matches(@"^\d+ 项任务待报计划：", thing1);
        Assert.Equal("pages/tasks/index", digest.Page);
        var rows = await TestDb.ScalarAsync("""
            SELECT COUNT(*) FROM reminders r JOIN wechat_outbound w ON w.id = r.outbound_id
            WHERE w.client_msg_id = CONCAT('reminder-', r.digest_id) AND r.kind = 'plan_report' AND r.status = 'sent'
              AND w.to_openid = @OpenId
            """, new { secretary.OpenId });
        Assert.True(rows >= 2, $"the digest carries {rows} reminders");
        Assert.StartsWith($"{rows} 项任务待报计划", thing1);
    }
}
