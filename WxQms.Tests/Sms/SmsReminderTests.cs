using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Sms;
using WxQms.Sandbox.Sms;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Reminders;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Sms;

/// <summary>
/// The SMS channel end to end: the sender (a real outbox claim) calls the SMS client, which signs and sends over HTTP to
/// the SMS sandbox; the sandbox's receipt and a phone's reply come back through our callbacks in the real pipeline.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class SmsReminderTests(WxQmsApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly ReminderWorld world = new(app);
    private readonly SmsSwitch sms = new(app);
    private readonly HttpClient http = app.CreateClient();
    private long taskId;
    private DateTimeOffset at;

    private IConfigurationRoot Configuration => (IConfigurationRoot)app.Get<IConfiguration>();

    private SandboxSms Sandbox => app.Get<SandboxSms>();

    public async ValueTask InitializeAsync()
    {
        await world.InitializeAsync();
        taskId = await world.PlannedThemePartyDayAsync();
        at = world.Day(10, 9);
        sms.On(essentialKind: "warning");
    }

    public ValueTask DisposeAsync() => sms.OffAsync();

    /// <summary>A branch member without WeChat (nobody in the tests follows unless a test says so) and with a phone.</summary>
    private Task<(long Member, string Phone)> RetireeAsync(int skip = 0) => world.MemberWithPhoneAsync(skip);

    private Task<(string Status, string? Channel, string? LastError, DateTime DueAt, DateTime? DeliveredAt)> RowAsync(long id) =>
        QuerySingleAsync<(string, string?, string?, DateTime, DateTime?)>(
            "SELECT status, channel, last_error, due_at, delivered_at FROM reminders WHERE id = @id", new { id });

    [Fact]
    public async Task A_member_WeChat_cannot_reach_gets_her_reminder_by_SMS_and_the_receipt_marks_it_delivered()
    {
        var (member, phone) = await RetireeAsync();
        var id = (await world.InsertAsync(taskId, "members", [member], at)).Single();

        await world.SendAsync(at);

        var row = await RowAsync(id);
        Assert.Equal(("sent", "sms"), (row.Status, row.Channel));
        var inbox = Sandbox.Inbox(phone);
        var sms = Assert.Single(inbox);
        Assert.StartsWith($"【文化路街道党工委】主题党日定于{world.Day(20, 14, 30).Month}月20日14:30在党群服务中心举行", sms.Content, StringComparison.Ordinal);
        Assert.Contains("党群服务中心", sms.Content, StringComparison.Ordinal);
        Assert.Null(row.DeliveredAt);

        // The same inbox through the sandbox's route.
        using var listed = JsonDocument.Parse(await http.GetStringAsync($"/sandbox/sms/{phone}/inbox", Ct));
        Assert.Equal(sms.Content, listed.RootElement.GetProperty("messages")[0].GetProperty("content").GetString());

        // The receipt waits its delay, then comes back through /sms/tencent/status.
        Assert.Equal(0, await app.Get<SandboxSmsPush>().DeliverReceiptsAsync(Ct));
        app.Clock.Advance(SandboxSms.ReceiptDelay);
        Assert.Equal(1, await app.Get<SandboxSmsPush>().DeliverReceiptsAsync(Ct));
        Assert.NotNull((await RowAsync(id)).DeliveredAt);
        Assert.Equal("SUCCESS", await QuerySingleAsync<string>("SELECT report_status FROM sms_messages WHERE reminder_id = @id", new { id }));
    }

    /// <summary>Reminders:ChannelOrder: the organiser's T−3 goes by SMS first though she follows; her T−1 by WeChat as before.</summary>
    [Fact]
    public async Task A_kind_configured_SMS_first_goes_by_SMS_to_a_follower_and_other_kinds_keep_WeChat_first()
    {
        var (member, phone) = await RetireeAsync();
        await world.FollowAsync(member);
        Configuration["Reminders:ChannelOrder:organiser:0"] = "sms";
        Configuration["Reminders:ChannelOrder:organiser:1"] = "oa";
        Configuration["Reminders:ChannelOrder:organiser:2"] = "mp";
        Configuration.Reload();
        try
        {
            var organiser = (await world.InsertAsync(taskId, "organiser", [member], at)).Single();
            var members = (await world.InsertAsync(taskId, "members", [member], at)).Single();

            await world.SendAsync(at);

            Assert.Equal(("sent", "sms"), ((await RowAsync(organiser)).Status, (await RowAsync(organiser)).Channel));
            Assert.Equal(("sent", "oa"), ((await RowAsync(members)).Status, (await RowAsync(members)).Channel));
            Assert.Single(Sandbox.Inbox(phone));
        }
        finally
        {
            // Back to the default order (every kind: official account, mini program, SMS).
            Configuration["Reminders:ChannelOrder:organiser:0"] = "oa";
            Configuration["Reminders:ChannelOrder:organiser:1"] = "mp";
            Configuration["Reminders:ChannelOrder:organiser:2"] = "sms";
            Configuration.Reload();
        }
    }

    /// <summary>
    /// Reminders:AlsoSms: the organiser's T−3 goes by SMS as well as WeChat to a follower (her T−1 by WeChat only), by SMS
    /// alone to a member WeChat cannot reach; each channel is recorded once, and a reminder delivered again sends neither twice.
    /// </summary>
    [Fact]
    public async Task A_kind_configured_also_by_SMS_goes_by_WeChat_and_SMS_once_each_even_when_delivered_again()
    {
        var (follower, followerPhone) = await RetireeAsync();
        var (retiree, retireePhone) = await RetireeAsync(1);
        var openId = await world.FollowAsync(follower);
        Configuration["Reminders:AlsoSms:0"] = "organiser";
        Configuration.Reload();
        try
        {
            var organiser = (await world.InsertAsync(taskId, "organiser", [follower, retiree], at)).ToArray();
            var members = (await world.InsertAsync(taskId, "members", [follower], at)).Except(organiser).Single();

            await world.SendAsync(at);

            var (toFollower, toRetiree) = await QuerySingleAsync<(long, long)>("""
                SELECT MAX(CASE WHEN member_id = @follower THEN id END), MAX(CASE WHEN member_id = @retiree THEN id END)
                FROM reminders WHERE id IN @organiser
                """, new { follower, retiree, organiser });
            Assert.Equal(("sent", "oa"), ((await RowAsync(toFollower)).Status, (await RowAsync(toFollower)).Channel));
            Assert.Equal(("sent", "sms"), ((await RowAsync(toRetiree)).Status, (await RowAsync(toRetiree)).Channel));
            Assert.Equal(("sent", "oa"), ((await RowAsync(members)).Status, (await RowAsync(members)).Channel));
            Assert.Single(Sandbox.Inbox(followerPhone)); // the T−3 only: the T−1 went by WeChat alone
            Assert.Single(Sandbox.Inbox(retireePhone));
            Assert.Equal(2, (await world.InboxAsync(openId)).Count);

            // Delivered again (a sender died before its bookkeeping): neither channel sends a second time.
            await ExecuteAsync("UPDATE reminders SET status = 'pending', channel = NULL, sent_at = NULL WHERE id IN @organiser", new { organiser });
            await world.SendAsync(at.AddMinutes(5));

            Assert.Equal(("sent", "oa"), ((await RowAsync(toFollower)).Status, (await RowAsync(toFollower)).Channel));
            Assert.Equal(("sent", "sms"), ((await RowAsync(toRetiree)).Status, (await RowAsync(toRetiree)).Channel));
            Assert.Single(Sandbox.Inbox(followerPhone));
            Assert.Single(Sandbox.Inbox(retireePhone));
            Assert.Equal(2, (await world.InboxAsync(openId)).Count);
            Assert.Equal(2, await ScalarAsync("SELECT COUNT(*) FROM sms_messages WHERE reminder_id IN @organiser", new { organiser }));
        }
        finally
        {
            Configuration["Reminders:AlsoSms:0"] = null;
            Configuration.Reload();
        }
    }

    [Fact]
    public async Task A_handset_that_rejects_the_message_fails_the_reminder_with_the_providers_code()
    {
        var (member, phone) = await RetireeAsync();
        Sandbox.Unreachable[phone] = true;
        var id = (await world.InsertAsync(taskId, "members", [member], at)).Single();

        await world.SendAsync(at);
        app.Clock.Advance(SandboxSms.ReceiptDelay);
        await app.Get<SandboxSmsPush>().DeliverReceiptsAsync(Ct);

        var row = await RowAsync(id);
        Assert.Equal(("failed", "sms"), (row.Status, row.Channel));
        Assert.Contains("MK:0001", row.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_TD_reply_the_next_non_essential_reminder_skips_SMS_but_an_essential_one_still_goes()
    {
        var (member, phone) = await RetireeAsync();
        using var reply = await http.PostAsJsonAsync($"/sandbox/sms/{phone}/reply", new { content = "TD" }, Ct);
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        using (var answer = JsonDocument.Parse(await reply.Content.ReadAsStringAsync(Ct)))
            Assert.Equal(200, answer.RootElement.GetProperty("callbackStatus").GetInt32());
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM sms_opt_outs WHERE phone = @p", new { p = "+86" + phone }));

        var members = (await world.InsertAsync(taskId, "members", [member], at)).Single();
        var warning = (await world.InsertAsync(taskId, "warning", [member], at)).Single();
        await world.SendAsync(at);

        var skipped = await RowAsync(members);
        Assert.Equal("unreachable", skipped.Status);
        Assert.Contains("已回复TD退订短信", skipped.LastError, StringComparison.Ordinal);
        Assert.Equal(("sent", "sms"), ((await RowAsync(warning)).Status, (await RowAsync(warning)).Channel));
        Assert.Single(Sandbox.Inbox(phone));
    }

    [Fact]
    public async Task A_number_at_its_daily_limit_waits_for_tomorrow_and_nothing_reaches_the_provider()
    {
        var (member, phone) = await RetireeAsync();
        for (var i = 0; i < 10; i++)
            await ExecuteAsync("""
                INSERT INTO sms_messages (client_ref, phone, kind, template_id, params, content_hash, attempted_at, code, created_at)
                VALUES (@r, @p, 'members', 'x', '[]', @h, @t, 'Ok', @t)
                """, new { r = $"earlier-{i}", p = "+86" + phone, h = new string('0', 63) + i, t = at.AddHours(-1 - i * 0.05).UtcDateTime });
        var id = (await world.InsertAsync(taskId, "members", [member], at)).Single();

        await world.SendAsync(at);

        var row = await RowAsync(id);
        Assert.Equal("pending", row.Status);
        Assert.Contains("短信频率限制", row.LastError, StringComparison.Ordinal);
        Assert.Equal(world.Day(11, 8).UtcDateTime, row.DueAt); // tomorrow's midnight falls in quiet hours: eight o'clock
        Assert.Empty(Sandbox.Inbox(phone));
    }

    [Fact]
    public async Task A_number_at_its_hourly_limit_waits_till_the_oldest_send_leaves_the_hour()
    {
        var (member, phone) = await RetireeAsync();
        for (var i = 0; i < 5; i++)
            await ExecuteAsync("""
                INSERT INTO sms_messages (client_ref, phone, kind, template_id, params, content_hash, attempted_at, code, created_at)
                VALUES (@r, @p, 'members', 'x', '[]', @h, @t, NULL, @t)
                """, new { r = $"earlier-{i}", p = "+86" + phone, h = new string('0', 63) + i, t = at.AddMinutes(-50 + i).UtcDateTime });
        var id = (await world.InsertAsync(taskId, "members", [member], at)).Single();

        await world.SendAsync(at);

        var row = await RowAsync(id);
        Assert.Equal("pending", row.Status);
        Assert.Equal(at.AddMinutes(10).AddSeconds(1).UtcDateTime, row.DueAt);
        Assert.Empty(Sandbox.Inbox(phone));
    }

    /// <summary>
    /// A send recorded without an answer (its sender died mid-call, after the provider took it) is in doubt: the reminder
    /// waits Reminders:InDoubtWait for a late answer, and then ends failed, in doubt — never sent a second time, because
    /// Tencent's SendSms has no idempotency key.
    /// </summary>
    [Fact]
    public async Task An_SMS_in_doubt_waits_and_then_ends_in_doubt_without_a_second_SMS()
    {
        var (member, phone) = await RetireeAsync();
        var id = (await world.InsertAsync(taskId, "members", [member], at)).Single();
        await ExecuteAsync("""
            INSERT INTO sms_messages (client_ref, reminder_id, phone, kind, template_id, params, content_hash, attempted_at, created_at)
            VALUES (@r, @id, @p, 'members', @t, '[]', @h, @at, @at)
            """, new { r = $"reminder-{id}-sms", id, p = "+86" + phone, t = SandboxSms.MeetingReminderTemplate, h = new string('0', 64),
            at = at.UtcDateTime });
        // The provider took it; its answer never reached us.
        await app.Get<ISmsProvider>().SendAsync(new SmsRequest("+86" + phone, SandboxSms.MeetingReminderTemplate,
            ["主题党日", "20日14:30", "党群服务中心"], $"reminder-{id}-sms"), Ct);
        var wait = app.Get<Microsoft.Extensions.Options.IOptions<WxQms.Domain.Services.Reminders.ReminderOptions>>().Value.InDoubtWait;

        await world.SendAsync(at.AddSeconds(5));

        var row = await RowAsync(id);
        Assert.Equal(("pending", at.Add(wait).UtcDateTime), (row.Status, row.DueAt));
        Assert.Contains("等待短信发送结果", row.LastError, StringComparison.Ordinal);

        await world.SendAsync(at.Add(wait));
        await world.SendAsync(at.Add(wait).AddHours(1));

        row = await RowAsync(id);
        Assert.Equal("failed", row.Status);
        Assert.Contains("短信发送结果不明", row.LastError, StringComparison.Ordinal);
        Assert.Single(Sandbox.Inbox(phone));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM sms_messages WHERE reminder_id = @id", new { id }));
    }

    [Fact]
    public async Task The_sandbox_answers_with_the_providers_codes()
    {
        var provider = app.Get<ISmsProvider>();
        var (_, phone) = await RetireeAsync();
        var e164 = "+86" + phone;
        string[] values = ["主题党日", "12月20日14:30", "党群服务中心"];

        Assert.Equal(SmsErrors.TemplateUnapproved, (await provider.SendAsync(new SmsRequest(e164, "999", values, "t"), Ct)).Code);
        Assert.Equal(SmsErrors.IncorrectPhoneNumber,
            (await provider.SendAsync(new SmsRequest("+8612345678901", SandboxSms.MeetingReminderTemplate, values, "t"), Ct)).Code);
        Assert.True((await provider.SendAsync(new SmsRequest(e164, SandboxSms.MeetingReminderTemplate, values, "t"), Ct)).IsOk);
        Assert.Equal(SmsErrors.ThirtySecondLimit,
            (await provider.SendAsync(new SmsRequest(e164, SandboxSms.MeetingReminderTemplate, values, "t"), Ct)).Code);
        for (var i = 0; i < 4; i++)
            Assert.True((await provider.SendAsync(new SmsRequest(e164, SandboxSms.MeetingReminderTemplate, [$"会议{i}", "12月20日", "会议室"], "t"), Ct)).IsOk);
        Assert.Equal(SmsErrors.OneHourLimit,
            (await provider.SendAsync(new SmsRequest(e164, SandboxSms.MeetingReminderTemplate, ["会议9", "12月20日", "会议室"], "t"), Ct)).Code);
        Sandbox.OutOfBalance = true;
        var (_, other) = await RetireeAsync(1);
        Assert.Equal(SmsErrors.InsufficientBalance,
            (await provider.SendAsync(new SmsRequest("+86" + other, SandboxSms.MeetingReminderTemplate, values, "t"), Ct)).Code);
    }

    [Fact]
    public async Task A_request_signed_with_another_key_is_refused_with_a_signature_failure()
    {
        async Task<string> SendSignedWith(string secretKey)
        {
            var ts = app.Clock.GetUtcNow().ToUnixTimeSeconds();
            var signed = Tc3Signer.Sign("AKIDtest000000000000000000000000test", secretKey, "sms", ts, "{}", new Dictionary<string, string>
            {
                ["content-type"] = TencentSmsProvider.ContentType, ["host"] = "localhost", ["x-tc-action"] = TencentSmsProvider.Action,
            });
            using var request = new HttpRequestMessage(HttpMethod.Post, "/sandbox/sms/api") { Content = new StringContent("{}") };
            request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(TencentSmsProvider.ContentType);
            request.Headers.TryAddWithoutValidation("Authorization", signed.Authorization);
            request.Headers.Add("X-TC-Action", TencentSmsProvider.Action);
            request.Headers.Add("X-TC-Timestamp", ts.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var response = await http.SendAsync(request, Ct);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
            return body.RootElement.GetProperty("Response").GetProperty("Error").GetProperty("Code").GetString()!;
        }

        Assert.Equal(SmsErrors.SignatureFailure, await SendSignedWith("not-the-key-the-provider-knows"));
        // Signed with the right key, the same empty request passes the signature and fails on its content instead.
        Assert.Equal(SmsErrors.IncorrectPhoneNumber, await SendSignedWith("test-sms-secret-key-not-a-secret"));
    }

    [Fact]
    public async Task Callbacks_without_the_token_are_refused_and_a_malformed_one_is_a_400()
    {
        using var anonymous = await http.PostAsJsonAsync("/sms/tencent/status", Array.Empty<object>(), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains("sms.callback_unauthorized", await anonymous.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        using var wrong = await http.PostAsJsonAsync("/sms/tencent/reply?token=guess", new { mobile = "13800001234", text = "TD" }, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM sms_opt_outs"));
        using var malformed = await http.PostAsync("/sms/tencent/status?token=test-sms-callback-token", new StringContent("not json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("request.invalid", await malformed.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    /// <summary>
    /// Tencent signs neither push, so beyond the URL's token a reply counts only when it names our signature (its documented
    /// <c>sign</c>), and a receipt only when its sid and mobile are those of a message we sent.
    /// </summary>
    [Fact]
    public async Task A_reply_naming_another_signature_and_a_receipt_for_another_number_are_not_taken()
    {
        var (member, phone) = await RetireeAsync();
        var id = (await world.InsertAsync(taskId, "members", [member], at)).Single();
        await world.SendAsync(at);
        var sid = Assert.Single(Sandbox.Inbox(phone)).SerialNo;
        var token = app.Get<Microsoft.Extensions.Options.IOptions<SmsOptions>>().Value.CallbackToken;

        using var foreign = await http.PostAsJsonAsync($"/sms/tencent/reply?token={token}",
            new { extend = "", mobile = phone, nationcode = "86", sign = "别家签名", text = "TD", time = at.ToUnixTimeSeconds() }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM sms_opt_outs WHERE phone = @p", new { p = "+86" + phone }));

        var other = phone[..^1] + (phone[^1] == '0' ? '1' : '0');
        using var stray = await http.PostAsJsonAsync($"/sms/tencent/status?token={token}", new[]
        {
            new { user_receive_time = "2026-12-10 09:00:05", nationcode = "86", mobile = other, report_status = "SUCCESS", errmsg = "DELIVRD",
                description = "用户短信送达成功", sid },
        }, Ct);
        Assert.Equal(HttpStatusCode.OK, stray.StatusCode);
        Assert.Null((await RowAsync(id)).DeliveredAt);

        using var ours = await http.PostAsJsonAsync($"/sms/tencent/status?token={token}", new[]
        {
            new { user_receive_time = "2026-12-10 09:00:05", nationcode = "86", mobile = phone, report_status = "SUCCESS", errmsg = "DELIVRD",
                description = "用户短信送达成功", sid },
        }, Ct);
        Assert.Equal(HttpStatusCode.OK, ours.StatusCode);
        Assert.NotNull((await RowAsync(id)).DeliveredAt);
    }

    [Fact]
    public async Task An_unknown_well_formed_number_has_an_empty_inbox_and_a_malformed_one_is_refused()
    {
        using var empty = JsonDocument.Parse(await http.GetStringAsync("/sandbox/sms/13900009999/inbox", Ct));
        Assert.Equal(0, empty.RootElement.GetProperty("messages").GetArrayLength());
        using var bad = await http.GetAsync("/sandbox/sms/12345/inbox", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }
}
