using System.Globalization;
using System.Text;
using WxQms.Api.Infrastructure;

namespace WxQms.Api.Admin;

/// <summary>One entry of the console's side menu.</summary>
public sealed record AdminNav(string Key, string Label, string Href);

/// <summary>
/// What every console page (/admin/*) shares: the document with the common style (desktop first, usable on a phone,
/// no CDN), the side menu, escaping, tables with search, sorting and paging driven by the query string, form fields
/// with their inline errors, and notices (warnings and refusals with the regulation they cite). A page renders its
/// own body with these and answers it through <see cref="Page"/>.
/// </summary>
public static class AdminLayout
{
    /// <summary>The side menu, in order. A section adds its entry here.</summary>
    public static readonly IReadOnlyList<AdminNav> Nav =
    [
        new("home", "首页", "/admin"),
        new("dashboard", "看板", "/admin/dashboard"),
        new("orgs", "组织", "/admin/orgs"),
        new("members", "党员", "/admin/members"),
        new("transfers", "组织关系转接", "/admin/transfers"),
        new("imports", "导入导出", "/admin/imports"),
        new("duties", "职责目录", "/admin/duties"),
        new("documents", "受控文件", "/admin/documents"),
        new("go-live", "上线", "/admin/go-live"),
        new("development", "发展党员", "/admin/development"),
        new("checkups", "体检问卷", "/admin/checkups"),
        new("reminders", "提醒", "/admin/reminders"),
        new("reviews", "审核", "/admin/reviews"),
        new("bind-codes", "绑定码", "/admin/bind-codes"),
        new("dues", "党费", "/admin/dues"),
        new("communities", "社区展示", "/admin/communities"),
        new("review", "管理评审", "/admin/review"),
        new("nonconformities", "不符合项", "/admin/nonconformities"),
        new("inspections", "巡查", "/admin/inspections"),
        new("sms", "短信", "/admin/sms"),
    ];

    /// <summary>Text escaped for HTML; Chinese stays readable.</summary>
    public static string E(string? s) => HtmlPages.Encode(s);

    /// <summary>A number as the console shows it.</summary>
    public static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A whole console page for the signed-in viewer, never stored by a cache.</summary>
    public static IResult Page(HttpContext http, string viewer, string title, string navKey, string body,
        int status = StatusCodes.Status200OK)
    {
        var nav = new StringBuilder();
        foreach (var item in Nav)
            nav.Append($"""<a href="{E(item.Href)}"{(item.Key == navKey ? " class=on" : "")}>{E(item.Label)}</a>""");
        return HtmlPages.Respond(http, Document(title,
            $"""<span class=who>{E(viewer)}<form class=out method=post action="/admin/sign-out"><button>退出登录</button></form></span>""",
            $"<div class=wrap><nav>{nav}</nav><main><h1>{E(title)}</h1>{body}</main></div>"), status);
    }

    /// <summary>303 See Other: after a successful post the browser GETs <paramref name="location"/>, so a reload posts nothing twice.</summary>
    public static IResult SeeOther(string location) => new SeeOtherResult(location);

    private sealed class SeeOtherResult(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = StatusCodes.Status303SeeOther;
            http.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }

    /// <summary>A page outside the console's frame: sign-in, a refusal.</summary>
    public static IResult Bare(HttpContext http, string title, string body, int status = StatusCodes.Status200OK) =>
        HtmlPages.Respond(http, Document(title, "", $"<main class=bare><h1>{E(title)}</h1>{body}</main>"), status);

    /// <summary>The console's document: its head and style, the header (<paramref name="who"/> on its right) and the content.</summary>
    private static string Document(string title, string who, string content) => $$"""
        <!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width,initial-scale=1"><link rel="icon" href="data:,">
        <title>{{E(title)}} · 管理后台</title><style>{{Style}}</style></head><body>
        <header><b>党建质量管理 · 管理后台</b>{{who}}</header>
        {{content}}
        </body></html>
        """;

    /// <summary>
    /// A table with a search box, sortable headers and page links, all as plain links and a GET form, so the browser's
    /// back button and a copied link keep the view. <paramref name="rows"/> are rendered cells (already escaped).
    /// </summary>
    public static string Table(string path, TableQuery query, IReadOnlyList<TableColumn> columns,
        IEnumerable<IReadOnlyList<string>> rows, long total, string searchHint = "搜索")
    {
        var sb = new StringBuilder();
        sb.Append($"""<form class=search method=get action="{E(path)}"><input type=search name=q value="{E(query.Search)}" placeholder="{E(searchHint)}">""");
        if (query.Sort is { } sort)
            sb.Append($"""<input type=hidden name=sort value="{E(sort)}"><input type=hidden name=dir value="{(query.Descending ? "desc" : "asc")}">""");
        sb.Append("<button>搜索</button></form>");
        sb.Append($"<p class=count>共 {N(total)} 条</p><div class=scroll><table><thead><tr>");
        foreach (var c in columns)
        {
            if (c.SortKey is null)
            {
                sb.Append($"<th>{E(c.Label)}</th>");
                continue;
            }
            var on = query.Sort == c.SortKey;
            var dir = on && !query.Descending ? "desc" : "asc";
            var mark = on ? (query.Descending ? " ▼" : " ▲") : "";
            sb.Append($"""<th><a href="{E(query.Link(path, sort: c.SortKey, dir: dir, page: 1))}">{E(c.Label)}{mark}</a></th>""");
        }
        sb.Append("</tr></thead><tbody>");
        var any = false;
        foreach (var row in rows)
        {
            any = true;
            sb.Append("<tr>");
            foreach (var cell in row)
                sb.Append($"<td>{cell}</td>");
            sb.Append("</tr>");
        }
        if (!any)
            sb.Append($"<tr><td colspan={columns.Count} class=empty>没有符合条件的记录</td></tr>");
        sb.Append("</tbody></table></div>");

        var pages = (int)Math.Max(1, (total + query.PageSize - 1) / query.PageSize);
        if (pages > 1)
        {
            sb.Append("<p class=pager>");
            if (query.Page > 1)
                sb.Append($"""<a href="{E(query.Link(path, page: query.Page - 1))}">上一页</a>""");
            sb.Append($"<span>第 {query.Page} / {pages} 页</span>");
            if (query.Page < pages)
                sb.Append($"""<a href="{E(query.Link(path, page: query.Page + 1))}">下一页</a>""");
            sb.Append("</p>");
        }
        return sb.ToString();
    }

    /// <summary>A labelled input with its inline error (Chinese), as the form was posted.</summary>
    public static string Field(string name, string label, string? value, string? error = null, string type = "text",
        bool required = false, string? hint = null) => $"""
        <label class="field{(error is null ? "" : " bad")}"><span>{E(label)}{(required ? " *" : "")}</span>
        <input type="{E(type)}" name="{E(name)}" value="{E(value)}"{(required ? " required" : "")}>
        {(hint is null ? "" : $"<small>{E(hint)}</small>")}{(error is null ? "" : $"<em>{E(error)}</em>")}</label>
        """;

    /// <summary>A labelled select; <paramref name="options"/> are (value, text).</summary>
    public static string Select(string name, string label, string? value, IEnumerable<(string Value, string Text)> options,
        string? error = null)
    {
        var sb = new StringBuilder($"""<label class="field{(error is null ? "" : " bad")}"><span>{E(label)}</span><select name="{E(name)}">""");
        foreach (var (v, t) in options)
            sb.Append($"""<option value="{E(v)}"{(v == value ? " selected" : "")}>{E(t)}</option>""");
        sb.Append("</select>");
        if (error is not null)
            sb.Append($"<em>{E(error)}</em>");
        return sb.Append("</label>").ToString();
    }

    /// <summary>A notice above a form or table: <c>info</c>, <c>warn</c> (allowed, but see the rule) or <c>refuse</c>.</summary>
    public static string Notice(string kind, string text, string? regulation = null) =>
        $"""<div class="notice {E(kind)}">{E(text)}{(regulation is null ? "" : $"<cite>依据：{E(regulation)}</cite>")}</div>""";

    private const string Style = """
        *{box-sizing:border-box}body{margin:0;font-family:-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;background:#f4f5f7;color:#222;font-size:14px}
        header{display:flex;justify-content:space-between;align-items:center;background:linear-gradient(135deg,#b71c1c,#d84315);color:#fff;padding:12px 20px}
        header .who{opacity:.9;font-size:13px}header form.out{display:inline;margin-left:12px}header form.out button{background:transparent;border:1px solid #fff;padding:2px 8px}
        .wrap{display:flex;min-height:calc(100vh - 46px)}
        nav{width:180px;flex:none;background:#fff;border-right:1px solid #e5e5e5;padding:12px 0}
        nav a{display:block;padding:10px 20px;color:#444;text-decoration:none}nav a.on{color:#b71c1c;font-weight:600;background:#fdecea;border-left:3px solid #b71c1c}
        main{flex:1;min-width:0;padding:16px 24px}main.bare{max-width:560px;margin:0 auto}h1{font-size:20px;margin:4px 0 16px}
        table{width:100%;border-collapse:collapse;background:#fff}th,td{padding:8px 10px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
        th{background:#fafafa;font-weight:600;white-space:nowrap}th a{color:#222;text-decoration:none}
        .scroll{overflow-x:auto}.empty{color:#888;text-align:center;padding:24px}.count{color:#666;margin:8px 0}
        .pager{display:flex;gap:16px;align-items:center}.pager a{color:#b71c1c}
        form.search{display:flex;gap:8px;margin-bottom:8px}input,select,textarea{font:inherit;padding:6px 8px;border:1px solid #ccc;border-radius:4px}
        button,.button{font:inherit;padding:6px 14px;border:0;border-radius:4px;background:#b71c1c;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
        button.plain,.button.plain{background:#fff;color:#b71c1c;border:1px solid #b71c1c}
        .field{display:block;margin:0 0 12px}.field span{display:block;margin-bottom:4px;color:#555}.field input,.field select{width:100%;max-width:420px}
        .field small{display:block;color:#888}.field em{display:block;color:#c62828;font-style:normal;margin-top:2px}.field.bad input,.field.bad select{border-color:#c62828}
        .notice{padding:10px 12px;border-radius:4px;margin:0 0 12px;background:#e8f0fe}.notice.warn{background:#fff4e5}.notice.refuse{background:#fdecea;color:#b71c1c}
        .notice cite{display:block;font-style:normal;color:#666;font-size:12px;margin-top:4px}
        .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:12px}.cards a{display:block;background:#fff;padding:16px;border-radius:6px;color:#222;text-decoration:none;border:1px solid #eee}
        @media (max-width:720px){.wrap{display:block}nav{width:auto;display:flex;overflow-x:auto;padding:0;border-right:0;border-bottom:1px solid #e5e5e5}nav a{white-space:nowrap;padding:10px 14px}nav a.on{border-left:0;border-bottom:3px solid #b71c1c}main{padding:12px}}
        """;
}

/// <summary>A column of <see cref="AdminLayout.Table"/>; a <see cref="SortKey"/> makes its header a sort link.</summary>
public sealed record TableColumn(string Label, string? SortKey = null);

/// <summary>
/// A table's view as the query string carries it: <c>q</c> (search), <c>sort</c> and <c>dir</c>, <c>page</c>.
/// Out-of-range values fall back to the first page and the default order, never an error.
/// </summary>
public sealed record TableQuery(string? Search, string? Sort, bool Descending, int Page, int PageSize = TableQuery.DefaultPageSize)
{
    public const int DefaultPageSize = 20;
    public const int MaxSearchLength = 50;

    public int Offset => (Page - 1) * PageSize;

    /// <summary>Reads the view from the request; <paramref name="sortKeys"/> are the keys this table sorts by.</summary>
    public static TableQuery From(HttpRequest request, IReadOnlyCollection<string> sortKeys)
    {
        var q = request.Query["q"].ToString().Trim();
        var sort = request.Query["sort"].ToString();
        var page = int.TryParse(request.Query["page"], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and < 100_000 ? p : 1;
        return new TableQuery(q.Length == 0 ? null : q[..Math.Min(q.Length, MaxSearchLength)],
            sortKeys.Contains(sort) ? sort : null, request.Query["dir"] == "desc", page);
    }

    /// <summary>The link to this view with some parts changed.</summary>
    public string Link(string path, string? sort = null, string? dir = null, int? page = null)
    {
        var parts = new List<string>();
        if (Search is not null)
            parts.Add("q=" + Uri.EscapeDataString(Search));
        if ((sort ?? Sort) is { } s)
            parts.Add("sort=" + Uri.EscapeDataString(s) + "&dir=" + (dir ?? (Descending ? "desc" : "asc")));
        if ((page ?? Page) is var pg and > 1)
            parts.Add("page=" + pg.ToString(CultureInfo.InvariantCulture));
        return parts.Count == 0 ? path : path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + string.Join('&', parts);
    }
}
