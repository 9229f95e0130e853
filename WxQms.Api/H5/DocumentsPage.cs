using System.Globalization;
using System.Text;
using WxQms.Api.Infrastructure;
using WxQms.Api.MiniProgram;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Documents;
using WxQms.Domain.Services.Documents;
using static WxQms.Api.H5.H5Layout;

namespace WxQms.Api.H5;

/// <summary>
/// The controlled documents' reader for every member, opened from the official account: <c>/h5/documents</c> lists the
/// documents in force by level with a search (number, title, text), <c>/h5/documents/{number}</c> shows the version in
/// force rendered with its table of contents, each section anchored by its number (<c>#4.2</c>), and
/// <c>?version=N</c> an older version under a prominent 已作废 banner.
/// </summary>
public static class DocumentsPage
{
    private const string Style = """
        form.find{display:flex;gap:8px;padding:10px 14px;background:#fff}form.find input{flex:1;font:inherit;padding:7px 9px;border:1px solid #ccc;border-radius:4px}
        form.find button{font:inherit;border:0;border-radius:4px;background:#b71c1c;color:#fff;padding:7px 14px}
        h2{font-size:14px;color:#888;font-weight:normal;margin:14px 14px 6px}
        ul.docs{list-style:none;margin:0;padding:0;background:#fff}ul.docs li{border-bottom:1px solid #f0f0f0}
        ul.docs a{display:block;padding:11px 14px;color:#222;text-decoration:none}ul.docs small{display:block;color:#999;font-size:12px;margin-top:2px}
        .num{color:#b71c1c;font-family:monospace;margin-right:6px}
        .obsolete{margin:10px 14px;padding:12px;border:2px solid #c62828;background:#fdecea;color:#b71c1c;font-weight:600;border-radius:6px}
        .obsolete a{color:#b71c1c}.meta{padding:8px 14px;color:#666;font-size:13px;background:#fff;margin:0}
        nav.toc{background:#fff;margin:10px 0;padding:8px 14px}nav.toc b{display:block;color:#888;font-weight:normal;font-size:13px;margin-bottom:4px}
        nav.toc a{display:block;padding:4px 0;color:#b71c1c;text-decoration:none}nav.toc a.d3{padding-left:16px}nav.toc a.d4{padding-left:32px}
        article{background:#fff;padding:4px 14px 16px;line-height:1.7;word-break:break-word}article h1{font-size:18px}article h2{font-size:16px;color:#222;margin:18px 0 6px;font-weight:600}
        article h3{font-size:15px;margin:14px 0 4px}article :target{background:#fff4e5}article table{border-collapse:collapse;width:100%}
        article td,article th{border:1px solid #eee;padding:4px 6px;font-size:13px}footer{padding:16px 14px;color:#aaa;font-size:12px}
        a.back{display:inline-block;margin:10px 14px 0;color:#b71c1c}
        """;

    public static void MapDocumentsPage(this IEndpointRouteBuilder app)
    {
        var h5 = app.MapGroup("/h5").ExcludeFromDescription().RequireRateLimiting(RateLimits.H5);
        h5.MapGet("/documents", List);
        h5.MapGet("/documents/{number}", Read);
    }

    private static async Task<(IResult? Refusal, H5Identity? Viewer)> SignInAsync(HttpContext http, H5Viewer viewers, CancellationToken ct)
    {
        var (outcome, viewer) = await viewers.ResolveAsync(http, ct);
        return outcome switch
        {
            H5Viewer.Outcome.Member => (null, viewer),
            H5Viewer.Outcome.Redirect => (Results.Redirect(H5Viewer.CleanPath(http.Request)), null),
            H5Viewer.Outcome.NeedsOAuth => (viewers.StartOAuth(http) is { } authorize
                ? Results.Redirect(authorize)
                : Message(StatusCodes.Status503ServiceUnavailable, "暂时无法登录", "页面地址未配置（Bot:PublicBase），请联系管理员。", Style), null),
            H5Viewer.Outcome.StateMismatch => (Message(StatusCodes.Status400BadRequest, "授权已失效", "请从公众号菜单重新打开页面。", Style), null),
            _ => (Message(StatusCodes.Status403Forbidden, "请先绑定党员身份", "您的微信尚未绑定党员信息。请在公众号中发送手机号完成绑定，或从小程序进入。", Style), null),
        };
    }

    private static async Task<IResult> List(string? q, HttpContext http, H5Viewer viewers, DocumentService documents, CancellationToken ct)
    {
        var (refusal, viewer) = await SignInAsync(http, viewers, ct);
        if (refusal is not null)
            return refusal;
        var search = string.IsNullOrWhiteSpace(q) ? null : q.Trim()[..Math.Min(q.Trim().Length, 50)];
        var list = await documents.ListAsync(search, inForceOnly: true, ct);
        var sb = new StringBuilder(8_192);
        sb.Append(Head("受控文件", Style));
        sb.Append("<header><h1>受控文件</h1><p class=sub>质量手册、程序文件、工作规范及所依据的党内法规</p></header>");
        sb.Append("<form class=find method=get action=\"/h5/documents\"><input type=search name=q value=\"").Append(E(search))
            .Append("\" placeholder=\"编号、名称或正文\"><button>搜索</button></form>");
        if (list.Count == 0)
            sb.Append("<p class=empty>").Append(E(search is null ? "暂无现行有效的文件。" : $"没有找到与“{search}”有关的文件。")).Append("</p>");
        foreach (var level in DocumentRules.Levels)
        {
            var docs = list.Where(d => d.Document.Level == level).ToList();
            if (docs.Count == 0)
                continue;
            sb.Append("<h2>").Append(E(DocumentRules.Label(level))).Append("</h2><ul class=docs>");
            foreach (var d in docs)
                sb.Append("<li><a href=\"").Append(E(DocumentPaths.Reader(d.Document.Number))).Append("\"><span class=num>")
                    .Append(E(d.Document.Number)).Append("</span>").Append(E(d.Document.Title)).Append("<small>第").Append(d.InForceVersion)
                    .Append("版 · ").Append(E(d.InForceOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))).Append("起实施</small></a></li>");
            sb.Append("</ul>");
        }
        sb.Append("<footer>").Append(E(viewer!.Name)).Append(" · ").Append(E(viewers.Subdistrict)).Append("党建质量管理</footer></body></html>");
        return H5Layout.Page(http, sb.ToString());
    }

    private static async Task<IResult> Read(string number, int? version, HttpContext http, H5Viewer viewers, DocumentService documents,
        CancellationToken ct)
    {
        var (refusal, viewer) = await SignInAsync(http, viewers, ct);
        if (refusal is not null)
            return refusal;
        DocumentReading r;
        try
        {
            r = await documents.ReadAsync(number, version, ct);
        }
        catch (NotFoundException e)
        {
            return Message(StatusCodes.Status404NotFound, "未找到", e.Message, Style, "<a class=back href=\"/h5/documents\">返回文件列表</a>");
        }
        var doc = r.Document;
        var v = r.Version;
        var sb = new StringBuilder(16_384);
        sb.Append(Head($"{doc.Number} {doc.Title}", Style));
        sb.Append("<header><h1>").Append(E(doc.Title)).Append("</h1><p class=sub>").Append(E(doc.Number)).Append(" · ")
            .Append(E(DocumentRules.Label(doc.Level))).Append(" · 第").Append(v.Version).Append("版</p></header>");
        if (r.Obsolete)
        {
            sb.Append("<div class=obsolete role=alert>已作废（obsolete）：第").Append(v.Version).Append("版")
                .Append(E(v.ObsoleteOn is { } o ? $"已于{o:yyyy-MM-dd}作废" : "已作废")).Append("，仅供查阅，不得作为工作依据。");
            if (r.InForceVersion is { } current)
                sb.Append("<a href=\"").Append(E(DocumentPaths.Reader(doc.Number))).Append("\">查看现行第").Append(current).Append("版</a>");
            sb.Append("</div>");
        }
        sb.Append("<p class=meta>").Append(E(v.InForceOn is { } f ? $"{f:yyyy-MM-dd}起实施" : "")).Append(E(v.ApprovedBy is null ? "" : $" · 批准：{v.ApprovedBy}"))
            .Append(E($" · 责任：{doc.OwnerOrgName}{(doc.OwnerOrgName is null ? "" : " ")}{doc.OwnerPerson}"))
            .Append("<br>修订说明：").Append(E(v.ChangeReason)).Append("</p>");
        if (r.Rendered.Sections.Count > 1)
        {
            sb.Append("<nav class=toc><b>目录</b>");
            foreach (var s in r.Rendered.Sections)
                sb.Append("<a class=d").Append(s.Depth).Append(" href=\"#").Append(E(s.Anchor)).Append("\">").Append(E(s.Title)).Append("</a>");
            sb.Append("</nav>");
        }
        sb.Append("<article>").Append(r.Rendered.Html).Append("</article>");
        sb.Append("<a class=back href=\"/h5/documents\">返回文件列表</a>");
        sb.Append("<footer>").Append(E(viewer!.Name)).Append(" · ").Append(E(viewers.Subdistrict)).Append("党建质量管理</footer></body></html>");
        return H5Layout.Page(http, sb.ToString());
    }
}
