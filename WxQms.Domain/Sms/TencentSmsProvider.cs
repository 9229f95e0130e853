using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WxQms.Domain.Logging;

namespace WxQms.Domain.Sms;

/// <summary>
/// Tencent Cloud SMS, API 3.0 <c>SendSms</c> (version 2021-01-11), signed with TC3-HMAC-SHA256 over
/// content-type, host and x-tc-action. The secret key only signs; it is never sent or logged.
/// </summary>
public sealed class TencentSmsProvider(IHttpClientFactory http, IOptionsMonitor<SmsOptions> options, TimeProvider clock,
    ILogger<TencentSmsProvider> log) : ISmsProvider
{
    public const string HttpClientName = "sms";
    public const string Action = "SendSms";
    public const string Version = "2021-01-11";
    public const string ContentType = "application/json; charset=utf-8";

    public async Task<SmsSendResult> SendAsync(SmsRequest request, CancellationToken ct)
    {
        var o = options.CurrentValue;
        var payload = JsonSerializer.Serialize(new
        {
            PhoneNumberSet = new[] { request.Phone },
            SmsSdkAppId = o.SdkAppId,
            SignName = o.SignName,
            TemplateId = request.TemplateId,
            TemplateParamSet = request.Params,
            SessionContext = request.SessionContext,
        });
        var client = http.CreateClient(HttpClientName);
        var uri = client.BaseAddress ?? new Uri(o.ApiBase.TrimEnd('/') + "/");
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        var signed = Tc3Signer.Sign(o.SecretId, o.SecretKey, "sms", timestamp, payload, new Dictionary<string, string>
        {
            ["content-type"] = ContentType,
            ["host"] = uri.Authority,
            ["x-tc-action"] = Action,
        });
        using var message = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new StringContent(payload, Encoding.UTF8),
        };
        message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(ContentType);
        message.Headers.TryAddWithoutValidation("Authorization", signed.Authorization);
        message.Headers.Add("X-TC-Action", Action);
        message.Headers.Add("X-TC-Version", Version);
        message.Headers.Add("X-TC-Timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        message.Headers.Add("X-TC-Region", o.Region);

        using var response = await client.SendAsync(message, ct);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        var root = body.RootElement.GetProperty("Response");
        if (root.TryGetProperty("Error", out var error))
        {
            var code = error.GetProperty("Code").GetString() ?? "";
            log.LogWarning("SMS to {Phone} refused by the provider: {Code} {Message}", LogMask.Phone(request.Phone), code,
                error.GetProperty("Message").GetString());
            return new SmsSendResult(code, error.GetProperty("Message").GetString() ?? "");
        }
        var status = root.GetProperty("SendStatusSet")[0];
        return new SmsSendResult(status.GetProperty("Code").GetString() ?? "", status.GetProperty("Message").GetString() ?? "",
            status.TryGetProperty("SerialNo", out var serial) ? serial.GetString() : null,
            status.TryGetProperty("Fee", out var fee) && fee.TryGetInt32(out var f) ? f : 0);
    }
}
