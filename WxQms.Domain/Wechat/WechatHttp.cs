using System.Net.Http.Json;
using System.Text.Json;

namespace WxQms.Domain.Wechat;

/// <summary>
/// The one HttpClient to WeChat (or the sandbox): base address from <c>Wechat:ApiBase</c>, JSON
/// without escaped Chinese, and bodies read by what they are rather than what Content-Type claims.
/// </summary>
public sealed class WechatHttp(HttpClient http)
{
    public async Task<WechatResult<T>> GetJsonAsync<T>(string pathAndQuery, CancellationToken ct)
    {
        using var response = await http.GetAsync(pathAndQuery, ct);
        return await ReadAsync<T>(response, ct);
    }

    public async Task<WechatResult<T>> PostJsonAsync<T>(string pathAndQuery, object body, CancellationToken ct)
    {
        using var content = JsonContent.Create(body, body.GetType(), options: WechatJson.Options);
        using var response = await http.PostAsync(pathAndQuery, content, ct);
        return await ReadAsync<T>(response, ct);
    }

    public async Task<WechatResult<T>> PostContentAsync<T>(string pathAndQuery, HttpContent content, CancellationToken ct)
    {
        using var response = await http.PostAsync(pathAndQuery, content, ct);
        return await ReadAsync<T>(response, ct);
    }

    /// <summary>media/get answers bytes on success and a JSON error otherwise, whatever the headers say.</summary>
    public async Task<WechatResult<WechatMedia>> GetMediaAsync(string pathAndQuery, CancellationToken ct)
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
