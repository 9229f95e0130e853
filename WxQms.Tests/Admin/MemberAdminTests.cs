using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WxQms.Domain.Rules;
using WxQms.Tests.Assessment;
using WxQms.Tests.Infrastructure;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Admin;

/// <summary>
/// Members and roles in the console (issue #16 item 4) through the real pipeline on the demo subdistrict: the JSON
/// routes under /api/admin/members and the pages under /admin/members, who may use them, masking per viewer, the
/// refusals, and what the rest of the system reads afterwards (the mini program's roster, tokens).
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class MemberAdminTests(WxQmsApp app, SeededSubdistrict seeded) : IClassFixture<SeededSubdistrict>
{
    private readonly AssessmentWorld people = new(app);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static int serial;

    private string Today => Day(0);

    /// <summary>A day relative to today in Shanghai on the app's clock (shared by the run, it only moves forward).</summary>
    private string Day(int offset) => WxQms.Domain.Rules.Tasks.Periods.LocalDate(app.Clock.GetUtcNow()).AddDays(offset)
        .ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A fresh valid ID-card number (GB 11643 check character computed) and a fresh mobile number.</summary>
    private static (string IdCard, string Phone) Fresh()
    {
        var n = Interlocked.Increment(ref serial);
        var body = $"41010519800101{n % 1000:D3}";
        int[] weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        var sum = body.Select((c, i) => (c - '0') * weights[i]).Sum();
        return (body + "10X98765432"[sum % 11], $"1990000{n:D4}");
    }

    private Task<HttpClient> ClientAsync(long memberId) => people.ClientAsync(memberId);

    private Task<HttpClient> StaffAsync() => people.HolderAsync("staff", "DFL").ContinueWith(t => ClientAsync(t.Result)).Unwrap();

    /// <summary>The secretary of community DFL-C01 (a 社区党委) who holds no office role.</summary>
    private static Task<long> CommunitySecretaryAsync() => ScalarAsync("""
        SELECT r.member_id FROM member_roles r JOIN orgs o ON o.id = r.org_id
        WHERE r.role = 'secretary' AND o.code = 'DFL-C01'
          AND NOT EXISTS (SELECT 1 FROM member_roles x WHERE x.member_id = r.member_id AND x.role IN ('staff', 'inspector'))
        ORDER BY r.member_id LIMIT 1
        """);

    /// <summary>A branch of community <paramref name="community"/> with a secretary, and that secretary.</summary>
    private static async Task<(long Branch, long Secretary)> BranchAsync(string community, int offset = 0)
    {
        var branch = await ScalarAsync("""
            SELECT o.id FROM orgs o WHERE o.kind = 'branch' AND o.code LIKE CONCAT(@community, '-B%')
              AND EXISTS (SELECT 1 FROM member_roles r WHERE r.org_id = o.id AND r.role = 'secretary')
            ORDER BY o.id LIMIT 1 OFFSET @offset
            """, new { community, offset });
        var secretary = await ScalarAsync("SELECT member_id FROM member_roles WHERE org_id = @branch AND role = 'secretary' ORDER BY member_id LIMIT 1",
            new { branch });
        return (branch, secretary);
    }

    private static Task<long> PlainMemberAsync(long branch, int offset = 0) => ScalarAsync("""
        SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id JOIN orgs b ON b.id = @branch
        WHERE o.path LIKE CONCAT(b.path, '%') AND m.status = 'full'
          AND NOT EXISTS (SELECT 1 FROM member_roles r WHERE r.member_id = m.id AND r.role <> 'member')
        ORDER BY m.id LIMIT 1 OFFSET @offset
        """, new { branch, offset });

    private static async Task<long> AddAsync(HttpClient client, long orgId, string name, string idCard, string phone)
    {
        using var response = await client.PostAsJsonAsync("/api/admin/members", new
        {
            orgId, name, sex = "female", birthDate = "1980-01-01", joinedOn = "2005-07-01", status = "full", phone, idCard,
        }, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
    }

    private static Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected) => response.JsonAsync(expected);

    private static Task<long> AuditCountAsync(long memberId, string action) =>
        ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE entity_type = 'member' AND entity_id = @memberId AND action = @action", new { memberId, action });

    [Fact]
    public async Task Staff_add_a_member_whose_ID_card_is_encrypted_at_rest_and_found_by_its_last_four()
    {
        Assert.NotNull(seeded.Result); // the demo subdistrict, seeded once for the class
        var staff = await StaffAsync();
        var (branch, _) = await BranchAsync("DFL-C02");
        var (idCard, phone) = Fresh();

        var id = await AddAsync(staff, branch, "韩新梅", idCard, phone);

        var stored = await QuerySingleAsync<(byte[] Enc, string Last4, string Status)>(
            "SELECT id_card_enc, id_card_last4, status FROM members WHERE id = @id", new { id });
        Assert.DoesNotContain(idCard, System.Text.Encoding.ASCII.GetString(stored.Enc));
        Assert.Equal(idCard[^4..], stored.Last4);
        Assert.Equal("full", stored.Status);
        Assert.Equal(1, await AuditCountAsync(id, "member.added"));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM member_roles WHERE member_id = @id AND role = 'member' AND org_id = @branch", new { id, branch }));
        var audit = await QuerySingleAsync<string>("SELECT data FROM audit_log WHERE entity_id = @id AND action = 'member.added'", new { id });
        Assert.DoesNotContain(idCard, audit);
        Assert.DoesNotContain(phone, audit);

        foreach (var search in new[] { idCard[^4..], phone, "韩新" })
        {
            var page = await JsonAsync(await staff.GetAsync($"/api/admin/members?q={Uri.EscapeDataString(search)}", Ct), HttpStatusCode.OK);
            Assert.Contains(page.GetProperty("items").EnumerateArray(), m => m.GetProperty("id").GetInt64() == id);
        }
    }

    [Fact]
    public async Task A_duplicate_phone_or_ID_card_number_and_a_bad_one_are_refused_in_Chinese()
    {
        var staff = await StaffAsync();
        var (branch, _) = await BranchAsync("DFL-C02");
        var (idCard, phone) = Fresh();
        await AddAsync(staff, branch, "刘芳", idCard, phone);
        var (otherCard, otherPhone) = Fresh();

        var samePhone = await JsonAsync(await staff.PostAsJsonAsync("/api/admin/members", new
        {
            orgId = branch, name = "刘芳二", sex = "female", status = "full", phone, idCard = otherCard,
        }, Ct), HttpStatusCode.Conflict);
        Assert.Equal("member.phone_taken", samePhone.GetProperty("code").GetString());
        Assert.Contains("手机号已登记", samePhone.GetProperty("detail").GetString());

        var sameCard = await JsonAsync(await staff.PostAsJsonAsync("/api/admin/members", new
        {
            orgId = branch, name = "刘芳三", sex = "female", status = "full", phone = otherPhone, idCard = idCard.ToLowerInvariant(),
        }, Ct), HttpStatusCode.Conflict);
        Assert.Equal("member.id_card_taken", sameCard.GetProperty("code").GetString());
        Assert.Contains("身份证号已登记", sameCard.GetProperty("detail").GetString());

        var badCard = await JsonAsync(await staff.PostAsJsonAsync("/api/admin/members", new
        {
            orgId = branch, name = "刘芳四", sex = "female", status = "full", idCard = "110105194912310021",
        }, Ct), HttpStatusCode.BadRequest);
        Assert.Equal("member.bad_id_card", badCard.GetProperty("code").GetString());
        Assert.True(badCard.GetProperty("errors").TryGetProperty("idCard", out _));

        var transferred = await JsonAsync(await staff.PostAsJsonAsync("/api/admin/members", new
        {
            orgId = branch, name = "刘芳五", sex = "female", status = "transferred_out",
        }, Ct), HttpStatusCode.BadRequest);
        Assert.Equal("member.bad_status", transferred.GetProperty("code").GetString());
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM members WHERE name LIKE '刘芳_'"));
    }

    [Fact]
    public async Task Phone_and_ID_card_are_shown_in_full_only_to_staff_and_the_members_own_branch_secretary()
    {
        var staff = await StaffAsync();
        var (branch, branchSecretary) = await BranchAsync("DFL-C01");
        var (idCard, phone) = Fresh();
        var id = await AddAsync(staff, branch, "孙丽", idCard, phone);
        var masked = (Phone: $"{phone[..3]}****{phone[^4..]}", IdCard: IdCardNumbers.Mask(idCard));

        foreach (var (viewer, full) in new[] { (staff, true), (await ClientAsync(branchSecretary), true), (await ClientAsync(await CommunitySecretaryAsync()), false) })
        {
            var member = (await JsonAsync(await viewer.GetAsync($"/api/admin/members/{id}", Ct), HttpStatusCode.OK)).GetProperty("member");
            Assert.Equal(full ? phone : masked.Phone, member.GetProperty("phone").GetString());
            Assert.Equal(full ? idCard : masked.IdCard, member.GetProperty("idCard").GetString());

            var page = await viewer.GetStringAsync($"/admin/members/{id}", Ct);
            Assert.Contains(full ? idCard : masked.IdCard, page);
            Assert.Contains(full ? phone : masked.Phone, page);
            if (!full)
            {
                Assert.DoesNotContain(phone, page);
                Assert.DoesNotContain(idCard, page);
                var roster = await viewer.GetStringAsync($"/admin/members?q={Uri.EscapeDataString("孙丽")}", Ct);
                Assert.Contains(masked.Phone, roster);
                Assert.DoesNotContain(phone, roster);
            }
        }
    }

    [Fact]
    public async Task A_community_secretary_keeps_her_community_only_and_a_member_is_refused_everywhere()
    {
        var secretary = await ClientAsync(await CommunitySecretaryAsync());
        var (inside, _) = await BranchAsync("DFL-C01");
        var (outside, _) = await BranchAsync("DFL-C05");
        var outsider = await PlainMemberAsync(outside);
        var (idCard, phone) = Fresh();

        await AddAsync(secretary, inside, "周敏", idCard, phone);
        (idCard, phone) = Fresh();
        Assert.Equal(HttpStatusCode.Forbidden, (await secretary.PostAsJsonAsync("/api/admin/members",
            new { orgId = outside, name = "周敏二", sex = "female", status = "full", phone, idCard }, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await secretary.GetAsync($"/api/admin/members/{outsider}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await secretary.GetAsync($"/admin/members/{outsider}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await secretary.PostAsJsonAsync($"/api/admin/members/{outsider}/deceased",
            new { deceasedOn = Today }, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await secretary.PostAsync($"/admin/members/{outsider}/deceased",
            new FormUrlEncodedContent([new("deceasedOn", Today)]), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await secretary.GetAsync($"/api/admin/members?org={outside}", Ct)).StatusCode);
        var list = await JsonAsync(await secretary.GetAsync("/api/admin/members?q=" + Uri.EscapeDataString("周敏"), Ct), HttpStatusCode.OK);
        Assert.Equal(1, list.GetProperty("total").GetInt64());
        Assert.Equal("full", await QuerySingleAsync<string>("SELECT status FROM members WHERE id = @outsider", new { outsider }));

        var member = await ClientAsync(await PlainMemberAsync(inside));
        foreach (var url in new[] { "/api/admin/members", $"/api/admin/members/{outsider}", "/admin/members", "/admin/members/new" })
            Assert.Equal(HttpStatusCode.Forbidden, (await member.GetAsync(url, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.PostAsJsonAsync("/api/admin/members",
            new { orgId = inside, name = "周敏三", sex = "female", status = "full" }, Ct)).StatusCode);
    }

    [Fact]
    public async Task A_branch_secretary_adds_members_to_her_branch_but_appoints_nothing_above_it()
    {
        var (branch, secretaryId) = await BranchAsync("DFL-C02", offset: 1);
        var secretary = await ClientAsync(secretaryId);
        var community = await ScalarAsync("SELECT parent_id FROM orgs WHERE id = @branch", new { branch });
        var (idCard, phone) = Fresh();
        var id = await AddAsync(secretary, branch, "钱进", idCard, phone);

        Assert.Equal(HttpStatusCode.Forbidden, (await secretary.PostAsJsonAsync($"/api/admin/members/{id}/roles",
            new { role = "committee", orgId = community, startsOn = Today }, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await secretary.PostAsJsonAsync($"/api/admin/members/{id}/roles",
            new { role = "staff", orgId = await people.OrgAsync("DFL"), startsOn = Today }, Ct)).StatusCode);
        await JsonAsync(await secretary.PostAsJsonAsync($"/api/admin/members/{id}/roles",
            new { role = "worker", orgId = branch, startsOn = Today }, Ct), HttpStatusCode.NoContent);
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM member_roles WHERE member_id = @id AND role = 'worker' AND org_id = @branch", new { id, branch }));
    }

    [Fact]
    public async Task One_secretary_per_org_is_refused_with_its_regulation_and_a_role_ends_into_the_history()
    {
        var staff = await StaffAsync();
        var (branch, oldSecretary) = await BranchAsync("DFL-C04");
        var newcomer = await PlainMemberAsync(branch);
        var oldToken = await people.TokenAsync(oldSecretary);

        var refused = await JsonAsync(await staff.PostAsJsonAsync($"/api/admin/members/{newcomer}/roles",
            new { role = "secretary", orgId = branch, startsOn = Today }, Ct), HttpStatusCode.Conflict);
        Assert.Equal("org.secretary_exists", refused.GetProperty("code").GetString());
        Assert.Contains("支部工作条例", refused.GetProperty("regulation").GetString());

        var page = await staff.PostAsync($"/admin/members/{newcomer}/roles/new", new FormUrlEncodedContent(
            [new("role", "secretary"), new("orgId", $"{branch}"), new("startsOn", Today)]), Ct);
        Assert.Equal(HttpStatusCode.Conflict, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.Contains("每个组织只设书记1名", html);
        Assert.Contains("依据：《中国共产党支部工作条例", html);

        await JsonAsync(await staff.PostAsJsonAsync($"/api/admin/members/{oldSecretary}/roles/end",
            new { role = "secretary", orgId = branch, endsOn = Today }, Ct), HttpStatusCode.NoContent);
        var ended = await staff.PostAsync($"/admin/members/{newcomer}/roles/new", new FormUrlEncodedContent(
            [new("role", "secretary"), new("orgId", $"{branch}"), new("startsOn", Today)]), Ct);
        Assert.Equal(HttpStatusCode.SeeOther, ended.StatusCode);
        Assert.Equal($"/admin/members/{newcomer}", ended.Headers.Location?.ToString());

        var history = await JsonAsync(await staff.GetAsync($"/api/admin/members/{oldSecretary}/history", Ct), HttpStatusCode.OK);
        var past = Assert.Single(history.GetProperty("pastRoles").EnumerateArray(), r => r.GetProperty("role").GetString() == "secretary");
        Assert.Equal(Today, past.GetProperty("endsOn").GetString());
        Assert.Equal(1, await AuditCountAsync(oldSecretary, "member.role_ended"));
        Assert.Equal(1, await AuditCountAsync(newcomer, "member.role_appointed"));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM member_roles WHERE org_id = @branch AND role = 'secretary'", new { branch }));

        // The old secretary's mini-program token is refused: her roles changed.
        using var stale = app.CreateClient();
        stale.DefaultRequestHeaders.Authorization = new("Bearer", oldToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await stale.GetAsync("/api/mp/me", Ct)).StatusCode);
        var details = await staff.GetStringAsync($"/admin/members/{oldSecretary}", Ct);
        Assert.Contains("历任职务", details);
    }

    [Fact]
    public async Task A_moved_member_is_on_his_new_secretarys_roster_and_off_the_old_ones_and_his_roles_there_end()
    {
        var staff = await StaffAsync();
        var (from, oldSecretary) = await BranchAsync("DFL-C07");
        var (to, newSecretary) = await BranchAsync("DFL-C07", offset: 1);
        var mover = await PlainMemberAsync(from);
        var seat = await ScalarAsync("SELECT org_id FROM members WHERE id = @mover", new { mover }); // the branch or one of its party groups
        await JsonAsync(await staff.PostAsJsonAsync($"/api/admin/members/{mover}/roles",
            new { role = "committee", orgId = from, startsOn = "2024-03-01" }, Ct), HttpStatusCode.NoContent);
        var moverToken = await people.TokenAsync(mover);

        var bad = await staff.PostAsync($"/admin/members/{mover}/move", new FormUrlEncodedContent(
            [new("toOrgId", $"{to}"), new("movedOn", "2026-13-01")]), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("日期格式应为", await bad.Content.ReadAsStringAsync(Ct));
        var moved = await staff.PostAsync($"/admin/members/{mover}/move", new FormUrlEncodedContent(
            [new("toOrgId", $"{to}"), new("movedOn", Today), new("reason", "搬家")]), Ct);
        Assert.Equal(HttpStatusCode.SeeOther, moved.StatusCode);

        Assert.Equal(to, await ScalarAsync("SELECT org_id FROM members WHERE id = @mover", new { mover }));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM member_moves WHERE member_id = @mover AND from_org_id = @seat AND to_org_id = @to AND reason = '搬家'",
            new { mover, seat, to }));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM member_roles WHERE member_id = @mover AND role = 'committee'", new { mover }));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM member_role_history WHERE member_id = @mover AND role = 'committee' AND org_id = @from",
            new { mover, from }));
        Assert.Equal(1, await AuditCountAsync(mover, "member.moved"));

        var toRoster = await JsonAsync(await (await ClientAsync(newSecretary)).GetAsync($"/api/mp/orgs/{to}/members", Ct), HttpStatusCode.OK);
        Assert.Contains(toRoster.EnumerateArray(), m => m.GetProperty("id").GetInt64() == mover);
        var fromRoster = await JsonAsync(await (await ClientAsync(oldSecretary)).GetAsync($"/api/mp/orgs/{from}/members", Ct), HttpStatusCode.OK);
        Assert.DoesNotContain(fromRoster.EnumerateArray(), m => m.GetProperty("id").GetInt64() == mover);

        using var stale = app.CreateClient();
        stale.DefaultRequestHeaders.Authorization = new("Bearer", moverToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await stale.GetAsync("/api/mp/me", Ct)).StatusCode);
        Assert.Contains("搬家", await staff.GetStringAsync($"/admin/members/{mover}", Ct));
    }

    [Fact]
    public async Task A_death_is_recorded_with_its_date_the_roles_end_and_he_leaves_the_mini_programs_roster()
    {
        var staff = await StaffAsync();
        var (branch, secretary) = await BranchAsync("DFL-C08");
        var member = await PlainMemberAsync(branch);
        await JsonAsync(await staff.PostAsJsonAsync($"/api/admin/members/{member}/roles",
            new { role = "committee", orgId = branch, startsOn = "2023-01-01" }, Ct), HttpStatusCode.NoContent);

        Assert.Equal(HttpStatusCode.OK, (await staff.GetAsync($"/admin/members/{member}/deceased", Ct)).StatusCode);
        var future = await staff.PostAsync($"/admin/members/{member}/deceased", new FormUrlEncodedContent([new("deceasedOn", Day(1))]), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, future.StatusCode);
        Assert.Contains("日期不能晚于今天", await future.Content.ReadAsStringAsync(Ct));
        var done = await staff.PostAsync($"/admin/members/{member}/deceased", new FormUrlEncodedContent([new("deceasedOn", Day(-5))]), Ct);
        Assert.Equal(HttpStatusCode.SeeOther, done.StatusCode);

        var row = await QuerySingleAsync<(string Status, DateTime DeceasedOn)>("SELECT status, deceased_on FROM members WHERE id = @member", new { member });
        Assert.Equal(("deceased", Day(-5)), (row.Status, row.DeceasedOn.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM member_roles WHERE member_id = @member AND role <> 'member'", new { member }));
        Assert.Equal(1, await AuditCountAsync(member, "member.deceased"));
        var roster = await JsonAsync(await (await ClientAsync(secretary)).GetAsync($"/api/mp/orgs/{branch}/members", Ct), HttpStatusCode.OK);
        Assert.DoesNotContain(roster.EnumerateArray(), m => m.GetProperty("id").GetInt64() == member);

        var again = await JsonAsync(await staff.PostAsJsonAsync($"/api/admin/members/{member}/deceased", new { deceasedOn = Today }, Ct), HttpStatusCode.Conflict);
        Assert.Equal("member.not_on_roll", again.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_members_phone_and_ID_card_are_cleared_on_purpose_with_a_trail_and_a_bad_value_is_still_refused()
    {
        var staff = await StaffAsync();
        var (branch, _) = await BranchAsync("DFL-C05");
        var (idCard, phone) = Fresh();
        var id = await AddAsync(staff, branch, "清除测试", idCard, phone);

        var bad = await JsonAsync(await staff.PutAsJsonAsync($"/api/admin/members/{id}", new { name = "清除测试", sex = "female", phone = "12345" }, Ct),
            HttpStatusCode.BadRequest);
        Assert.Equal("member.bad_phone", bad.GetProperty("code").GetString());
        var both = await JsonAsync(await staff.PutAsJsonAsync($"/api/admin/members/{id}", new { name = "清除测试", sex = "female", phone, clearPhone = true }, Ct),
            HttpStatusCode.BadRequest);
        Assert.Equal("member.clear_and_set", both.GetProperty("code").GetString());
        var blank = await JsonAsync(await staff.PutAsJsonAsync($"/api/admin/members/{id}", new { name = "清除测试", sex = "female" }, Ct), HttpStatusCode.OK);
        Assert.Equal(phone, blank.GetProperty("phone").GetString()); // blank still means unchanged

        var cleared = await JsonAsync(await staff.PutAsJsonAsync($"/api/admin/members/{id}", new { name = "清除测试", sex = "female", clearPhone = true }, Ct),
            HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("phone").ValueKind);
        Assert.Equal(idCard, cleared.GetProperty("idCard").GetString());

        var form = await staff.PostAsync($"/admin/members/{id}/edit", new FormUrlEncodedContent(
            [new("name", "清除测试"), new("sex", "female"), new("clearIdCard", "1")]), Ct);
        Assert.Equal(HttpStatusCode.SeeOther, form.StatusCode);
        var stored = await QuerySingleAsync<(string? Phone, byte[]? Enc, string? Last4, byte[]? Lookup)>(
            "SELECT phone, id_card_enc, id_card_last4, id_card_lookup FROM members WHERE id = @id", new { id });
        Assert.Equal((null, null, null, null), stored);
        var trail = (await QueryAsync<string>("SELECT data FROM audit_log WHERE entity_id = @id AND action = 'member.edited' ORDER BY id", new { id })).ToList();
        Assert.Equal(3, trail.Count); // blank, phone cleared, ID card cleared
        Assert.Contains("phone", trail[1]);
        Assert.Contains("idCard", trail[2]);
        Assert.Contains("清除身份证号", await staff.GetStringAsync($"/admin/members/{id}/edit", Ct));
    }

    [Fact]
    public async Task The_pages_render_refuse_a_bad_field_inline_and_save_a_good_form()
    {
        var staff = await StaffAsync();
        var (branch, _) = await BranchAsync("DFL-C02", offset: 2);

        var roster = await staff.GetStringAsync($"/admin/members?org={branch}&sort=name&dir=desc", Ct);
        Assert.Contains("新增党员", roster);
        Assert.Contains("class=on>党员</a>", roster);
        Assert.Equal(HttpStatusCode.OK, (await staff.GetAsync("/admin/members/new", Ct)).StatusCode);

        var (idCard, phone) = Fresh();
        var bad = await staff.PostAsync("/admin/members/new", new FormUrlEncodedContent(
            [new("orgId", $"{branch}"), new("name", "吴倩"), new("sex", "female"), new("status", "full"), new("phone", "12345"), new("idCard", idCard)]), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var html = await bad.Content.ReadAsStringAsync(Ct);
        Assert.Contains("手机号应为 11 位数字", html);
        Assert.Contains("value=\"吴倩\"", html);

        var good = await staff.PostAsync("/admin/members/new", new FormUrlEncodedContent(
            [new("orgId", $"{branch}"), new("name", "吴倩"), new("sex", "female"), new("status", "probationary"), new("phone", phone), new("idCard", idCard),
             new("mobile", "1")]), Ct);
        Assert.Equal(HttpStatusCode.SeeOther, good.StatusCode);
        var id = long.Parse(good.Headers.Location!.ToString().Split('/')[^1]);
        Assert.Equal(("probationary", true), await QuerySingleAsync<(string, bool)>("SELECT status, mobile FROM members WHERE id = @id", new { id }));

        Assert.Equal(HttpStatusCode.OK, (await staff.GetAsync($"/admin/members/{id}/edit", Ct)).StatusCode);
        var edited = await staff.PostAsync($"/admin/members/{id}/edit", new FormUrlEncodedContent(
            [new("name", "吴倩倩"), new("sex", "female"), new("joinedOn", "2020-06-30")]), Ct);
        Assert.Equal(HttpStatusCode.SeeOther, edited.StatusCode);
        var after = await QuerySingleAsync<(string Name, string Phone, string Status)>("SELECT name, phone, status FROM members WHERE id = @id", new { id });
        Assert.Equal(("吴倩倩", phone, "probationary"), after); // a blank phone stays; the form offers no status
        Assert.Equal(1, await AuditCountAsync(id, "member.edited"));

        var json = await JsonAsync(await staff.PutAsJsonAsync($"/api/admin/members/{id}", new { name = "", sex = "female" }, Ct), HttpStatusCode.BadRequest);
        Assert.Equal("member.name_required", json.GetProperty("code").GetString());
        foreach (var form in new[] { "move", "roles/new", "roles/end" })
            Assert.Equal(HttpStatusCode.OK, (await staff.GetAsync($"/admin/members/{id}/{form}", Ct)).StatusCode);
    }
}
