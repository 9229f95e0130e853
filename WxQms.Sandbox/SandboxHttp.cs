using System.Globalization;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace WxQms.Sandbox;

/// <summary>
/// How the sandbox reads and answers: HTTP 200 with WeChat's JSON for every business outcome
/// (PROTOCOL §9), Chinese written as characters, bodies read by hand so that a broken body gets
/// WeChat's 44002/47001 rather than our ProblemDetails.
/// </summary>
internal static class SandboxHttp
{
    /// <summary>Names as written (WeChat's snake_case in WeChat bodies); records become camelCase.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static IResult Answer(object body) => Results.Json(body, Json);

    public static IResult Answer(SandboxWechat.Error error) =>
        Results.Json(new { errcode = error.ErrCode, errmsg = error.ErrMsg }, Json);

    /// <summary>The body of a call that carries <c>{"errcode":0,"errmsg":"ok"}</c> and nothing else.</summary>
    public static IResult Ok() => Results.Json(new { errcode = 0, errmsg = "ok" }, Json);

    /// <summary>A sandbox helper (not a WeChat imitation) refusing a request, in our own error format.</summary>
    public static IResult HelperProblem(int status, string detail) =>
        TypedResults.Problem(title: "沙箱请求无效", detail: detail, statusCode: status);

    public static string? Token(HttpRequest request) => request.Query["access_token"];

    public sealed record Body(byte[] Raw, JsonElement Root);

    /// <summary>An empty body is 44002, anything but a JSON object 47001, as WeChat answers.</summary>
    public static async Task<(Body? Body, SandboxWechat.Error? Error)> ReadJsonAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        var raw = buffer.ToArray();
        if (raw.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
            return (null, SandboxWechat.Fail(44002, "empty post data"));
        try
        {
            using var doc = JsonDocument.Parse(raw);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                ? (new Body(raw, doc.RootElement.Clone()), null)
                : (null, SandboxWechat.Fail(47001, "data format error"));
        }
        catch (JsonException)
        {
            return (null, SandboxWechat.Fail(47001, "data format error"));
        }
    }

    /// <summary>A property as text: strings as they are, numbers and booleans as written, anything else null.</summary>
    public static string? Text(this JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v)
            ? v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.GetRawText(),
                _ => null,
            }
            : null;

    public static JsonElement? Child(this JsonElement obj, string name, JsonValueKind kind) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == kind ? v : null;

    public static long? Int64(this JsonElement obj, string name) =>
        long.TryParse(obj.Text(name), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>Opaque ids and codes: random, URL-safe, of WeChat's usual lengths.</summary>
    public static string RandomId(int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        return RandomNumberGenerator.GetString(alphabet, length);
    }

    public static long Unix(DateTimeOffset at) => at.ToUnixTimeSeconds();

    /// <summary>The checks every code exchange (jscode2session, sns/oauth2/access_token) makes before the code.</summary>
    public static SandboxWechat.Error? CheckCodeExchange(SandboxWechat sandbox, string api, string? appid, string? secret,
        string? grantType)
    {
        sandbox.CountAttempt(api);
        if (sandbox.CheckApp(appid, secret) is { } refused)
            return refused;
        return grantType == "authorization_code" ? null : SandboxWechat.Fail(40002, "invalid grant_type");
    }
}
