using Dapper;
using MySqlConnector;
using WxQms.Sandbox;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Reminders;
using WxQms.Domain.Wechat;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Sandbox;
using Microsoft.Extensions.Options;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Reminders;

/// <summary>
/// The demo subdistrict with next month's plan, and the means to connect its members to WeChat the way
/// the binding dialogue and the mini program's login would: an official-account follower linked to the
/// member, or a mini-program user with or without subscribe consent.
/// </summary>
public sealed class ReminderWorld(WxQmsApp app)
{
    public const string Branch = "DFL-C01-B01";
    public const string Community = "DFL-C01";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public SandboxDriver Wx { get; } = new(app);

    public ReminderScan Scanner => app.Get<ReminderScan>();

    public ReminderSender Sender => app.Get<ReminderSender>();

    public Period NextMonth { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await app.SeedDemoAsync();
        NextMonth = await app.PlanMonthAsync();
        // Nothing before next month may fire while a test scans: those tasks' reminders are someone else's story.
        await ExecuteAsync("UPDATE tasks SET next_reminder_at = NULL WHERE period_key <> @Key", new { NextMonth.Key });
    }

    /// <summary>Next month's day at a Shanghai time.</summary>
    public DateTimeOffset Day(int day, int hour, int minute = 0) =>
        new(NextMonth.FirstDay.Year, NextMonth.FirstDay.Month, day, hour, minute, 0, TimeSpan.FromHours(8));

    public Task<long> TaskIdAsync(string orgCode, string templateCode) => ScalarAsync("""
        SELECT t.id FROM tasks t JOIN orgs o ON o.id = t.org_id
        WHERE o.code = @orgCode AND t.template_code = @templateCode AND t.period_key = @Key AND t.party_group_id IS NULL
        """, new { orgCode, templateCode, NextMonth.Key });

    /// <summary>The branch's theme party day of next month, planned for the 20th at 14:30 in the 党群服务中心.</summary>
    public async Task<long> PlannedThemePartyDayAsync()
    {
        var taskId = await TaskIdAsync(Branch, TaskCodes.ThemePartyDay);
        await app.Get<TaskCommands>().ReportPlanAsync(taskId, 1, new PlanReport(Day(20, 14, 30), "党群服务中心", "学习党章"),
            "test", null, Ct);
        return taskId;
    }

    /// <summary>The <paramref name="skip"/>-th member (by id) of the branch with a phone number; nobody follows unless a test says so.</summary>
    public Task<(long Member, string Phone)> MemberWithPhoneAsync(int skip = 0) => QuerySingleAsync<(long, string)>("""
        SELECT m.id, m.phone FROM members m JOIN orgs o ON o.id = m.org_id
        WHERE o.path LIKE CONCAT((SELECT path FROM orgs WHERE code = @Branch), '%') AND m.phone IS NOT NULL
        ORDER BY m.id LIMIT 1 OFFSET @skip
        """, new { Branch, skip });

    public async Task<long[]> MembersWithRoleAsync(string orgCode, params string[] roles) =>
        (await QueryAsync<long>("""
            SELECT DISTINCT r.member_id FROM member_roles r JOIN orgs o ON o.id = r.org_id
            WHERE o.code = @orgCode AND r.role IN @roles ORDER BY r.member_id
            """, new { orgCode, roles })).ToArray();

    /// <summary>The member follows the official account and is linked to that openid (as binding would do).</summary>
    public async Task<string> FollowAsync(long memberId)
    {
        var code = await Seeded.CodeAsync(memberId);
        var openid = SandboxUsers.OpenIdOf(code);
        Wx.Sandbox.Users.SetFollows(openid, true);
        await ExecuteAsync("""
            INSERT INTO wechat_users (app_id, openid, unionid, member_id, subscribed, created_at, updated_at)
            VALUES (@app, @openid, @union, @memberId, TRUE, @now, @now)
            ON DUPLICATE KEY UPDATE member_id = @memberId, subscribed = TRUE
            """, new { app = WxQmsApp.OaAppId, openid, union = SandboxUsers.UnionIdOf(code), memberId, now = app.Clock.GetUtcNow().UtcDateTime });
        return openid;
    }

    public async Task<string> MpOpenIdAsync(long memberId) =>
        SandboxUsers.MpOpenIdOf(await Seeded.CodeAsync(memberId));

    /// <summary>Signs the member into the mini program and reports consent for the templates given (each once).</summary>
    public async Task<string> SubscribeAsync(HttpClient api, long memberId, params string[] keys)
    {
        var token = await Wx.SignInMemberAsync(api, memberId);
        var options = app.Get<IOptions<ReminderOptions>>().Value;
        var mpOpenId = await MpOpenIdAsync(memberId);
        var templateIds = keys.Select(k => options.Templates[k].Mp!).ToArray();
        await Wx.PostRawAsync("/sandbox/wechat/mp/subscriptions", new { openid = mpOpenId, templateIds });
        using var response = await api.SendAsync(HttpMethod.Post, "/api/mp/subscriptions", token,
            new { results = keys.Select(k => new { key = k, templateId = options.Templates[k].Mp, result = "accept" }) });
        Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);
        return token;
    }

    public async Task ScanAsync(DateTimeOffset at)
    {
        while ((await Scanner.ScanBatchAsync(at, Ct)).Tasks > 0)
        {
        }
    }

    public async Task SendAsync(DateTimeOffset at)
    {
        while (await Sender.SendBatchAsync(at, Ct) > 0)
        {
        }
    }

    public Task<int> DeliverPushesAsync() =>
        SandboxConversation.DeliverPendingAsync(Wx.Sandbox, app.Get<SandboxPush>(), Ct);

    public async Task<IReadOnlyList<SandboxInboxMessage>> InboxAsync(string openid) =>
        await Wx.Sandbox.InboxAsync(openid, Ct);

    public record ReminderRow(long Id, long TaskId, string Kind, long MemberId, string Status, string? Channel, DateTime DueAt,
        int Attempts, string? LastError);

    public async Task<IReadOnlyList<ReminderRow>> RemindersAsync(long taskId) => (await QueryAsync<ReminderRow>("""
        SELECT id AS Id, task_id AS TaskId, kind AS Kind, member_id AS MemberId, status AS Status, channel AS Channel, due_at AS DueAt,
               attempts AS Attempts, last_error AS LastError
        FROM reminders WHERE task_id = @taskId ORDER BY id
        """, new { taskId })).ToList();

    /// <summary>Reminder rows written directly, due at once: for the sender's tests.</summary>
    public async Task<long[]> InsertAsync(long taskId, string kind, IEnumerable<long> memberIds, DateTimeOffset dueAt)
    {
        var orgId = await ScalarAsync("SELECT org_id FROM tasks WHERE id = @taskId", new { taskId });
        foreach (var memberId in memberIds)
            await ExecuteAsync("""
                INSERT INTO reminders (subject_type, subject_id, task_id, kind, member_id, recipient, org_id, status, due_at, created_at, updated_at)
                VALUES ('task', @taskId, @taskId, @kind, @memberId, CONCAT('m:', @memberId), @orgId, 'pending', @dueAt, @dueAt, @dueAt)
                """, new { taskId, kind, memberId, orgId, dueAt = dueAt.UtcDateTime });
        return (await QueryAsync<long>("SELECT id FROM reminders WHERE task_id = @taskId AND kind = @kind ORDER BY id",
            new { taskId, kind })).ToArray();
    }
}
