using System.Globalization;
using System.Text;
using WxQms.Api.Infrastructure;
using WxQms.Api.MiniProgram;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Orgs;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Orgs;
using WxQms.Domain.Storage;
using static WxQms.Api.Admin.AdminLayout;

namespace WxQms.Api.Admin;

/// <summary>The services a console page of the orgs needs: the orgs, the viewer's name, the clock.</summary>
public sealed record OrgPageServices(OrgAdmin Orgs, MemberService Members, TimeProvider Clock);

/// <summary>
/// The console's pages of organisations under /admin/orgs: the tree (collapsible, member counts, warnings) with the terms
/// expiring soon, an org's page (details, warnings with their regulation, term, counts, actions) and the forms to create,
/// rename, move, dissolve and record a term. A form posts back to its page: bad fields re-render it with their errors
/// (400), a refusal by rule with the reason (409), success redirects (303) to the org.
/// </summary>
public static class AdminOrgPages
{
    public const string NavKey = "orgs";

    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("", TreePage);
        pages.MapGet("/new", NewForm);
        pages.MapPost("/new", NewPost);
        pages.MapGet("/{id:long}", OrgPage);
        foreach (var action in new[] { "rename", "move", "dissolve", "term", "community" })
        {
            pages.MapGet($"/{{id:long}}/{action}", (HttpContext http, long id, CurrentUser user, [AsParameters] OrgPageServices s, CancellationToken ct) =>
                ActionForm(http, id, action, user, s, ct));
            pages.MapPost($"/{{id:long}}/{action}", (HttpContext http, long id, CurrentUser user, [AsParameters] OrgPageServices s, CancellationToken ct) =>
                ActionPost(http, id, action, user, s, ct));
        }
    }

    private static async Task<IResult> TreePage(HttpContext http, long? orgId, CurrentUser user, [AsParameters] OrgPageServices s,
        CancellationToken ct)
    {
        var view = await s.Orgs.TreeAsync(orgId, user.Roles, ct);
        var today = Periods.LocalDate(s.Clock.GetUtcNow());
        var body = new StringBuilder();
        if (OrgAccess.ReshapesAnything(user.Roles))
            body.Append($"""<p><a class=button href="/admin/orgs/new?orgId={view.Root.Id}">新建组织</a></p>""");

        var terms = await s.Orgs.ExpiringTermsAsync(user.Roles, ct);
        if (terms.Count > 0)
        {
            body.Append("<h2>即将到期的换届</h2>");
            body.Append(Table("/admin/orgs", new TableQuery(null, null, false, 1, Math.Max(terms.Count, 1)),
                [new("组织"), new("类型"), new("选举日期"), new("任期"), new("状态")],
                terms.Select(t => (IReadOnlyList<string>)[
                    $"""<a href="/admin/orgs/{t.Term.OrgId}">{E(t.OrgName)}</a>""", E(OrgTree.KindLabel(t.OrgKind)),
                    E(t.Term.ElectedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), $"{t.Term.Years} 年",
                    E(Terms.Describe(t.Term.EndsOn, today))]),
                terms.Count));
        }

        body.Append("<h2>组织架构</h2><div class=tree>");
        Node(body, view.Root, view.Warnings, open: true);
        body.Append("</div>");
        return Page(http, await AdminEndpoints.ViewerAsync(user, s.Members, ct), "组织", NavKey, TreeStyle + body);
    }

    private static void Node(StringBuilder sb, OrgTreeNode node, IReadOnlyDictionary<long, IReadOnlyList<OrgFinding>> warnings, bool open)
    {
        var label = new StringBuilder($"""<a href="/admin/orgs/{node.Id}">{E(node.Name)}</a> <small>{E(node.KindLabel)} · {N(node.TotalMemberCount)} 名党员</small>""");
        foreach (var w in warnings.GetValueOrDefault(node.Id, []))
            label.Append($"""<span class=warn title="{E("依据：" + w.Regulation)}">⚠ {E(w.Text)}</span>""");
        if (node.Children.Count == 0)
        {
            sb.Append($"<div class=leaf>{label}</div>");
            return;
        }
        sb.Append($"<details{(open ? " open" : "")}><summary>{label}</summary>");
        foreach (var child in node.Children)
            Node(sb, child, warnings, open: child.Kind is OrgKind.CommunityCommittee or OrgKind.GeneralBranch && open);
        sb.Append("</details>");
    }

    private const string TreeStyle = """
        <style>.tree details,.tree .leaf{margin-left:18px;padding:2px 0}.tree>details{margin-left:0}.tree summary{cursor:pointer}
        .tree small{color:#888}.tree .warn{display:inline-block;margin-left:8px;color:#e65100;font-size:12px}
        dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:6px 16px;background:#fff;padding:12px;border-radius:6px}dl.facts dt{color:#666}
        .actions{display:flex;gap:8px;flex-wrap:wrap;margin:12px 0}h2{font-size:16px;margin:20px 0 8px}</style>
        """;

    private static async Task<IResult> OrgPage(HttpContext http, long id, CurrentUser user, [AsParameters] OrgPageServices s, CancellationToken ct)
    {
        var d = await s.Orgs.GetAsync(id, user.Roles, ct);
        var today = Periods.LocalDate(s.Clock.GetUtcNow());
        var body = new StringBuilder(TreeStyle);
        foreach (var w in d.Warnings)
            body.Append(Notice("warn", w.Text, w.Regulation));
        body.Append("<dl class=facts>");
        void Fact(string label, string html) => body.Append($"<dt>{E(label)}</dt><dd>{html}</dd>");
        Fact("名称", E(d.Org.Name));
        Fact("编码", E(d.Org.Code));
        Fact("类型", E(OrgTree.KindLabel(d.Org.Kind)));
        Fact("社区", d.Community ? "是（居民发布心愿时可选）" : "不是社区");
        Fact("上级组织", d.Parent is { } p ? $"""<a href="/admin/orgs/{p.Id}">{E(p.Name)}</a>""" : "—");
        Fact("在册党员", $"{N(d.Counts.OnTheRoll)} 名（正式党员 {N(d.Counts.FullMembers)} 名）");
        Fact("支部委员", $"{N(d.Counts.CommitteeMembers)} 名");
        Fact("书记", $"{N(d.Counts.Secretaries)} 名");
        Fact("下级组织", $"{N(d.Counts.Children)} 个");
        Fact("进行中的任务", $"{N(d.Counts.OpenTasks)} 项");
        Fact("本届任期", d.Term is { } t
            ? E($"{t.ElectedOn:yyyy-MM-dd} 选举，任期 {t.Years} 年，{Terms.Describe(t.EndsOn, today)}")
            : Terms.HasTerm(d.Org.Kind) ? "未登记" : "不实行任期制");
        body.Append("</dl>");
        if (d.Term is { } term && Terms.ExpiringSoon(term.EndsOn, today))
            body.Append(Notice("warn", "任期即将届满，请按期换届：" + Terms.Describe(term.EndsOn, today), Terms.Regulation));
        else if (d.Term is null && Terms.HasTerm(d.Org.Kind))
            body.Append(Notice("info", "尚未登记本届任期：登记后将在届满前六个月和三个月提醒", Terms.Regulation));
        body.Append(Notice("info", "书记任命：每个组织只设书记1名，已有书记时任命第二名将被拒绝", OrgRules.SecretaryRegulation));

        body.Append("<div class=actions>");
        if (d.MayRename)
            body.Append($"""<a class="button plain" href="/admin/orgs/{id}/rename">重命名</a>""");
        if (d.MayReshape)
        {
            body.Append($"""<a class="button plain" href="/admin/orgs/{id}/move">调整上级</a>""");
            if (Terms.HasTerm(d.Org.Kind))
                body.Append($"""<a class="button plain" href="/admin/orgs/{id}/term">登记换届</a>""");
            if (d.MayMarkCommunity)
                body.Append($"""<a class="button plain" href="/admin/orgs/{id}/community">设置社区</a>""");
            body.Append($"""<a class="button plain" href="/admin/orgs/{id}/dissolve">撤销组织</a>""");
        }
        if (d.Org.Kind != OrgKind.PartyGroup && OrgAccess.CanPlaceUnder(user.Roles, d.Org.Path))
            body.Append($"""<a class=button href="/admin/orgs/new?orgId={id}">新建下级组织</a>""");
        body.Append($"""<a class="button plain" href="/admin/orgs?orgId={id}">查看下级</a></div>""");
        return Page(http, await AdminEndpoints.ViewerAsync(user, s.Members, ct), d.Org.Name, NavKey, body.ToString());
    }

    private static readonly (string Value, string Text)[] Kinds =
    [
        ("branch", "党支部"), ("party_group", "党小组"), ("general_branch", "党总支"), ("community_committee", "社区党委"),
    ];

    private static async Task<IResult> NewForm(HttpContext http, long? orgId, CurrentUser user, [AsParameters] OrgPageServices s,
        CancellationToken ct) =>
        await NewPage(http, user, s, orgId?.ToString(CultureInfo.InvariantCulture), null, null, null, null, new Dictionary<string, string>(), null,
            StatusCodes.Status200OK, ct);

    private static async Task<IResult> NewPost(HttpContext http, CurrentUser user, [AsParameters] OrgPageServices s, CancellationToken ct)
    {
        var form = await FormAsync(http, ct);
        string? F(string name) => form.GetValueOrDefault(name);
        var errors = new Dictionary<string, string>();
        long? parentId = long.TryParse(F("parentId"), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        if (parentId is null)
            errors["parentId"] = "请选择上级组织";
        DateOnly? established = null;
        if (!string.IsNullOrWhiteSpace(F("establishedOn")))
        {
            if (DateOnly.TryParseExact(F("establishedOn"), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                established = day;
            else
                errors["establishedOn"] = "日期格式应为 2026-01-31";
        }
        string? refusal = null;
        var status = StatusCodes.Status400BadRequest;
        if (errors.Count == 0)
        {
            try
            {
                var org = await s.Orgs.CreateAsync(new NewOrg(parentId!.Value, F("kind"), F("name"), F("code"), established,
                    F("community") == "true" ? true : null), user.Roles,
                    TaskEndpoints.Actor(user), user.MemberId, ct);
                return SeeOther($"/admin/orgs/{org.Id}");
            }
            catch (OrgInputException bad)
            {
                errors = bad.Errors.ToDictionary();
            }
            catch (Exception ex) when (ex is RuleViolationException or ConflictException)
            {
                (refusal, status) = (ex.Message, StatusCodes.Status409Conflict);
            }
        }
        return await NewPage(http, user, s, F("parentId"), F("kind"), F("name"), F("code"), F("establishedOn"), errors, refusal, status, ct,
            F("community") == "true");
    }

    private static async Task<IResult> NewPage(HttpContext http, CurrentUser user, OrgPageServices s, string? parentId, string? kind,
        string? name, string? code, string? established, IReadOnlyDictionary<string, string> errors, string? refusal, int status,
        CancellationToken ct, bool community = false)
    {
        var places = await s.Orgs.PlacesAsync(user.Roles, ct);
        if (places.Count == 0)
            throw new ForbiddenException("auth.forbidden", "无权新建组织");
        var body = new StringBuilder();
        if (refusal is not null)
            body.Append(Notice("refuse", refusal));
        body.Append("""<form method=post action="/admin/orgs/new">""");
        body.Append(Select("parentId", "上级组织", parentId,
            places.Select(o => (o.Id.ToString(CultureInfo.InvariantCulture), new string('　', o.Depth) + o.Name + "（" + OrgTree.KindLabel(o.Kind) + "）")),
            errors.GetValueOrDefault("parentId")));
        body.Append(Select("kind", "组织类型", kind ?? "branch", Kinds, errors.GetValueOrDefault("kind")));
        body.Append(Field("name", "组织名称", name, errors.GetValueOrDefault("name"), required: true, hint: "如：幸福里网格党支部"));
        body.Append(Field("code", "组织编码", code, errors.GetValueOrDefault("code"), required: true, hint: "字母、数字和“-”，如 DFL-C03-B09"));
        body.Append(Field("establishedOn", "成立日期", established, errors.GetValueOrDefault("establishedOn"), type: "date",
            hint: "留空为今天；计划从成立之日所在周期开始"));
        if (OrgAccess.CanMarkCommunity(user.Roles))
            body.Append($"""
                <label class="field{(errors.ContainsKey("community") ? " bad" : "")}"><span>社区</span>
                <span><input type=checkbox name=community value=true{(community ? " checked" : "")}> 是社区</span>
                <small>居民发布心愿、社区展示和转接统计按社区计；社区党委不勾选也是社区</small>{(errors.GetValueOrDefault("community") is { } e ? $"<em>{E(e)}</em>" : "")}</label>
                """);
        body.Append(Notice("info", "党小组只能设在党支部下；党支部设在社区党委、党总支或街道党工委下；党总支设在社区党委或街道党工委下",
            OrgRules.Tiaoli + "第二章"));
        body.Append("<button>新建</button></form>");
        return Page(http, await AdminEndpoints.ViewerAsync(user, s.Members, ct), "新建组织", NavKey, body.ToString(), status);
    }

    private static async Task<IResult> ActionForm(HttpContext http, long id, string action, CurrentUser user, [AsParameters] OrgPageServices s,
        CancellationToken ct) =>
        await ActionPage(http, id, action, user, s, new Dictionary<string, string>(), new Dictionary<string, string>(), null,
            StatusCodes.Status200OK, ct);

    private static async Task<IResult> ActionPost(HttpContext http, long id, string action, CurrentUser user, [AsParameters] OrgPageServices s,
        CancellationToken ct)
    {
        var form = await FormAsync(http, ct);
        string? F(string name) => form.GetValueOrDefault(name);
        var actor = TaskEndpoints.Actor(user);
        try
        {
            switch (action)
            {
                case "rename":
                    await s.Orgs.RenameAsync(id, F("name"), user.Roles, actor, user.MemberId, ct);
                    break;
                case "move":
                    await s.Orgs.MoveAsync(id, long.TryParse(F("parentId"), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : null,
                        user.Roles, actor, user.MemberId, ct);
                    break;
                case "community":
                    await s.Orgs.SetCommunityAsync(id, F("community") switch { "true" => true, "false" => false, _ => null }, user.Roles, actor,
                        user.MemberId, ct);
                    break;
                case "dissolve":
                    var org = await s.Orgs.OrgAsync(id, ct);
                    await s.Orgs.DissolveAsync(id, user.Roles, actor, user.MemberId, ct);
                    return SeeOther(org.ParentId is { } parent ? $"/admin/orgs/{parent}" : "/admin/orgs");
                default:
                    var years = F("years");
                    var electedOn = F("electedOn");
                    var errors = new Dictionary<string, string>();
                    DateOnly? day = null;
                    if (!string.IsNullOrWhiteSpace(electedOn))
                    {
                        if (DateOnly.TryParseExact(electedOn, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
                            day = d;
                        else
                            errors["electedOn"] = "日期格式应为 2026-01-31";
                    }
                    int? length = null;
                    if (!string.IsNullOrWhiteSpace(years))
                    {
                        if (int.TryParse(years, NumberStyles.None, CultureInfo.InvariantCulture, out var y))
                            length = y;
                        else
                            errors["years"] = "任期应为整数年";
                    }
                    if (errors.Count > 0)
                        throw new OrgInputException(errors);
                    await s.Orgs.RecordTermAsync(id, day, length, user.Roles, actor, user.MemberId, ct);
                    break;
            }
            return SeeOther($"/admin/orgs/{id}");
        }
        catch (OrgInputException bad)
        {
            return await ActionPage(http, id, action, user, s, form, bad.Errors, null, StatusCodes.Status400BadRequest, ct);
        }
        catch (Exception ex) when (ex is RuleViolationException or ConflictException)
        {
            return await ActionPage(http, id, action, user, s, form, new Dictionary<string, string>(), ex.Message, StatusCodes.Status409Conflict, ct);
        }
    }

    private static async Task<IResult> ActionPage(HttpContext http, long id, string action, CurrentUser user, OrgPageServices s,
        IReadOnlyDictionary<string, string> form, IReadOnlyDictionary<string, string> errors, string? refusal, int status, CancellationToken ct)
    {
        var d = await s.Orgs.GetAsync(id, user.Roles, ct);
        if (!(action switch { "rename" => d.MayRename, "community" => d.MayMarkCommunity, _ => d.MayReshape }))
            throw new ForbiddenException("auth.forbidden", "无权调整该组织");
        var body = new StringBuilder();
        if (refusal is not null)
            body.Append(Notice("refuse", refusal));
        body.Append($"""<form method=post action="/admin/orgs/{id}/{action}">""");
        string title;
        switch (action)
        {
            case "rename":
                title = $"重命名：{d.Org.Name}";
                body.Append(Field("name", "新名称", form.GetValueOrDefault("name") ?? d.Org.Name, errors.GetValueOrDefault("name"), required: true));
                body.Append("<button>保存</button>");
                break;
            case "move":
                title = $"调整上级：{d.Org.Name}";
                var places = (await s.Orgs.PlacesAsync(user.Roles, ct))
                    .Where(o => !OrgPath.IsWithin(o.Path, d.Org.Path) && OrgTree.CanContain(o.Kind, d.Org.Kind));
                body.Append(Select("parentId", "新的上级组织", form.GetValueOrDefault("parentId") ?? d.Org.ParentId?.ToString(CultureInfo.InvariantCulture),
                    places.Select(o => (o.Id.ToString(CultureInfo.InvariantCulture), new string('　', o.Depth) + o.Name + "（" + OrgTree.KindLabel(o.Kind) + "）")),
                    errors.GetValueOrDefault("parentId")));
                body.Append(Notice("info", "下级组织随之移动；其党员需重新登录小程序"));
                body.Append("<button>移动</button>");
                break;
            case "community":
                title = $"设置社区：{d.Org.Name}";
                body.Append(Select("community", "是否为社区", form.GetValueOrDefault("community") ?? (d.Community ? "true" : "false"),
                    [("true", "是社区：居民发布心愿时可选"), ("false", "不是社区")], errors.GetValueOrDefault("community")));
                body.Append(Notice("info", "社区党委均为社区；直属街道党工委的党总支、党支部由街道党建办设定是否为社区（街道机关党支部等不是）"));
                body.Append("<button>保存</button>");
                break;
            case "dissolve":
                title = $"撤销组织：{d.Org.Name}";
                if (OrgRules.Dissolution(d.Org.Kind, d.Counts.OnTheRoll, d.Counts.Children, d.Counts.OpenTasks) is { } blocked && refusal is null)
                    body.Append(Notice("refuse", blocked.Text));
                body.Append(Notice("warn", "撤销后该组织从组织架构中移除，尚未开始的任务一并撤销；历史任务和积分保留"));
                body.Append("<button>确认撤销</button>");
                break;
            default:
                title = $"登记换届：{d.Org.Name}";
                body.Append(Field("electedOn", "选举日期", form.GetValueOrDefault("electedOn"), errors.GetValueOrDefault("electedOn"), type: "date", required: true));
                body.Append(Field("years", "任期（年）", form.GetValueOrDefault("years"), errors.GetValueOrDefault("years"), type: "number",
                    hint: "留空按组织类型默认：党支部、党总支 3 年，社区党委 5 年"));
                body.Append(Notice("info", "届满前六个月和三个月，系统提醒街道党建办和本组织书记", Terms.Regulation));
                body.Append("<button>登记</button>");
                break;
        }
        body.Append($"""　<a href="/admin/orgs/{id}">返回</a></form>""");
        return Page(http, await AdminEndpoints.ViewerAsync(user, s.Members, ct), title, NavKey, body.ToString(), status);
    }

    /// <summary>The posted form's fields; a body that is not a form reads as an empty one (its fields are then missing).</summary>
    private static async Task<Dictionary<string, string>> FormAsync(HttpContext http, CancellationToken ct)
    {
        if (!http.Request.HasFormContentType)
            return [];
        var form = await http.Request.ReadFormAsync(ct);
        return form.ToDictionary(f => f.Key, f => f.Value.ToString());
    }

}
