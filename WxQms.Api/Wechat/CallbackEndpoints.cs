using System.Buffers;
using System.Diagnostics;
using System.Text;
using WxQms.Domain.Hosting;
using WxQms.Domain.Wechat;
using WxQms.Domain.Wechat.Callbacks;

namespace WxQms.Api.Wechat;

/// <summary>
/// Where WeChat pushes messages and events. Anonymous but signature-checked; answers in XML or a plain
/// <c>success</c>, never in ProblemDetails, and well inside WeChat's 5-second deadline because
/// anything slow is queued, not done here.
/// </summary>
public static class CallbackEndpoints
{
    /// <summary>A push is a few KB; anything near a megabyte is not WeChat.</summary>
    private const int MaxBodyBytes = 1 << 20;

    public static IEndpointRouteBuilder MapWechatCallbacks(this IEndpointRouteBuilder app)
    {
        var wx = app.MapGroup("/wechat").WithTags("WeChat callbacks").ExcludeFromDescription();
        wx.MapGet("/callback", (HttpRequest request, CallbackInbox inbox) => Verify(WechatAppKind.OfficialAccount, request, inbox));
        wx.MapPost("/callback", (HttpRequest request, CallbackInbox inbox, CancellationToken ct) =>
            Receive(WechatAppKind.OfficialAccount, request, inbox, ct));
        wx.MapGet("/mp-callback", (HttpRequest request, CallbackInbox inbox) => Verify(WechatAppKind.MiniProgram, request, inbox));
        wx.MapPost("/mp-callback", (HttpRequest request, CallbackInbox inbox, CancellationToken ct) =>
            Receive(WechatAppKind.MiniProgram, request, inbox, ct));
        return app;
    }

    private static IResult Verify(WechatAppKind kind, HttpRequest request, CallbackInbox inbox)
    {
        var verification = inbox.Verify(kind, CallbackQuery.From(name => request.Query[name]));
        // Never echo anything (least of all the expected signature) when the check fails.
        return verification.IsValid
            ? Results.Text(verification.EchoStr, "text/plain; charset=utf-8")
            : Results.Text("", "text/plain", statusCode: StatusCodes.Status401Unauthorized);
    }

    private static async Task<IResult> Receive(WechatAppKind kind, HttpRequest request, CallbackInbox inbox, CancellationToken ct)
    {
        var arrived = Stopwatch.GetTimestamp();
        if (request.ContentLength > MaxBodyBytes)
            return Results.Text("", "text/plain", statusCode: StatusCodes.Status413PayloadTooLarge);
        var body = await ReadBoundedAsync(request, ct);
        if (body is null)
            return Results.Text("", "text/plain", statusCode: StatusCodes.Status413PayloadTooLarge);

        var answer = await inbox.ReceiveAsync(kind, CallbackQuery.From(name => request.Query[name]), body, ct);
        WxQmsTelemetry.CallbackAcknowledged(kind == WechatAppKind.MiniProgram ? "mp" : "oa", arrived);
        return Results.Text(answer.Body, answer.ContentType, Encoding.UTF8, answer.StatusCode);
    }

    /// <summary>Reads the raw body (signatures cover it byte for byte), refusing chunked bodies over the limit.</summary>
    internal static async Task<string?> ReadBoundedAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream(request.ContentLength is > 0 and <= MaxBodyBytes ? (int)request.ContentLength : 4096);
        // Pooled: one push after another would otherwise each leave a 16 KB array to the garbage collector.
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                    return null;
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
