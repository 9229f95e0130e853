using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WxQms.Domain.Rules.Dues;
using WxQms.Tests.Infrastructure;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Dues;

/// <summary>
/// 自愿多交 (DUTIES.md §A.3) through the same paths as the dues: a member adds a voluntary amount to her WeChat Pay order, the
/// branch's worker to a cash payment. The months are paid as before; the ledger's one line carries the voluntary part and what
/// it is, a single one of 1,000 yuan or more to be handed up in full to the centre. Paying more than the months ask without
/// saying it is voluntary stays refused.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class DuesVoluntaryTests(WxQmsApp shared) : DuesWorldTests(shared)
{

    [Fact]
    public async Task A_member_adds_1000_yuan_to_her_WeChat_Pay_order_and_the_ledger_line_says_it_goes_up_in_full()
    {
        var member = members[0];
        var token = await SignInAsync(member);

        var started = await SendAsync(HttpMethod.Post, "/api/mp/dues/pay", token, new { months = new[] { current.Key }, voluntaryFen = 100_000 });
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        var outTradeNo = (await started.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("outTradeNo").GetString()!;
        Assert.Equal(4500 + 100_000, await ScalarAsync("SELECT amount_fen FROM pay_orders WHERE out_trade_no = @outTradeNo", new { outTradeNo }));

        var confirmed = await dues.Client.PostAsync($"/sandbox/wechat/pay/{outTradeNo}/confirm", null, Ct);
        Assert.True(confirmed.IsSuccessStatusCode, $"confirm: {(int)confirmed.StatusCode}");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await ScalarAsync("SELECT COUNT(*) FROM dues_ledger WHERE reference = @outTradeNo", new { outTradeNo }) == 0 && DateTime.UtcNow < deadline)
            await Task.Delay(100, Ct);

        Assert.Equal(("paid", 4500), await QuerySingleAsync<(string, int)>(
            "SELECT state, paid_fen FROM dues_months WHERE member_id = @member AND month = @m", new { member, m = current.Key }));
        Assert.Equal((104_500, 100_000, "forward_in_full"), await QuerySingleAsync<(int, int, string)>(
            "SELECT amount_fen, voluntary_fen, voluntary_kind FROM dues_ledger WHERE reference = @outTradeNo", new { outTradeNo }));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'dues.paid' AND entity_id = @member", new { member }));

        // The worker's ledger shows the line as 自愿多交 and what of the year's money is to go up in full.
        var ledger = await BranchLedgerAsync();
        var line = ledger.GetProperty("ledger").EnumerateArray().Single(l => l.GetProperty("reference").GetString() == outTradeNo);
        Assert.Equal("自愿多交党费1,000.00元（单笔1000元以上，全额上缴中央）", line.GetProperty("voluntaryLabel").GetString());
        Assert.Equal((100_000, 100_000), (ledger.GetProperty("voluntaryFen").GetInt64(), ledger.GetProperty("forwardInFullFen").GetInt64()));
    }

    [Fact]
    public async Task The_worker_records_a_cash_payment_with_a_voluntary_part_and_more_than_the_dues_without_one_stays_refused()
    {
        var member = members[1];
        var worker = await WorkerAsync();
        var url = $"/api/mp/dues/members/{member}/cash";

        var over = await SendAsync(HttpMethod.Post, url, worker, new { months = new[] { current.Key }, amountFen = 5000, receiptNo = "SJ-V-1" });
        Assert.Equal("dues.amount_invalid", await CodeAsync(over));
        var partOnly = await SendAsync(HttpMethod.Post, url, worker,
            new { months = new[] { current.Key }, amountFen = 2000, voluntaryFen = 5000, receiptNo = "SJ-V-1" });
        Assert.Equal("dues.voluntary_refused", await CodeAsync(partOnly));
        var negative = await SendAsync(HttpMethod.Post, url, worker,
            new { months = new[] { current.Key }, amountFen = 4500, voluntaryFen = -1, receiptNo = "SJ-V-1" });
        Assert.Equal("dues.voluntary_refused", await CodeAsync(negative));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM dues_ledger"));

        var paid = await SendAsync(HttpMethod.Post, url, worker,
            new { months = new[] { current.Key }, amountFen = 4500, voluntaryFen = 5000, receiptNo = "SJ-V-1" });
        Assert.Equal(HttpStatusCode.NoContent, paid.StatusCode);
        Assert.Equal("paid", await QuerySingleAsync<string>("SELECT state FROM dues_months WHERE member_id = @member AND month = @m",
            new { member, m = current.Key }));
        Assert.Equal((9500, 5000, "voluntary", "cash"), await QuerySingleAsync<(int, int, string, string)>(
            "SELECT amount_fen, voluntary_fen, voluntary_kind, via FROM dues_ledger WHERE reference = 'SJ-V-1'"));
        var ledger = await BranchLedgerAsync();
        Assert.Equal((9500, 5000, 0), (ledger.GetProperty("collectedFen").GetInt64(), ledger.GetProperty("voluntaryFen").GetInt64(),
            ledger.GetProperty("forwardInFullFen").GetInt64()));
    }

    [Fact]
    public async Task A_voluntary_amount_out_of_range_starts_no_order()
    {
        var token = await SignInAsync(members[2]);
        var answer = await SendAsync(HttpMethod.Post, "/api/mp/dues/pay", token, new { months = new[] { current.Key }, voluntaryFen = 100_000_001 });
        Assert.Equal("dues.voluntary_refused", await CodeAsync(answer));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM pay_orders"));
    }

    private async Task<JsonElement> BranchLedgerAsync()
    {
        var answer = await SendAsync(HttpMethod.Get, $"/api/mp/dues/branches/{branch}", await WorkerAsync(), null);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        return await answer.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }
}
