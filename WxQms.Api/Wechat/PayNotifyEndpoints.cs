using WxQms.Domain.Services.Pay;

namespace WxQms.Api.Wechat;

/// <summary>
/// <c>POST /wechat/pay/notify</c>: where WeChat Pay posts payment and refund notifications. Anonymous but checked against
/// the platform's signature; answers as WeChat Pay expects (200 without a body, or a failure status with
/// <c>{"code":"FAIL","message":"…"}</c>, after which WeChat sends the notification again), never ProblemDetails.
/// </summary>
public static class PayNotifyEndpoints
{
    public static IEndpointRouteBuilder MapWechatPayNotify(this IEndpointRouteBuilder app)
    {
        app.MapPost("/wechat/pay/notify", ReceiveAsync).WithTags("WeChat callbacks").ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> ReceiveAsync(HttpRequest request, PayNotifications notifications, CancellationToken ct)
    {
        var body = await CallbackEndpoints.ReadBoundedAsync(request, ct);
        if (body is null)
            return Fail(StatusCodes.Status413PayloadTooLarge, "通知过大");
        var answer = await notifications.ReceiveAsync(new PayNotifyHeaders(request.Headers["Wechatpay-Timestamp"],
            request.Headers["Wechatpay-Nonce"], request.Headers["Wechatpay-Signature"], request.Headers["Wechatpay-Serial"]), body, ct);
        return answer.IsSuccess ? Results.StatusCode(answer.Status) : Fail(answer.Status, answer.Message ?? "失败");
    }

    private static IResult Fail(int status, string message) =>
        Results.Json(new { code = "FAIL", message }, statusCode: status);
}
