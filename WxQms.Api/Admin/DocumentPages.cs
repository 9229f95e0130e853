using System.Globalization;
using System.Text;
using WxQms.Api.Infrastructure;
using WxQms.Api.MiniProgram;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Documents;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Documents;
using WxQms.Domain.Storage;
using static WxQms.Api.Admin.AdminLayout;

namespace WxQms.Api.Admin;

/// <summary>
/// 受控文件 (/admin/documents): the register of the three levels and of the external regulations. Everyone of the
/// console reads it (drafts included); office staff register a document with its first draft, write new versions,
/// approve, put in force (the version in force before becomes obsolete), make a version obsolete and compare two
/// versions line by line. Each change is one audit entry (the service's).
/// </summary>
public static class DocumentPages
{
    private const string PagePath = "/admin/documents";
    private static readonly string[] SortKeys = ["number", "title"];

    public static void MapAdminDocuments(this IEndpointRouteBuilder app)
    {
        var pages = app.AdminPages();
        pages.MapGet("/documents", List);
        pages.MapPost("/documents", Create);
        pages.MapGet("/documents/{number}", Show);
        pages.MapGet("/documents/{number}/diff", Diff);
        pages.MapPost("/documents/{number}/versions", Draft);
        pages.MapPost("/documents/{number}/versions/{version}/{action}", Act);
        pages.MapPost("/duties/{code}/clause", SetClause);
    }

    private static string Path(string number) => $"{PagePath}/{Uri.EscapeDataString(number)}";

    private static async Task<IResult> List(HttpContext http, CurrentUser user, MemberService members, DocumentService documents,
        CancellationToken ct) => await RenderListAsync(http, user, members, documents, new Dictionary<string, string>(),
        new Dictionary<string, string>(), ct);

    private static async Task<IResult> RenderListAsync(HttpContext http, CurrentUser user, MemberService members, DocumentService documents,
        IReadOnlyDictionary<string, string> form, IReadOnlyDictionary<string, string> errors, CancellationToken ct)
    {
        var query = TableQuery.From(http.Request, SortKeys);
        IEnumerable<DocumentListRow> list = await documents.ListAsync(query.Search, inForceOnly: false, ct);
        list = query.Sort switch
        {
            "number" => query.Descending ? list.OrderByDescending(d => d.Document.Number) : list.OrderBy(d => d.Document.Number),
            "title" => query.Descending ? list.OrderByDescending(d => d.Document.Title) : list.OrderBy(d => d.Document.Title),
            _ => list,
        };
        var all = list.ToList();
        var rows = all.Skip(query.Offset).Take(query.PageSize).Select(d => (IReadOnlyList<string>)
        [
            $"""<a href="{E(Path(d.Document.Number))}">{E(d.Document.Number)}</a>""", E(d.Document.Title), E(DocumentRules.Label(d.Document.Level)),
            E($"{d.Document.OwnerOrgName} {d.Document.OwnerPerson}".Trim()),
            d.InForceVersion is { } f ? E($"第{f}版（{d.InForceOn:yyyy-MM-dd}起）") : "—",
            d.LatestVersion == d.InForceVersion ? "—" : E($"第{d.LatestVersion}版 {DocumentRules.Label(d.LatestStatus)}"),
        ]);
        var body = new StringBuilder(Notice("info", "受控文件分为质量手册、程序文件、工作规范三个层级，以及所依据的党内法规（外来文件）。"
            + "每个文件的新版本须经批准后发布实施，实施时原版本自动作废，同一时间只有一个现行有效版本。", "ISO 9001:2015 7.5 成文信息"));
        if (http.Request.Query["done"] == "created")
            body.Append(Notice("info", "已登记文件，第1版为草稿，待批准。"));
        body.Append(Table(PagePath, query, [new("编号", "number"), new("名称", "title"), new("层级"), new("责任"), new("现行版本"), new("待处理版本")],
            rows, all.Count, "编号、名称或现行正文"));
        if (user.HasRole(Roles.Staff))
            body.Append(await CreateFormAsync(documents, form, errors, ct));
        return Page(http, await AdminEndpoints.ViewerAsync(user, members, ct), "受控文件", "documents", body.ToString(),
            errors.Count > 0 ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK);
    }

    private static async Task<string> CreateFormAsync(DocumentService documents, IReadOnlyDictionary<string, string> form,
        IReadOnlyDictionary<string, string> errors, CancellationToken ct)
    {
        var sb = new StringBuilder($"""<h2 id=new>登记文件</h2><form method=post action="{PagePath}">""");
        if (errors.Count > 0)
            sb.Append(Notice("refuse", "请修改标红的项目后重新提交。"));
        sb.Append(Field("number", "文件编号", form.GetValueOrDefault("number"), errors.GetValueOrDefault("number"), required: true,
            hint: "例如 DFL-QM-01（手册）、DFL-QP-03（程序文件）、DFL-WI-05（工作规范）"));
        sb.Append(Field("title", "文件名称", form.GetValueOrDefault("title"), errors.GetValueOrDefault("title"), required: true));
        sb.Append(Select("level", "层级", form.GetValueOrDefault("level"), DocumentRules.Levels.Select(l => (DbNames.Of(l), DocumentRules.Label(l))),
            errors.GetValueOrDefault("level")));
        var owners = await documents.OwnerOrgsAsync(ct);
        sb.Append(Select("ownerOrgId", "责任组织", form.GetValueOrDefault("ownerOrgId"),
            owners.Select(o => (o.Id.ToString(CultureInfo.InvariantCulture), o.Name)).Prepend(("", "（无）")), errors.GetValueOrDefault("ownerOrgId")));
        sb.Append(Field("ownerPerson", "责任人", form.GetValueOrDefault("ownerPerson"), errors.GetValueOrDefault("ownerPerson"), required: true,
            hint: "岗位或姓名，例如 党建办主任"));
        sb.Append(TextArea("body", "第1版正文（Markdown）", form.GetValueOrDefault("body"), errors.GetValueOrDefault("body"),
            "用“## 4.2 标题”标出条款，职责可引用为“编号 §4.2”"));
        sb.Append(Field("changeReason", "说明", form.GetValueOrDefault("changeReason"), errors.GetValueOrDefault("changeReason"), hint: "可不填，默认为“首次发布”"));
        return sb.Append("<button>登记并保存草稿</button></form>").ToString();
    }

    private static async Task<IResult> Create(HttpContext http, CurrentUser user, MemberService members, DocumentService documents,
        CancellationToken ct)
    {
        DocumentService.EnsureStaff(user.Roles);
        var form = await FormAsync(http, ct);
        var input = new DocumentInput(form.GetValueOrDefault("number"), form.GetValueOrDefault("title"),
            DocumentRules.Levels.Where(x => DbNames.Of(x) == form.GetValueOrDefault("level")).Select(x => (DocumentLevel?)x).FirstOrDefault(),
            long.TryParse(form.GetValueOrDefault("ownerOrgId"), NumberStyles.None, CultureInfo.InvariantCulture, out var org) ? org : null,
            form.GetValueOrDefault("ownerPerson"), form.GetValueOrDefault("body"), form.GetValueOrDefault("changeReason"));
        try
        {
            var number = await documents.CreateAsync(MemberAdminEndpoints.Editor(user), input, ct);
            return SeeOther($"{Path(number)}?done=created");
        }
        catch (OrgInputException bad)
        {
            return await RenderListAsync(http, user, members, documents, form, bad.Errors, ct);
        }
    }

    private static async Task<IResult> Show(string number, int? version, HttpContext http, CurrentUser user, MemberService members,
        DocumentService documents, CancellationToken ct)
    {
        var notice = http.Request.Query["done"].ToString() switch
        {
            "created" => Notice("info", "已登记文件，第1版为草稿，待批准。"),
            "drafted" => Notice("info", $"已保存第{http.Request.Query["v"]}版草稿，待批准。"),
            "approve" => Notice("info", $"已批准第{http.Request.Query["v"]}版，可发布实施。"),
            "in-force" => Notice("info", $"第{http.Request.Query["v"]}版已发布实施，原现行版本已作废。"),
            "obsolete" => Notice("info", $"第{http.Request.Query["v"]}版已作废。"),
            _ => "",
        };
        return await RenderAsync(http, user, members, await documents.GetAsync(number, ct), version, notice, null, null, ct);
    }

    private static async Task<IResult> RenderAsync(HttpContext http, CurrentUser user, MemberService members, DocumentDetail detail,
        int? shownVersion, string notice, IReadOnlyDictionary<string, string>? form, IReadOnlyDictionary<string, string>? errors,
        CancellationToken ct, int status = StatusCodes.Status200OK)
    {
        var doc = detail.Document;
        var staff = user.HasRole(Roles.Staff);
        var path = Path(doc.Number);
        var sb = new StringBuilder(notice);
        sb.Append($"<p>{E(DocumentRules.Label(doc.Level))} · 责任：{E($"{doc.OwnerOrgName} {doc.OwnerPerson}".Trim())} · ");
        sb.Append(detail.InForce is { } f
            ? $"""<a href="{E(DocumentPaths.Reader(doc.Number))}">阅读现行第{f.Version}版</a></p>"""
            : "尚无现行有效版本</p>");
        sb.Append("<h2>各版本</h2><div class=scroll><table><thead><tr><th>版本</th><th>状态</th><th>修订原因</th><th>起草</th><th>批准</th>"
            + "<th>实施日期</th><th>作废日期</th><th></th></tr></thead><tbody>");
        foreach (var v in detail.Versions.Reverse())
        {
            var state = v.Status == DocumentStatus.Obsolete ? $"<b style=\"color:#c62828\">{E(DocumentRules.Label(v.Status))}</b>" : E(DocumentRules.Label(v.Status));
            sb.Append($"<tr data-version={v.Version}><td>第{v.Version}版</td><td>{state}</td><td>{E(v.ChangeReason)}</td>"
                + $"<td>{E(v.DraftedBy)}<br><small>{Local(v.DraftedAt)}</small></td>"
                + $"<td>{E(v.ApprovedBy ?? "—")}<br><small>{(v.ApprovedAt is { } a ? Local(a) : "")}</small></td>"
                + $"<td>{v.InForceOn:yyyy-MM-dd}</td><td>{v.ObsoleteOn:yyyy-MM-dd}</td><td>");
            sb.Append($"""<a href="{E(path)}?version={v.Version}#text">查看</a> """);
            if (staff)
            {
                foreach (var action in new[] { DocumentAction.Approve, DocumentAction.PutInForce, DocumentAction.MakeObsolete })
                {
                    if (DocumentRules.Apply(v.Status, action).Next is null)
                        continue;
                    sb.Append($"""<form method=post action="{E(path)}/versions/{v.Version}/{Slug(action)}" style="display:inline"><button class="{(action == DocumentAction.MakeObsolete ? "plain" : "")}">{E(DocumentRules.Label(action))}</button></form> """);
                }
            }
            sb.Append("</td></tr>");
        }
        sb.Append("</tbody></table></div>");

        if (detail.Versions.Count > 1)
        {
            var options = detail.Versions.Select(v => (v.Version.ToString(CultureInfo.InvariantCulture), $"第{v.Version}版")).ToList();
            sb.Append($"""<h2>版本比较</h2><form method=get action="{E(path)}/diff" class=search>""")
                .Append(Select("from", "原版本", detail.Versions[^2].Version.ToString(CultureInfo.InvariantCulture), options))
                .Append(Select("to", "新版本", detail.Versions[^1].Version.ToString(CultureInfo.InvariantCulture), options))
                .Append("<button>比较</button></form>");
        }

        var shown = shownVersion is { } sv ? detail.Versions.FirstOrDefault(v => v.Version == sv) : detail.Versions.LastOrDefault();
        if (shown is not null)
        {
            sb.Append($"<h2 id=text>第{shown.Version}版正文（{E(DocumentRules.Label(shown.Status))}）</h2>");
            if (shown.Status == DocumentStatus.Obsolete)
                sb.Append(Notice("refuse", "已作废：该版本仅供查阅，不得作为工作依据。"));
            sb.Append("<article style=\"background:#fff;padding:8px 16px;line-height:1.7\">").Append(DocumentMarkdown.Render(shown.Body).Html).Append("</article>");
        }

        if (staff)
        {
            var latest = detail.Versions.LastOrDefault();
            sb.Append($"""<h2 id=draft>编写新版本（第{(latest?.Version ?? 0) + 1}版）</h2><form method=post action="{E(path)}/versions">""");
            if (errors is { Count: > 0 })
                sb.Append(Notice("refuse", "请修改标红的项目后重新提交。"));
            sb.Append(TextArea("body", "正文（Markdown）", form?.GetValueOrDefault("body") ?? latest?.Body, errors?.GetValueOrDefault("body"),
                "用“## 4.2 标题”标出条款"));
            sb.Append(Field("changeReason", "修订原因", form?.GetValueOrDefault("changeReason"), errors?.GetValueOrDefault("changeReason"), required: true));
            sb.Append("<button>保存草稿</button></form>");
        }
        return Page(http, await AdminEndpoints.ViewerAsync(user, members, ct), $"{doc.Number} {doc.Title}", "documents", sb.ToString(), status);
    }

    private static async Task<IResult> Draft(string number, HttpContext http, CurrentUser user, MemberService members, DocumentService documents,
        CancellationToken ct)
    {
        DocumentService.EnsureStaff(user.Roles);
        var form = await FormAsync(http, ct);
        try
        {
            var version = await documents.DraftAsync(MemberAdminEndpoints.Editor(user), number, form.GetValueOrDefault("body"),
                form.GetValueOrDefault("changeReason"), ct);
            return SeeOther($"{Path(number)}?done=drafted&v={version}");
        }
        catch (OrgInputException bad)
        {
            return await RenderAsync(http, user, members, await documents.GetAsync(number, ct), null, "", form, bad.Errors, ct,
                StatusCodes.Status400BadRequest);
        }
        catch (RuleViolationException e)
        {
            return await RenderAsync(http, user, members, await documents.GetAsync(number, ct), null, Notice("refuse", e.Message), form, null, ct,
                StatusCodes.Status409Conflict);
        }
    }

    private static async Task<IResult> Act(string number, string version, string action, HttpContext http, CurrentUser user, MemberService members,
        DocumentService documents, CancellationToken ct)
    {
        DocumentService.EnsureStaff(user.Roles);
        DocumentAction? parsed = action switch
        {
            "approve" => DocumentAction.Approve,
            "in-force" => DocumentAction.PutInForce,
            "obsolete" => DocumentAction.MakeObsolete,
            _ => null,
        };
        if (parsed is not { } a || !int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
            throw new NotFoundException("没有这个操作", "document.version_not_found");
        try
        {
            await documents.ActAsync(MemberAdminEndpoints.Editor(user), number, v, a, ct);
            return SeeOther($"{Path(number)}?done={action}&v={version}");
        }
        catch (RuleViolationException e)
        {
            return await RenderAsync(http, user, members, await documents.GetAsync(number, ct), null, Notice("refuse", e.Message), null, null, ct,
                StatusCodes.Status409Conflict);
        }
    }

    private static async Task<IResult> Diff(string number, int? from, int? to, HttpContext http, CurrentUser user, MemberService members,
        DocumentService documents, CancellationToken ct)
    {
        var detail = await documents.GetAsync(number, ct);
        if (detail.Versions.Count == 0)
            return SeeOther(Path(number));
        var a = from ?? (detail.Versions.Count > 1 ? detail.Versions[^2].Version : detail.Versions[0].Version);
        var b = to ?? detail.Versions[^1].Version;
        var (_, older, newer, lines) = await documents.DiffAsync(number, a, b, ct);
        var sb = new StringBuilder();
        sb.Append($"""<p><a href="{E(Path(number))}">返回文件</a></p>""");
        sb.Append(Notice("info", $"第{older.Version}版（{DocumentRules.Label(older.Status)}）→ 第{newer.Version}版（{DocumentRules.Label(newer.Status)}）。"
            + $"修订原因：{newer.ChangeReason}。新增 {lines.Count(l => l.Kind == DiffKind.Added)} 行，删除 {lines.Count(l => l.Kind == DiffKind.Removed)} 行。"));
        sb.Append("<style>.diff{background:#fff;font-family:monospace;white-space:pre-wrap;border:1px solid #eee}.diff div{padding:1px 8px}"
            + ".diff .add{background:#e6ffed}.diff .del{background:#ffeef0;text-decoration:line-through}.diff .add::before{content:'+ '}"
            + ".diff .del::before{content:'- '}.diff .same::before{content:'  '}</style><div class=diff>");
        foreach (var line in lines)
        {
            var kind = line.Kind switch { DiffKind.Added => "add", DiffKind.Removed => "del", _ => "same" };
            sb.Append($"<div class={kind}>{E(line.Text)}</div>");
        }
        sb.Append("</div>");
        return Page(http, await AdminEndpoints.ViewerAsync(user, members, ct), $"{detail.Document.Number} 版本比较", "documents", sb.ToString());
    }

    /// <summary>The duty page's clause form (职责目录): office staff set or clear the clause a duty follows.</summary>
    private static async Task<IResult> SetClause(string code, HttpContext http, CurrentUser user, MemberService members, DutyService duties,
        DocumentService documents, CancellationToken ct)
    {
        DocumentService.EnsureStaff(user.Roles);
        var form = await FormAsync(http, ct);
        var clause = form.GetValueOrDefault("clause");
        try
        {
            await documents.SetClauseAsync(MemberAdminEndpoints.Editor(user), code, clause, ct);
            return SeeOther($"/admin/duties/{Uri.EscapeDataString(code)}?clause=set");
        }
        catch (OrgInputException bad)
        {
            return await DutyPages.RenderAsync(http, user, members, await duties.GetAsync(code, ct), null, DutyPages.FormValues.Empty,
                new Dictionary<string, string>(), null, ct, StatusCodes.Status400BadRequest, (clause, bad.Errors.GetValueOrDefault("clause")));
        }
    }

    private static string Slug(DocumentAction a) => a switch
    {
        DocumentAction.Approve => "approve",
        DocumentAction.PutInForce => "in-force",
        _ => "obsolete",
    };

    private static string Local(DateTimeOffset t) => t.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static async Task<Dictionary<string, string>> FormAsync(HttpContext http, CancellationToken ct)
    {
        if (!http.Request.HasFormContentType)
            return new Dictionary<string, string>(StringComparer.Ordinal);
        var form = await http.Request.ReadFormAsync(ct);
        return form.Keys.Select(k => (k, v: form[k].ToString())).Where(x => x.v.Trim().Length > 0)
            .ToDictionary(x => x.k, x => x.k == "body" ? x.v : x.v.Trim(), StringComparer.Ordinal);
    }

    private static string TextArea(string name, string label, string? value, string? error, string hint) => $"""
        <label class="field{(error is null ? "" : " bad")}"><span>{E(label)} *</span>
        <textarea name="{E(name)}" rows=16 style="width:100%;max-width:820px;font-family:monospace">{E(value)}</textarea>
        <small>{E(hint)}</small>{(error is null ? "" : $"<em>{E(error)}</em>")}</label>
        """;
}
