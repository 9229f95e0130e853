using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;
using WxQms.Sandbox.Sms;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Reminders;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Sms;

/// <summary>
/// #21 item 4: SMS counted in billing units per kind, org and month, shown to the office on /admin/sms; a month whose
/// budget is used sends no more non-essential SMS (essential kinds still go) and warns the office's staff once.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class SmsBudgetTests(WxQmsApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly ReminderWorld world = new(app);
    private readonly SmsSwitch sms = new(app);
    private long taskId;
    private DateTimeOffset at;

    private SandboxSms Sandbox => app.Get<SandboxSms>();

    public async ValueTask InitializeAsync()
    {
        await world.InitializeAsync();
        taskId = await world.PlannedThemePartyDayAsync();
        at = world.Day(10, 9);
        sms.On(essentialKind: "warning", monthlyBudgetUnits: 3);
    }

    public ValueTask DisposeAsync() => sms.OffAsync();

    [Fact]
    public async Task A_used_budget_stops_non_essential_SMS_warns_the_office_once_and_the_console_counts_units_by_kind_and_org()
    {
        var (first, firstPhone) = await world.MemberWithPhoneAsync(0);
        var (second, secondPhone) = await world.MemberWithPhoneAsync(1);
        var (third, thirdPhone) = await world.MemberWithPhoneAsync(2);

        // Two T−1 reminders go (1 unit each: a short message), a long one earlier this month took a third.
        await ExecuteAsync("""
            INSERT INTO sms_messages (client_ref, phone, kind, org_id, template_id, params, content_hash, attempted_at, code, fee, created_at)
            VALUES ('earlier-long', '+8613900000001', 'organiser', (SELECT org_id FROM tasks WHERE id = @taskId), 'x', '[]', @h, @t, 'Ok', 1, @t)
            """, new { taskId, h = new string('0', 64), t = at.AddDays(-2).UtcDateTime });
        var members = await world.InsertAsync(taskId, "members", [first, second], at);
        await world.SendAsync(at);
        Assert.Single(Sandbox.Inbox(firstPhone));
        Assert.Single(Sandbox.Inbox(secondPhone));

        // The budget (3 units) is used: the next T−1 skips SMS, the essential warning still goes; the office is warned once.
        var later = (await world.InsertAsync(taskId, "members", [third], at.AddMinutes(1))).Except(members).Single();
        var warning = (await world.InsertAsync(taskId, "warning", [third], at.AddMinutes(1))).Single();
        await world.SendAsync(at.AddMinutes(1));
        var skipped = await QuerySingleAsync<(string Status, string? LastError)>("SELECT status, last_error FROM reminders WHERE id = @later",
            new { later });
        Assert.Equal("unreachable", skipped.Status);
        Assert.Contains("本月短信预算已用完", skipped.LastError, StringComparison.Ordinal);
        Assert.Equal(("sent", "sms"), await QuerySingleAsync<(string, string)>("SELECT status, channel FROM reminders WHERE id = @warning",
            new { warning }));
        Assert.Single(Sandbox.Inbox(thirdPhone));
        var staff = await ScalarAsync("SELECT COUNT(DISTINCT member_id) FROM member_roles WHERE role = 'staff'");
        var month = Periods.Containing(Recurrence.Monthly, at);
        Assert.Equal(staff, await ScalarAsync("SELECT COUNT(*) FROM reminders WHERE subject_type = 'sms_budget' AND subject_id = @id",
            new { id = long.Parse(month.Key.Replace("-", ""), System.Globalization.CultureInfo.InvariantCulture) }));
        _ = (await world.InsertAsync(taskId, "organiser", [third], at.AddMinutes(2))).Single();
        await world.SendAsync(at.AddMinutes(2));
        Assert.Equal(staff, await ScalarAsync("SELECT COUNT(*) FROM reminders WHERE subject_type = 'sms_budget'")); // warned once a month

        // The office reads the month: units by kind and org against the budget.
        using var office = await app.SignedInClientAsync(await Seeded.HolderAsync("staff", "DFL"));
        var page = await office.GetStringAsync($"/admin/sms?month={month.Key}", Ct);
        Assert.Contains("短信预算已用完（4 / 3 计费条）", page, StringComparison.Ordinal);
        var branch = await QuerySingleAsync<string>("SELECT name FROM orgs WHERE code = @Branch", new { ReminderWorld.Branch });
        Assert.Contains($"<tr><td>参会提醒</td><td>{branch}</td><td>2</td><td>2</td></tr>", page, StringComparison.Ordinal);
        Assert.Contains($"<tr><td>未交佐证预警</td><td>{branch}</td><td>1</td><td>1</td></tr>", page, StringComparison.Ordinal);
        using var bad = await office.GetAsync("/admin/sms?month=2026-13", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var secretary = await app.SignedInClientAsync(await Seeded.HolderAsync("secretary", ReminderWorld.Branch));
        Assert.Equal(HttpStatusCode.Forbidden, (await secretary.GetAsync("/admin/sms", Ct)).StatusCode);

        // The warning is listed among the office's reminders under its Chinese name, not its raw kind.
        var listed = await office.GetFromJsonAsync<JsonElement>("/api/mp/reminders?limit=200", Ct);
        var budget = listed.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("subjectType").GetString() == "sms_budget").ToList();
        Assert.NotEmpty(budget);
        Assert.All(budget, i => Assert.Equal("短信预算预警", i.GetProperty("kindLabel").GetString()));
    }
}
