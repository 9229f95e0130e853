using WxQms.Domain.Services;
using WxQms.Domain.Services.Reminders;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat.Callbacks;
using WxQms.Sandbox.Demo;
using WxQms.Tests.Infrastructure;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Jobs;

/// <summary>
/// One row a worker cannot handle, between good ones: the good ones are done, the bad one is counted against its
/// attempts, and after the limit the claim no longer takes it (before, it stopped the whole batch on every tick).
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class PoisonItemTests(WxQmsApp app) : IAsyncLifetime
{
    private static readonly DateTimeOffset Nov25 = new(2026, 11, 25, 1, 0, 0, TimeSpan.Zero);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await app.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task A_task_the_rules_cannot_read_fails_alone_in_the_overdue_and_reminder_batches_and_is_then_left_alone()
    {
        await app.Get<DemoSeeder>().SeedAsync(Ct);
        await app.Get<PlanService>().GenerateYearAsync(2026, Ct);
        // A task made under a catalogue version this release does not know, among the first of the backlog.
        var poison = await ScalarAsync("""
            SELECT id FROM tasks WHERE due_at <= @nov25 AND adhoc_task_id IS NULL ORDER BY due_at, id LIMIT 1 OFFSET 10
            """, new { nov25 = Nov25.UtcDateTime });
        await ExecuteAsync("UPDATE tasks SET template_version = 99, next_reminder_at = @early WHERE id = @poison",
            new { poison, early = Nov25.AddHours(-1).UtcDateTime });
        var due = await ScalarAsync("SELECT COUNT(*) FROM tasks WHERE due_at <= @nov25", new { nov25 = Nov25.UtcDateTime });

        await app.Get<OverdueMarker>().MarkDueAsync(Nov25, Ct);
        await app.Get<ReminderScan>().ScanDueAsync(Nov25, Ct);

        Assert.Equal(due - 1, await ScalarAsync("SELECT COUNT(*) FROM tasks WHERE state = 'overdue'"));
        Assert.Equal("pending", await QuerySingleAsync<string>("SELECT state FROM tasks WHERE id = @poison", new { poison }));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM tasks WHERE next_reminder_at <= @nov25 AND id <> @poison",
            new { nov25 = Nov25.UtcDateTime, poison }));
        Assert.True(await ScalarAsync("SELECT COUNT(*) FROM reminders") > 0);
        // The backlog took more than five batches: the poison was counted in each until the claim left it.
        Assert.Equal((long)OverdueMarker.MaxFailures, await ScalarAsync("SELECT overdue_failures FROM tasks WHERE id = @poison", new { poison }));
        Assert.Equal((long)ReminderScan.MaxFailures, await ScalarAsync("SELECT reminder_failures FROM tasks WHERE id = @poison", new { poison }));
        Assert.Equal(0, await app.Get<OverdueMarker>().MarkBatchAsync(Nov25, Ct));
        Assert.Equal((0, 0), await app.Get<ReminderScan>().ScanBatchAsync(Nov25, Ct));
    }

    [Fact]
    public async Task A_photo_download_whose_payload_cannot_be_read_fails_alone_and_is_not_claimed_after_its_attempts()
    {
        long Insert(string payload, long msgId) => ScalarAsync("""
            INSERT INTO wechat_inbound (app_id, dedupe_key, from_openid, msg_type, payload, received_at, work, work_status)
            VALUES (@app, @key, 'o-poison', 'image', @payload, @now, @work, 'pending');
            SELECT LAST_INSERT_ID();
            """, new { app = WxQmsApp.OaAppId, key = $"msg:{msgId}", payload, now = app.Clock.GetUtcNow().UtcDateTime,
            work = InboundWorkKinds.DownloadMedia }).GetAwaiter().GetResult();
        var first = Insert("""{"MediaId":"gone-1"}""", 1);
        var poison = Insert("not json", 2);
        var last = Insert("""{"MediaId":"gone-2"}""", 3);
        var job = app.Get<InboundMediaDownloader>();

        await job.DownloadDueAsync(app.Clock.GetUtcNow(), Ct);

        // WeChat no longer has the good ones' media (40007): handled, given up as they should be.
        foreach (var id in new[] { first, last })
            Assert.Equal("failed", await QuerySingleAsync<string>("SELECT work_status FROM wechat_inbound WHERE id = @id", new { id }));
        Assert.Equal(("pending", 1), await QuerySingleAsync<(string, int)>(
            "SELECT work_status, attempts FROM wechat_inbound WHERE id = @poison", new { poison }));

        for (var day = 1; day <= InboundMediaDownloader.MaxAttempts + 2; day++)
            await job.DownloadDueAsync(app.Clock.GetUtcNow().AddDays(day), Ct);
        Assert.Equal(("failed", InboundMediaDownloader.MaxAttempts), await QuerySingleAsync<(string, int)>(
            "SELECT work_status, attempts FROM wechat_inbound WHERE id = @poison", new { poison }));

        // Had its worker died on each attempt instead, the row would still be pending: the claim leaves it all the same.
        await ExecuteAsync("UPDATE wechat_inbound SET work_status = 'pending', next_attempt_at = NULL WHERE id = @poison", new { poison });
        Assert.Empty(await app.Get<InboundStore>().ClaimAsync(InboundWorkKinds.DownloadMedia, app.Clock.GetUtcNow().AddDays(30),
            TimeSpan.FromMinutes(2), 10, Ct));
    }
}
