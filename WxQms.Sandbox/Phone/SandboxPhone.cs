using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.Net.Http.Headers;

namespace WxQms.Sandbox.Phone;

/// <summary>
/// <c>GET /sandbox/phone</c>: one self-contained page (HTML, CSS and vanilla JS kept beside this file
/// as embedded resources, no CDN, no build step) where a person chats with the official account as
/// any sandbox user and sees what WeChat would show them. It only calls the sandbox's helper routes
/// under <c>/sandbox/wechat</c>, so it works wherever those do.
/// </summary>
public static class SandboxPhone
{
    private const string BaseToken = "{{base}}";

    /// <summary>The page may load its own files, our H5 pages in the in-app browser, and photos.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
        "img-src 'self' data: blob: http: https:; frame-src 'self' http: https:; " +
        "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

    private sealed record Asset(byte[] Content, string ContentType, EntityTagHeaderValue ETag);

    private static readonly Lazy<string> PageTemplate = new(() => Encoding.UTF8.GetString(Read("phone.html")));

    private static readonly Lazy<FrozenDictionary<string, Asset>> Assets = new(() => new Dictionary<string, Asset>
    {
        ["phone.css"] = Load("phone.css", "text/css; charset=utf-8"),
        ["phone.js"] = Load("phone.js", "text/javascript; charset=utf-8"),
    }.ToFrozenDictionary(StringComparer.Ordinal));

    public static void MapSandboxPhone(this RouteGroupBuilder sandbox)
    {
        sandbox.MapGet("/phone", Page);
        sandbox.MapGet("/phone/{file}", File);
    }

    internal static IResult Page(HttpContext http)
    {
        // The page names its files and the helper routes from here, so it also works under a PathBase.
        var root = HtmlEncoder.Default.Encode($"{http.Request.PathBase}/sandbox");
        Secure(http.Response);
        return Results.Text(PageTemplate.Value.Replace(BaseToken, root, StringComparison.Ordinal), "text/html; charset=utf-8");
    }

    internal static IResult File(string file, HttpContext http)
    {
        if (!Assets.Value.TryGetValue(file, out var asset))
            return SandboxHttp.HelperProblem(StatusCodes.Status404NotFound, $"手机页面没有文件 {file}");
        Secure(http.Response);
        // ETag + no-cache: an edited page is picked up at once, an unchanged one answers 304.
        return Results.Bytes(asset.Content, asset.ContentType, entityTag: asset.ETag);
    }

    private static void Secure(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.CacheControl = "no-cache";
    }

    private static Asset Load(string name, string contentType)
    {
        var content = Read(name);
        var tag = Convert.ToHexStringLower(SHA256.HashData(content))[..16];
        return new Asset(content, contentType, new EntityTagHeaderValue($"\"{tag}\""));
    }

    private static byte[] Read(string name)
    {
        var resource = $"WxQms.Sandbox.Phone.{name}";
        using var stream = typeof(SandboxPhone).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded resource {resource} is missing (see WxQms.Sandbox.csproj)");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
