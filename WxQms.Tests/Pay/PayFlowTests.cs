using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using WxQms.Domain.Model;
using WxQms.Domain.Services.Pay;
using WxQms.Domain.Wechat;
using WxQms.Domain.Wechat.Pay;
using WxQms.Sandbox;
using WxQms.Sandbox.Pay;
using WxQms.Tests.Infrastructure;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Pay;

/// <summary>
/// WeChat Pay end to end on the seeded subdistrict: an order started with our v3 client against the sandbox's WeChat Pay,
/// paid as the user would (the sandbox's confirm helper), the signed and encrypted notification posted to
/// <c>/wechat/pay/notify</c> through the real pipeline, and the job's queries, closes and refunds. What is paid for is the
/// test host's own kind (<see cref="TestPaidOrderHandler"/>: one <c>test.settled</c> audit entry per settlement).
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class PayFlowTests(WxQmsApp app, SeededSubdistrict seeded) : IClassFixture<SeededSubdistrict>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly HttpClient http = app.CreateClient();

    private SandboxPay Sandbox => app.Get<SandboxPay>();

    private sealed record Payer(long MemberId, string MpOpenId);

    private async Task<Payer> PayerAsync()
    {
        _ = seeded;
        var (id, code) = await QuerySingleAsync<(long, string)>("SELECT id, code FROM members ORDER BY id LIMIT 1 OFFSET 7");
        return new Payer(id, SandboxUsers.MpOpenIdOf(code));
    }

    private async Task<(Payer Payer, RequestPaymentParams Params, string Payload)> StartAsync(string? payload = null, int amountFen = 2400)
    {
        var payer = await PayerAsync();
        payload ??= $"months-{Guid.NewGuid():N}";
        var started = await app.Get<IPayOrders>().StartAsync(
            new PayRequest(TestPaidOrderHandler.TestKind, payer.MemberId, amountFen, "党费 2026年10—12月", payload), payer.MpOpenId, Ct);
        return (payer, started, payload);
    }

    private static Task<long> SettledAsync(string payload) => ScalarAsync(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'test.settled' AND JSON_UNQUOTE(JSON_EXTRACT(data, '$.payload')) = @payload",
        new { payload });

    private static Task<string> StateAsync(string outTradeNo) =>
        QuerySingleAsync<string>("SELECT state FROM pay_orders WHERE out_trade_no = @outTradeNo", new { outTradeNo });

    private static Task<long> AuditsAsync(string action, string outTradeNo) => ScalarAsync("""
        SELECT COUNT(*) FROM audit_log a JOIN pay_orders o ON o.id = a.entity_id AND a.entity_type = 'pay_order'
        WHERE a.action = @action AND o.out_trade_no = @outTradeNo
        """, new { action, outTradeNo });

    private async Task<JsonElement> ConfirmAsync(string outTradeNo, bool notify = true)
    {
        using var response = await http.PostAsync($"/sandbox/wechat/pay/{outTradeNo}/confirm{(notify ? "" : "?notify=false")}", null, Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private async Task<JsonElement> NotifyAgainAsync(string outTradeNo)
    {
        using var response = await http.PostAsync($"/sandbox/wechat/pay/{outTradeNo}/notify", null, Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await condition())
                return;
            await Task.Delay(50, Ct);
        }
        Assert.Fail($"not within 5 s: {what}");
    }

    [Fact]
    public async Task Starting_an_order_answers_the_signed_parameters_of_wx_requestPayment()
    {
        var (_, started, _) = await StartAsync();

        var prepayId = Sandbox.Orders[started.OutTradeNo].PrepayId;
        Assert.Equal("prepay_id=" + prepayId, started.Package);
        Assert.Equal("RSA", started.SignType);
        var appId = app.Get<IOptions<WechatOptions>>().Value.Mp.AppId;
        Assert.True(WechatPaySigning.Verify(app.Get<WechatPayKeys>().Merchant,
            WechatPaySigning.PayMessage(appId, started.TimeStamp, started.NonceStr, started.Package), started.PaySign));
        Assert.Equal("open", await StateAsync(started.OutTradeNo));
        Assert.Equal(2400, Sandbox.Orders[started.OutTradeNo].Total);
        Assert.Equal(1, await AuditsAsync("pay.order_started", started.OutTradeNo));
    }

    [Fact]
    public async Task A_paid_order_is_settled_once_when_the_notification_comes_twice()
    {
        var (_, started, payload) = await StartAsync();

        var confirmed = await ConfirmAsync(started.OutTradeNo);
        Assert.True(confirmed.GetProperty("notified").GetBoolean());
        var again = await NotifyAgainAsync(started.OutTradeNo);

        Assert.True(again.GetProperty("notified").GetBoolean()); // a repeated notification is acknowledged, not refused
        Assert.Equal("paid", await StateAsync(started.OutTradeNo));
        Assert.Equal(1, await SettledAsync(payload));
        Assert.Equal(1, await AuditsAsync("pay.order_paid", started.OutTradeNo));
        Assert.Equal(Sandbox.Orders[started.OutTradeNo].TransactionId,
            await QuerySingleAsync<string>("SELECT transaction_id FROM pay_orders WHERE out_trade_no = @no", new { no = started.OutTradeNo }));
    }

    [Fact]
    public async Task A_notification_and_the_order_query_racing_settle_the_order_once()
    {
        var (_, started, payload) = await StartAsync();
        await ConfirmAsync(started.OutTradeNo, notify: false);
        app.Clock.Advance(app.Get<IOptions<WechatPayOptions>>().Value.QueryAfter + TimeSpan.FromSeconds(1));

        var reconciler = app.Get<PayReconciler>();
        await Task.WhenAll(
            Task.Run(() => NotifyAgainAsync(started.OutTradeNo), Ct), Task.Run(() => reconciler.RunAsync(Ct), Ct),
            Task.Run(() => NotifyAgainAsync(started.OutTradeNo), Ct), Task.Run(() => reconciler.RunAsync(Ct), Ct));

        Assert.Equal("paid", await StateAsync(started.OutTradeNo));
        Assert.Equal(1, await SettledAsync(payload));
        Assert.Equal(1, await AuditsAsync("pay.order_paid", started.OutTradeNo));
        Assert.Equal(2, Sandbox.Orders[started.OutTradeNo].Acknowledged);
    }

    [Fact]
    public async Task A_notification_with_a_bad_signature_or_a_tampered_ciphertext_changes_nothing_and_gets_the_failure_body()
    {
        var (_, started, payload) = await StartAsync();
        await ConfirmAsync(started.OutTradeNo, notify: false);
        var body = Sandbox.Orders[started.OutTradeNo].Notification!;

        // Signed by someone else: the platform's signature over another body.
        var headers = Sandbox.Sign(body.Replace("支付成功", "支付成功 "));
        await AssertRefusedAsync(body, headers, HttpStatusCode.Unauthorized);
        // A stale timestamp (six minutes old) is a replay.
        await AssertRefusedAsync(body, null, HttpStatusCode.Unauthorized, staleBy: TimeSpan.FromMinutes(6));

        // Validly signed, but the ciphertext was changed on the way: it does not open.
        using var doc = JsonDocument.Parse(body);
        var ciphertext = doc.RootElement.GetProperty("resource").GetProperty("ciphertext").GetString()!;
        var bytes = Convert.FromBase64String(ciphertext);
        bytes[10] ^= 0x20;
        var tampered = body.Replace(ciphertext, Convert.ToBase64String(bytes));
        await AssertRefusedAsync(tampered, Sandbox.Sign(tampered), HttpStatusCode.BadRequest);

        Assert.Equal("open", await StateAsync(started.OutTradeNo));
        Assert.Equal(0, await SettledAsync(payload));
        Assert.Equal(0, await AuditsAsync("pay.order_paid", started.OutTradeNo));

        // The genuine notification still settles it.
        Assert.True((await NotifyAgainAsync(started.OutTradeNo)).GetProperty("notified").GetBoolean());
        Assert.Equal(1, await SettledAsync(payload));
    }

    private async Task AssertRefusedAsync(string body, IReadOnlyDictionary<string, string>? headers, HttpStatusCode status,
        TimeSpan? staleBy = null)
    {
        if (headers is null)
        {
            // Signed properly, then the timestamp moved staleBy into the past.
            var signed = Sandbox.Sign(body);
            var old = (long.Parse(signed["Wechatpay-Timestamp"]) - (long)staleBy!.Value.TotalSeconds).ToString();
            headers = new Dictionary<string, string>(signed) { ["Wechatpay-Timestamp"] = old };
        }
        var (answered, text) = await PostNotificationAsync(http, body, headers);
        Assert.Equal(status, answered);
        var answer = JsonDocument.Parse(text).RootElement;
        Assert.Equal("FAIL", answer.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(answer.GetProperty("message").GetString()));
    }

    /// <summary>Posts a notification to <c>/wechat/pay/notify</c> as WeChat Pay would, with exactly these headers.</summary>
    private static async Task<(HttpStatusCode Status, string Answer)> PostNotificationAsync(HttpClient client, string body,
        IReadOnlyDictionary<string, string> headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/wechat/pay/notify")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in headers)
            request.Headers.TryAddWithoutValidation(name, value);
        using var response = await client.SendAsync(request, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    [Theory]
    [InlineData("an amount that is not the order's")]
    [InlineData("another merchant's")]
    [InlineData("another mini program's")]
    [InlineData("an order that is not ours")]
    [InlineData("not paid")]
    public async Task A_genuine_notification_that_does_not_match_the_order_changes_nothing_and_gets_the_failure_body(string change)
    {
        var (_, started, payload) = await StartAsync();
        await ConfirmAsync(started.OutTradeNo, notify: false);
        var transaction = JsonSerializer.SerializeToNode(Sandbox.Transaction(Sandbox.Orders[started.OutTradeNo]))!.AsObject();
        switch (change)
        {
            case "an amount that is not the order's":
                transaction["amount"]!["total"] = 1;
                transaction["amount"]!["payer_total"] = 1;
                break;
            case "another merchant's":
                transaction["mchid"] = "1900000110";
                break;
            case "another mini program's":
                transaction["appid"] = "wx0b0000000000fake";
                break;
            case "an order that is not ours":
                transaction["out_trade_no"] = "P20261207000000NOTOURS00000";
                break;
            case "not paid":
                transaction["trade_state"] = "NOTPAY";
                break;
        }
        // Signed by the platform and sealed with the APIv3 key: only what it says is wrong.
        var body = Sandbox.Seal("TRANSACTION.SUCCESS", "支付成功", "transaction", transaction.ToJsonString());

        await AssertRefusedAsync(body, Sandbox.Sign(body), HttpStatusCode.BadRequest);

        Assert.Equal("open", await StateAsync(started.OutTradeNo));
        Assert.Equal(0, await SettledAsync(payload));
        Assert.Equal(0, await AuditsAsync("pay.order_paid", started.OutTradeNo));
        Assert.True((await NotifyAgainAsync(started.OutTradeNo)).GetProperty("notified").GetBoolean());
        Assert.Equal(1, await SettledAsync(payload));
    }

    [Theory]
    [InlineData("committed, then the Api died before answering")]
    [InlineData("the Api died inside the payment's transaction")]
    public async Task The_same_notification_delivered_again_after_the_Api_restarted_settles_the_order_once(string first)
    {
        var (_, started, payload) = await StartAsync();
        await ConfirmAsync(started.OutTradeNo, notify: false);
        // One notification, byte for byte and with the same signature headers, delivered to each instance in turn.
        var body = Sandbox.Orders[started.OutTradeNo].Notification!;
        var headers = Sandbox.Sign(body);

        var before = await InstanceAsync();
        if (first.Contains("inside", StringComparison.Ordinal))
            TestPaidOrderHandler.FailNext(1); // the settlement throws: the transaction rolls back as when the process dies
        var (status, _) = await PostNotificationAsync(before.CreateClient(), body, headers);
        Assert.Equal(first.Contains("inside", StringComparison.Ordinal) ? HttpStatusCode.InternalServerError : HttpStatusCode.OK, status);
        await before.DisposeAsync(); // gone, with everything it held in memory; only the database remembers

        var after = await InstanceAsync();
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await PostNotificationAsync(after.CreateClient(), body, headers)).Status);
            Assert.Equal(HttpStatusCode.OK, (await PostNotificationAsync(after.CreateClient(), body, headers)).Status);
        }
        finally
        {
            await after.DisposeAsync();
        }

        Assert.Equal("paid", await StateAsync(started.OutTradeNo));
        Assert.Equal(1, await SettledAsync(payload));
        Assert.Equal(1, await AuditsAsync("pay.order_paid", started.OutTradeNo));
    }

    /// <summary>A fresh Api instance on the same MySQL and Redis, its clock where the shared app's is.</summary>
    private async Task<WxQmsApp> InstanceAsync()
    {
        var instance = new WxQmsApp();
        instance.Clock.SetUtcNow(app.Clock.GetUtcNow());
        await instance.InitializeAsync();
        return instance;
    }

    [Fact]
    public async Task An_order_not_paid_in_time_is_closed_with_WeChat_and_here()
    {
        var (_, started, payload) = await StartAsync();
        app.Clock.Advance(app.Get<IOptions<WechatPayOptions>>().Value.OrderLifetime + TimeSpan.FromSeconds(1));

        var result = await app.Get<PayReconciler>().RunAsync(Ct);

        Assert.True(result.Closed >= 1);
        Assert.Equal("closed", await StateAsync(started.OutTradeNo));
        Assert.Equal("CLOSED", Sandbox.Orders[started.OutTradeNo].State);
        Assert.Equal(1, await AuditsAsync("pay.order_closed", started.OutTradeNo));
        using var late = await http.PostAsync($"/sandbox/wechat/pay/{started.OutTradeNo}/confirm", null, Ct);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode); // the user can no longer pay it
        Assert.Equal(0, await SettledAsync(payload));
    }

    [Fact]
    public async Task A_lost_notification_is_made_good_by_the_order_query_once()
    {
        var (_, started, payload) = await StartAsync();
        await ConfirmAsync(started.OutTradeNo, notify: false);
        var reconciler = app.Get<PayReconciler>();

        await reconciler.RunAsync(Ct); // too early: the notification may still come
        Assert.Equal("open", await StateAsync(started.OutTradeNo));

        app.Clock.Advance(app.Get<IOptions<WechatPayOptions>>().Value.QueryAfter + TimeSpan.FromSeconds(1));
        await reconciler.RunAsync(Ct);
        await reconciler.RunAsync(Ct);

        Assert.Equal("paid", await StateAsync(started.OutTradeNo));
        Assert.Equal(1, await SettledAsync(payload));
        Assert.Equal("query", await QuerySingleAsync<string>("""
            SELECT JSON_UNQUOTE(JSON_EXTRACT(a.data, '$.source')) FROM audit_log a JOIN pay_orders o ON o.id = a.entity_id
            WHERE a.action = 'pay.order_paid' AND a.entity_type = 'pay_order' AND o.out_trade_no = @no
            """, new { no = started.OutTradeNo }));
    }

    [Fact]
    public async Task A_second_payment_for_something_already_settled_is_refunded()
    {
        var (_, first, payload) = await StartAsync();
        var (_, second, _) = await StartAsync(payload);

        await ConfirmAsync(first.OutTradeNo);
        await ConfirmAsync(second.OutTradeNo);

        Assert.Equal(1, await SettledAsync(payload));
        Assert.Equal("paid", await StateAsync(second.OutTradeNo));
        var outRefundNo = "R" + second.OutTradeNo;
        Assert.True(Sandbox.Refunds.ContainsKey(outRefundNo));
        Assert.Equal(2400, Sandbox.Refunds[outRefundNo].Refund);
        // The sandbox posts REFUND.SUCCESS once the money is back; the refund is then done, once.
        await EventuallyAsync(async () => await QuerySingleAsync<string>(
            "SELECT state FROM pay_refunds WHERE out_refund_no = @outRefundNo", new { outRefundNo }) == "done", "refund done");
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'pay.refund_done'" +
            " AND entity_id = (SELECT id FROM pay_refunds WHERE out_refund_no = @outRefundNo)", new { outRefundNo }));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM pay_refunds r JOIN pay_orders o ON o.id = r.order_id WHERE o.out_trade_no = @no",
            new { no = first.OutTradeNo }));
    }

    [Fact]
    public async Task A_refund_WeChat_Pay_was_too_busy_to_take_is_sent_again_by_the_job_and_done_once()
    {
        var (_, first, payload) = await StartAsync();
        var (_, second, _) = await StartAsync(payload);
        await ConfirmAsync(first.OutTradeNo);
        Sandbox.FailNext("refund", int.MaxValue); // busy for the refund right after the payment and the job's first try

        await ConfirmAsync(second.OutTradeNo);

        var outRefundNo = "R" + second.OutTradeNo;
        Task<string> RefundStateAsync() =>
            QuerySingleAsync<string>("SELECT state FROM pay_refunds WHERE out_refund_no = @outRefundNo", new { outRefundNo });
        Assert.Equal("pending", await RefundStateAsync());
        Assert.False(Sandbox.Refunds.ContainsKey(outRefundNo));
        var reconciler = app.Get<PayReconciler>();
        await reconciler.RunAsync(Ct);
        Assert.Equal("pending", await RefundStateAsync());
        Sandbox.FailNext("refund", 0);

        await reconciler.RunAsync(Ct);

        Assert.Equal(2400, Sandbox.Refunds[outRefundNo].Refund);
        await EventuallyAsync(async () => await RefundStateAsync() == "done", "refund done");
        await reconciler.RunAsync(Ct);
        Assert.Single(Sandbox.Refunds, r => r.Value.OutTradeNo == second.OutTradeNo);
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'pay.refund_done'" +
            " AND entity_id = (SELECT id FROM pay_refunds WHERE out_refund_no = @outRefundNo)", new { outRefundNo }));
        Assert.Equal(1, await SettledAsync(payload));
    }

    [Fact]
    public async Task An_order_WeChat_Pay_was_too_busy_to_take_answers_unavailable_and_is_closed_by_the_job()
    {
        Sandbox.FailNext("jsapi", 1);
        var payer = await PayerAsync();
        var request = new PayRequest(TestPaidOrderHandler.TestKind, payer.MemberId, 2400, "党费 2026年10—12月", $"months-{Guid.NewGuid():N}");

        await Assert.ThrowsAsync<WechatUnavailableException>(() => app.Get<IPayOrders>().StartAsync(request, payer.MpOpenId, Ct));

        var outTradeNo = await QuerySingleAsync<string>(
            "SELECT out_trade_no FROM pay_orders WHERE payload = @payload", new { payload = request.Payload });
        Assert.Equal("open", await StateAsync(outTradeNo)); // in doubt: WeChat may have it; only its time ends it
        Assert.False(Sandbox.Orders.ContainsKey(outTradeNo));
        var again = await app.Get<IPayOrders>().StartAsync(request, payer.MpOpenId, Ct); // the member tries again
        Assert.NotEqual(outTradeNo, again.OutTradeNo);

        app.Clock.Advance(app.Get<IOptions<WechatPayOptions>>().Value.OrderLifetime + TimeSpan.FromSeconds(1));
        await app.Get<PayReconciler>().RunAsync(Ct);

        Assert.Equal("closed", await StateAsync(outTradeNo));
        Assert.Equal("closed", await StateAsync(again.OutTradeNo));
    }

    [Fact]
    public async Task A_notification_we_failed_to_record_is_sent_again_until_acknowledged()
    {
        var (_, started, payload) = await StartAsync();
        TestPaidOrderHandler.FailNext(1);

        var confirmed = await ConfirmAsync(started.OutTradeNo);

        Assert.False(confirmed.GetProperty("notified").GetBoolean());
        Assert.Equal(500, confirmed.GetProperty("status").GetInt32());
        await EventuallyAsync(async () => await SettledAsync(payload) == 1, "settled by a later delivery");
        Assert.Equal("paid", await StateAsync(started.OutTradeNo));
        Assert.True(Sandbox.Orders[started.OutTradeNo].Deliveries >= 2);
    }

    [Fact]
    public async Task The_sandbox_refuses_a_request_without_the_merchant_signature_as_WeChat_does()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/sandbox/wechat/v3/pay/transactions/out-trade-no/P1234567?mchid=1900000109");
        request.Headers.TryAddWithoutValidation("Authorization",
            WechatPaySigning.Authorization("1900000109", "5A4DB0C0A0000000000000000000000000000001", "N",
                app.Clock.GetUtcNow().ToUnixTimeSeconds().ToString(), Convert.ToBase64String(new byte[256])));
        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("SIGN_ERROR", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("code").GetString());
        // ...and our client reads a WeChat error as WechatPayException with WeChat's code.
        var missing = await Assert.ThrowsAsync<WechatPayException>(() => app.Get<WechatPayClient>().QueryAsync("P0000000NOSUCH", Ct));
        Assert.Equal((404, "ORDER_NOT_EXIST"), (missing.Status, missing.Code));
    }
}
