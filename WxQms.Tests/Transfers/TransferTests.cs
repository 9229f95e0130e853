using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Transfers;
using WxQms.Tests.Assessment;
using WxQms.Tests.Infrastructure;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Transfers;

/// <summary>
/// Transfers of organisational relationship (issue #17 item 3) through the real pipeline on the demo subdistrict: a
/// letter out whose receipt does not come back, the office's list and warnings, the receipt, a lost letter re-issued,
/// the refusals, a letter received from outside, a 党员证明信, the year's export.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class TransferTests(WxQmsApp app, SeededSubdistrict seeded) : IClassFixture<SeededSubdistrict>
{
    private readonly AssessmentWorld people = new(app);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static int serial;

    private DateOnly Today => Periods.LocalDate(app.Clock.GetUtcNow());

    private static string S(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private Task<HttpClient> ClientAsync(long memberId)
    {
        _ = seeded; // the class's demo subdistrict, seeded once
        return people.ClientAsync(memberId);
    }

    private static Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected) => response.JsonAsync(expected);

    private async Task<long> LetterOutAsync(HttpClient secretary, long member, DateOnly issued, DateOnly until) =>
        (await JsonAsync(await secretary.PostAsJsonAsync("/api/mp/transfers", new
        {
            kind = "out", memberId = member, toOrgName = "中共上海市浦东新区花木街道联洋社区委员会第三支部委员会", issuedOn = S(issued),
            validUntil = S(until), reason = "随子女迁居上海",
        }, Ct), HttpStatusCode.Created)).GetProperty("id").GetInt64();

    private static async Task<bool> OnRosterAsync(HttpClient secretary, long branch, long member)
    {
        var roster = await JsonAsync(await secretary.GetAsync($"/api/mp/orgs/{branch}/members", Ct), HttpStatusCode.OK);
        return roster.ToString().Contains($"\"id\":{member},", StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_letter_out_whose_receipt_never_comes_is_overdue_to_the_office_a_month_after_acceptance_and_she_stays_the_sending_branchs()
    {
        const string branchCode = "DFL-C02-B01";
        var branch = await people.OrgAsync(branchCode);
        var secretary = await ClientAsync(await people.HolderAsync("secretary", branchCode));
        var office = await ClientAsync(await people.HolderAsync("staff", "DFL"));
        var (due, late) = (await Movers.PlainMemberAsync(branchCode, 0), await Movers.PlainMemberAsync(branchCode, 1));
        var monthAgo = Today.AddMonths(-1);
        var issued = monthAgo.AddDays(-10);

        // Both letters accepted: one exactly a month ago (its receipt due today), one a day before that (due yesterday).
        var onTime = await LetterOutAsync(secretary, due, issued, issued.AddMonths(3));
        var overdue = await LetterOutAsync(secretary, late, issued, issued.AddMonths(3));
        var accepted = await JsonAsync(await secretary.PostAsJsonAsync($"/api/mp/transfers/{onTime}/accept",
            new { acceptedOn = S(monthAgo) }, Ct), HttpStatusCode.OK);
        Assert.Equal(S(monthAgo.AddMonths(1)), accepted.GetProperty("receiptDueOn").GetString());
        await JsonAsync(await secretary.PostAsJsonAsync($"/api/mp/transfers/{overdue}/accept", new { acceptedOn = S(monthAgo.AddDays(-1)) }, Ct),
            HttpStatusCode.OK);

        // The office's list: the late receipt is overdue (and listed first), the other not yet.
        var transit = (await JsonAsync(await office.GetAsync("/api/admin/transfers", Ct), HttpStatusCode.OK)).GetProperty("items").EnumerateArray().ToList();
        var lateRow = transit.Single(t => t.GetProperty("id").GetInt64() == overdue);
        var dueRow = transit.Single(t => t.GetProperty("id").GetInt64() == onTime);
        Assert.True(lateRow.GetProperty("receiptOverdue").GetBoolean());
        Assert.Equal("回执逾期", lateRow.GetProperty("stateText").GetString());
        Assert.False(dueRow.GetProperty("receiptOverdue").GetBoolean());
        Assert.True(transit.IndexOf(lateRow) < transit.IndexOf(dueRow));
        var page = await (await office.GetAsync("/admin/transfers", Ct)).Content.ReadAsStringAsync(Ct);
        Assert.Contains("<b class=late style=\"color:#c62828\">回执逾期</b>", page);
        Assert.Contains("份介绍信的回执已逾期", page);

        // She stays the sending branch's: on its roll and its secretary's roster, until the receipt comes back.
        Assert.True(lateRow.GetProperty("senderResponsible").GetBoolean());
        Assert.Equal("full", await QuerySingleAsync<string>("SELECT status FROM members WHERE id = @late", new { late }));
        Assert.Equal(branch, await ScalarAsync("SELECT b.id FROM members m JOIN orgs o ON o.id = m.org_id JOIN orgs b ON o.path LIKE CONCAT(b.path, '%') AND b.id = @branch WHERE m.id = @late", new { late, branch }));
        Assert.True(await OnRosterAsync(secretary, branch, late));

        // The scan warns the office of the late receipt and reminds the branch of the one due today, once however often it runs.
        var scan = app.Get<TransferScan>();
        await scan.ScanAsync(app.Clock.GetUtcNow(), Ct);
        await scan.ScanAsync(app.Clock.GetUtcNow(), Ct);
        var staffIds = (await QueryAsync<long>("SELECT DISTINCT r.member_id FROM member_roles r JOIN members m ON m.id = r.member_id WHERE r.role = 'staff' AND m.status IN ('full','probationary')")).ToList();
        var lateNotices = (await QueryAsync<(long, string)>("SELECT member_id, kind FROM reminders WHERE subject_type = 'transfer' AND subject_id = @overdue",
            new { overdue })).ToList();
        Assert.NotEmpty(staffIds);
        Assert.All(lateNotices, n => Assert.Equal("receipt_late", n.Item2));
        Assert.Subset(lateNotices.Select(n => n.Item1).ToHashSet(), staffIds.ToHashSet()); // every office staff member is warned
        Assert.Equal(lateNotices.Count, lateNotices.Distinct().Count());
        var dueNotices = (await QueryAsync<(long, string)>("SELECT member_id, kind FROM reminders WHERE subject_type = 'transfer' AND subject_id = @onTime",
            new { onTime })).ToList();
        Assert.NotEmpty(dueNotices);
        Assert.All(dueNotices, n => Assert.Equal("receipt_due", n.Item2));
        var organisers = (await QueryAsync<long>("SELECT member_id FROM member_roles WHERE org_id = @branch AND role IN ('secretary', 'worker')",
            new { branch })).ToHashSet();
        Assert.Subset(organisers, dueNotices.Select(n => n.Item1).ToHashSet()); // the branch only: the office is not warned of a receipt not yet late

        // The receipt comes back: she leaves the roll, the transfer is done and no longer in transit.
        var done = await JsonAsync(await secretary.PostAsJsonAsync($"/api/mp/transfers/{overdue}/receipt", new { receiptOn = S(Today) }, Ct), HttpStatusCode.OK);
        Assert.Equal("completed", done.GetProperty("state").GetString());
        Assert.Equal("transferred_out", await QuerySingleAsync<string>("SELECT status FROM members WHERE id = @late", new { late }));
        Assert.False(await OnRosterAsync(secretary, branch, late));
        transit = (await JsonAsync(await office.GetAsync("/api/admin/transfers", Ct), HttpStatusCode.OK)).GetProperty("items").EnumerateArray().ToList();
        Assert.DoesNotContain(transit, t => t.GetProperty("id").GetInt64() == overdue);
        Assert.Equal(1L, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'member.transferred_out' AND entity_id = @late", new { late }));
    }

    [Fact]
    public async Task A_letter_is_valid_three_months_at_most_and_a_short_leave_gets_a_certificate_instead()
    {
        const string branchCode = "DFL-C02-B02";
        var secretary = await ClientAsync(await people.HolderAsync("secretary", branchCode));
        var member = await Movers.PlainMemberAsync(branchCode, 0);

        var tooLong = await JsonAsync(await secretary.PostAsJsonAsync("/api/mp/transfers", new
        {
            kind = "out", memberId = member, toOrgName = "某某单位党委", issuedOn = S(Today), validUntil = S(Today.AddMonths(3).AddDays(1)),
        }, Ct), HttpStatusCode.BadRequest);
        Assert.Equal("transfer.validity_too_long", tooLong.GetProperty("code").GetString());
        Assert.True(tooLong.GetProperty("errors").TryGetProperty("validUntil", out _), tooLong.ToString()); // the console's one shape: code and errors by field

        var shortLeave = await JsonAsync(await secretary.PostAsJsonAsync("/api/mp/transfers", new
        {
            kind = "out", memberId = member, toOrgName = "某某单位党委", issuedOn = S(Today), validUntil = S(Today.AddDays(10)), leaveMonths = 4,
        }, Ct), HttpStatusCode.BadRequest);
        Assert.Equal("transfer.use_certificate", shortLeave.GetProperty("code").GetString());

        var longCertificate = await JsonAsync(await secretary.PostAsJsonAsync("/api/mp/transfers", new
        {
            kind = "certificate", memberId = member, toOrgName = "深圳市南山区", leaveMonths = 7,
        }, Ct), HttpStatusCode.BadRequest);
        Assert.Equal("transfer.needs_letter", longCertificate.GetProperty("code").GetString());

        var certificate = await JsonAsync(await secretary.PostAsJsonAsync("/api/mp/transfers", new
        {
            kind = "certificate", memberId = member, toOrgName = "深圳市南山区", leaveMonths = 4, reason = "外出务工",
        }, Ct), HttpStatusCode.Created);
        Assert.Equal("completed", certificate.GetProperty("state").GetString());
        Assert.False(string.IsNullOrEmpty(certificate.GetProperty("letterNo").GetString()));
        Assert.Equal("full", await QuerySingleAsync<string>("SELECT status FROM members WHERE id = @member", new { member }));

        // Nobody outside the member's keepers starts a letter for her.
        var other = await ClientAsync(await people.HolderAsync("secretary", "DFL-C05-B01"));
        var refused = await JsonAsync(await other.PostAsJsonAsync("/api/mp/transfers", new
        {
            kind = "out", memberId = member, toOrgName = "某某单位党委", issuedOn = S(Today), validUntil = S(Today.AddDays(10)),
        }, Ct), HttpStatusCode.Forbidden);
        Assert.Equal("auth.forbidden", refused.GetProperty("code").GetString());

        // The member sees her own transfer.
        var mine = await JsonAsync(await (await ClientAsync(member)).GetAsync("/api/mp/transfers/mine", Ct), HttpStatusCode.OK);
        Assert.Contains(mine.GetProperty("items").EnumerateArray(), t => t.GetProperty("kind").GetString() == "certificate");
    }

    [Fact]
    public async Task A_lost_letter_is_voided_and_reissued_with_a_new_number_and_prints_as_the_three_part_form()
    {
        const string branchCode = "DFL-C02-B03";
        var secretary = await ClientAsync(await people.HolderAsync("secretary", branchCode));
        var member = await Movers.PlainMemberAsync(branchCode, 0);
        var first = await LetterOutAsync(secretary, member, Today.AddDays(-3), Today.AddDays(20));
        var firstNo = (await JsonAsync(await secretary.GetAsync($"/api/mp/transfers/{first}", Ct), HttpStatusCode.OK)).GetProperty("letterNo").GetString();

        // A second letter for her while one travels is refused.
        var twice = await JsonAsync(await secretary.PostAsJsonAsync("/api/mp/transfers", new
        {
            kind = "out", memberId = member, toOrgName = "另一单位党委", issuedOn = S(Today), validUntil = S(Today.AddDays(10)),
        }, Ct), HttpStatusCode.Conflict);
        Assert.Equal("transfer.open", twice.GetProperty("code").GetString());

        var reissued = await JsonAsync(await secretary.PostAsJsonAsync($"/api/mp/transfers/{first}/reissue",
            new { validUntil = S(Today.AddDays(30)), reason = "党员报告介绍信遗失" }, Ct), HttpStatusCode.Created);
        Assert.NotEqual(firstNo, reissued.GetProperty("letterNo").GetString());
        Assert.Equal(first, reissued.GetProperty("replacesId").GetInt64());
        var voided = await JsonAsync(await secretary.GetAsync($"/api/mp/transfers/{first}", Ct), HttpStatusCode.OK);
        Assert.Equal("voided", voided.GetProperty("state").GetString());
        var again = await JsonAsync(await secretary.PostAsJsonAsync($"/api/mp/transfers/{first}/accept", new { acceptedOn = S(Today) }, Ct),
            HttpStatusCode.Conflict);
        Assert.Equal("transfer.bad_state", again.GetProperty("code").GetString());

        var office = await ClientAsync(await people.HolderAsync("staff", "DFL"));
        var print = await office.GetAsync($"/admin/transfers/{reissued.GetProperty("id").GetInt64()}/print", Ct);
        var html = await print.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, print.StatusCode);
        Assert.Contains("size:A4", html);
        Assert.Contains("（存根）", html);
        Assert.Contains("<h2>中国共产党党员组织关系介绍信</h2>", html);
        Assert.Contains("回执", html);
        Assert.Contains(reissued.GetProperty("letterNo").GetString()!, html);
        Assert.Contains("中共上海市浦东新区花木街道联洋社区委员会第三支部委员会", html);
        Assert.Contains("党费交到 ____年__月", html); // the dues area fills it in later
    }

    [Fact]
    public async Task A_letter_received_places_the_member_in_a_branch_where_she_binds_wechat_and_the_year_is_exported()
    {
        const string branchCode = "DFL-C04-B01";
        var branch = await people.OrgAsync(branchCode);
        var secretary = await ClientAsync(await people.HolderAsync("secretary", branchCode));
        var n = Interlocked.Increment(ref serial);
        var phone = $"1390000{n:D4}";
        var placed = await JsonAsync(await secretary.PostAsJsonAsync("/api/mp/transfers/incoming", new
        {
            toOrgId = branch, fromOrgName = "中共郑州市二七区建中街社区委员会", letterNo = $"二七-{n}", issuedOn = S(Today.AddDays(-5)),
            validUntil = S(Today.AddDays(25)), duesPaidThrough = $"{Today.Year}-{Today.Month:D2}", name = "李转入", sex = "female",
            birthDate = "1985-03-02", joinedOn = "2010-07-01", status = "full", phone,
        }, Ct), HttpStatusCode.Created);
        var memberId = placed.GetProperty("memberId").GetInt64();
        Assert.Contains("绑定二维码", placed.GetProperty("bindHint").GetString());
        Assert.Equal("completed", placed.GetProperty("transfer").GetProperty("state").GetString());
        Assert.Equal($"{Today.Year}-{Today.Month:D2}", placed.GetProperty("transfer").GetProperty("duesPaidThrough").GetString());
        Assert.True(await OnRosterAsync(secretary, branch, memberId));

        // The binding dialogue finds her in the branch by name and phone tail, as for any member.
        var matches = await app.Get<WxQms.Domain.Storage.BotStore>().MatchMembersAsync(branch, true, "李转入", phone[^4..], Ct);
        Assert.Contains(matches, m => m.MemberId == memberId && m.PhoneMatches);

        // An expired letter is not registered.
        var expired = await JsonAsync(await secretary.PostAsJsonAsync("/api/mp/transfers/incoming", new
        {
            toOrgId = branch, fromOrgName = "中共郑州市二七区建中街社区委员会", letterNo = $"二七-x{n}", issuedOn = S(Today.AddDays(-40)),
            validUntil = S(Today.AddDays(-10)), name = "王过期", sex = "male", status = "full", phone = $"1390001{n:D4}",
        }, Ct), HttpStatusCode.BadRequest);
        Assert.Equal("transfer.letter_expired", expired.GetProperty("code").GetString());

        // The year's workbook counts her among the community's transfers in.
        var office = await ClientAsync(await people.HolderAsync("staff", "DFL"));
        var file = await office.GetAsync($"/api/admin/exports/transfers.xlsx?year={Today.Year}", Ct);
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        await using var stream = new MemoryStream(await file.Content.ReadAsByteArrayAsync(Ct));
        var rows = MiniExcelLibs.MiniExcel.Query(stream, useHeaderRow: true).Cast<IDictionary<string, object>>().ToList();
        var community = await QuerySingleAsync<string>("SELECT name FROM orgs WHERE code = 'DFL-C04'");
        Assert.True(Convert.ToInt32(rows.Single(r => (string)r["社区"] == community)["从街道外转入"], CultureInfo.InvariantCulture) >= 1);
        Assert.Equal(HttpStatusCode.Forbidden, (await secretary.GetAsync($"/api/admin/exports/transfers.xlsx?year={Today.Year}", Ct)).StatusCode);
    }

    /// <summary>
    /// The year's workbook has a row per org the office marks a community (orgs.is_community), not per org under the
    /// subdistrict: a community unmarked drops out, a 党总支 marked on its page gets its own row.
    /// </summary>
    [Fact]
    public async Task The_years_transfers_are_counted_per_org_marked_a_community()
    {
        var office = await ClientAsync(await people.HolderAsync("staff", "DFL"));
        var unmarked = await ScalarAsync("SELECT id FROM orgs WHERE code = 'DFL-C02'");
        var general = await QuerySingleAsync<(long Id, string Name)>(
            "SELECT id, name FROM orgs WHERE depth = 2 AND kind IN ('general_branch', 'branch') ORDER BY path LIMIT 1");
        async Task MarkAsync(long id, bool community) =>
            Assert.Equal(HttpStatusCode.NoContent, (await office.PutAsJsonAsync($"/api/admin/orgs/{id}/community", new { community }, Ct)).StatusCode);
        await MarkAsync(general.Id, true);
        await MarkAsync(unmarked, false);
        try
        {
            var file = await office.GetAsync($"/api/admin/exports/transfers.xlsx?year={Today.Year}", Ct);
            Assert.Equal(HttpStatusCode.OK, file.StatusCode);
            await using var stream = new MemoryStream(await file.Content.ReadAsByteArrayAsync(Ct));
            var names = MiniExcelLibs.MiniExcel.Query(stream, useHeaderRow: true).Cast<IDictionary<string, object>>()
                .Select(r => (string)r["社区"]).ToList();
            Assert.Contains(general.Name, names);
            Assert.DoesNotContain(await QuerySingleAsync<string>("SELECT name FROM orgs WHERE id = @unmarked", new { unmarked }), names);
            Assert.Equal(await ScalarAsync("SELECT COUNT(*) FROM orgs WHERE is_community AND dissolved_on IS NULL") + 1, names.Count); // and 合计
        }
        finally
        {
            await MarkAsync(general.Id, false);
            await MarkAsync(unmarked, true);
        }
    }
}
