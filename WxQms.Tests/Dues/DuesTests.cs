using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MySqlConnector;
using WxQms.Domain.Rules.Dues;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Dues;
using WxQms.Domain.Services.Pay;
using WxQms.Sandbox.Demo;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Sandbox;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Dues;

/// <summary>
/// Party dues on the real database and through the HTTP pipeline: a paid order settled once by the dues handler, a cash
/// payment by the branch's worker that settles the month's last member and completes the branch's 党费收缴 task on time,
/// arrears at the month's end (reminders, a talk, the committee's case; nobody's status changed), the disclosure page.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class DuesTests(WxQmsApp shared) : DuesWorldTests(shared)
{
    private readonly HttpClient noRedirects = shared.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    [Fact]
    public async Task The_monthly_rows_are_made_once_however_often_the_job_runs()
    {
        var before = await ScalarAsync("SELECT COUNT(*) FROM dues_months");
        Assert.Equal(0, await app.Get<DuesMonthMaker>().MakeAsync(app.Clock.GetUtcNow(), Ct));
        Assert.Equal(before, await ScalarAsync("SELECT COUNT(*) FROM dues_months"));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM dues_months WHERE amount_fen <> 4500 OR state <> 'owed'"));
    }

    [Fact]
    public async Task A_paid_dues_order_settles_its_months_once_with_one_ledger_line_and_a_second_payment_is_refused()
    {
        var member = members[0];
        var months = await OweThreeMonthsAsync(member);
        var handler = app.Get<IEnumerable<IPaidOrderHandler>>().Single(h => h.Kind == "dues");
        var order = new PaidOrder(1, "DUES-TEST-1", "dues", member, 3 * 4500, DuesPaidOrderHandler.Payload(months), "4200000001",
            app.Clock.GetUtcNow());

        Assert.True(await SettleAsync(handler, order));
        Assert.Equal(3, await ScalarAsync("SELECT COUNT(*) FROM dues_months WHERE member_id = @member AND state = 'paid' AND paid_fen = 4500",
            new { member }));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM dues_ledger WHERE reference = 'DUES-TEST-1' AND amount_fen = 13500 AND kind = 'collected'"));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'dues.paid' AND entity_id = @member", new { member }));
        // Only the month paid in its own month was paid on time.
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM points_ledger WHERE source = 'dues.on_time' AND subject_id = @member", new { member }));

        // Another order for the same months (a second tap, paid too): settles nothing, so WeChat Pay's side refunds it.
        Assert.False(await SettleAsync(handler, order with { OrderId = 2, OutTradeNo = "DUES-TEST-2" }));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM dues_ledger WHERE member_id = @member", new { member }));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'dues.paid' AND entity_id = @member", new { member }));
    }

    [Fact]
    public async Task The_worker_records_a_cash_payment_and_the_last_member_paying_completes_the_branchs_dues_task_on_time()
    {
        var last = members[^1];
        await ExecuteAsync("""
            UPDATE dues_months SET state = 'paid', paid_fen = amount_fen, settled_at = UTC_TIMESTAMP(6)
            WHERE org_id = @branch AND month = @m AND member_id <> @last
            """, new { branch, m = current.Key, last });
        var worker = await SignInAsync(await ScalarAsync(
            "SELECT member_id FROM member_roles WHERE org_id = @branch AND role = 'worker' ORDER BY member_id LIMIT 1", new { branch }));

        var noReceipt = await SendAsync(HttpMethod.Post, $"/api/mp/dues/members/{last}/cash", worker,
            new { months = new[] { current.Key }, amountFen = 4500 });
        Assert.Equal(HttpStatusCode.Conflict, noReceipt.StatusCode);
        Assert.Equal("dues.receipt_required", await CodeAsync(noReceipt));
        var partly = await SendAsync(HttpMethod.Post, $"/api/mp/dues/members/{last}/cash", worker,
            new { months = new[] { current.Key }, amountFen = 1000, receiptNo = "SJ-0001" });
        Assert.Equal(HttpStatusCode.NoContent, partly.StatusCode);
        Assert.Equal("partly_paid", await StateAsync(last, current));
        Assert.Equal("pending", await DuesTaskStateAsync());
        var again = await SendAsync(HttpMethod.Post, $"/api/mp/dues/members/{last}/cash", worker,
            new { months = new[] { current.Key }, amountFen = 3500, receiptNo = "SJ-0001" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode); // the same receipt is never booked twice
        var rest = await SendAsync(HttpMethod.Post, $"/api/mp/dues/members/{last}/cash", worker,
            new { months = new[] { current.Key }, amountFen = 3500, receiptNo = "SJ-0002" });
        Assert.Equal(HttpStatusCode.NoContent, rest.StatusCode);

        Assert.Equal("paid", await StateAsync(last, current));
        Assert.Equal("completed", await DuesTaskStateAsync());
        var taskId = await ScalarAsync("SELECT id FROM tasks WHERE org_id = @branch AND template_code = @code AND period_key = @m",
            new { branch, code = TaskCodes.PartyDues, m = current.Key });
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM points_ledger WHERE task_id = @taskId AND source = 'task.completed'", new { taskId }));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM task_evidence WHERE task_id = @taskId AND on_time AND passed", new { taskId }));

        // The ledger: 45 yuan collected; a hand-up of more than the balance is refused, then 45 handed up with its reference.
        var ledger = await (await SendAsync(HttpMethod.Get, $"/api/mp/dues/branches/{branch}", worker, null)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(4500, ledger.GetProperty("balanceFen").GetInt64());
        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync(HttpMethod.Post, $"/api/mp/dues/branches/{branch}/hand-ups", worker,
            new { amountFen = 4501, reference = "SJ-UP-1" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Post, $"/api/mp/dues/branches/{branch}/hand-ups", worker,
            new { amountFen = 4500, reference = "SJ-UP-1" })).StatusCode);
        ledger = await (await SendAsync(HttpMethod.Get, $"/api/mp/dues/branches/{branch}", worker, null)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal((4500, 4500, 0), (ledger.GetProperty("collectedFen").GetInt64(), ledger.GetProperty("handedUpFen").GetInt64(),
            ledger.GetProperty("balanceFen").GetInt64()));
    }

    [Fact]
    public async Task Six_months_owed_bring_a_reminder_a_talk_task_and_the_committees_case_once_and_never_a_status_change()
    {
        var member = members[1];
        var first = current;
        for (var i = 0; i < 6; i++)
            first = first.Previous;
        await ExecuteAsync("""
            INSERT INTO dues_months (member_id, org_id, month, amount_fen, paid_fen, state, created_at, updated_at)
            VALUES (@member, @branch, @m1, 4500, 0, 'owed', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)), (@member, @branch, @m2, 4500, 0, 'owed', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)),
                   (@member, @branch, @m3, 4500, 0, 'owed', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)), (@member, @branch, @m4, 4500, 0, 'owed', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)),
                   (@member, @branch, @m5, 4500, 0, 'owed', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)), (@member, @branch, @m6, 4500, 0, 'owed', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))
            ON DUPLICATE KEY UPDATE state = 'owed'
            """, new { member, branch, m1 = first.Key, m2 = first.Next.Key, m3 = first.Next.Next.Key, m4 = first.Next.Next.Next.Key,
            m5 = first.Next.Next.Next.Next.Key, m6 = current.Previous.Key });
        var status = await QuerySingleAsync<string>("SELECT status FROM members WHERE id = @member", new { member });

        var outcome = await app.Get<DuesArrearsScan>().ScanAsync(app.Clock.GetUtcNow(), Ct);
        var again = await app.Get<DuesArrearsScan>().ScanAsync(app.Clock.GetUtcNow(), Ct);

        Assert.Equal((current.Previous.Key, 1, 1, 1), (outcome.Month, outcome.Reminded, outcome.Talks, outcome.CommitteeCases));
        Assert.Equal((0, 0, 0), (again.Reminded, again.Talks, again.CommitteeCases));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM reminders WHERE subject_type = 'dues_month' AND member_id = @member", new { member }));
        Assert.Equal(1, await ScalarAsync("""
            SELECT COUNT(*) FROM dues_cases c JOIN tasks t ON t.id = c.task_id
            WHERE c.member_id = @member AND c.kind = 'talk' AND t.org_id = @branch AND t.state = 'pending'
            """, new { member, branch }));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM dues_cases WHERE member_id = @member AND kind = 'committee' AND decision IS NULL",
            new { member }));
        Assert.True(await ScalarAsync("SELECT COUNT(*) FROM reminders WHERE subject_type = 'dues_case'") > 0);
        Assert.Equal(status, await QuerySingleAsync<string>("SELECT status FROM members WHERE id = @member", new { member }));
    }

    [Fact]
    public async Task Office_staff_see_the_branches_totals_export_them_and_the_community_records_its_decision_on_a_six_month_case()
    {
        var member = members[1];
        var m = current;
        for (var i = 0; i < 6; i++)
        {
            m = m.Previous;
            await ExecuteAsync("""
                INSERT INTO dues_months (member_id, org_id, month, amount_fen, paid_fen, state, created_at, updated_at)
                VALUES (@member, @branch, @m, 4500, 0, 'owed', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))
                """, new { member, branch, m = m.Key });
        }
        var status = await QuerySingleAsync<string>("SELECT status FROM members WHERE id = @member", new { member });
        await app.Get<DuesArrearsScan>().ScanAsync(app.Clock.GetUtcNow(), Ct);
        var caseId = await ScalarAsync("SELECT id FROM dues_cases WHERE member_id = @member AND kind = 'committee'", new { member });
        var staff = await SignInAsync(await ScalarAsync("""
            SELECT r.member_id FROM member_roles r JOIN members x ON x.id = r.member_id
            WHERE r.role = 'staff' AND x.phone IS NOT NULL ORDER BY r.member_id LIMIT 1
            """));

        var page = await SendAsync(HttpMethod.Get, "/admin/dues", staff, null);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.Contains(await QuerySingleAsync<string>("SELECT name FROM orgs WHERE id = @branch", new { branch }), html);
        Assert.Contains(Arrears.CaseTitle, html);

        foreach (var url in new[] { $"/api/admin/dues/export?year={current.Year}", $"/api/admin/dues/branches/{branch}/export?year={current.Year}" })
        {
            var file = await SendAsync(HttpMethod.Get, url, staff, null);
            Assert.Equal(HttpStatusCode.OK, file.StatusCode);
            Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", file.Content.Headers.ContentType?.MediaType);
            Assert.True((await file.Content.ReadAsByteArrayAsync(Ct)).Length > 1000);
        }

        var empty = await SendFormAsync($"/admin/dues/cases/{caseId}/decision", staff, "");
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("请填写处理决定", await empty.Content.ReadAsStringAsync(Ct));
        var decided = await SendFormAsync($"/admin/dues/cases/{caseId}/decision", staff, "经社区党委研究，由支部书记再次谈话，暂缓处理");
        Assert.Equal(HttpStatusCode.SeeOther, decided.StatusCode);
        Assert.Equal("经社区党委研究，由支部书记再次谈话，暂缓处理",
            await QuerySingleAsync<string>("SELECT decision FROM dues_cases WHERE id = @caseId", new { caseId }));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'dues.case_decided' AND entity_id = @caseId", new { caseId }));
        Assert.Equal(status, await QuerySingleAsync<string>("SELECT status FROM members WHERE id = @member", new { member }));
    }

    [Fact]
    public async Task The_secretary_publishes_the_yearly_disclosure_with_names_masked()
    {
        var secretaryId = await ScalarAsync(
            "SELECT member_id FROM member_roles WHERE org_id = @branch AND role = 'secretary' ORDER BY member_id LIMIT 1", new { branch });
        var page = $"/h5/dues/{branch}/{current.Year}";
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(page, Ct)).StatusCode);
        var published = await SendAsync(HttpMethod.Post, $"/api/mp/dues/branches/{branch}/publish", await SignInAsync(secretaryId),
            new { year = current.Year });
        Assert.Equal(HttpStatusCode.NoContent, published.StatusCode);

        var html = await client.GetStringAsync(page, Ct);
        var name = await QuerySingleAsync<string>("SELECT name FROM members WHERE id = @id", new { id = members[0] });
        Assert.Contains($"{name[0]}*", html);
        Assert.DoesNotContain(name, html);
        Assert.Contains("党费收缴情况公示", html);
    }

    [Fact]
    public async Task A_member_sees_her_amount_how_it_was_worked_out_and_cannot_pay_months_out_of_order()
    {
        var member = members[0];
        var months = await OweThreeMonthsAsync(member);
        var token = await SignInAsync(member);
        var mine = await (await SendAsync(HttpMethod.Get, "/api/mp/dues/mine", token, null)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(4500, mine.GetProperty("monthlyFen").GetInt32());
        Assert.Contains("按1%交纳，每月45.00元", mine.GetProperty("explanation").GetString());
        Assert.Equal(months.Select(m => m.Key), mine.GetProperty("owed").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(13500, mine.GetProperty("owedFen").GetInt32());

        var skipped = await SendAsync(HttpMethod.Post, "/api/mp/dues/pay", token, new { months = new[] { months[1].Key } });
        Assert.Equal(HttpStatusCode.Conflict, skipped.StatusCode);
        Assert.Equal("dues.months_refused", await CodeAsync(skipped));
    }

    [Fact]
    public async Task Bad_input_is_answered_with_a_problem_and_its_code_never_a_500()
    {
        var worker = await SignInAsync(await ScalarAsync(
            "SELECT member_id FROM member_roles WHERE org_id = @branch AND role = 'worker' ORDER BY member_id LIMIT 1", new { branch }));
        var member = await SignInAsync(members[0]);
        foreach (var (token, url) in new[]
                 {
                     (worker, $"/api/mp/dues/branches/{branch}?year=0"), (worker, $"/api/mp/dues/branches/{branch}?year=9999"),
                     (worker, $"/api/admin/dues/branches/{branch}/export?year=0"), (worker, $"/api/admin/dues/export?year=9999"),
                     (member, "/api/mp/dues/mine?year=0"), (member, "/api/mp/dues/mine?year=9999"),
                 })
        {
            var answer = await SendAsync(HttpMethod.Get, url, token, null);
            Assert.True(answer.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Conflict, $"{url}: {(int)answer.StatusCode}");
            Assert.Equal("dues.year_invalid", await CodeAsync(answer));
        }

        // Money is integer fen: an amount with a fraction of a fen is not read as one.
        var fraction = await SendAsync(HttpMethod.Post, $"/api/mp/dues/members/{members[0]}/cash", worker,
            new { months = new[] { current.Key }, amountFen = 45.5, receiptNo = "SJ-0009" });
        Assert.Equal(HttpStatusCode.BadRequest, fraction.StatusCode);
        Assert.Equal("request.invalid", await CodeAsync(fraction));
        var category = await SendAsync(HttpMethod.Put, $"/api/mp/dues/members/{members[0]}/base", worker,
            new { year = current.Year, category = "soldier", baseFen = 450000 });
        Assert.Equal("dues.base_invalid", await CodeAsync(category));
        var month = await SendAsync(HttpMethod.Post, $"/api/mp/dues/members/{members[0]}/waive", worker, new { month = "2026-13", reason = "困难" });
        Assert.Equal("dues.month_invalid", await CodeAsync(month));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM dues_ledger"));
    }

    [Fact]
    public async Task A_reason_the_worker_records_keeps_the_month_owed_settles_it_for_the_branchs_task_and_keeps_the_case_from_the_committee()
    {
        var member = members[^1];
        await ExecuteAsync("""
            UPDATE dues_months SET state = 'paid', paid_fen = amount_fen, settled_at = UTC_TIMESTAMP(6)
            WHERE org_id = @branch AND month = @m AND member_id <> @member
            """, new { branch, m = current.Key, member });
        var six = new List<DuesMonth>();
        for (var m = current.Previous; six.Count < 6; m = m.Previous)
            six.Insert(0, m);
        foreach (var m in six)
            await ExecuteAsync("""
                INSERT INTO dues_months (member_id, org_id, month, amount_fen, paid_fen, state, created_at, updated_at)
                VALUES (@member, @branch, @m, 4500, 0, 'owed', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))
                """, new { member, branch, m = m.Key });
        var worker = await SignInAsync(await ScalarAsync(
            "SELECT member_id FROM member_roles WHERE org_id = @branch AND role = 'worker' ORDER BY member_id LIMIT 1", new { branch }));
        var url = $"/api/mp/dues/members/{member}/reason";

        Assert.Equal("dues.reason_required", await CodeAsync(await SendAsync(HttpMethod.Post, url, worker, new { month = current.Key, reason = " " })));
        Assert.Equal("dues.months_refused", await CodeAsync(await SendAsync(HttpMethod.Post, url, worker,
            new { month = current.Next.Key, reason = "住院治疗" })));
        var recorded = await SendAsync(HttpMethod.Post, url, worker, new { month = current.Key, reason = "住院治疗" });
        Assert.Equal(HttpStatusCode.NoContent, recorded.StatusCode);

        // The month stays owed (she still pays it), but the branch's month is settled: its task completes itself.
        Assert.Equal("owed", await StateAsync(member, current));
        Assert.Equal("completed", await DuesTaskStateAsync());
        var ledger = await (await SendAsync(HttpMethod.Get, $"/api/mp/dues/branches/{branch}", worker, null)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var row = ledger.GetProperty("members").EnumerateArray().Single(m => m.GetProperty("memberId").GetInt64() == member)
            .GetProperty("months").EnumerateArray().Single(m => m.GetProperty("month").GetString() == current.Key);
        Assert.Equal("住院治疗", row.GetProperty("reason").GetString());

        // A reason for the third of six months owed: three months in a row without one bring a talk, never the committee.
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Post, url, worker, new { month = six[2].Key, reason = "外出务工，已电话联系" })).StatusCode);
        var outcome = await app.Get<DuesArrearsScan>().ScanAsync(app.Clock.GetUtcNow(), Ct);
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM dues_cases WHERE member_id = @member AND kind = 'talk'", new { member }));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM dues_cases WHERE member_id = @member AND kind = 'committee'", new { member }));
        Assert.Equal(0, outcome.CommitteeCases);
        Assert.Equal(2, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'dues.reason_recorded' AND entity_id = @member", new { member }));

        // A settled month has nothing to explain.
        await ExecuteAsync("UPDATE dues_months SET state = 'paid', paid_fen = amount_fen WHERE member_id = @member AND month = @m", new { member, m = six[0].Key });
        var paid = await SendAsync(HttpMethod.Post, url, worker, new { month = six[0].Key, reason = "住院治疗" });
        Assert.Equal(HttpStatusCode.Conflict, paid.StatusCode);
        Assert.Equal("dues.already_settled", await CodeAsync(paid));
    }

    [Fact]
    public async Task A_base_stays_until_the_branch_records_the_new_years_so_january_is_owed_before_the_new_bases_are_in()
    {
        var member = members[0];
        await ExecuteAsync("DELETE FROM dues_months WHERE member_id = @member", new { member });
        await ExecuteAsync("UPDATE dues_bases SET year = @last, base_fen = 300000, monthly_fen = 1500 WHERE member_id = @member",
            new { member, last = current.Year - 1 });

        Assert.Equal(1, await app.Get<DuesMonthMaker>().MakeAsync(app.Clock.GetUtcNow(), Ct));
        Assert.Equal(1500, await ScalarAsync("SELECT amount_fen FROM dues_months WHERE member_id = @member AND month = @m",
            new { member, m = current.Key }));
        var mine = await (await SendAsync(HttpMethod.Get, "/api/mp/dues/mine", await SignInAsync(member), null)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(1500, mine.GetProperty("monthlyFen").GetInt32());
        Assert.Contains($"沿用{current.Year - 1}年核定的基数", mine.GetProperty("explanation").GetString());
        Assert.Equal([current.Key], mine.GetProperty("owed").EnumerateArray().Select(e => e.GetString()));
    }

    /// <summary>
    /// The Done-when: a member starts an order for three months through the API as the mini program does, the
    /// sandbox's confirm helper pays it, the notification arrives twice; the months are paid once, the ledger has one line, and
    /// the branch's monthly task completes as the last member pays.
    /// </summary>
    [Fact]
    public async Task A_member_pays_three_months_with_WeChat_Pay_and_a_repeated_notification_changes_nothing()
    {
        var member = members[^1];
        await ExecuteAsync("""
            UPDATE dues_months SET state = 'paid', paid_fen = amount_fen, settled_at = UTC_TIMESTAMP(6)
            WHERE org_id = @branch AND month = @m AND member_id <> @member
            """, new { branch, m = current.Key, member });
        var months = await OweThreeMonthsAsync(member);
        var token = await SignInAsync(member);

        var started = await SendAsync(HttpMethod.Post, "/api/mp/dues/pay", token, new { months = months.Select(m => m.Key) });
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        var pay = await started.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var outTradeNo = pay.GetProperty("outTradeNo").GetString()!;
        Assert.StartsWith("prepay_id=", pay.GetProperty("package").GetString());
        Assert.Equal(3 * 4500, await ScalarAsync("SELECT amount_fen FROM pay_orders WHERE out_trade_no = @outTradeNo", new { outTradeNo }));

        // The member pays on the pay sheet; the sandbox pushes the notification, and pushes it again as WeChat retries.
        var confirmed = await client.PostAsync($"/sandbox/wechat/pay/{outTradeNo}/confirm", null, Ct);
        Assert.True(confirmed.IsSuccessStatusCode, $"confirm: {(int)confirmed.StatusCode}");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await ScalarAsync("SELECT COUNT(*) FROM dues_months WHERE member_id = @member AND state = 'paid'", new { member }) < 3
               && DateTime.UtcNow < deadline)
            await Task.Delay(100, Ct);
        var replayed = await client.PostAsync($"/sandbox/wechat/pay/{outTradeNo}/confirm", null, Ct);
        Assert.True(replayed.IsSuccessStatusCode || replayed.StatusCode == HttpStatusCode.Conflict, $"second confirm: {(int)replayed.StatusCode}");

        Assert.Equal(3, await ScalarAsync("SELECT COUNT(*) FROM dues_months WHERE member_id = @member AND state = 'paid'", new { member }));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM dues_ledger WHERE member_id = @member AND reference = @outTradeNo",
            new { member, outTradeNo }));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'dues.paid' AND entity_id = @member", new { member }));
        Assert.Equal("completed", await DuesTaskStateAsync());
    }

    [Fact]
    public async Task A_members_record_says_how_many_months_she_owes_and_after_paying_the_month_she_has_paid_up_to()
    {
        var member = members[0];
        var months = await OweThreeMonthsAsync(member);
        var token = await SignInAsync(member);

        var owing = await RecordDuesAsync(token);
        Assert.Equal($"欠缴3个月（{months[0].Chinese}起）", owing.GetProperty("label").GetString());
        Assert.True(owing.GetProperty("owing").GetBoolean());

        var handler = app.Get<IEnumerable<IPaidOrderHandler>>().Single(h => h.Kind == "dues");
        Assert.True(await SettleAsync(handler, new PaidOrder(1, "DUES-RECORD-1", "dues", member, 3 * 4500, DuesPaidOrderHandler.Payload(months),
            "4200000009", app.Clock.GetUtcNow())));
        var paid = await RecordDuesAsync(token);
        Assert.Equal($"已缴至{current.Chinese}", paid.GetProperty("label").GetString());
        Assert.False(paid.GetProperty("owing").GetBoolean());
    }

    [Fact]
    public async Task A_members_record_comes_from_the_cache_until_her_cash_payment_is_recorded_and_then_shows_it()
    {
        var member = members[1];
        var months = await OweThreeMonthsAsync(member);
        var token = await SignInAsync(member);
        var worker = await SignInAsync(await ScalarAsync(
            "SELECT member_id FROM member_roles WHERE org_id = @branch AND role = 'worker' ORDER BY member_id LIMIT 1", new { branch }));

        using var first = await SendAsync(HttpMethod.Get, "/api/mp/me/record", token, null);
        using var again = await SendAsync(HttpMethod.Get, "/api/mp/me/record", token, null);
        Assert.Equal(("miss", "hit"), (first.Headers.GetValues("X-Cache").Single(), again.Headers.GetValues("X-Cache").Single()));
        var cached = await again.Content.ReadAsStringAsync(Ct);
        Assert.Equal(await first.Content.ReadAsStringAsync(Ct), cached); // the cached record is the record, to the byte
        var dues = JsonDocument.Parse(cached).RootElement.GetProperty("dues");
        Assert.Equal($"欠缴3个月（{months[0].Chinese}起）", dues.GetProperty("label").GetString());

        using (var paid = await SendAsync(HttpMethod.Post, $"/api/mp/dues/members/{member}/cash", worker,
                   new { months = months.Select(m => m.Key).ToArray(), amountFen = 3 * 4500, receiptNo = "SJ-RECORD-1" }))
            Assert.Equal(HttpStatusCode.NoContent, paid.StatusCode);

        using var after = await SendAsync(HttpMethod.Get, "/api/mp/me/record", token, null);
        Assert.Equal("miss", after.Headers.GetValues("X-Cache").Single());
        var record = await after.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal($"已缴至{current.Chinese}", record.GetProperty("dues").GetProperty("label").GetString());
        Assert.False(record.GetProperty("dues").GetProperty("owing").GetBoolean());
    }

    private async Task<JsonElement> RecordDuesAsync(string token)
    {
        var response = await SendAsync(HttpMethod.Get, "/api/mp/me/record", token, null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("dues");
    }

    /// <summary>Makes the member owe the two months before this one as well (three in all, in order).</summary>
    private async Task<List<DuesMonth>> OweThreeMonthsAsync(long member)
    {
        var months = new List<DuesMonth> { current.Previous.Previous, current.Previous, current };
        foreach (var m in months.Take(2))
            await ExecuteAsync("""
                INSERT INTO dues_months (member_id, org_id, month, amount_fen, paid_fen, state, created_at, updated_at)
                VALUES (@member, @branch, @m, 4500, 0, 'owed', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))
                """, new { member, branch, m = m.Key });
        return months;
    }

    private async Task<bool> SettleAsync(IPaidOrderHandler handler, PaidOrder order)
    {
        await using var conn = await TestDb.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync(Ct);
        var settled = await handler.SettleAsync(order, conn, tx, Ct);
        await tx.CommitAsync(Ct);
        if (settled)
            await handler.SettledAsync(order); // as PaySettlement does once the payment's transaction has committed
        return settled;
    }

    private Task<string> StateAsync(long member, DuesMonth m) =>
        QuerySingleAsync<string>("SELECT state FROM dues_months WHERE member_id = @member AND month = @m", new { member, m = m.Key });

    private Task<string> DuesTaskStateAsync() => QuerySingleAsync<string>(
        "SELECT state FROM tasks WHERE org_id = @branch AND template_code = @code AND period_key = @m",
        new { branch, code = TaskCodes.PartyDues, m = current.Key });

    private Task<HttpResponseMessage> SendFormAsync(string url, string token, string decision) =>
        noRedirects.SendAsync(HttpMethod.Post, url, token, new FormUrlEncodedContent([new("decision", decision)]));
}
