using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using static WxQms.Sandbox.SandboxHttp;

namespace WxQms.Sandbox;

/// <summary>
/// Web OAuth for official-account pages (snsapi_base): the authorize page under /sandbox/open
/// (Wechat:OpenBase, where the browser goes) and the code exchange under /sandbox/wechat (ApiBase).
/// WeChat's silent snsapi_base has no page; the sandbox shows one so a person can choose who they are.
/// </summary>
internal static class SandboxOAuth
{
    private const int ShownUsers = 30;
    private static readonly string[] Scopes = ["snsapi_base", "snsapi_userinfo"];

    public static void MapSandboxOAuthPages(this RouteGroupBuilder open)
    {
        open.MapGet("/connect/oauth2/authorize", Authorize);
        open.MapGet("/connect/oauth2/authorize/choose", Choose);
    }

    public static void MapSandboxOAuthApi(this RouteGroupBuilder wx) =>
        wx.MapGet("/sns/oauth2/access_token", Exchange);

    /// <summary>The chooser: a search box and up to 30 users, each a link that "authorises" as them.</summary>
    internal static async Task<IResult> Authorize(string? appid, string? redirect_uri, string? response_type, string? scope,
        string? state, string? q, SandboxWechat sandbox, CancellationToken ct)
    {
        if (Invalid(appid, redirect_uri, response_type, scope, sandbox) is { } problem)
            return ErrorPage(problem);

        var users = (await sandbox.Users.GetAsync(ct)).All
            .Where(u => string.IsNullOrWhiteSpace(q) || u.Name.Contains(q.Trim(), StringComparison.Ordinal)
                || u.MemberId?.ToString(CultureInfo.InvariantCulture) == q.Trim())
            .ToList();
        var html = new StringBuilder();
        html.Append(Head("微信授权（沙箱）"));
        html.Append("<h1>选择微信用户</h1><p class=hint>沙箱模拟的静默授权（snsapi_base）：点击一位用户，即以其身份返回 ")
            .Append(Encode(new Uri(redirect_uri!).Host)).Append("。</p>");
        html.Append("<form method=get>");
        foreach (var (name, value) in new[] { ("appid", appid), ("redirect_uri", redirect_uri), ("response_type", response_type),
                     ("scope", scope), ("state", state) })
            html.Append($"<input type=hidden name={name} value=\"{Encode(value)}\">");
        html.Append($"<input name=q value=\"{Encode(q)}\" placeholder=\"姓名或党员编号\"><button>搜索</button></form>");
        html.Append($"<p class=hint>共 {users.Count} 人").Append(users.Count > ShownUsers ? $"，显示前 {ShownUsers} 人" : "").Append("</p><ul>");
        foreach (var u in users.Take(ShownUsers))
        {
            var link = "authorize/choose?" + Query(("appid", appid), ("redirect_uri", redirect_uri), ("scope", scope),
                ("state", state), ("openid", u.OpenId));
            html.Append($"<li><a href=\"{Encode(link)}\"><b>{Encode(u.Name)}</b>")
                .Append(u.MemberId is { } id ? $"<span>党员 #{id}</span>" : "<span>居民</span>")
                .Append(sandbox.Users.Follows(u) ? "<span>已关注</span>" : "<span class=off>未关注</span>")
                .Append("</a></li>");
        }
        html.Append("</ul></body></html>");
        return Results.Content(html.ToString(), "text/html; charset=utf-8");
    }

    /// <summary>Issues the code and sends the browser back: redirect_uri?code=…&amp;state=….</summary>
    internal static async Task<IResult> Choose(string? appid, string? redirect_uri, string? scope, string? state, string? openid,
        SandboxWechat sandbox, CancellationToken ct)
    {
        if (Invalid(appid, redirect_uri, "code", scope, sandbox) is { } problem)
            return ErrorPage(problem);
        if (await sandbox.Users.FindAsync(openid, ct) is not { } user || user.OpenId != openid)
            return ErrorPage("沙箱中没有这位公众号用户");
        var code = sandbox.Codes.Issue(SandboxCodeKind.OAuth, SandboxApp.Oa, user.OpenId, scope);
        return Results.Redirect(AppendQuery(redirect_uri!, ("code", code), ("state", state ?? "")));
    }

    /// <summary>
    /// sns/oauth2/access_token: no errcode on success; the code is good once, for five minutes. The
    /// unionid comes only with snsapi_userinfo.
    /// </summary>
    internal static async Task<IResult> Exchange(string? appid, string? secret, string? code, string? grant_type,
        SandboxWechat sandbox, CancellationToken ct)
    {
        if (CheckCodeExchange(sandbox, "sns/oauth2/access_token", appid, secret, grant_type) is { } refused)
            return Answer(refused);
        if (sandbox.Codes.Redeem(SandboxCodeKind.OAuth, sandbox.AppOf(appid!)!.Value, code) is not { } issued)
            return Answer(SandboxWechat.Fail(40029, "invalid code"));
        var (accessToken, refreshToken) = (RandomId(86), RandomId(86));
        if (issued.Scope == "snsapi_userinfo" && await sandbox.Users.FindAsync(issued.OpenId, ct) is { } user)
        {
            return Answer(new
            {
                access_token = accessToken, expires_in = 7200, refresh_token = refreshToken,
                openid = issued.OpenId, scope = issued.Scope, unionid = user.UnionId,
            });
        }
        return Answer(new
        {
            access_token = accessToken, expires_in = 7200, refresh_token = refreshToken,
            openid = issued.OpenId, scope = issued.Scope,
        });
    }

    private static string? Invalid(string? appid, string? redirectUri, string? responseType, string? scope, SandboxWechat sandbox)
    {
        if (appid is null || sandbox.AppOf(appid) != SandboxApp.Oa)
            return "appid 无效：只有本公众号可以发起网页授权";
        if (!Uri.TryCreate(redirectUri, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return "redirect_uri 参数错误：须为 http(s) 绝对地址";
        if (responseType != "code")
            return "response_type 参数错误：须为 code";
        return scope is not null && Scopes.Contains(scope) ? null : "scope 参数错误或没有 scope 权限";
    }

    private static IResult ErrorPage(string message) =>
        Results.Content($"{Head("授权出错（沙箱）")}<h1>无法授权</h1><p class=error>{Encode(message)}</p></body></html>",
            "text/html; charset=utf-8", Encoding.UTF8, StatusCodes.Status400BadRequest);

    private static string Head(string title) => $$"""
        <!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width,initial-scale=1">
        <title>{{Encode(title)}}</title>
        <style>
        body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;max-width:480px;margin:0 auto;padding:12px;background:#ededed;color:#111}
        h1{font-size:18px;margin:8px 0}.hint{color:#666;font-size:13px}.error{color:#c00}
        form{display:flex;gap:6px;margin:8px 0}input{flex:1;padding:8px;font-size:15px;border:1px solid #ccc;border-radius:4px}
        button{padding:8px 14px;background:#07c160;color:#fff;border:0;border-radius:4px;font-size:15px}
        ul{list-style:none;padding:0;margin:0;background:#fff;border-radius:6px}
        li a{display:flex;gap:8px;align-items:center;padding:12px;border-bottom:1px solid #eee;color:#111;text-decoration:none}
        li span{font-size:12px;color:#07c160}li span.off{color:#999}b{flex:1}
        </style></head><body>
        """;

    /// <summary>Escapes markup but leaves Chinese readable (HtmlEncoder.Default would write &amp;#x...; for it).</summary>
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    private static string Encode(string? s) => Html.Encode(s ?? "");

    private static string Query(params (string Name, string? Value)[] pairs) =>
        string.Join("&", pairs.Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value ?? "")}"));

    /// <summary>Adds parameters to a URL that may already have a query, keeping any fragment at the end.</summary>
    private static string AppendQuery(string url, params (string Name, string? Value)[] pairs)
    {
        var hash = url.IndexOf('#');
        var (head, fragment) = hash < 0 ? (url, "") : (url[..hash], url[hash..]);
        return head + (head.Contains('?') ? "&" : "?") + Query(pairs) + fragment;
    }
}
