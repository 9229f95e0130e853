using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace WxQms.Api.Infrastructure;

/// <summary>
/// The one escaping and the one response of every HTML page the Api renders: the official account's (/h5/*, through
/// <see cref="H5.H5Layout"/>), the console's (/admin/*, through <see cref="Admin.AdminLayout"/>) and the print views.
/// </summary>
public static class HtmlPages
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    /// <summary>Text escaped for HTML; Chinese stays readable.</summary>
    public static string Encode(string? s) => Html.Encode(s ?? "");

    /// <summary>A rendered page for the viewer alone: never stored by a cache.</summary>
    public static IResult Respond(HttpContext http, string html, int status = StatusCodes.Status200OK)
    {
        http.Response.Headers.CacheControl = "private, no-store";
        return Content(html, status);
    }

    /// <summary>An HTML document as it is (a message page that carries no personal data).</summary>
    public static IResult Content(string html, int status = StatusCodes.Status200OK) =>
        Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);
}
