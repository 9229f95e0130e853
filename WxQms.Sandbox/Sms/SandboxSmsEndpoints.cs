using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WxQms.Domain.Rules.Sms;
using WxQms.Domain.Sms;
using WxQms.Domain.Wechat;
using static WxQms.Sandbox.SandboxHttp;

namespace WxQms.Sandbox.Sms;

/// <summary>
/// The SMS sandbox's routes: the provider's endpoint (<c>POST /sandbox/sms/api</c>, what <c>Sms:ApiBase</c> points at in
/// local runs and tests), a phone's inbox (<c>GET /sandbox/sms/{phone}/inbox</c>) and a reply from a phone
/// (<c>POST /sandbox/sms/{phone}/reply</c> with <c>{"content": …}</c>), pushed to our reply callback at once.
/// </summary>
public static class SandboxSmsEndpoints
{
    /// <summary>The provider's bodies keep their PascalCase names (Response, SendStatusSet …).</summary>
    private static readonly JsonSerializerOptions Provider = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    internal static IServiceCollection AddSmsSandbox(this IServiceCollection services)
    {
        services.AddSingleton<SandboxSms>();
        services.AddSingleton<SandboxSmsPush>();
        services.AddHostedService<SandboxSmsReceiptDelivery>();
        return services;
    }

    internal static void MapSandboxSms(this RouteGroupBuilder sandbox)
    {
        sandbox.MapPost("/sms/api", SendSmsAsync);
        sandbox.MapGet("/sms/{phone}/inbox", (string phone, SandboxSms sms) =>
            SmsRules.ToE164(phone) is null
                ? HelperProblem(400, "不是有效的大陆手机号")
                : Answer(new { phone = SandboxSms.Key(phone), messages = sms.Inbox(phone), replies = sms.Replies(phone) }));
        sandbox.MapPost("/sms/{phone}/reply", ReplyAsync);
    }

    private static async Task<IResult> SendSmsAsync(HttpRequest request, SandboxSms sms, CancellationToken ct)
    {
        string payload;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8))
            payload = await reader.ReadToEndAsync(ct);
        var requestId = Guid.NewGuid().ToString();
        IResult Error(string code, string message) =>
            Results.Json(new { Response = new { Error = new { Code = code, Message = message }, RequestId = requestId } }, Provider);

        if (sms.CheckSignature(request.Headers.Authorization, request.Headers["X-TC-Timestamp"], request.Headers["X-TC-Action"],
                request.ContentType, request.Host.Value ?? "", payload) is { } refused)
            return Error(refused.Code, refused.Message);
        if (request.Headers["X-TC-Action"] != TencentSmsProvider.Action)
            return Error("InvalidAction", "The action is not supported by the SMS sandbox.");
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(payload);
            root = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return Error("InvalidParameter", "The request body is not JSON.");
        }
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("PhoneNumberSet", out var phones)
            || phones.ValueKind != JsonValueKind.Array || phones.GetArrayLength() is 0 or > 200)
            return Error("InvalidParameterValue.IncorrectPhoneNumber", "PhoneNumberSet is missing or too long.");
        var statuses = phones.EnumerateArray().Select(p => sms.Send(p.GetString() ?? "", root)).ToList();
        return Results.Json(new { Response = new { SendStatusSet = statuses, RequestId = requestId } }, Provider);
    }

    public sealed record ReplyBody(string? Content);

    private static async Task<IResult> ReplyAsync(string phone, ReplyBody? body, SandboxSms sms, SandboxSmsPush push, CancellationToken ct)
    {
        if (SmsRules.ToE164(phone) is null)
            return HelperProblem(400, "不是有效的大陆手机号");
        if (string.IsNullOrWhiteSpace(body?.Content) || body.Content.Length > 500)
            return HelperProblem(400, "content 为 1–500 个字符");
        sms.RecordReply(phone, body.Content);
        var status = await push.ReplyAsync(SandboxSms.Key(phone), body.Content, ct);
        return Answer(new { phone = SandboxSms.Key(phone), callbackStatus = status });
    }
}

/// <summary>Pushes receipts and replies to our SMS callbacks, as the provider does to the URLs set in its console.</summary>
public sealed class SandboxSmsPush(SandboxSms sms, IHttpClientFactory http, IOptionsMonitor<SmsOptions> options)
{
    public const string StatusPath = "sms/tencent/status";
    public const string ReplyPath = "sms/tencent/reply";

    /// <summary>Pushes every receipt whose delay has passed; returns how many.</summary>
    public async Task<int> DeliverReceiptsAsync(CancellationToken ct)
    {
        var due = sms.DrainDueReceipts();
        if (due.Count == 0)
            return 0;
        using var response = await Client().PostAsJsonAsync(Url(StatusPath), due, ct);
        return due.Count;
    }

    public async Task<int> ReplyAsync(string phone, string content, CancellationToken ct)
    {
        using var response = await Client().PostAsJsonAsync(Url(ReplyPath), new
        {
            extend = "",
            mobile = phone,
            nationcode = "86",
            sign = options.CurrentValue.SignName,
            text = content,
            time = sms.Clock.GetUtcNow().ToUnixTimeSeconds(),
        }, ct);
        return (int)response.StatusCode;
    }

    private HttpClient Client() => http.CreateClient(SandboxPush.HttpClientName);

    private string Url(string path) => $"{path}?token={Uri.EscapeDataString(options.CurrentValue.CallbackToken)}";
}

/// <summary>Pushes due receipts every second while the sandbox delivers pushes by itself (Wechat:Sandbox:AutoDeliverPushes).</summary>
public sealed class SandboxSmsReceiptDelivery(SandboxSmsPush push, TimeProvider clock, IOptionsMonitor<WechatOptions> options,
    ILogger<SandboxSmsReceiptDelivery> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (options.CurrentValue.Sandbox is not { Enabled: true, AutoDeliverPushes: true })
                    continue;
                try
                {
                    await push.DeliverReceiptsAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    log.LogWarning(ex, "Sandbox SMS receipt delivery failed");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
