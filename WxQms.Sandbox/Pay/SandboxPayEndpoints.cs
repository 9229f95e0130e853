using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using static WxQms.Sandbox.SandboxHttp;

namespace WxQms.Sandbox.Pay;

/// <summary>
/// WeChat Pay APIv3 as the sandbox imitates it, under <c>Wechat:Pay:ApiBase</c> (/sandbox/wechat): JSAPI orders, the order
/// query, closing, refunds and their query. Every request must carry the merchant's signature (else 401 SIGN_ERROR, as
/// WeChat answers), every answer is signed with the sandbox platform's key, errors are <c>{code, message}</c> with
/// WeChat's statuses. Helpers for the phone and the tests: pay an order as its user would, post its notification again,
/// list a user's unpaid orders.
/// </summary>
internal static class SandboxPayEndpoints
{
    public static void MapSandboxPay(this RouteGroupBuilder wx)
    {
        wx.MapPost("/v3/pay/transactions/jsapi", JsapiAsync);
        wx.MapGet("/v3/pay/transactions/out-trade-no/{outTradeNo}", QueryAsync);
        wx.MapPost("/v3/pay/transactions/out-trade-no/{outTradeNo}/close", CloseAsync);
        wx.MapPost("/v3/refund/domestic/refunds", RefundAsync);
        wx.MapGet("/v3/refund/domestic/refunds/{outRefundNo}", QueryRefundAsync);

        wx.MapPost("/pay/{outTradeNo}/confirm", ConfirmAsync);
        wx.MapPost("/pay/{outTradeNo}/notify", RepeatNotifyAsync);
        wx.MapGet("/pay/orders", OpenOrders);
    }

    private sealed class Signed(SandboxPay pay, int status, object? body) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            var text = body is null ? "" : JsonSerializer.Serialize(body, Json);
            http.Response.StatusCode = status;
            http.Response.Headers["Request-ID"] = Guid.NewGuid().ToString("N");
            foreach (var (name, value) in pay.Sign(text))
                http.Response.Headers[name] = value;
            if (body is not null)
            {
                http.Response.ContentType = "application/json; charset=utf-8";
                await http.Response.WriteAsync(text, Encoding.UTF8);
            }
        }
    }

    private static IResult Error(SandboxPay pay, int status, string code, string message) =>
        new Signed(pay, status, new { code, message });

    /// <summary>Reads the body and checks the merchant's signature over it; a refusal is WeChat's 401 SIGN_ERROR.</summary>
    /// <remarks>A signed call <see cref="SandboxPay.FailNext"/> asked to fail is WeChat's 500 SYSTEM_ERROR.</remarks>
    private static async Task<(string Body, IResult? Refused)> ReadSignedAsync(HttpRequest request, SandboxPay pay, string api,
        CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(ct);
        var pathAndQuery = (request.PathBase + request.Path).ToUriComponent() + request.QueryString.ToUriComponent();
        if (pay.CheckRequest(request.Method, pathAndQuery, request.Headers.Authorization, body) is { } problem)
            return (body, Error(pay, 401, "SIGN_ERROR", problem));
        return pay.TakeFailure(api) ? (body, Error(pay, 500, "SYSTEM_ERROR", "系统错误")) : (body, null);
    }

    private static JsonElement? Parse(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static async Task<IResult> JsapiAsync(HttpRequest request, SandboxPay pay, SandboxWechat wechat, CancellationToken ct)
    {
        var (body, refused) = await ReadSignedAsync(request, pay, "jsapi", ct);
        if (refused is not null)
            return refused;
        if (Parse(body) is not { } root)
            return Error(pay, 400, "PARAM_ERROR", "请求体不是 JSON 对象");
        var outTradeNo = root.Text("out_trade_no");
        var openid = root.Child("payer", JsonValueKind.Object)?.Text("openid");
        var amount = root.Child("amount", JsonValueKind.Object);
        var total = int.TryParse(amount?.Text("total"), NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : 0;
        if (root.Text("appid") != wechat.Options.Mp.AppId)
            return Error(pay, 400, "PARAM_ERROR", "appid 与 mchid 不匹配");
        if (root.Text("mchid") != pay.Merchant.MchId)
            return Error(pay, 400, "PARAM_ERROR", "mchid 与签名不符");
        if (outTradeNo is null || outTradeNo.Length is < 6 or > 32 || string.IsNullOrEmpty(root.Text("description"))
            || string.IsNullOrEmpty(root.Text("notify_url")) || total <= 0 || amount?.Text("currency") is not (null or "CNY"))
            return Error(pay, 400, "PARAM_ERROR", "参数错误：out_trade_no、description、notify_url 或 amount");
        if (openid is null || await wechat.Users.FindAsync(openid, ct) is not { } user || user.MpOpenId != openid)
            return Error(pay, 400, "PARAM_ERROR", "用户 openid 与 appid 不匹配");
        if (!DateTimeOffset.TryParse(root.Text("time_expire"), CultureInfo.InvariantCulture, DateTimeStyles.None, out var expire))
            expire = pay.Clock.GetUtcNow().AddHours(2);

        var order = pay.Orders.GetOrAdd(outTradeNo, no => new SandboxPayOrder
        {
            OutTradeNo = no,
            AppId = root.Text("appid")!,
            MchId = root.Text("mchid")!,
            Description = root.Text("description")!,
            Total = total,
            OpenId = openid,
            NotifyUrl = root.Text("notify_url")!,
            TimeExpire = expire,
            PrepayId = "wx" + pay.Clock.GetUtcNow().ToString("ddHHmmss", CultureInfo.InvariantCulture) + RandomNumberGenerator.GetHexString(24, lowercase: true),
            CreatedAt = pay.Clock.GetUtcNow(),
        });
        // The same number again: the same order if nothing differs, else WeChat's 商户订单号重复.
        if (order.Total != total || order.OpenId != openid)
            return Error(pay, 400, "INVALID_REQUEST", "商户订单号重复");
        if (order.State != "NOTPAY")
            return Error(pay, 400, order.State == "CLOSED" ? "ORDER_CLOSED" : "ORDERPAID", "订单已" + (order.State == "CLOSED" ? "关闭" : "支付"));
        return new Signed(pay, 200, new { prepay_id = order.PrepayId });
    }

    internal static async Task<IResult> QueryAsync(string outTradeNo, string? mchid, HttpRequest request, SandboxPay pay, CancellationToken ct)
    {
        var (_, refused) = await ReadSignedAsync(request, pay, "query", ct);
        if (refused is not null)
            return refused;
        if (mchid != pay.Merchant.MchId)
            return Error(pay, 400, "PARAM_ERROR", "mchid 缺失或不符");
        if (!pay.Orders.TryGetValue(outTradeNo, out var order))
            return Error(pay, 404, "ORDER_NOT_EXIST", "订单不存在");
        lock (order)
        {
            if (order.State == "NOTPAY" && pay.Clock.GetUtcNow() > order.TimeExpire)
                order.State = "CLOSED";
            return new Signed(pay, 200, pay.Transaction(order));
        }
    }

    internal static async Task<IResult> CloseAsync(string outTradeNo, HttpRequest request, SandboxPay pay, CancellationToken ct)
    {
        var (_, refused) = await ReadSignedAsync(request, pay, "close", ct);
        if (refused is not null)
            return refused;
        if (!pay.Orders.TryGetValue(outTradeNo, out var order))
            return Error(pay, 404, "ORDER_NOT_EXIST", "订单不存在");
        lock (order)
        {
            if (order.State is "SUCCESS" or "REFUND")
                return Error(pay, 400, "ORDERPAID", "订单已支付");
            order.State = "CLOSED";
        }
        return new Signed(pay, 204, null);
    }

    internal static async Task<IResult> RefundAsync(HttpRequest request, SandboxPay pay, CancellationToken ct)
    {
        var (body, refused) = await ReadSignedAsync(request, pay, "refund", ct);
        if (refused is not null)
            return refused;
        if (Parse(body) is not { } root || root.Text("out_refund_no") is not { } outRefundNo || root.Text("out_trade_no") is not { } outTradeNo)
            return Error(pay, 400, "PARAM_ERROR", "参数错误：out_trade_no 或 out_refund_no");
        if (!pay.Orders.TryGetValue(outTradeNo, out var order))
            return Error(pay, 404, "RESOURCE_NOT_EXISTS", "订单不存在");
        var amount = root.Child("amount", JsonValueKind.Object);
        var refund = int.TryParse(amount?.Text("refund"), NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : 0;
        if (order.State is not ("SUCCESS" or "REFUND"))
            return Error(pay, 400, "INVALID_REQUEST", "订单未支付，不能退款");
        if (refund <= 0 || refund > order.Total || amount?.Text("total") != order.Total.ToString(CultureInfo.InvariantCulture))
            return Error(pay, 400, "PARAM_ERROR", "退款金额有误");
        var added = false;
        var kept = pay.Refunds.GetOrAdd(outRefundNo, no =>
        {
            added = true;
            return new SandboxRefund(no, "5030" + RandomNumberGenerator.GetString("0123456789", 25), outTradeNo, order.TransactionId!,
                refund, order.Total, root.Text("notify_url") ?? order.NotifyUrl, pay.Clock.GetUtcNow());
        });
        if (added)
        {
            lock (order)
                order.State = "REFUND";
            // Posted after this answer, as WeChat does once the money has gone back.
            _ = Task.Run(async () =>
            {
                await Task.Delay(50);
                await pay.NotifyRefundAsync(kept, CancellationToken.None);
            }, CancellationToken.None);
        }
        return new Signed(pay, 200, RefundBody(kept, "PROCESSING"));
    }

    internal static async Task<IResult> QueryRefundAsync(string outRefundNo, HttpRequest request, SandboxPay pay, CancellationToken ct)
    {
        var (_, refused) = await ReadSignedAsync(request, pay, "refund-query", ct);
        if (refused is not null)
            return refused;
        return pay.Refunds.TryGetValue(outRefundNo, out var refund)
            ? new Signed(pay, 200, RefundBody(refund, "SUCCESS"))
            : Error(pay, 404, "RESOURCE_NOT_EXISTS", "退款单不存在");
    }

    private static object RefundBody(SandboxRefund r, string status) => new
    {
        refund_id = r.RefundId,
        out_refund_no = r.OutRefundNo,
        transaction_id = r.TransactionId,
        out_trade_no = r.OutTradeNo,
        channel = "ORIGINAL",
        user_received_account = "支付用户零钱",
        status,
        create_time = r.CreatedAt.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
        amount = new { total = r.Total, refund = r.Refund, payer_total = r.Total, payer_refund = r.Refund, currency = "CNY" },
    };

    /// <summary>
    /// The user pays (the phone's 确认支付): the order is paid and its notification posted, then retried as WeChat does
    /// until acknowledged. <c>notify=false</c> loses the notification (it never reaches us; the order query must find it).
    /// </summary>
    internal static async Task<IResult> ConfirmAsync(string outTradeNo, bool? notify, SandboxPay pay, CancellationToken ct)
    {
        var (order, refusal) = pay.Confirm(outTradeNo);
        if (order is null)
            return HelperProblem(StatusCodes.Status404NotFound, $"沙箱微信支付中没有订单 {outTradeNo}");
        if (refusal is not null)
            return HelperProblem(StatusCodes.Status409Conflict, refusal);
        if (notify == false)
            return Answer(new { outTradeNo, transactionId = order.TransactionId, notified = false });
        var delivery = await pay.NotifyAsync(order, ct);
        return Answer(new { outTradeNo, transactionId = order.TransactionId, notified = delivery.Acknowledged, status = delivery.Status });
    }

    /// <summary>Posts a paid order's notification once more, exactly as before: a repeated notification.</summary>
    internal static async Task<IResult> RepeatNotifyAsync(string outTradeNo, SandboxPay pay, CancellationToken ct)
    {
        if (!pay.Orders.TryGetValue(outTradeNo, out var order) || order.Notification is null)
            return HelperProblem(StatusCodes.Status404NotFound, $"订单 {outTradeNo} 不存在或尚未支付");
        var delivery = await pay.RepeatAsync(order, ct);
        return Answer(new { outTradeNo, notified = delivery.Acknowledged, status = delivery.Status, answer = delivery.Answer });
    }

    /// <summary>The unpaid, unexpired orders a user started (named by either openid): what the phone's pay sheet offers.</summary>
    internal static async Task<IResult> OpenOrders(string? openid, SandboxPay pay, SandboxWechat wechat, CancellationToken ct)
    {
        openid = (await wechat.Users.FindAsync(openid, ct))?.MpOpenId ?? openid;
        var now = pay.Clock.GetUtcNow();
        return Answer(pay.Orders.Values
            .Where(o => o.OpenId == openid && o.State == "NOTPAY" && o.TimeExpire > now)
            .OrderByDescending(o => o.CreatedAt)
            .Select(o => new { o.OutTradeNo, o.Description, totalFen = o.Total, merchant = SandboxPayMerchant.Name, o.TimeExpire })
            .ToList());
    }
}

/// <summary>The name WeChat's pay sheet shows for the sandbox merchant.</summary>
public static class SandboxPayMerchant
{
    public const string Name = "东风路街道党工委（沙箱商户）";
}
