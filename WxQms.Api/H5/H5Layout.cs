using WxQms.Api.Infrastructure;

namespace WxQms.Api.H5;

/// <summary>
/// What every official-account page (/h5/*) shares: the document head with the common style (phone first, the party
/// red header, tabs, picker), escaping, the page and message responses. A page adds its own style.
/// </summary>
internal static class H5Layout
{
    /// <summary>Text escaped for HTML; Chinese stays readable.</summary>
    public static string E(string? s) => HtmlPages.Encode(s);

    public static string Head(string title, string style) => $$"""
        <!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover"><link rel="icon" href="data:,">
        <title>{{E(title)}}</title>
        <style>
        *{box-sizing:border-box}body{margin:0 auto;max-width:560px;font-family:-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;background:#f6f6f6;color:#222;font-size:15px}
        header{background:linear-gradient(135deg,#b71c1c,#d84315);color:#fff;padding:16px 14px 12px}
        h1{font-size:20px;margin:0;word-break:break-all}.sub{margin:4px 0 0;opacity:.9;font-size:13px}
        .tabs{display:flex;background:#fff;border-bottom:1px solid #eee}.tabs a{flex:1;text-align:center;padding:11px 0;color:#555;text-decoration:none}
        .tabs a.on{color:#b71c1c;font-weight:600;border-bottom:3px solid #b71c1c}
        .picker{display:flex;flex-wrap:wrap;align-items:center;gap:8px;padding:10px 14px;background:#fff}.picker label{font-size:13px;color:#666}
        .empty{padding:24px 14px;color:#666}
        {{style}}
        </style></head><body>
        """;

    /// <summary>A rendered page for the viewer alone: never stored by a cache.</summary>
    public static IResult Page(HttpContext http, string html, int status = StatusCodes.Status200OK) =>
        HtmlPages.Respond(http, html, status);

    /// <summary>A page that only says something (a refusal, an expired sign-in), then <paramref name="after"/>.</summary>
    public static IResult Message(int status, string title, string text, string style, string after = "") => HtmlPages.Content(
        $"{Head(title, style)}<header><h1>{E(title)}</h1></header><p class=empty>{E(text)}</p>{after}</body></html>", status);
}
