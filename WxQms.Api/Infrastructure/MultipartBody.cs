using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace WxQms.Api.Infrastructure;

/// <summary>
/// Reads a multipart/form-data body one section at a time with <see cref="MultipartReader"/>, never buffering it:
/// each file streams to a callback as it arrives (the photo intake writes it to a temporary file), text fields are
/// kept (each at most <see cref="MaxFieldBytes"/>). A body that says it is longer than allowed is refused before a
/// byte of it is read (413); a malformed one is a 400.
/// </summary>
public static class MultipartBody
{
    public const int MaxFieldBytes = 128 * 1024;
    public const int MaxFields = 32;

    /// <summary>
    /// The text fields; <paramref name="onFile"/> gets (field name, file name, body) for each file with a name and must
    /// read the body then (or leave it to be skipped). Sections are limited to <paramref name="maxSectionBytes"/>.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, string>> ReadAsync(HttpRequest request, long maxBodyBytes, long maxSectionBytes,
        Func<string, string, Stream, Task> onFile, CancellationToken ct)
    {
        if (request.ContentLength > maxBodyBytes)
            throw new BadHttpRequestException($"请求体超过{maxBodyBytes / (1024 * 1024)}MB", StatusCodes.Status413PayloadTooLarge);
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = maxBodyBytes;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 and <= 70 } boundary)
            throw new BadHttpRequestException("请以 multipart/form-data 提交（缺少 boundary）");

        var reader = new MultipartReader(boundary, request.Body)
        {
            HeadersCountLimit = 16,
            HeadersLengthLimit = 16 * 1024,
            BodyLengthLimit = maxSectionBytes,
        };
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var sections = 0;
        try
        {
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (++sections > MaxFields + 16)
                    throw new BadHttpRequestException("表单字段过多");
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || HeaderUtilities.RemoveQuotes(disposition.Name).Value is not { Length: > 0 } name)
                    continue;
                if (disposition.IsFileDisposition())
                {
                    var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                    // A browser sends a file input left empty as a nameless, empty file: nothing was chosen.
                    if (!string.IsNullOrEmpty(fileName))
                        await onFile(name, fileName, section.Body);
                    continue;
                }
                if (fields.Count >= MaxFields)
                    throw new BadHttpRequestException("表单字段过多");
                fields[name] = await ReadFieldAsync(name, section.Body, ct);
            }
        }
        catch (InvalidDataException ex)
        {
            throw new BadHttpRequestException($"multipart 格式不正确：{ex.Message}");
        }
        catch (IOException ex) when (ex is not BadHttpRequestException)
        {
            throw new BadHttpRequestException("请求体不完整");
        }
        return fields;
    }

    private static async Task<string> ReadFieldAsync(string name, Stream body, CancellationToken ct)
    {
        var buffer = new byte[Math.Min(MaxFieldBytes + 1, 4096)];
        using var text = new MemoryStream();
        int read;
        while ((read = await body.ReadAsync(buffer, ct)) > 0)
        {
            if (text.Length + read > MaxFieldBytes)
                throw new BadHttpRequestException($"字段 {name} 过长");
            text.Write(buffer, 0, read);
        }
        return Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length);
    }
}
