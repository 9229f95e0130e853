using System.Text.Json;
using WxQms.Domain.Services.Reminders;
using static WxQms.Api.Infrastructure.Problems;

namespace WxQms.Api.Wechat;

/// <summary>
/// Where the SMS provider pushes status receipts (<c>POST /sms/tencent/status</c>) and replies (<c>POST /sms/tencent/reply</c>).
/// The URLs set in the provider's console carry <c>?token=</c> (Sms:CallbackToken): a push without it is refused with 401.
/// A push taken is answered as the provider expects, <c>{"result":0,"errmsg":"OK"}</c>.
/// </summary>
public static class SmsCallbackEndpoints
{
    private const int MaxBodyBytes = 1 << 20;

    public static IEndpointRouteBuilder MapSmsCallbacks(this IEndpointRouteBuilder app)
    {
        var sms = app.MapGroup("/sms/tencent").WithTags("SMS callbacks").ExcludeFromDescription();
        sms.MapPost("/status", (HttpRequest request, SmsCallbacks callbacks, CancellationToken ct) =>
            ReceiveAsync(request, callbacks, async body => await callbacks.ApplyReceiptsAsync(body, ct) is not null, ct));
        sms.MapPost("/reply", (HttpRequest request, SmsCallbacks callbacks, CancellationToken ct) =>
            ReceiveAsync(request, callbacks, body => callbacks.ReceiveReplyAsync(body, ct), ct));
        return app;
    }

    private static async Task<IResult> ReceiveAsync(HttpRequest request, SmsCallbacks callbacks, Func<JsonElement, Task<bool>> handle,
        CancellationToken ct)
    {
        if (!callbacks.Authenticated(request.Query["token"]))
            return Problem(StatusCodes.Status401Unauthorized, "未通过验证", "短信回调缺少或带错了令牌", "sms.callback_unauthorized");
        if (request.ContentLength > MaxBodyBytes)
            return Problem(StatusCodes.Status413PayloadTooLarge, "请求过大", "短信回调不超过 1 MB", "request.too_large");
        JsonElement body;
        try
        {
            using var doc = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
            body = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return Problem(StatusCodes.Status400BadRequest, "请求无效", "短信回调须为 JSON", "request.invalid");
        }
        return await handle(body)
            ? Results.Json(new { result = 0, errmsg = "OK" })
            : Problem(StatusCodes.Status400BadRequest, "请求无效", "不是短信回执或上行短信", "request.invalid");
    }
}
