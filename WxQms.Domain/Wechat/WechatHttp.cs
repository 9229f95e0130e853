using System.Net.Http.Json;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using WxQms.Domain.Hosting;

namespace WxQms.Domain.Wechat;

/// <summary>
/// The one HttpClient to WeChat (or the sandbox): base address from <c>Wechat:ApiBase</c>, JSON
/// without escaped Chinese, and bodies read by what they are rather than what Content-Type claims.
/// Each call is an activity (<c>wechat {path}</c>, source <see cref="WxQmsTelemetry.Source"/>) and a log line in it, so
/// the line's TraceId (log scope) leads to the trace; an errcode counts in <see cref="WxQmsTelemetry.WechatErrors"/>.
/// Only the path is named, never the query (the access token, an openid).
/// </summary>
public sealed class WechatHttp(HttpClient http, ILogger? log = null)
{
    public async Task<WechatResult<T>> GetJsonAsync<T>(string pathAndQuery, CancellationToken ct)
    {
        using var call = Start(pathAndQuery);
        using var response = await http.GetAsync(pathAndQuery, ct);
        return Finish(call, await ReadAsync<T>(response, ct));
    }

    public async Task<WechatResult<T>> PostJsonAsync<T>(string pathAndQuery, object body, CancellationToken ct)
    {
        using var call = Start(pathAndQuery);
        using var content = JsonContent.Create(body, body.GetType(), options: WechatJson.Options);
        using var response = await http.PostAsync(pathAndQuery, content, ct);
        return Finish(call, await ReadAsync<T>(response, ct));
    }

    public async Task<WechatResult<T>> PostContentAsync<T>(string pathAndQuery, HttpContent content, CancellationToken ct)
    {
        using var call = Start(pathAndQuery);
        using var response = await http.PostAsync(pathAndQuery, content, ct);
        return Finish(call, await ReadAsync<T>(response, ct));
    }

    /// <summary>media/get answers bytes on success and a JSON error otherwise, whatever the headers say.</summary>
    public async Task<WechatResult<WechatMedia>> GetMediaAsync(string pathAndQuery, CancellationToken ct)
    {
        using var call = Start(pathAndQuery);
        return Finish(call, await GetMediaCoreAsync(pathAndQuery, ct));
    }

    private sealed class Call(string api, Activity? activity, long started) : IDisposable
    {
        public string Api => api;
        public Activity? Activity => activity;
        public long Started => started;
        public void Dispose() => activity?.Dispose();
    }

    private static Call Start(string pathAndQuery)
    {
        var api = pathAndQuery.AsSpan()[..(pathAndQuery.IndexOf('?') is var q and >= 0 ? q : pathAndQuery.Length)].TrimStart('/').ToString();
        var activity = WxQmsTelemetry.Source.HasListeners() ? WxQmsTelemetry.Source.StartActivity("wechat " + api, ActivityKind.Client) : null;
        activity?.SetTag("wechat.api", api);
        return new Call(api, activity, Stopwatch.GetTimestamp());
    }

    private WechatResult<T> Finish<T>(Call call, WechatResult<T> result)
    {
        var elapsed = Stopwatch.GetElapsedTime(call.Started).TotalMilliseconds;
        if (result.ErrCode == 0)
        {
            if (log?.IsEnabled(LogLevel.Debug) == true)
                log.LogDebug("WeChat {Api}: ok in {ElapsedMs:0} ms", call.Api, elapsed);
            return result;
        }
        call.Activity?.SetTag("wechat.errcode", result.ErrCode);
        call.Activity?.SetStatus(ActivityStatusCode.Error, result.ErrCode.ToString(CultureInfo.InvariantCulture));
        WxQmsTelemetry.WechatErrors.Add(1, new KeyValuePair<string, object?>("api", call.Api),
            new KeyValuePair<string, object?>("errcode", result.ErrCode.ToString(CultureInfo.InvariantCulture)));
        log?.LogInformation("WeChat {Api}: errcode {ErrCode} {ErrMsg} in {ElapsedMs:0} ms", call.Api, result.ErrCode, result.ErrMsg, elapsed);
        return result;
    }

    private async Task<WechatResult<WechatMedia>> GetMediaCoreAsync(string pathAndQuery, CancellationToken ct)
    {
        using var response = await http.GetAsync(pathAndQuery, ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        if (!response.IsSuccessStatusCode)
            return WechatResult<WechatMedia>.Fail(WechatErrors.Busy, $"HTTP {(int)response.StatusCode}");
        if (LooksLikeJson(bytes))
        {
            WechatEnvelope? error;
            try
            {
                error = Deserialize<WechatEnvelope>(bytes);
            }
            catch (JsonException ex)
            {
                return WechatResult<WechatMedia>.Fail(WechatErrors.ParseError, $"unreadable response: {ex.Message}");
            }
            if (error is { ErrCode: not 0 })
                return WechatResult<WechatMedia>.Fail(error.ErrCode, error.ErrMsg);
        }
        return WechatResult<WechatMedia>.Ok(new WechatMedia(bytes, MediaSniffer.Sniff(bytes),
            response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName));
    }

    private static async Task<WechatResult<T>> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        if (!response.IsSuccessStatusCode)
            return WechatResult<T>.Fail(WechatErrors.Busy, $"HTTP {(int)response.StatusCode}");
        if (!LooksLikeJson(bytes))
            return WechatResult<T>.Fail(WechatErrors.ParseError, "response is not JSON");
        try
        {
            var envelope = Deserialize<WechatEnvelope>(bytes);
            if (envelope is { ErrCode: not 0 })
                return WechatResult<T>.Fail(envelope.ErrCode, envelope.ErrMsg);
            return WechatResult<T>.Ok(Deserialize<T>(bytes)!);
        }
        catch (JsonException ex)
        {
            return WechatResult<T>.Fail(WechatErrors.ParseError, $"unreadable response: {ex.Message}");
        }
    }

    private static T? Deserialize<T>(byte[] bytes) => JsonSerializer.Deserialize<T>(bytes, WechatJson.Options);

    private static bool LooksLikeJson(ReadOnlySpan<byte> bytes)
    {
        var trimmed = bytes.TrimStart(" \t\r\n"u8);
        return trimmed.Length > 0 && trimmed[0] == (byte)'{';
    }
}

public sealed record WechatMedia(byte[] Content, string ContentType, string? FileName);

/// <summary>Tells images apart by their magic numbers, since a Content-Type header proves nothing.</summary>
public static class MediaSniffer
{
    public static string Sniff(ReadOnlySpan<byte> b) => b switch
    {
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, ..] => "image/png",
        [0x47, 0x49, 0x46, 0x38, ..] => "image/gif",
        [0x52, 0x49, 0x46, 0x46, _, _, _, _, 0x57, 0x45, 0x42, 0x50, ..] => "image/webp",
        [0x42, 0x4D, ..] => "image/bmp",
        [(byte)'#', (byte)'!', (byte)'A', (byte)'M', (byte)'R', ..] => "audio/amr",
        [_, _, _, _, 0x66, 0x74, 0x79, 0x70, ..] => "video/mp4",
        _ => "application/octet-stream",
    };
}
