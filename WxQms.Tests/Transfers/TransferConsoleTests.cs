using System.Diagnostics;
using System.Net;
using System.Text.Json;
using WxQms.Domain.Rules.Dues;
using WxQms.Domain.Rules.Tasks;
using WxQms.Sandbox.Demo;
using WxQms.Tests.Assessment;
using WxQms.Tests.Infrastructure;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Transfers;

/// <summary>
/// Transfers in use (issue #17 item 3): the console's forms for a letter out of a member and a letter received (inline
/// Chinese refusals, one audit entry each), the letter's 党费交到 read from the dues months (never what was typed), and the
/// demo's transfers in every state on the office's list.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class TransferConsoleTests(WxQmsApp app, SeededSubdistrict seeded) : IClassFixture<SeededSubdistrict>
{
    private readonly AssessmentWorld people = new(app);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private DateOnly Today => Periods.LocalDate(app.Clock.GetUtcNow());

    private static string S(DateOnly d) => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private Task<HttpClient> ClientAsync(long memberId)
    {
        _ = seeded; // the class's demo subdistrict, seeded once
        return people.ClientAsync(memberId);
    }

    private static FormUrlEncodedContent Form(params (string, string)[] fields) => new(fields.Select(f => KeyValuePair.Create(f.Item1, f.Item2)));

    private static Task<long> AuditAsync(string action) => ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = @action", new { action });

    [Fact]
    public async Task The_office_issues_a_letter_out_from_the_console_stating_the_dues_paid_up_to_from_her_months_not_what_was_typed()
    {
        const string branchCode = "DFL-C03-B01";
        var member = await Movers.PlainMemberAsync(branchCode, 0);
        var org = await ScalarAsync("SELECT org_id FROM members WHERE id = @member", new { member });
        // Her dues: two months paid, the last one still owed: the letter says paid up to the second.
        var (owed, paid) = (DuesMonth.Of(Today).Previous, DuesMonth.Of(Today).Previous.Previous);
        foreach (var (month, state) in new[] { (paid.Previous, "paid"), (paid, "paid"), (owed, "owed") })
            await ExecuteAsync("""
                INSERT INTO dues_months (member_id, org_id, month, amount_fen, paid_fen, state, created_at, updated_at)
                VALUES (@member, @org, @month, 1500, @paidFen, @state, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))
                """, new { member, org, month = month.Key, paidFen = state == "paid" ? 1500 : 0, state });
        var office = await ClientAsync(await people.HolderAsync("staff", "DFL"));

        var details = await (await office.GetAsync($"/admin/members/{member}", Ct)).Content.ReadAsStringAsync(Ct);
        Assert.Contains($"href=\"/admin/transfers/out/{member}\"", details);
        var form = await office.GetAsync($"/admin/transfers/out/{member}", Ct);
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        Assert.Contains($"党费交到：{paid.Chinese}（按党费台账自动填写）", await form.Content.ReadAsStringAsync(Ct));

        // A validity over three months is refused inline, nothing written.
        var before = await AuditAsync("transfer.letter_issued");
        var tooLong = await office.PostAsync($"/admin/transfers/out/{member}", Form(("toOrgName", "中共北京市海淀区中关村街道委员会"),
            ("issuedOn", S(Today)), ("validUntil", S(Today.AddMonths(4))), ("duesPaidThrough", "2030-01")), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        var refused = await tooLong.Content.ReadAsStringAsync(Ct);
        Assert.Contains("介绍信有效期最长 3 个月", refused);
        Assert.Contains("中共北京市海淀区中关村街道委员会", refused); // the form keeps what was typed
        var badDate = await office.PostAsync($"/admin/transfers/out/{member}", Form(("toOrgName", "x"), ("issuedOn", "明天")), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badDate.StatusCode);
        Assert.Contains("日期格式应为", await badDate.Content.ReadAsStringAsync(Ct));
        Assert.Equal(before, await AuditAsync("transfer.letter_issued"));

        // Issued: one audit entry, the print page states the month from her dues rows (what was typed is not read).
        var issued = await office.PostAsync($"/admin/transfers/out/{member}", Form(("toOrgName", "中共北京市海淀区中关村街道委员会"),
            ("issuedOn", S(Today)), ("validUntil", S(Today.AddDays(30))), ("reason", "工作调动"), ("duesPaidThrough", "2030-01")), Ct);
        Assert.Equal(HttpStatusCode.SeeOther, issued.StatusCode);
        var print = issued.Headers.Location!.OriginalString;
        Assert.Matches(@"^/admin/transfers/\d+/print$", print);
        Assert.Equal(before + 1, await AuditAsync("transfer.letter_issued"));
        var letter = await (await office.GetAsync(print, Ct)).Content.ReadAsStringAsync(Ct);
        Assert.Contains($"该同志党费已交到 {paid.Chinese}。", letter);
        var id = long.Parse(print.Split('/')[3], System.Globalization.CultureInfo.InvariantCulture);
        var json = JsonDocument.Parse(await (await office.GetAsync($"/api/mp/transfers/{id}", Ct)).Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(paid.Key, json.GetProperty("duesPaidThrough").GetString());

        // A second letter while one is in transit is refused with the rule, inline.
        var again = await office.PostAsync($"/admin/transfers/out/{member}", Form(("toOrgName", "中共北京市海淀区中关村街道委员会"),
            ("issuedOn", S(Today)), ("validUntil", S(Today.AddDays(30)))), Ct);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("已有一项在途的组织关系转接", await again.Content.ReadAsStringAsync(Ct));

        // Another branch's secretary may not issue her letter.
        var stranger = await ClientAsync(await people.HolderAsync("secretary", "DFL-C01-B01"));
        var forbidden = await stranger.PostAsync($"/admin/transfers/out/{await Movers.PlainMemberAsync(branchCode, 1)}", Form(("toOrgName", "x"),
            ("issuedOn", S(Today)), ("validUntil", S(Today.AddDays(10)))), Ct);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    [Fact]
    public async Task The_office_registers_a_letter_received_and_the_member_is_placed_in_the_branch()
    {
        var office = await ClientAsync(await people.HolderAsync("staff", "DFL"));
        var branch = await people.OrgAsync("DFL-C03-B02");
        var page = await office.GetAsync("/admin/transfers", Ct);
        Assert.Contains("href=\"/admin/transfers/incoming\"", await page.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.OK, (await office.GetAsync("/admin/transfers/incoming", Ct)).StatusCode);
        (string, string)[] Fields(string letterNo) =>
        [
            ("toOrgId", branch.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("fromOrgName", "中共成都市武侯区玉林街道委员会"),
            ("letterNo", letterNo), ("issuedOn", S(Today.AddDays(-5))), ("validUntil", S(Today.AddDays(25))), ("duesPaidThrough", $"{Today:yyyy-MM}"),
            ("name", "程转入"), ("sex", "female"), ("birthDate", "1991-05-06"), ("joinedOn", "2015-07-01"), ("status", "full"),
            ("phone", "19955501234"),
        ];
        var before = await AuditAsync("transfer.received");
        var missing = await office.PostAsync("/admin/transfers/incoming", Form(Fields("")), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("请填写介绍信编号", await missing.Content.ReadAsStringAsync(Ct));
        Assert.Equal(before, await AuditAsync("transfer.received"));

        var placed = await office.PostAsync("/admin/transfers/incoming", Form(Fields("川武组转〔2026〕018号")), Ct);
        Assert.Equal(HttpStatusCode.SeeOther, placed.StatusCode);
        var member = long.Parse(placed.Headers.Location!.OriginalString.Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(branch, await ScalarAsync("SELECT org_id FROM members WHERE id = @member AND name = '程转入'", new { member }));
        Assert.Equal(before + 1, await AuditAsync("transfer.received"));
    }

    [Fact]
    public async Task The_demo_has_transfers_in_every_state_on_the_offices_list_once()
    {
        var watch = Stopwatch.StartNew();
        var added = await app.Get<DemoTransfers>().PostAsync(Ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"demo transfers: {watch.ElapsedMilliseconds} ms, {added}");
        Assert.Equal(0, await app.Get<DemoTransfers>().PostAsync(Ct));
        var states = (await QueryAsync<(string, string)>("SELECT kind, state FROM transfers WHERE actor = 'simulate'")).ToHashSet();
        foreach (var expected in new[]
                 {
                     ("out", "issued"), ("out", "accepted"), ("out", "completed"), ("out", "voided"), ("within", "requested"),
                     ("within", "completed"), ("in", "completed"), ("certificate", "completed"),
                 })
            Assert.Contains(expected, states);

        var office = await ClientAsync(await people.HolderAsync("staff", "DFL"));
        var items = JsonDocument.Parse(await (await office.GetAsync("/api/admin/transfers", Ct)).Content.ReadAsStringAsync(Ct)).RootElement
            .GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(items, t => t.GetProperty("receiptOverdue").GetBoolean());
        Assert.Contains(items, t => t.GetProperty("letterExpired").GetBoolean());
        Assert.Contains(items, t => t.GetProperty("state").GetString() == "requested");
        var page = await (await office.GetAsync("/admin/transfers", Ct)).Content.ReadAsStringAsync(Ct);
        Assert.Contains("回执逾期", page);
        Assert.Contains("介绍信已过期", page);
    }
}
