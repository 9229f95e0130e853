using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using WxQms.Domain.Services.Operations;
using WxQms.Domain.Storage;
using WxQms.Tests.Infrastructure;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Jobs;

/// <summary>
/// The <c>retention</c> job (#22 item 2): working records past their time go, a small batch per statement; what is still
/// in use (a callback whose photo was kept, work pending, a reminder not yet sent, an unused upload the sweep owns) and
/// everything younger stays; a second run finds nothing.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class RetentionTests(WxQmsApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await app.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private RetentionService Service(int batch) => new(app.Get<RetentionStore>(),
        Options.Create(new RetentionOptions { BatchSize = batch, Pause = TimeSpan.Zero }), app.Clock, NullLogger<RetentionService>.Instance);

    [Fact]
    public async Task Old_working_records_go_a_small_batch_at_a_time_and_what_is_in_use_or_younger_stays()
    {
        var now = app.Clock.GetUtcNow();
        var o = new RetentionOptions();
        DateTime Ago(int days, int extra = 1) => now.AddDays(-days - extra).UtcDateTime;
        var old = new { inbound = Ago(o.InboundDays), outbound = Ago(o.OutboundDays), upload = Ago(o.UploadDays),
            check = Ago(o.MediaCheckDays), reminder = Ago(o.ReminderDays), dialogue = Ago(o.DialogueDays), recent = Ago(0) };

        await ExecuteAsync("""
            INSERT INTO wechat_inbound (app_id, dedupe_key, from_openid, msg_type, payload, received_at, work, work_status)
            VALUES ('wxa', 'old-done', 'o1', 'text', '<xml/>', @inbound, NULL, NULL),
                   ('wxa', 'old-worked', 'o1', 'image', '<xml/>', @inbound, 'media', 'done'),
                   ('wxa', 'old-pending', 'o1', 'image', '<xml/>', @inbound, 'media', 'pending'),
                   ('wxa', 'old-photo-kept', 'o1', 'image', '<xml/>', @inbound, 'media', 'done'),
                   ('wxa', 'recent', 'o1', 'text', '<xml/>', @recent, NULL, NULL);
            INSERT INTO inbound_media (inbound_id, app_id, from_openid, media_id, sha256, size_bytes, content_type, storage_path, created_at)
            SELECT id, 'wxa', 'o1', 'm1', REPEAT('a', 64), 1, 'image/jpeg', 'aa/a.jpg', @inbound FROM wechat_inbound WHERE dedupe_key = 'old-photo-kept';
            INSERT INTO wechat_outbound (app_id, kind, to_openid, client_msg_id, body, created_at)
            VALUES ('wxa', 'template', 'o1', 'c1', '{}', @outbound), ('wxa', 'template', 'o1', 'c2', '{}', @outbound),
                   ('wxa', 'template', 'o1', 'c3', '{}', @outbound), ('wxa', 'template', 'o1', 'c4', '{}', @outbound),
                   ('wxa', 'template', 'o1', 'c5', '{}', @outbound), ('wxa', 'template', 'o1', 'c6', '{}', @recent);
            INSERT INTO uploads (token, wechat_user_id, sha256, size_bytes, content_type, storage_path, created_at, used_at)
            VALUES (REPEAT('1', 32), 1, REPEAT('b', 64), 1, 'image/jpeg', 'bb/b.jpg', @upload, @upload),
                   (REPEAT('2', 32), 1, REPEAT('b', 64), 1, 'image/jpeg', 'bb/b.jpg', @upload, NULL),
                   (REPEAT('3', 32), 1, REPEAT('b', 64), 1, 'image/jpeg', 'bb/b.jpg', @recent, @recent);
            INSERT INTO media_checks (trace_id, app_id, suggest, checked_at) VALUES ('t-old', 'wxa', 'pass', @check), ('t-new', 'wxa', 'pass', @recent);
            INSERT INTO reminders (subject_type, subject_id, kind, recipient, org_id, status, due_at, created_at, updated_at)
            VALUES ('task', 1, 't3', 'm1', 1, 'sent', @reminder, @reminder, @reminder),
                   ('task', 2, 't3', 'm1', 1, 'pending', @reminder, @reminder, @reminder),
                   ('task', 3, 't3', 'm1', 1, 'delivered', @recent, @recent, @recent);
            INSERT INTO bot_dialogues (app_id, openid, step, data, expires_at, updated_at)
            VALUES ('wxa', 'o-old', 'x', '{}', @dialogue, @dialogue), ('wxa', 'o-new', 'x', '{}', @recent, @recent);
            """, old);

        var run = await Service(batch: 2).RunAsync(now, Ct);

        Assert.Equal(new Dictionary<RetainedKind, int>
        {
            [RetainedKind.Inbound] = 2, [RetainedKind.Outbound] = 5, [RetainedKind.Uploads] = 1,
            [RetainedKind.MediaChecks] = 1, [RetainedKind.Reminders] = 1, [RetainedKind.Dialogues] = 1,
        }, run.Removed);
        // Two rows a statement: five old messages take three statements; each other kind one or two.
        Assert.Equal(3 + 2 + 1 + 1 + 1 + 1, run.Statements);
        Assert.Equal(["old-pending", "old-photo-kept", "recent"],
            (await QueryAsync<string>("SELECT dedupe_key FROM wechat_inbound ORDER BY dedupe_key")).ToList());
        Assert.Equal(["c6"], (await QueryAsync<string>("SELECT client_msg_id FROM wechat_outbound")).ToList());
        Assert.Equal([REPEAT('2'), REPEAT('3')], (await QueryAsync<string>("SELECT token FROM uploads ORDER BY token")).ToList());
        Assert.Equal(["t-new"], (await QueryAsync<string>("SELECT trace_id FROM media_checks")).ToList());
        Assert.Equal(["pending", "delivered"], (await QueryAsync<string>("SELECT status FROM reminders ORDER BY id")).ToList());
        Assert.Equal(["o-new"], (await QueryAsync<string>("SELECT openid FROM bot_dialogues")).ToList());

        var again = await Service(batch: 2).RunAsync(now, Ct);
        Assert.All(again.Removed.Values, n => Assert.Equal(0, n));

        static string REPEAT(char c) => new(c, 32);
    }

    [Fact]
    public async Task The_audit_trail_keeps_each_month_in_a_partition_of_its_own_and_two_jobs_at_once_add_the_coming_months_once()
    {
        // Six months past the last monthly partition there is (the migration's, or what an earlier run added), always.
        var before = (await QueryAsync<string>(
            "SELECT partition_name FROM information_schema.partitions WHERE table_schema = DATABASE() AND table_name = 'audit_log'")).ToHashSet();
        var through = before.Where(n => n.Length == 7 && n[1..].All(char.IsAsciiDigit))
            .Select(n => new DateOnly(int.Parse(n[1..5]), int.Parse(n[5..]), 1)).Max().AddMonths(6);
        var later = new DateTimeOffset(through.AddMonths(-2).Year, through.AddMonths(-2).Month, 10, 3, 0, 0, TimeSpan.Zero);
        var runs = await Task.WhenAll(Service(batch: 500).RunAsync(later, Ct), Service(batch: 500).RunAsync(later, Ct));

        var months = (await QueryAsync<string>("""
            SELECT partition_name FROM information_schema.partitions
            WHERE table_schema = DATABASE() AND table_name = 'audit_log' ORDER BY partition_ordinal_position
            """)).ToList();
        Assert.Equal("p_before", months[0]);
        Assert.Equal("p_future", months[^1]);
        var monthly = months[1..^1];
        Assert.Equal(monthly.Distinct().Count(), monthly.Count);
        Assert.Contains($"p{through:yyyyMM}", monthly); // two months ahead of the clock
        Assert.Equal(monthly.Order(StringComparer.Ordinal), monthly);
        Assert.Equal(1, Enumerable.Range(0, monthly.Count - 1).Select(i => (monthly[i], monthly[i + 1]))
            .Select(p => MonthsBetween(p.Item1, p.Item2)).Distinct().Single()); // no month missing
        Assert.Equal(6, runs.Sum(r => r.AuditMonthsAdded)); // each of the six months added by one of the two, once

        await ExecuteAsync("""
            INSERT INTO audit_log (occurred_at, actor, action, entity_type) VALUES
              ('2027-03-31 23:59:59', 'test', 'test.a', 'test'), ('2027-04-01 00:00:00', 'test', 'test.b', 'test'),
              ('2027-04-15 08:00:00', 'test', 'test.c', 'test')
            """);
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM audit_log PARTITION (p202703) WHERE actor = 'test'"));
        Assert.Equal(2, await ScalarAsync("SELECT COUNT(*) FROM audit_log PARTITION (p202704) WHERE actor = 'test'"));

        static int MonthsBetween(string a, string b) =>
            (int.Parse(b[1..5]) * 12 + int.Parse(b[5..])) - (int.Parse(a[1..5]) * 12 + int.Parse(a[5..]));
    }

    [Theory]
    [InlineData("p202612", "2027-02-10", "2027-01-01,2027-02-01")]
    [InlineData("p202612", "2026-12-31", "")]
    [InlineData("p202612", "2026-11-01", "")]
    [InlineData("p202611,p202612,p_future", "2027-01-01", "2027-01-01")]
    [InlineData("p_before,p_future", "2026-02-28", "2026-01-01,2026-02-01")]
    public void The_months_missing_follow_the_last_monthly_partition(string existing, string through, string expected)
    {
        var missing = RetentionStore.AuditMonthsMissing(existing.Split(',').ToHashSet(), DateOnly.Parse(through, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expected, string.Join(',', missing.Select(m => m.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))));
    }
}
