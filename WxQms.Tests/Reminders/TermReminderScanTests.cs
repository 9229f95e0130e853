using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MySqlConnector;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Orgs;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Orgs;
using WxQms.Domain.Storage;
using WxQms.Tests.Assessment;
using WxQms.Tests.Infrastructure;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Reminders;

/// <summary>
/// Term reminders (换届): the office staff and the org's secretary are told six and three months before a term ends,
/// through the outbox, once per term and reminder, however often the scan runs and even after a worker died between
/// queuing the notices and stamping the term.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class TermReminderScanTests(WxQmsApp app, SeededSubdistrict seeded) : IClassFixture<SeededSubdistrict>
{
    private readonly AssessmentWorld people = new(app);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private DateOnly Today => Periods.LocalDate(app.Clock.GetUtcNow());

    /// <summary>Records a term through the console's route, ending <paramref name="monthsLeft"/> months (and a few days) from today.</summary>
    private async Task<long> TermAsync(string orgCode, int monthsLeft)
    {
        _ = seeded;
        using var staff = app.CreateClient();
        staff.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await people.TokenAsync(await people.HolderAsync("staff", "DFL")));
        using var response = await staff.PutAsJsonAsync($"/api/admin/orgs/{await people.OrgAsync(orgCode)}/term",
            new { electedOn = Today.AddYears(-3).AddMonths(monthsLeft).AddDays(5) }, Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
    }

    private static Task<IEnumerable<long>> ExpectedRecipientsAsync(string orgCode) => QueryAsync<long>("""
        SELECT DISTINCT r.member_id FROM member_roles r JOIN members m ON m.id = r.member_id JOIN orgs o ON o.id = r.org_id
        WHERE (r.role = 'staff' OR (r.role = 'secretary' AND o.code = @orgCode)) AND m.status IN ('full', 'probationary')
        ORDER BY r.member_id
        """, new { orgCode });

    private static Task<IEnumerable<(long MemberId, string Kind)>> NoticesAsync(long termId) => QueryAsync<(long, string)>(
        "SELECT member_id, kind FROM reminders WHERE subject_type = 'org_term' AND subject_id = @termId ORDER BY member_id, kind", new { termId });

    [Fact]
    public async Task Five_months_before_the_end_the_staff_and_the_secretary_get_one_six_month_reminder_however_often_the_scan_runs()
    {
        var term = await TermAsync("DFL-C05-B01", monthsLeft: 5);
        var far = await TermAsync("DFL-C05-B03", monthsLeft: 8);
        var scan = app.Get<TermReminderScan>();

        var first = await scan.ScanAsync(app.Clock.GetUtcNow(), Ct);
        var second = await scan.ScanAsync(app.Clock.GetUtcNow(), Ct);

        var expected = (await ExpectedRecipientsAsync("DFL-C05-B01")).ToList();
        Assert.True(expected.Count >= 2, "the seed has office staff and the branch's secretary");
        Assert.Equal(expected.Select(m => (m, "term_6m")), await NoticesAsync(term));
        Assert.True(first >= expected.Count);
        Assert.Equal(0, second);
        Assert.Empty(await NoticesAsync(far));
        Assert.Equal((true, false), await QuerySingleAsync<(bool, bool)>(
            "SELECT reminded_6m_at IS NOT NULL, reminded_3m_at IS NOT NULL FROM org_terms WHERE id = @term", new { term }));

        // Three months later (the shared clock is not moved: the scan is asked about that day) the second reminder goes, once.
        var later = app.Clock.GetUtcNow().AddMonths(3);
        await scan.ScanAsync(later, Ct);
        await scan.ScanAsync(later, Ct);
        Assert.Equal(expected.SelectMany(m => new[] { (m, "term_3m"), (m, "term_6m") }), await NoticesAsync(term));
        var content = await QuerySingleAsync<string>(
            "SELECT content FROM reminders WHERE subject_type = 'org_term' AND subject_id = @term AND kind = 'term_3m' LIMIT 1", new { term });
        Assert.Contains("换届", content);
    }

    [Fact]
    public async Task A_term_reminder_goes_out_under_its_own_template_not_the_task_warning()
    {
        var term = await TermAsync("DFL-C05-B02", monthsLeft: 5);
        var now = app.Clock.GetUtcNow();
        await app.Get<TermReminderScan>().ScanAsync(now, Ct);

        Assert.Equal(["termReminder"], await QueryAsync<string>(
            "SELECT DISTINCT template_key FROM reminders WHERE subject_type = 'org_term' AND subject_id = @term", new { term }));
        var ids = app.Get<Microsoft.Extensions.Options.IOptions<WxQms.Domain.Services.Reminders.ReminderOptions>>().Value.Templates["termReminder"];
        Assert.Equal(WxQms.Sandbox.SandboxTemplates.OaTermReminder, ids.Oa);
        Assert.Equal(WxQms.Sandbox.SandboxTemplates.MpTermReminder, ids.Mp);
        // What the notice carries fits that template's fields in both apps (WeChat refuses a key the template lacks).
        var content = JsonDocument.Parse(await QuerySingleAsync<string>(
            "SELECT content FROM reminders WHERE subject_type = 'org_term' AND subject_id = @term LIMIT 1", new { term })).RootElement;
        foreach (var (side, id) in new[] { ("oa", ids.Oa), ("mp", ids.Mp) })
        {
            var keys = content.EnumerateObject().Single(p => string.Equals(p.Name, side, StringComparison.OrdinalIgnoreCase))
                .Value.EnumerateObject().Select(p => p.Name).Order().ToList();
            Assert.Equal(WxQms.Sandbox.SandboxTemplates.Defaults.Single(t => t.Id == id).Fields.Select(f => f.Key).Order().ToList(), keys);
        }
        Assert.Contains("换届", content.ToString());
    }

    [Fact]
    public async Task A_worker_that_died_between_queuing_and_stamping_leaves_nobody_reminded_twice()
    {
        var term = await TermAsync("DFL-C05-B02", monthsLeft: 2);
        var recipients = (await ExpectedRecipientsAsync("DFL-C05-B02")).ToList();
        var now = app.Clock.GetUtcNow();
        // The dead worker's work: the notices of half the recipients committed, the term not stamped.
        await using (var conn = await TestDb.OpenAsync())
        {
            await using var tx = await conn.BeginTransactionAsync(Ct);
            var due = (await OrgTermStore.DueAsync(conn, tx, Today, 100, Ct)).Single(d => d.Term.Id == term);
            foreach (var member in recipients.Take(recipients.Count / 2 + 1))
                Assert.True(await OutboxStore.EnqueueAsync(conn, tx, TermReminderScan.Notice(due, TermReminder.ThreeMonths, member, now), now, Ct));
            await tx.CommitAsync(Ct);
        }

        await app.Get<TermReminderScan>().ScanAsync(now, Ct);
        await app.Get<TermReminderScan>().ScanAsync(now, Ct);

        Assert.Equal(recipients.Select(m => (m, "term_3m")), await NoticesAsync(term));
        Assert.Equal((true, true), await QuerySingleAsync<(bool, bool)>(
            "SELECT reminded_6m_at IS NOT NULL, reminded_3m_at IS NOT NULL FROM org_terms WHERE id = @term", new { term }));
    }

    [Fact]
    public async Task A_new_term_replaces_the_old_one_and_a_dissolved_orgs_term_reminds_nobody()
    {
        var old = await TermAsync("DFL-C07-B01", monthsLeft: 1);
        var renewed = await TermAsync("DFL-C07-B01", monthsLeft: 30);

        await app.Get<TermReminderScan>().ScanAsync(app.Clock.GetUtcNow(), Ct);

        Assert.Empty(await NoticesAsync(old));
        Assert.Empty(await NoticesAsync(renewed));
    }
}
