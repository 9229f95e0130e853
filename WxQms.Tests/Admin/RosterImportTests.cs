using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MiniExcelLibs;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Reminders;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Wishes;
using static WxQms.Tests.Admin.RosterFiles;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Admin;

/// <summary>
/// The roster's Excel import and export (issue #16 item 5) through the real pipeline on the demo subdistrict: the
/// template, a file refused as a whole, the same file fixed and imported, imported again without a change, the
/// export imported back, who may import what, and 2,000 members in one file.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class RosterImportTests(WxQmsApp app) : IClassFixture<SeededSubdistrict>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly WishWorld w = new(app);

    private Task<WishWorld.Person> StaffAsync() => w.HolderAsync("staff", "DFL");

    private async Task<(HttpStatusCode Status, JsonElement Body)> UploadAsync(WishWorld.Person who, byte[] bytes, bool dryRun, string name = "名册.xlsx")
    {
        using var response = await w.SendAsync(HttpMethod.Post, $"/api/admin/imports/roster?dryRun={(dryRun ? "true" : "false")}", who, Upload(bytes, name));
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private async Task<byte[]> DownloadAsync(WishWorld.Person who, string url)
    {
        using var response = await w.SendAsync(HttpMethod.Get, url, who);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsByteArrayAsync(Ct);
    }

    private static JsonElement Report(JsonElement body) => body.TryGetProperty("report", out var r) ? r : body;

    private static (int Create, int Update, int Unchanged) Counts(JsonElement body, string sheet)
    {
        var c = Report(body).GetProperty(sheet);
        return (c.GetProperty("create").GetInt32(), c.GetProperty("update").GetInt32(), c.GetProperty("unchanged").GetInt32());
    }

    private static List<string> Errors(JsonElement body) => Report(body).GetProperty("errors").EnumerateArray()
        .Select(e => $"{e.GetProperty("sheet").GetString()}!{e.GetProperty("row").GetInt32()}!{e.GetProperty("column").GetString()}: {e.GetProperty("reason").GetString()}")
        .ToList();

    private static Task<long> MembersAsync() => ScalarAsync("SELECT COUNT(*) FROM members");

    private static Task<long> ImportsAsync() => ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'roster.imported'");

    [Fact]
    public async Task The_template_downloads_with_its_sheets_and_its_example_rows_check_cleanly()
    {
        var staff = await StaffAsync();
        var template = await DownloadAsync(staff, "/api/admin/imports/roster-template.xlsx");
        using (var stream = new MemoryStream(template))
        {
            Assert.Equal(["填写说明", "组织", "党员"], MiniExcel.GetSheetNames(stream));
            var members = MiniExcel.Query(stream, useHeaderRow: true, sheetName: "党员").Cast<IDictionary<string, object>>().ToList();
            Assert.Equal(2, members.Count);
            Assert.Equal(["所属组织编码", "姓名", "性别", "出生日期", "身份证号", "手机号", "党员状态", "入党日期", "接收预备党员日期", "退休", "流动党员", "职务", "任职日期", "卸任职务"],
                members[0].Keys);
        }

        var before = await MembersAsync();
        var (status, body) = await UploadAsync(staff, template, dryRun: true);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Empty(Errors(body));
        Assert.Equal((1, 0, 0), Counts(body, "orgs"));
        Assert.Equal((2, 0, 0), Counts(body, "members"));
        Assert.False(body.GetProperty("applied").GetBoolean());
        Assert.Equal(before, await MembersAsync()); // a dry run writes nothing
    }

    [Fact]
    public async Task A_file_with_three_bad_rows_is_refused_whole_then_fixed_it_imports_and_again_changes_nothing()
    {
        var staff = await StaffAsync();
        Book File(bool fixedRows)
        {
            var book = new Book().Org("DFL-C02-T01", "测试第一党支部", "党支部", "DFL-C02", "2026-11-01");
            book.Member("DFL-C02-T01", "赵一", IdCard(101), Phone(101), roles: "书记", since: "2026-11-01");
            book.Member(fixedRows ? "DFL-C02-T01" : "DFL-C02-NOPE", "钱二", IdCard(102), Phone(102)); // row 3: unknown org
            book.Member("DFL-C02-T01", "孙三", IdCard(103), Phone(103));
            book.Member("DFL-C02-T01", "李四", IdCard(104), fixedRows ? Phone(104) : Phone(101)); // row 5: phone of row 2
            book.Member("DFL-C02-T01", "周五", IdCard(105), Phone(105), status: "预备党员", admitted: fixedRows ? "2026-06-30" : null); // row 6
            return book;
        }

        var (members, imports) = (await MembersAsync(), await ImportsAsync());
        var (status, body) = await UploadAsync(staff, File(fixedRows: false).Bytes(), dryRun: false);
        Assert.True(status == HttpStatusCode.UnprocessableEntity, body.ToString());
        Assert.Equal("import.invalid", body.GetProperty("code").GetString());
        var errors = Errors(body);
        Assert.Equal(3, errors.Count);
        Assert.StartsWith("党员!3!所属组织编码: 组织编码“DFL-C02-NOPE”不存在", errors[0]);
        Assert.StartsWith("党员!5!手机号: 手机号与第2行重复", errors[1]);
        Assert.StartsWith("党员!6!接收预备党员日期: 预备党员须填写接收预备党员日期", errors[2]);
        Assert.Equal(members, await MembersAsync()); // nothing applied, not even the good rows or the new branch
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM orgs WHERE code = 'DFL-C02-T01'"));
        Assert.Equal(imports, await ImportsAsync());

        var good = File(fixedRows: true).Bytes();
        (status, body) = await UploadAsync(staff, good, dryRun: false);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.True(body.GetProperty("applied").GetBoolean());
        Assert.Equal((1, 0, 0), Counts(body, "orgs"));
        Assert.Equal((5, 0, 0), Counts(body, "members"));
        Assert.Equal(members + 5, await MembersAsync());
        Assert.Equal(imports + 1, await ImportsAsync());
        var branch = await ScalarAsync("SELECT id FROM orgs WHERE code = 'DFL-C02-T01' AND kind = 'branch'");
        Assert.Equal(5, await ScalarAsync("SELECT COUNT(*) FROM members WHERE org_id = @branch AND id_card_lookup IS NOT NULL", new { branch }));
        Assert.Equal(1, await ScalarAsync("""
            SELECT COUNT(*) FROM member_roles r JOIN members m ON m.id = r.member_id
            WHERE r.org_id = @branch AND r.role = 'secretary' AND r.starts_on = '2026-11-01' AND m.name = '赵一'
            """, new { branch }));
        Assert.Equal("2026-06-30", (await QuerySingleAsync<DateTime>("SELECT admitted_on FROM members WHERE name = '周五' AND org_id = @branch", new { branch }))
            .ToString("yyyy-MM-dd"));
        var audit = await QuerySingleAsync<string>("SELECT data FROM audit_log WHERE action = 'roster.imported' ORDER BY id DESC LIMIT 1");
        Assert.Contains("\"DFL-C02-T01\"", audit);

        (status, body) = await UploadAsync(staff, good, dryRun: false);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal((0, 0, 1), Counts(body, "orgs"));
        Assert.Equal((0, 0, 5), Counts(body, "members"));
        Assert.Equal(members + 5, await MembersAsync());
        Assert.Equal(imports + 1, await ImportsAsync()); // nothing written, not even a trail entry
    }

    [Fact]
    public async Task The_whole_roster_exported_imports_back_as_nothing_changed()
    {
        var staff = await StaffAsync();
        var export = await DownloadAsync(staff, "/api/admin/exports/roster.xlsx");
        var onRoll = await ScalarAsync("SELECT COUNT(*) FROM members WHERE status IN ('full', 'probationary')");
        var orgs = await ScalarAsync("SELECT COUNT(*) FROM orgs WHERE depth > 0");
        var (status, body) = await UploadAsync(staff, export, dryRun: false);
        Assert.True(status == HttpStatusCode.OK, string.Join('\n', body.ValueKind == JsonValueKind.Object ? Errors(body).Take(20) : []));
        Assert.Equal((0, 0, (int)orgs), Counts(body, "orgs"));
        Assert.Equal((0, 0, (int)onRoll), Counts(body, "members"));
    }

    [Fact]
    public async Task A_community_secretary_imports_in_her_community_and_a_row_outside_it_refuses_the_whole_file()
    {
        var secretary = await w.MemberAsync(await ScalarAsync("""
            SELECT r.member_id FROM member_roles r JOIN orgs o ON o.id = r.org_id
            WHERE r.role = 'secretary' AND o.depth = 1 AND o.kind = 'community_committee'
              AND NOT EXISTS (SELECT 1 FROM member_roles x WHERE x.member_id = r.member_id AND x.role IN ('staff', 'inspector'))
            ORDER BY o.path LIMIT 1
            """));
        var community = await QuerySingleAsync<string>("SELECT o.code FROM member_roles r JOIN orgs o ON o.id = r.org_id WHERE r.member_id = @id AND r.role = 'secretary' AND o.depth = 1",
            new { id = secretary.MemberId });
        var other = await QuerySingleAsync<string>("SELECT code FROM orgs WHERE depth = 1 AND code <> @community ORDER BY path LIMIT 1", new { community });

        // Her own community's export re-imports unchanged.
        var export = await DownloadAsync(secretary, "/api/admin/exports/roster.xlsx");
        var (status, body) = await UploadAsync(secretary, export, dryRun: true);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal(0, Report(body).GetProperty("orgs").GetProperty("create").GetInt32() + Counts(body, "members").Create + Counts(body, "members").Update);

        var members = await MembersAsync();
        var file = new Book()
            .Org($"{community}-T09", "社区测试党支部", "党支部", community)
            .Org($"{other}-T09", "他社区测试党支部", "党支部", other)
            .Member($"{community}-T09", "吴六", IdCard(201), Phone(201))
            .Member(other, "郑七", IdCard(202), Phone(202));
        (status, body) = await UploadAsync(secretary, file.Bytes(), dryRun: false);
        Assert.True(status == HttpStatusCode.UnprocessableEntity, body.ToString());
        var errors = Errors(body);
        Assert.Equal(2, errors.Count);
        Assert.StartsWith($"组织!3!上级组织编码: 上级组织“{other}”不在您管理的范围内", errors[0]);
        Assert.StartsWith($"党员!3!所属组织编码: 组织“{other}”不在您管理的范围内", errors[1]);
        Assert.Equal(members, await MembersAsync());
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM orgs WHERE code LIKE '%-T09'"));
    }

    [Fact]
    public async Task A_secretary_for_an_org_that_already_has_one_is_refused_by_the_consoles_own_rule()
    {
        var staff = await StaffAsync();
        var (branch, branchId) = await QuerySingleAsync<(string, long)>("""
            SELECT o.code, o.id FROM orgs o WHERE o.kind = 'branch' AND o.code LIKE 'DFL-C07-B%'
              AND EXISTS (SELECT 1 FROM member_roles r WHERE r.org_id = o.id AND r.role = 'secretary')
            ORDER BY o.path LIMIT 1
            """);
        var members = await MembersAsync();
        var file = new Book().Member(branch, "第二书记", IdCard(301), Phone(301), roles: "书记", since: "2026-01-01");

        var (status, body) = await UploadAsync(staff, file.Bytes(), dryRun: false);

        Assert.True(status == HttpStatusCode.UnprocessableEntity, body.ToString());
        var rule = WxQms.Domain.Rules.Orgs.OrgRules.AppointSecretary(null, [1])!;
        Assert.Equal([$"党员!2!职务: 组织“{branch}”：{rule.Text}"], Errors(body));
        Assert.Equal(members, await MembersAsync());

        // The console's appointment refuses with the same rule's words.
        var plain = await ScalarAsync("""
            SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id JOIN orgs b ON b.id = @branchId
            WHERE o.path LIKE CONCAT(b.path, '%') AND m.status = 'full'
              AND NOT EXISTS (SELECT 1 FROM member_roles r WHERE r.member_id = m.id AND r.role <> 'member') ORDER BY m.id LIMIT 1
            """, new { branchId });
        using var appoint = await w.PostAsync($"/api/admin/members/{plain}/roles", staff, new { role = "secretary", orgId = branchId, startsOn = "2026-01-01" });
        Assert.Equal(HttpStatusCode.Conflict, appoint.StatusCode);
        var problem = JsonDocument.Parse(await appoint.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(rule.Code, problem.GetProperty("code").GetString());
        Assert.Equal(rule.Text, problem.GetProperty("detail").GetString());
        Assert.Equal(rule.Regulation, problem.GetProperty("regulation").GetString());
    }

    [Fact]
    public async Task Only_office_staff_export_id_numbers_in_full_and_a_community_secretarys_masked_export_imports_back_unchanged()
    {
        var staff = await StaffAsync();
        var secretary = await w.MemberAsync(await ScalarAsync("""
            SELECT r.member_id FROM member_roles r JOIN orgs o ON o.id = r.org_id
            WHERE r.role = 'secretary' AND o.depth = 1 AND o.kind = 'community_committee'
              AND NOT EXISTS (SELECT 1 FROM member_roles x WHERE x.member_id = r.member_id AND x.role IN ('staff', 'inspector'))
            ORDER BY o.path DESC LIMIT 1
            """));
        var branch = await QuerySingleAsync<string>("""
            SELECT b.code FROM member_roles r JOIN orgs o ON o.id = r.org_id JOIN orgs b ON b.path LIKE CONCAT(o.path, '%') AND b.kind = 'branch'
            WHERE r.member_id = @id AND r.role = 'secretary' AND o.depth = 1 ORDER BY b.path LIMIT 1
            """, new { id = secretary.MemberId });
        var number = IdCard(401);
        var (added, _) = await UploadAsync(staff, new Book().Member(branch, "证号测试", number, Phone(401)).Bytes(), dryRun: false);
        Assert.Equal(HttpStatusCode.OK, added);

        static string? IdOf(byte[] book) => MiniExcel.Query(new MemoryStream(book), useHeaderRow: true, sheetName: "党员")
            .Cast<IDictionary<string, object>>().Single(r => (string)r["姓名"] == "证号测试")["身份证号"]?.ToString();
        Assert.Equal(number, IdOf(await DownloadAsync(staff, "/api/admin/exports/roster.xlsx")));
        var masked = await DownloadAsync(secretary, "/api/admin/exports/roster.xlsx");
        Assert.Equal(WxQms.Domain.Rules.IdCardNumbers.Mask(number), IdOf(masked));

        var (status, body) = await UploadAsync(secretary, masked, dryRun: true);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal(0, Counts(body, "members").Create + Counts(body, "members").Update);
    }

    [Fact]
    public async Task A_community_secretary_who_also_leads_a_branch_exports_that_branchs_id_numbers_in_full_and_the_rest_masked()
    {
        var staff = await StaffAsync();
        var (community, secretaryId) = await QuerySingleAsync<(string, long)>("""
            SELECT o.code, r.member_id FROM member_roles r JOIN orgs o ON o.id = r.org_id
            WHERE r.role = 'secretary' AND o.depth = 1 AND o.kind = 'community_committee'
              AND NOT EXISTS (SELECT 1 FROM member_roles x WHERE x.member_id = r.member_id AND x.role <> 'member' AND x.org_id <> r.org_id)
            ORDER BY o.path LIMIT 1
            """);
        var branch = await QuerySingleAsync<string>("""
            SELECT b.code FROM orgs b JOIN orgs o ON o.code = @community
            WHERE b.kind = 'branch' AND b.path LIKE CONCAT(o.path, '%') AND b.dissolved_on IS NULL ORDER BY b.path LIMIT 1
            """, new { community });
        var own = IdCard(501);
        var other = IdCard(502);
        var file = new Book().Org($"{community}-T50", "书记兼任党支部", "党支部", community)
            .Member($"{community}-T50", "本支部党员", own, Phone(501))
            .Member(branch, "他支部党员", other, Phone(502));
        var (added, report) = await UploadAsync(staff, file.Bytes(), dryRun: false);
        Assert.True(added == HttpStatusCode.OK, report.ToString());
        var newBranch = await ScalarAsync("SELECT id FROM orgs WHERE code = @code", new { code = $"{community}-T50" });
        using (var appoint = await w.PostAsync($"/api/admin/members/{secretaryId}/roles", staff,
            new { role = "secretary", orgId = newBranch, startsOn = "2026-01-01" }))
            Assert.True(appoint.IsSuccessStatusCode, $"{appoint.StatusCode}");
        var secretary = await w.MemberAsync(secretaryId);

        var export = await DownloadAsync(secretary, "/api/admin/exports/roster.xlsx");
        var rows = MiniExcel.Query(new MemoryStream(export), useHeaderRow: true, sheetName: "党员").Cast<IDictionary<string, object>>()
            .Where(r => r["姓名"] is "本支部党员" or "他支部党员").ToDictionary(r => (string)r["姓名"]);
        var ids = rows.ToDictionary(r => r.Key, r => r.Value["身份证号"]?.ToString());
        var phones = rows.ToDictionary(r => r.Key, r => r.Value["手机号"]?.ToString());
        Assert.Equal(own, ids["本支部党员"]); // the member's own branch secretary
        Assert.Equal(WxQms.Domain.Rules.IdCardNumbers.Mask(other), ids["他支部党员"]);
        Assert.Equal(Phone(501), phones["本支部党员"]);
        Assert.Equal($"{Phone(502)[..3]}****{Phone(502)[^4..]}", phones["他支部党员"]);

        var (status, body) = await UploadAsync(secretary, export, dryRun: true);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal(0, Counts(body, "members").Create + Counts(body, "members").Update);
    }

    [Fact]
    public async Task The_column_卸任职务_ends_a_role_into_the_history_so_one_file_hands_a_branch_to_a_new_secretary()
    {
        var staff = await StaffAsync();
        var (branch, branchId, oldId) = await QuerySingleAsync<(string, long, long)>("""
            SELECT o.code, o.id, r.member_id FROM orgs o JOIN member_roles r ON r.org_id = o.id AND r.role = 'secretary'
            JOIN members m ON m.id = r.member_id AND m.status = 'full' AND m.phone IS NOT NULL
            WHERE o.kind = 'branch' AND o.code LIKE 'DFL-C09-B%'
              AND NOT EXISTS (SELECT 1 FROM member_roles x WHERE x.member_id = r.member_id AND x.role <> 'member' AND x.org_id <> o.id)
            ORDER BY o.path LIMIT 1
            """);
        var newId = await ScalarAsync("""
            SELECT m.id FROM members m JOIN orgs mo ON mo.id = m.org_id JOIN orgs b ON b.id = @branchId
            WHERE mo.path LIKE CONCAT(b.path, '%') AND m.status = 'full' AND m.phone IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM member_roles r WHERE r.member_id = m.id AND r.role <> 'member') ORDER BY m.id LIMIT 1
            """, new { branchId });
        static Task<(string Org, string Name, string Phone, string Sex)> RowOf(long id) => QuerySingleAsync<(string, string, string, string)>(
            "SELECT o.code, m.name, m.phone, IF(m.sex = 'female', '女', '男') FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.id = @id", new { id });
        var (oldOrg, oldName, oldPhone, oldSex) = await RowOf(oldId);
        var (newOrg, newName, newPhone, newSex) = await RowOf(newId);
        var role = $"书记@{branch}";
        var oldToken = await w.MemberAsync(oldId);
        var members = await MembersAsync();
        var today = WxQms.Domain.Rules.Tasks.Periods.LocalDate(app.Clock.GetUtcNow()).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        // Ending a role she holds and naming it in 职务 on the same row is refused, naming the row and the column.
        var contradictory = new Book().Member(oldOrg, oldName, null, oldPhone, sex: oldSex, joined: null, roles: role, ended: role);
        var (bad, report) = await UploadAsync(staff, contradictory.Bytes(), dryRun: false);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad);
        Assert.Equal(["党员!2!卸任职务: 同一职务不能在“职务”和“卸任职务”中同时填写"], Errors(report));

        var handover = new Book()
            .Member(newOrg, newName, null, newPhone, sex: newSex, joined: null, roles: role, since: today, ended: "")
            .Member(oldOrg, oldName, null, oldPhone, sex: oldSex, joined: null, ended: role);
        var (status, body) = await UploadAsync(staff, handover.Bytes(), dryRun: false);

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal((0, 2, 0), Counts(body, "members"));
        Assert.Equal(members, await MembersAsync());
        Assert.Equal([newId], await QueryAsync<long>("SELECT member_id FROM member_roles WHERE org_id = @branchId AND role = 'secretary'", new { branchId }));
        Assert.Equal(1, await ScalarAsync("""
            SELECT COUNT(*) FROM member_role_history WHERE member_id = @oldId AND org_id = @branchId AND role = 'secretary' AND ends_on = @today
            """, new { oldId, branchId, today }));
        // Her token carried the secretary's role: it is refused now; a fresh one has no such role.
        using (var stale = await w.SendAsync(HttpMethod.Get, "/api/mp/me", oldToken))
            Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        var me = await w.GetAsync("/api/mp/me", await w.MemberAsync(oldId));
        Assert.DoesNotContain(me.GetProperty("member").GetProperty("roles").EnumerateArray(), r => r.GetProperty("role").GetString() == "secretary");

        // The same file again changes nothing (the role ended stays ended).
        var (again, second) = await UploadAsync(staff, handover.Bytes(), dryRun: true);
        Assert.True(again == HttpStatusCode.OK, second.ToString());
        Assert.Equal((0, 0, 2), Counts(second, "members"));
    }

    [Fact]
    public async Task A_member_and_a_branch_secretary_get_403_and_a_file_that_is_no_workbook_400()
    {
        var member = await w.PlainMemberAsync(3, "DFL-C12");
        var branchSecretary = await w.MemberAsync(await ScalarAsync("""
            SELECT r.member_id FROM member_roles r JOIN orgs o ON o.id = r.org_id
            WHERE r.role = 'secretary' AND o.kind = 'branch'
              AND NOT EXISTS (SELECT 1 FROM member_roles x JOIN orgs xo ON xo.id = x.org_id
                              WHERE x.member_id = r.member_id AND (x.role IN ('staff', 'inspector') OR (x.role = 'secretary' AND xo.depth = 1)))
            ORDER BY r.member_id LIMIT 1
            """));
        var book = new Book().Member("DFL-C12", "王八", IdCard(301), Phone(301)).Bytes();
        foreach (var who in new[] { member, branchSecretary })
        {
            var (status, body) = await UploadAsync(who, book, dryRun: false);
            Assert.Equal(HttpStatusCode.Forbidden, status);
            Assert.Equal("auth.forbidden", body.GetProperty("code").GetString());
            using var template = await w.SendAsync(HttpMethod.Get, "/api/admin/imports/roster-template.xlsx", who);
            Assert.Equal(HttpStatusCode.Forbidden, template.StatusCode);
            using var export = await w.SendAsync(HttpMethod.Get, "/api/admin/exports/roster.xlsx", who);
            Assert.Equal(HttpStatusCode.Forbidden, export.StatusCode);
        }

        var staff = await StaffAsync();
        var (s1, csv) = await UploadAsync(staff, "组织编码,组织名称\nA,B\n"u8.ToArray(), dryRun: true, "名册.csv");
        Assert.Equal(HttpStatusCode.BadRequest, s1);
        Assert.Equal("import.not_xlsx", csv.GetProperty("code").GetString());
        var zip = new byte[] { (byte)'P', (byte)'K', 3, 4, 0, 0, 0, 0 };
        var (s2, broken) = await UploadAsync(staff, zip, dryRun: true);
        Assert.Equal(HttpStatusCode.BadRequest, s2);
        Assert.Equal("import.not_xlsx", broken.GetProperty("code").GetString());
        var (s3, large) = await UploadAsync(staff, new byte[3 * 1024 * 1024], dryRun: true);
        Assert.Equal(HttpStatusCode.BadRequest, s3);
        Assert.Equal("import.too_large", large.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_new_branch_of_twenty_members_gives_its_secretary_her_grants_and_joins_the_next_plan()
    {
        var staff = await StaffAsync();
        var book = new Book().Org("DFL-C04-T20", "新建第二十党支部", "党支部", "DFL-C04");
        for (var i = 0; i < 20; i++)
            book.Member("DFL-C04-T20", $"新党员{i:00}", IdCard(400 + i), Phone(400 + i), roles: i == 0 ? "书记" : "", since: i == 0 ? "2026-11-20" : null);
        var (status, body) = await UploadAsync(staff, book.Bytes(), dryRun: false);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        var branch = await ScalarAsync("SELECT id FROM orgs WHERE code = 'DFL-C04-T20'");

        // She signs in to the mini program with her roles: secretary of the new branch.
        var secretary = await w.MemberAsync(await ScalarAsync("SELECT id FROM members WHERE phone = @phone", new { phone = Phone(400) }));
        var me = await w.GetAsync("/api/mp/me", secretary);
        Assert.Contains(me.GetProperty("member").GetProperty("roles").EnumerateArray(),
            r => r.GetProperty("role").GetString() == "secretary" && r.GetProperty("orgId").GetInt64() == branch);

        // The org tree shows the branch at once (the cached tree was retired) ...
        var community = await ScalarAsync("SELECT id FROM orgs WHERE code = 'DFL-C04'");
        var tree = await w.GetAsync($"/api/orgs/{community}/tree", staff);
        Assert.Contains("DFL-C04-T20", tree.ToString());
        // ... and it has its duties in the plan at once, as the plan job would give them (which adds nothing more).
        var planned = await ScalarAsync("SELECT COUNT(*) FROM tasks WHERE org_id = @branch", new { branch });
        Assert.True(planned > 0);
        await app.Get<PlanService>().CompleteCurrentPlansAsync(app.Clock.GetUtcNow(), Ct);
        Assert.Equal(planned, await ScalarAsync("SELECT COUNT(*) FROM tasks WHERE org_id = @branch", new { branch }));
    }

    [Fact]
    public async Task A_file_made_from_the_template_with_a_new_branch_twenty_members_and_a_secretary_is_used_by_tasks_and_rankings_at_once()
    {
        // #16's "Done when": the template downloaded, its example rows replaced by one new branch and twenty members.
        var staff = await StaffAsync();
        var template = await DownloadAsync(staff, "/api/admin/imports/roster-template.xlsx");
        IDictionary<string, object> Example(string sheet) =>
            MiniExcel.Query(new MemoryStream(template), useHeaderRow: true, sheetName: sheet).Cast<IDictionary<string, object>>().First();
        var orgRow = new Dictionary<string, object?>(Example("组织")!)
        {
            ["组织编码"] = "DFL-C04-DW1", ["组织名称"] = "模板新建党支部", ["组织类别"] = "党支部", ["上级组织编码"] = "DFL-C04", ["成立日期"] = "",
        };
        var memberRows = Enumerable.Range(0, 20).Select(i => new Dictionary<string, object?>(Example("党员")!)
        {
            ["所属组织编码"] = "DFL-C04-DW1", ["姓名"] = $"模板党员{i:00}", ["性别"] = i % 2 == 0 ? "女" : "男", ["出生日期"] = "",
            ["身份证号"] = IdCard(600 + i), ["手机号"] = Phone(600 + i), ["党员状态"] = "正式党员", ["入党日期"] = "2012-07-01",
            ["接收预备党员日期"] = "", ["职务"] = i == 0 ? "书记" : "", ["任职日期"] = i == 0 ? "2026-11-01" : "",
        }).ToList();
        using var file = new MemoryStream();
        file.SaveAs(new Dictionary<string, object> { ["组织"] = new[] { orgRow }, ["党员"] = memberRows }, excelType: ExcelType.XLSX);
        var month = Periods.Containing(Recurrence.Monthly, app.Clock.GetUtcNow()).Key;
        var community = await ScalarAsync("SELECT id FROM orgs WHERE code = 'DFL-C04'");
        var rankingUrl = $"/api/rankings?period={month}&level=branch&scope={community}";
        Assert.DoesNotContain("模板新建党支部", (await w.GetAsync(rankingUrl, staff)).ToString()); // the ranking is cached now

        var (status, body) = await UploadAsync(staff, file.ToArray(), dryRun: false);

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal((1, 0, 0), Counts(body, "orgs"));
        Assert.Equal((20, 0, 0), Counts(body, "members"));
        var branch = await ScalarAsync("SELECT id FROM orgs WHERE code = 'DFL-C04-DW1'");
        var secretary = await w.MemberAsync(await ScalarAsync("SELECT id FROM members WHERE phone = @phone", new { phone = Phone(600) }));
        // Tasks: the secretary's task list in the mini program has her branch's duties of the month.
        var tasks = await w.GetAsync($"/api/mp/tasks?period={month}", secretary);
        Assert.Contains(tasks.EnumerateArray(), t => t.GetProperty("orgId").GetInt64() == branch);
        // Rankings: the month's ranking of the community lists the new branch (the cached one was retired).
        Assert.Contains("模板新建党支部", (await w.GetAsync(rankingUrl, staff)).ToString());
        // Reminders: the scan that is due now, then the one at the branch's next reminder time (a task's next_reminder_at
        // starts at its opening, which is when the scan first looks, not a reminder: nothing fires at the opening itself),
        // write the branch's reminders, and its secretary reads them on her reminder list, as the Jobs process would leave them.
        var scan = app.Get<ReminderScan>();
        await scan.ScanDueAsync(app.Clock.GetUtcNow(), Ct);
        var next = await QuerySingleAsync<DateTime?>("SELECT MIN(next_reminder_at) FROM tasks WHERE org_id = @branch", new { branch });
        Assert.NotNull(next);
        if (new DateTimeOffset(next.Value, TimeSpan.Zero) > app.Clock.GetUtcNow())
            app.Clock.SetUtcNow(new DateTimeOffset(next.Value, TimeSpan.Zero));
        await scan.ScanDueAsync(app.Clock.GetUtcNow(), Ct);
        secretary = await w.MemberAsync(secretary.MemberId!.Value); // signed in again: the clock moved past her token's life
        var reminders = await w.GetAsync($"/api/mp/reminders?orgId={branch}", secretary);
        Assert.True(reminders.GetProperty("total").GetInt32() > 0, $"no reminder for the new branch at {app.Clock.GetUtcNow():u}: {reminders}");
        Assert.All(reminders.GetProperty("items").EnumerateArray(), r => Assert.Equal(branch, r.GetProperty("orgId").GetInt64()));
    }

    [Fact]
    public async Task A_member_the_file_moves_to_another_branch_is_moved_with_history_and_her_old_token_is_refused()
    {
        var staff = await StaffAsync();
        var person = await w.PlainMemberAsync(11, "DFL-C08");
        var m = await QuerySingleAsync<(string Name, string Sex, string Phone, string Status, string OrgCode, long OrgId)>("""
            SELECT m.name, m.sex, m.phone, m.status, o.code, o.id FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.id = @id
            """, new { id = person.MemberId });
        var to = await QuerySingleAsync<string>("""
            SELECT code FROM orgs WHERE kind = 'branch' AND code LIKE 'DFL-C08-B%' AND id <> @OrgId
              AND path NOT LIKE CONCAT((SELECT path FROM orgs WHERE id = @OrgId), '%') ORDER BY code LIMIT 1
            """, new { m.OrgId });
        using (var before = await w.SendAsync(HttpMethod.Get, "/api/mp/me", person))
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        var file = new Book().Member(to, m.Name, idCard: IdCard(777, new DateOnly(1966, 6, 6)), m.Phone, sex: m.Sex == "female" ? "女" : "男",
            status: m.Status == "full" ? "正式党员" : "预备党员", admitted: "2026-01-01", birth: null, joined: null);
        var (status, body) = await UploadAsync(staff, file.Bytes(), dryRun: false);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal((0, 1, 0), Counts(body, "members"));
        Assert.Equal(to, await QuerySingleAsync<string>("SELECT o.code FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.id = @id", new { id = person.MemberId }));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM member_moves WHERE member_id = @id AND from_org_id = @OrgId AND reason = '名册导入'",
            new { id = person.MemberId, m.OrgId }));
        // The ID number is kept encrypted, findable by its last four; the birth date left empty follows the number.
        Assert.Equal(new DateTime(1966, 6, 6), await QuerySingleAsync<DateTime>("SELECT birth_date FROM members WHERE id = @id", new { id = person.MemberId }));
        Assert.Equal(IdCard(777, new DateOnly(1966, 6, 6))[^4..], await QuerySingleAsync<string>("SELECT id_card_last4 FROM members WHERE id = @id",
            new { id = person.MemberId }));
        using var after = await w.SendAsync(HttpMethod.Get, "/api/mp/me", person);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task Two_thousand_members_import_in_one_file()
    {
        var staff = await StaffAsync();
        var book = new Book();
        for (var b = 0; b < 20; b++)
            book.Org($"DFL-C08-K{b:00}", $"批量第{b + 1}党支部", "党支部", "DFL-C08");
        for (var i = 0; i < 2000; i++)
            book.Member($"DFL-C08-K{i / 100:00}", $"批量{i:0000}", IdCard(i % 1000, new DateOnly(1970 + i / 1000, 3, 1)), Phone(10_000 + i),
                roles: i % 100 == 0 ? "书记" : "");
        var bytes = book.Bytes();
        var members = await MembersAsync();

        var clock = Stopwatch.StartNew();
        var (status, body) = await UploadAsync(staff, bytes, dryRun: false);
        clock.Stop();
        Assert.True(status == HttpStatusCode.OK, string.Join('\n', body.ValueKind == JsonValueKind.Object ? Errors(body).Take(20) : []));
        Assert.Equal((2000, 0, 0), Counts(body, "members"));
        Assert.Equal(members + 2000, await MembersAsync());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"2,000 members took {clock.Elapsed}");
        TestContext.Current.TestOutputHelper?.WriteLine($"2,000 members imported in {clock.Elapsed.TotalSeconds:0.0} s (Debug, test database)");

        (status, body) = await UploadAsync(staff, bytes, dryRun: false);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal((0, 0, 2000), Counts(body, "members"));
    }
}
