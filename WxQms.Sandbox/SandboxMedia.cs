using WxQms.Domain.Wechat;
using static WxQms.Sandbox.SandboxHttp;

namespace WxQms.Sandbox;

/// <summary>A temporary medium, uploaded by our app (media/upload) or sent by a user (the helper).</summary>
public sealed record SandboxMediaItem(
    string MediaId,
    SandboxApp App,
    string Type,
    byte[] Content,
    string ContentType,
    DateTimeOffset CreatedAt,
    string? SentBy);

/// <summary>
/// Temporary media (PROTOCOL §6): per app, like WeChat's, so a media_id from one account is 40007 for
/// the other; gone three days after upload.
/// </summary>
public sealed class SandboxMedia(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(3);

    /// <summary>§6.2 limits; errcodes 40009–40012 are WeChat's "invalid image/voice/video/thumb size".</summary>
    public static readonly IReadOnlyDictionary<string, (long MaxBytes, int SizeError, string[] Formats)> Types =
        new Dictionary<string, (long, int, string[])>(StringComparer.Ordinal)
        {
            ["image"] = (10 * 1024 * 1024, 40009, ["image/jpeg", "image/png", "image/gif"]),
            ["voice"] = (2 * 1024 * 1024, 40010, ["audio/amr", "audio/mpeg"]),
            ["video"] = (10 * 1024 * 1024, 40011, ["video/mp4"]),
            ["thumb"] = (64 * 1024, 40012, ["image/jpeg"]),
        };

    private readonly Lock gate = new();
    private readonly Dictionary<string, SandboxMediaItem> items = new(StringComparer.Ordinal);

    public SandboxMediaItem Put(SandboxApp app, string type, byte[] content, string contentType, string? sentBy = null)
    {
        var now = clock.GetUtcNow();
        // Real media_ids are 64 URL-safe characters.
        var item = new SandboxMediaItem(RandomId(64), app, type, content, contentType, now, sentBy);
        lock (gate)
        {
            foreach (var expired in items.Values.Where(i => now - i.CreatedAt >= Lifetime).ToList())
                items.Remove(expired.MediaId);
            items[item.MediaId] = item;
        }
        return item;
    }

    /// <summary>The medium if it exists, belongs to <paramref name="app"/> and is younger than three days.</summary>
    public SandboxMediaItem? Find(SandboxApp app, string? mediaId) => Find(mediaId) is { } item && item.App == app ? item : null;

    public bool Exists(string? mediaId) => Find(mediaId) is not null;

    public SandboxMediaItem? Find(string? mediaId)
    {
        if (mediaId is null)
            return null;
        lock (gate)
            return items.TryGetValue(mediaId, out var item) && clock.GetUtcNow() - item.CreatedAt < Lifetime ? item : null;
    }

    public void Reset()
    {
        lock (gate)
            items.Clear();
    }

    /// <summary>What the bytes are; mp3 is added to <see cref="MediaSniffer"/>, which knows images, AMR and MP4.</summary>
    public static string Sniff(ReadOnlySpan<byte> bytes) => bytes switch
    {
        [(byte)'I', (byte)'D', (byte)'3', ..] => "audio/mpeg",
        [0xFF, var b, ..] when (b & 0xE0) == 0xE0 => "audio/mpeg", // an MPEG frame header; JPEG is FF D8
        _ => MediaSniffer.Sniff(bytes),
    };

    public static string Extension(string contentType) => contentType switch
    {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/gif" => "gif",
        "audio/amr" => "amr",
        "audio/mpeg" => "mp3",
        "video/mp4" => "mp4",
        _ => "bin",
    };
}

/// <summary>cgi-bin/media/upload and media/get (WeChat), plus a user's upload and a plain download (helpers).</summary>
internal static class SandboxMediaEndpoints
{
    public static void MapSandboxMedia(this RouteGroupBuilder wx)
    {
        wx.MapPost("/cgi-bin/media/upload", Upload);
        wx.MapGet("/cgi-bin/media/get", Get);
        wx.MapPost("/media", UploadAsUser);
        wx.MapGet("/media/{mediaId}", Download);
    }

    internal static async Task<IResult> Upload(HttpRequest request, string? type, SandboxWechat sandbox, CancellationToken ct)
    {
        if (sandbox.Authorize(Token(request), "media/upload", out var appId) is { } refused)
            return Answer(refused);
        if (sandbox.AppOf(appId) is not { } app)
            return Answer(SandboxWechat.Fail(48001, "api unauthorized"));
        if (type is null || !SandboxMedia.Types.TryGetValue(type, out var rule))
            return Answer(SandboxWechat.Fail(40004, "invalid media type"));
        if (await ReadMediaPartAsync(request, ct) is not { } content)
            return Answer(SandboxWechat.Fail(41005, "media data missing"));
        if (content.Length > rule.MaxBytes)
            return Answer(SandboxWechat.Fail(rule.SizeError, $"invalid {type} size"));
        var contentType = SandboxMedia.Sniff(content);
        if (!rule.Formats.Contains(contentType))
            return Answer(SandboxWechat.Fail(40005, "invalid file type"));

        var item = sandbox.Media.Put(app, type, content, contentType);
        var createdAt = Unix(item.CreatedAt);
        // The older success body, without errcode (§6.2); thumbs are also named thumb_media_id.
        return type == "thumb"
            ? Answer(new { type, media_id = item.MediaId, thumb_media_id = item.MediaId, created_at = createdAt })
            : Answer(new { type, media_id = item.MediaId, created_at = createdAt });
    }

    /// <summary>Bytes with WeChat's headers on success, a JSON error otherwise, and a video_url for video (§6.1).</summary>
    internal static IResult Get(HttpRequest request, string? media_id, SandboxWechat sandbox)
    {
        if (sandbox.Authorize(Token(request), "media/get", out var appId) is { } refused)
            return Answer(refused);
        if (sandbox.AppOf(appId) is not { } app || sandbox.Media.Find(app, media_id) is not { } item)
            return Answer(SandboxWechat.Fail(40007, "invalid media_id"));
        if (item.Type == "video")
            return Answer(new { video_url = DownloadUrl(request, item) });
        request.HttpContext.Response.Headers["Content-disposition"] =
            $"attachment; filename=\"{item.MediaId}.{SandboxMedia.Extension(item.ContentType)}\"";
        request.HttpContext.Response.Headers.CacheControl = "no-cache, must-revalidate";
        return Results.Bytes(item.Content, item.ContentType);
    }

    /// <summary>
    /// A user sends the app a picture, voice note or video (helper, not WeChat): multipart part
    /// <c>media</c>, <c>?app=oa|mp</c> (default oa), optional <c>?openid=</c>. The media_id is what a
    /// later callback push would carry as MediaId.
    /// </summary>
    internal static async Task<IResult> UploadAsUser(HttpRequest request, string? app, string? openid,
        SandboxWechat sandbox, CancellationToken ct)
    {
        var target = app?.ToLowerInvariant() switch
        {
            null or "" or "oa" => SandboxApp.Oa,
            "mp" => SandboxApp.Mp,
            _ => (SandboxApp?)null,
        };
        if (target is null)
            return HelperProblem(StatusCodes.Status400BadRequest, "app 只能是 oa 或 mp");
        if (await ReadMediaPartAsync(request, ct) is not { } content)
            return HelperProblem(StatusCodes.Status400BadRequest, "缺少名为 media 的文件");
        var contentType = SandboxMedia.Sniff(content);
        var type = SandboxMedia.Types.FirstOrDefault(t => t.Key != "thumb" && t.Value.Formats.Contains(contentType));
        if (type.Key is null)
            return HelperProblem(StatusCodes.Status400BadRequest, $"不支持的文件类型 {contentType}");
        if (content.Length > type.Value.MaxBytes)
            return HelperProblem(StatusCodes.Status400BadRequest, $"{type.Key} 最大 {type.Value.MaxBytes} 字节");

        var item = sandbox.Media.Put(target.Value, type.Key, content, contentType, openid);
        return Answer(new { mediaId = item.MediaId, type = item.Type, contentType, app = target.Value.ToString().ToLowerInvariant() });
    }

    /// <summary>The bytes without a token, for the phone page and video_url.</summary>
    internal static IResult Download(string mediaId, SandboxWechat sandbox) =>
        sandbox.Media.Find(mediaId) is { } item
            ? Results.Bytes(item.Content, item.ContentType)
            : HelperProblem(StatusCodes.Status404NotFound, "媒体文件不存在或已过期");

    private static async Task<byte[]?> ReadMediaPartAsync(HttpRequest request, CancellationToken ct)
    {
        if (!request.HasFormContentType)
            return null;
        var form = await request.ReadFormAsync(ct);
        if (form.Files.GetFile("media") is not { Length: > 0 } file)
            return null;
        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }

    private static string DownloadUrl(HttpRequest request, SandboxMediaItem item) =>
        $"{request.Scheme}://{request.Host}{request.PathBase}/sandbox/wechat/media/{item.MediaId}";
}
