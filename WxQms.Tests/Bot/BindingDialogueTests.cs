using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using WxQms.Domain.Model;
using WxQms.Domain.Services.Bot;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Sandbox;

namespace WxQms.Tests.Bot;

/// <summary>
/// Binding official-account followers to members through branch QR codes, driven end to end: office staff
/// print a code through the API, people scan it on the sandbox, which pushes signed and encrypted events
/// and messages to our callback as WeChat does, and the bot's passive replies come back.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class BindingDialogueTests(WxQmsApp app, SeededSubdistrict seeded) : IClassFixture<SeededSubdistrict>, IAsyncLifetime
{
    private readonly BotWorld world = new(app);
    private SandboxDriver wx => world.Wx;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Assert.False(seeded.Result.AlreadySeeded);
        await world.ForgetAsync();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<string> StaffTokenAsync() =>
        await wx.SignInMemberAsync(world.Http, (await world.WithRoleAsync(Roles.Staff, "subdistrict")).MemberId);

    [Fact]
    public async Task A_secretary_scans_her_branch_code_answers_and_is_bound_for_reminders_and_the_mini_program()
    {
        var secretary = await world.WithRoleAsync(Roles.Secretary, "branch");
        var printedAt = app.Clock.GetUtcNow();
        var (png, url, expires) = await world.PrintCodeAsync(await StaffTokenAsync(), secretary.OrgId);
        wx.Sandbox.Users.SetFollows(secretary.OpenId, false);

        var (_, scanned) = await world.ScanAsync(secretary, url);
        var bound = await world.SayAsync(secretary, secretary.Answer);

        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Equal(printedAt + TimeSpan.FromDays(30), expires);
        Assert.Equal(BotReplies.WelcomeShort(WxQmsApp.SubdistrictName) + BotReplies.BindStart(secretary.OrgName), BotWorld.Reply(scanned));
        Assert.Equal(BotReplies.Bound(secretary.Name, secretary.OrgName), bound);
        // What reminders need: a follower of the official account linked to the member.
        Assert.Equal(1, await TestDb.ScalarAsync(
            "SELECT COUNT(*) FROM wechat_users WHERE app_id = @app AND openid = @openid AND member_id = @member AND subscribed",
            new { app = WxQmsApp.OaAppId, openid = secretary.OpenId, member = secretary.MemberId }));
        Assert.Equal(1, await TestDb.ScalarAsync(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'wechat_user.bound' AND actor_member_id = @member", new { member = secretary.MemberId }));
        // Through the unionid, the mini program knows her at once, without a phone binding.
        var code = (await wx.PostRawAsync("/sandbox/wechat/mp/jscode", new { openid = secretary.MpOpenId })).Str("code");
        var login = await (await world.Http.PostAsJsonAsync("/api/mp/login", new { code }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(secretary.MemberId, login.GetProperty("member").GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task The_code_carries_an_opaque_scene_never_the_branch_id_and_printing_again_reuses_it()
    {
        var secretary = await world.WithRoleAsync(Roles.Secretary, "branch");
        var neighbour = await world.WithRoleAsync(Roles.Secretary, "branch", skip: 1);
        var staff = await StaffTokenAsync();
        wx.Sandbox.Users.SetFollows(secretary.OpenId, true);

        var first = await world.PrintCodeAsync(staff, secretary.OrgId);
        var again = await world.PrintCodeAsync(staff, secretary.OrgId);
        var other = await world.PrintCodeAsync(staff, neighbour.OrgId);
        await world.ScanReplyAsync(secretary, first.Url);
        var chat = (await wx.GetJsonAsync($"/sandbox/wechat/users/{secretary.OpenId}/chat")).GetProperty("messages");
        var scene = chat.EnumerateArray().Last(m => m.Str("kind") == "user").Str("url"); // the SCAN's EventKey

        Assert.Equal(first.Url, again.Url);
        Assert.Equal(first.Png, again.Png);
        Assert.NotEqual(first.Url, other.Url);
        Assert.Equal(33, scene.Length); // "b" + 24 random bytes in base64url
        Assert.Equal(2, await TestDb.ScalarAsync("SELECT COUNT(*) FROM bind_codes"));
        Assert.Equal(secretary.OrgId, await TestDb.ScalarAsync("SELECT org_id FROM bind_codes WHERE scene = @scene", new { scene }));
        Assert.Equal(0, await TestDb.ScalarAsync("SELECT COUNT(*) FROM bind_codes WHERE scene LIKE CONCAT('%', org_id, '%') AND LENGTH(org_id) > 2"));
    }

    [Fact]
    public async Task Someone_of_another_branch_is_told_politely_and_guessing_is_limited()
    {
        var secretary = await world.WithRoleAsync(Roles.Secretary, "branch");
        var stranger = await world.PlainMemberAsync(notBranch: secretary.OrgId);
        var (_, url, _) = await world.PrintCodeAsync(await StaffTokenAsync(), secretary.OrgId);
        wx.Sandbox.Users.SetFollows(stranger.OpenId, true);

        Assert.Equal(BotReplies.BindStart(secretary.OrgName), await world.ScanReplyAsync(stranger, url));
        Assert.Equal(BotReplies.AskAgainShape, await world.SayAsync(stranger, "我是党员"));
        Assert.Equal(BotReplies.Mismatch(2), await world.SayAsync(stranger, stranger.Answer));
        Assert.Equal(BotReplies.Mismatch(1), await world.SayAsync(stranger, secretary.Name + " 0000"));
        Assert.Equal(BotReplies.TooManyAttempts, await world.SayAsync(stranger, stranger.Answer));
        // The dialogue is over: the next message is just a message.
        Assert.Equal(BotReplies.Help(WxQmsApp.SubdistrictName), await world.SayAsync(stranger, stranger.Answer));

        // A new scan does not give fresh attempts: they are the user's (MySQL), for the dialogue's 15 minutes.
        Assert.Equal(BotReplies.TooManyAttempts, await world.ScanReplyAsync(stranger, url));
        Assert.Equal(BotReplies.Help(WxQmsApp.SubdistrictName), await world.SayAsync(stranger, stranger.Answer));

        // After that, the hour's limit (5, in Redis) stops the guessing across scans.
        await wx.AdvanceAsync(TimeSpan.FromMinutes(16));
        await world.ScanReplyAsync(stranger, url);
        Assert.Equal(BotReplies.Mismatch(1), await world.SayAsync(stranger, stranger.Answer));
        Assert.Equal(BotReplies.TooManyAttempts, await world.SayAsync(stranger, stranger.Answer));
        Assert.Equal(BotReplies.TooManyAttempts, await world.ScanReplyAsync(stranger, url));
        Assert.Equal(0, await TestDb.ScalarAsync("SELECT COUNT(*) FROM wechat_users WHERE openid = @o AND member_id IS NOT NULL",
            new { o = stranger.OpenId }));
    }

    [Fact]
    public async Task Rescanning_in_the_middle_of_a_dialogue_keeps_its_wrong_answers()
    {
        var secretary = await world.WithRoleAsync(Roles.Secretary, "branch");
        var stranger = BotWorld.Resident(0);
        var (_, url, _) = await world.PrintCodeAsync(await StaffTokenAsync(), secretary.OrgId);
        wx.Sandbox.Users.SetFollows(stranger.OpenId, true);

        await world.ScanReplyAsync(stranger, url);
        Assert.Equal(BotReplies.Mismatch(2), await world.SayAsync(stranger, secretary.Name + " 0000"));
        Assert.Equal(BotReplies.Mismatch(1), await world.SayAsync(stranger, secretary.Name + " 0001"));
        Assert.Equal(BotReplies.BindStart(secretary.OrgName), await world.ScanReplyAsync(stranger, url));

        Assert.Equal(BotReplies.TooManyAttempts, await world.SayAsync(stranger, secretary.Name + " 0002"));
        Assert.Equal(3, await TestDb.ScalarAsync("SELECT COUNT(*) FROM bind_attempts WHERE openid = @o", new { o = stranger.OpenId }));
    }

    /// <summary>
    /// The per-user limit lives in Redis. With Redis unreachable the bot does not check answers at all (it
    /// used to check them without any per-hour limit): nobody is bound, and the user is asked to try later.
    /// </summary>
    [Fact]
    public async Task With_redis_down_answers_are_not_checked_and_nobody_is_bound()
    {
        var secretary = await world.WithRoleAsync(Roles.Secretary, "branch");
        await using var lonely = new NoRedisApp();
        var lonelyWx = new SandboxDriver(lonely);
        var lonelyWorld = new BotWorld(lonely, lonelyWx);
        var staff = await lonelyWx.SignInMemberAsync(lonelyWorld.Http, (await world.WithRoleAsync(Roles.Staff, "subdistrict")).MemberId);
        var (_, url, _) = await lonelyWorld.PrintCodeAsync(staff, secretary.OrgId);
        lonelyWx.Sandbox.Users.SetFollows(secretary.OpenId, true);

        var scanned = await lonelyWorld.ScanReplyAsync(secretary, url);
        await using (var conn = new MySqlConnector.MySqlConnection(TestEnvironment.MySql))
        {
            // A dialogue the scan could have opened in MySQL: the answer must still not be checked.
            await Dapper.SqlMapper.ExecuteAsync(conn, """
                INSERT INTO bot_dialogues (app_id, openid, step, data, attempts, expires_at, updated_at)
                SELECT @app, @openid, 'bind', CONCAT('{"codeId":', id, ',"orgId":', org_id, ',"subtree":true}'), 0,
                       DATE_ADD(UTC_TIMESTAMP(6), INTERVAL 1 YEAR), UTC_TIMESTAMP(6)
                FROM bind_codes ORDER BY id DESC LIMIT 1
                ON DUPLICATE KEY UPDATE updated_at = VALUES(updated_at)
                """, new { app = WxQmsApp.OaAppId, openid = secretary.OpenId });
        }
        var answered = await lonelyWorld.SayAsync(secretary, secretary.Answer);

        Assert.Equal(BotReplies.BindUnavailable, scanned);
        Assert.Equal(BotReplies.BindUnavailable, answered);
        Assert.Equal(0, await TestDb.ScalarAsync("SELECT COUNT(*) FROM wechat_users WHERE openid = @o AND member_id IS NOT NULL",
            new { o = secretary.OpenId }));
    }

    [Fact]
    public async Task Many_wechat_users_guessing_one_members_phone_lock_binding_as_her_for_a_day()
    {
        var secretary = await world.WithRoleAsync(Roles.Secretary, "branch");
        var (_, url, _) = await world.PrintCodeAsync(await StaffTokenAsync(), secretary.OrgId);
        var options = app.Get<IOptionsMonitor<BotOptions>>().CurrentValue;
        var (perMember, perCode) = (options.BindAttemptsPerMemberPerDay, options.BindAttemptsPerCodePerDay);
        options.BindAttemptsPerMemberPerDay = 3;
        options.BindAttemptsPerCodePerDay = 100;
        try
        {
            var wrongTail = ((int.Parse(secretary.Phone[^4..]) + 1) % 10_000).ToString("D4");
            for (var i = 0; i < 3; i++)
            {
                await world.ScanReplyAsync(BotWorld.Resident(i), url);
                Assert.Equal(BotReplies.Mismatch(2), await world.SayAsync(BotWorld.Resident(i), $"{secretary.Name} {wrongTail}"));
            }

            await world.ScanReplyAsync(secretary, url);
            Assert.Equal(BotReplies.BindLocked, await world.SayAsync(secretary, secretary.Answer));
            Assert.Equal(0, await TestDb.ScalarAsync("SELECT COUNT(*) FROM wechat_users WHERE openid = @o AND member_id IS NOT NULL",
                new { o = secretary.OpenId }));

            await wx.AdvanceAsync(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
            await world.BindAsync(secretary, url);
        }
        finally
        {
            (options.BindAttemptsPerMemberPerDay, options.BindAttemptsPerCodePerDay) = (perMember, perCode);
        }
    }

    [Fact]
    public async Task Many_wrong_answers_on_one_code_lock_the_code_for_a_day()
    {
        var secretary = await world.WithRoleAsync(Roles.Secretary, "branch");
        var (_, url, _) = await world.PrintCodeAsync(await StaffTokenAsync(), secretary.OrgId);
        var options = app.Get<IOptionsMonitor<BotOptions>>().CurrentValue;
        var perCode = options.BindAttemptsPerCodePerDay;
        options.BindAttemptsPerCodePerDay = 4;
        try
        {
            for (var i = 0; i < 4; i++)
            {
                await world.ScanReplyAsync(BotWorld.Resident(i), url);
                Assert.Equal(BotReplies.Mismatch(2), await world.SayAsync(BotWorld.Resident(i), BotWorld.Resident(i).Answer));
            }

            Assert.EndsWith(BotReplies.BindLocked, await world.ScanReplyAsync(BotWorld.Resident(4), url));
            Assert.EndsWith(BotReplies.BindLocked, await world.ScanReplyAsync(secretary, url));
            Assert.Equal(0, await TestDb.ScalarAsync("SELECT COUNT(*) FROM bot_dialogues WHERE openid = @o", new { o = secretary.OpenId }));
        }
        finally
        {
            options.BindAttemptsPerCodePerDay = perCode;
        }
    }

    /// <summary>An instance whose Redis is unreachable (nothing listens on port 1).</summary>
    private sealed class NoRedisApp : WxQmsApp
    {
        protected override string RedisConnectionString => "127.0.0.1:1,abortConnect=false,connectTimeout=200";
    }

    [Fact]
    public async Task A_second_binding_and_unbinding_get_specific_answers()
    {
        var secretary = await world.WithRoleAsync(Roles.Secretary, "branch");
        var (_, url, _) = await world.PrintCodeAsync(await StaffTokenAsync(), secretary.OrgId);
        await world.BindAsync(secretary, url);

        Assert.Equal(BotReplies.AlreadyBound(secretary.Name, secretary.OrgName), await world.ScanReplyAsync(secretary, url));
        Assert.Equal(BotReplies.AlreadyBound(secretary.Name, secretary.OrgName), await world.SayAsync(secretary, "绑定"));
        Assert.Equal(BotReplies.Unbound(secretary.Name), await world.SayAsync(secretary, "解绑"));
        Assert.Equal(BotReplies.NotBound, await world.SayAsync(secretary, "解绑"));
        Assert.Equal(0, await TestDb.ScalarAsync("SELECT COUNT(*) FROM wechat_users WHERE openid = @o AND member_id IS NOT NULL",
            new { o = secretary.OpenId }));
        Assert.Equal(1, await TestDb.ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'wechat_user.unbound'"));
    }

    [Fact]
    public async Task A_member_already_bound_on_another_wechat_cannot_be_bound_again()
    {
        var secretary = await world.WithRoleAsync(Roles.Secretary, "branch");
        var other = await world.PlainMemberAsync(notBranch: secretary.OrgId); // someone else's phone, same person's answer
        var (_, url, _) = await world.PrintCodeAsync(await StaffTokenAsync(), secretary.OrgId);
        await world.BindAsync(secretary, url);
        wx.Sandbox.Users.SetFollows(other.OpenId, true);

        await world.ScanReplyAsync(other, url);
        Assert.Equal(BotReplies.BoundElsewhere, await world.SayAsync(other, secretary.Answer));
    }

    [Fact]
    public async Task An_expired_code_does_nothing_in_wechat_and_a_late_scan_event_is_answered_politely()
    {
        var secretary = await world.WithRoleAsync(Roles.Secretary, "branch");
        var options = app.Get<IOptionsMonitor<BotOptions>>().CurrentValue;
        var lifetime = options.BindCodeLifetime;
        options.BindCodeLifetime = TimeSpan.FromMinutes(5);
        try
        {
            var (_, url, _) = await world.PrintCodeAsync(await StaffTokenAsync(), secretary.OrgId);
            var scene = await BotStoreScene();
            await wx.AdvanceAsync(TimeSpan.FromMinutes(6));

            var (status, _) = await world.ScanAsync(secretary, url);
            var late = await world.SendAsync(secretary, new { msgType = "event", @event = "SCAN", eventKey = scene });

            Assert.Equal(HttpStatusCode.Gone, status); // WeChat's scanner says the code expired; nothing is pushed
            Assert.Equal(BotReplies.CodeExpired, BotWorld.Reply(late));
            Assert.Equal(0, await TestDb.ScalarAsync("SELECT COUNT(*) FROM bot_dialogues"));
        }
        finally
        {
            options.BindCodeLifetime = lifetime;
        }
    }

    [Fact]
    public async Task A_binding_left_unanswered_times_out()
    {
        var secretary = await world.WithRoleAsync(Roles.Secretary, "branch");
        var (_, url, _) = await world.PrintCodeAsync(await StaffTokenAsync(), secretary.OrgId);
        await world.ScanReplyAsync(secretary, url);
        await wx.AdvanceAsync(TimeSpan.FromMinutes(16));

        Assert.Equal(BotReplies.DialogueTimedOut, await world.SayAsync(secretary, secretary.Answer));
        Assert.Equal(BotReplies.Help(WxQmsApp.SubdistrictName), await world.SayAsync(secretary, secretary.Answer));
    }

    [Fact]
    public async Task Cancel_ends_the_dialogue()
    {
        var secretary = await world.WithRoleAsync(Roles.Secretary, "branch");
        var (_, url, _) = await world.PrintCodeAsync(await StaffTokenAsync(), secretary.OrgId);
        await world.ScanReplyAsync(secretary, url);

        Assert.Equal(BotReplies.Cancelled, await world.SayAsync(secretary, "取消"));
        Assert.Equal(BotReplies.NothingToCancel, await world.SayAsync(secretary, "取消"));
        Assert.Equal(BotReplies.Help(WxQmsApp.SubdistrictName), await world.SayAsync(secretary, secretary.Answer));
    }

    [Fact]
    public async Task Photos_before_binding_and_photos_with_no_open_task_get_specific_answers()
    {
        var secretary = await world.WithRoleAsync(Roles.Secretary, "branch");
        var (_, url, _) = await world.PrintCodeAsync(await StaffTokenAsync(), secretary.OrgId);
        wx.Sandbox.Users.SetFollows(secretary.OpenId, true);

        var before = await world.SendPhotoAsync(secretary, BotWorld.Jpeg(1));
        await world.BindAsync(secretary, url);
        var after = await world.SendPhotoAsync(secretary, BotWorld.Jpeg(2));
        await world.AfterTheBurstAsync();

        Assert.Equal(BotReplies.PhotoBeforeBinding, BotWorld.Reply(before));
        Assert.Equal(BotReplies.PhotoReceived, BotWorld.Reply(after));
        // No plan was generated in this class: her branch has no open task.
        Assert.Equal([BotReplies.NoPhotoTask], await world.CustomerServiceTextsAsync(secretary));
        Assert.Equal(1, await TestDb.ScalarAsync("SELECT COUNT(*) FROM chat_photo_sets WHERE status = 'no_task'"));
    }

    [Fact]
    public async Task Only_office_staff_print_codes_and_party_groups_have_none()
    {
        var secretary = await world.WithRoleAsync(Roles.Secretary, "branch");
        var token = await wx.SignInMemberAsync(world.Http, secretary.MemberId);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/mp/orgs/{secretary.OrgId}/bind-qrcode");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var refused = await world.Http.SendAsync(request, Ct);
        var group = await TestDb.ScalarAsync("SELECT MIN(id) FROM orgs WHERE kind = 'party_group'");
        using var groupRequest = new HttpRequestMessage(HttpMethod.Get, $"/api/mp/orgs/{group}/bind-qrcode");
        groupRequest.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await StaffTokenAsync());
        using var noGroup = await world.Http.SendAsync(groupRequest, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, noGroup.StatusCode);
        Assert.Equal("bind_code.party_group", (await noGroup.Content.ReadFromJsonAsync<JsonElement>(Ct)).Str("code"));
    }

    private static async Task<string> BotStoreScene()
    {
        await using var conn = new MySqlConnector.MySqlConnection(TestEnvironment.MySql);
        return await Dapper.SqlMapper.ExecuteScalarAsync<string>(conn, "SELECT scene FROM bind_codes ORDER BY id DESC LIMIT 1") ?? "";
    }
}
