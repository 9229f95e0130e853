using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Members;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Members;
using WxQms.Domain.Services.Reminders;
using static WxQms.Api.Admin.AdminLayout;

namespace WxQms.Api.Admin;

/// <summary>
/// The console's members (/admin/members): the roster table (search, sort, paging, an org's subtree), a member's page
/// (her record masked as the viewer may see it, roles now and before, moves, trail) and the forms to add, edit, move,
/// record a death, appoint and end a role. A form posts back to its page; a refused field re-renders it with the
/// Chinese error beside the field (400, or 409 when it clashes with what is stored), a success redirects (303) to the
/// member's page.
/// </summary>
public static class MemberPages
{
    private static readonly string[] SortKeys = ["name", "org", "joined", "status"];

    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("/members", Roster);
        pages.MapGet("/members/new", (HttpContext http, CurrentUser user, MemberAdmin admin, MemberService members, CancellationToken ct) =>
            AddForm(http, user, admin, members, null, ct));
        pages.MapPost("/members/new", AddPost);
        pages.MapGet("/members/{id:long}", Details);
        foreach (var action in new[] { "edit", "move", "deceased" })
        {
            pages.MapGet($"/members/{{id:long}}/{action}", (long id, HttpContext http, CurrentUser user, MemberAdmin admin, MemberService members,
                CancellationToken ct) => ActionForm(http, user, admin, members, id, action, null, ct));
            pages.MapPost($"/members/{{id:long}}/{action}", (long id, HttpContext http, CurrentUser user, MemberAdmin admin, MemberService members,
                CancellationToken ct) => ActionPost(id, action, http, user, admin, members, ct));
        }
        foreach (var action in new[] { "new", "end" })
        {
            pages.MapGet($"/members/{{id:long}}/roles/{action}", (long id, HttpContext http, CurrentUser user, MemberAdmin admin, MemberService members,
                CancellationToken ct) => RoleForm(http, user, admin, members, id, action, null, ct));
            pages.MapPost($"/members/{{id:long}}/roles/{action}", (long id, HttpContext http, CurrentUser user, MemberAdmin admin, MemberService members,
                CancellationToken ct) => RolePost(id, action, http, user, admin, members, ct));
        }
    }

    /// <summary>What a posted form left: its values (to show again) and the refusal, by field.</summary>
    private sealed record Posted(IFormCollection Form, FieldError? Error, string? Regulation, string? Refusal);

    private static async Task<IResult> Roster(HttpContext http, CurrentUser user, MemberAdmin admin, MemberService members, long? org,
        CancellationToken ct)
    {
        var editor = MemberAdminEndpoints.Editor(user);
        var query = TableQuery.From(http.Request, SortKeys) with { PageSize = MemberAdmin.PageSize };
        var (rows, total) = await admin.ListAsync(editor, query.Search, org, query.Sort, query.Descending, query.Page, ct);
        var orgs = await admin.OrgsAsync(editor, ct);
        var path = org is { } o ? $"/admin/members?org={o}" : "/admin/members";
        var body = new StringBuilder();
        body.Append("""<p><a class=button href="/admin/members/new">新增党员</a></p>""");
        body.Append("""<form class=search method=get action="/admin/members">""");
        body.Append("<select name=org><option value=\"\">全部组织</option>");
        foreach (var x in orgs)
            body.Append($"""<option value="{x.Id}"{(x.Id == org ? " selected" : "")}>{E(Indent(x) + x.Name)}</option>""");
        body.Append($"""</select><input type=search name=q value="{E(query.Search)}" placeholder="姓名、手机号或身份证后四位"><button>筛选</button></form>""");
        body.Append(Table(path, query,
            [new("姓名", "name"), new("所在组织", "org"), new("性别"), new("状态", "status"), new("入党日期", "joined"), new("手机号"), new("身份证号"), new("其他")],
            rows.Select(m => (IReadOnlyList<string>)
            [
                $"""<a href="/admin/members/{m.Id}">{E(m.Name)}</a>""", E(m.OrgName), SexName(m.Sex), StatusName(m.Status), Day(m.JoinedOn),
                E(m.Phone ?? "—"), E(m.IdCard ?? "—"), E(Flags(m)),
            ]), total, "姓名、手机号或身份证后四位"));
        return Page(http, await AdminEndpoints.ViewerAsync(user, members, ct), "党员", "members", body.ToString());
    }

    private static async Task<IResult> Details(long id, HttpContext http, CurrentUser user, MemberAdmin admin, MemberService members,
        SmsOptOuts sms, CancellationToken ct)
    {
        var d = await admin.GetAsync(MemberAdminEndpoints.Editor(user), id, ct);
        var m = d.Member;
        var body = new StringBuilder();
        if (!m.PersonalDataInFull)
            body.Append(Notice("info", "手机号和身份证号仅向街道党建办和本支部书记完整显示。"));
        body.Append("<table class=record><tbody>");
        foreach (var (label, value) in new[]
        {
            ("姓名", E(m.Name)), ("性别", SexName(m.Sex)), ("出生日期", Day(m.BirthDate)), ("入党日期", Day(m.JoinedOn)),
            ("状态", StatusName(m.Status) + (m.DeceasedOn is { } died ? $"（{Day(died)}）" : "")), ("所在组织", E(m.OrgName)),
            ("手机号", E(m.Phone ?? "—")), ("短信提醒", E((await sms.OfMemberAsync(m.Id, ct)).Label)), // #21: a 「TD」 shows here
            ("身份证号", E(m.IdCard ?? "—")), ("其他", E(Flags(m))),
        })
            body.Append($"<tr><th>{label}</th><td>{value}</td></tr>");
        body.Append("</tbody></table>");
        if (m.Status is MemberStatus.Full or MemberStatus.Probationary)
        {
            body.Append("<p class=actions>");
            foreach (var (href, text) in new[] { ("edit", "编辑"), ("move", "转移组织"), ("deceased", "登记去世"), ("roles/new", "任命职务"), ("roles/end", "结束职务") })
                body.Append($"""<a class="button plain" href="/admin/members/{m.Id}/{href}">{text}</a> """);
            body.Append($"""<a class="button plain" href="/admin/transfers/out/{m.Id}">开具转出介绍信</a>"""); // #17: a letter out of the subdistrict
            body.Append("</p>");
        }
        body.Append("<h2>现任职务</h2>").Append(Spans(d.Roles.Where(r => r.Role != Roles.Member).ToList(), past: false));
        body.Append("<h2>历任职务</h2>").Append(Spans(d.PastRoles, past: true));
        body.Append("<h2>组织转移记录</h2><div class=scroll><table><thead><tr><th>日期</th><th>转出</th><th>转入</th><th>原因</th></tr></thead><tbody>");
        foreach (var mv in d.Moves)
            body.Append($"<tr><td>{Day(mv.MovedOn)}</td><td>{E(mv.FromOrgName)}</td><td>{E(mv.ToOrgName)}</td><td>{E(mv.Reason ?? "—")}</td></tr>");
        if (d.Moves.Count == 0)
            body.Append("<tr><td colspan=4 class=empty>没有转移记录</td></tr>");
        body.Append("</tbody></table></div>");
        return Page(http, await AdminEndpoints.ViewerAsync(user, members, ct), m.Name, "members", body.ToString());
    }

    private static string Spans(IReadOnlyList<RoleSpan> spans, bool past)
    {
        var sb = new StringBuilder($"<div class=scroll><table><thead><tr><th>职务</th><th>组织</th><th>任职日期</th>{(past ? "<th>离任日期</th>" : "")}</tr></thead><tbody>");
        foreach (var r in spans)
            sb.Append($"<tr><td>{E(AdminEndpoints.RoleName(r.Role))}</td><td>{E(r.OrgName)}</td><td>{Day(r.StartsOn)}</td>{(past ? $"<td>{Day(r.EndsOn)}</td>" : "")}</tr>");
        if (spans.Count == 0)
            sb.Append($"<tr><td colspan={(past ? 4 : 3)} class=empty>无</td></tr>");
        return sb.Append("</tbody></table></div>").ToString();
    }

    private static async Task<IResult> AddForm(HttpContext http, CurrentUser user, MemberAdmin admin, MemberService members, Posted? posted,
        CancellationToken ct)
    {
        var orgs = await admin.OrgsAsync(MemberAdminEndpoints.Editor(user), ct);
        var f = posted?.Form;
        var body = new StringBuilder(Refusal(posted));
        body.Append("""<form method=post action="/admin/members/new">""");
        body.Append(Select("orgId", "所在组织", f?["orgId"], orgs.Select(o => (o.Id.ToString(CultureInfo.InvariantCulture), Indent(o) + o.Name)), ErrorOf(posted, "orgId")));
        body.Append(RecordFields(f, posted, withStatus: true, personalHint: null));
        body.Append("<button>保存</button></form>");
        return Page(http, await AdminEndpoints.ViewerAsync(user, members, ct), "新增党员", "members", body.ToString(), Status(posted));
    }

    private static async Task<IResult> AddPost(HttpContext http, CurrentUser user, MemberAdmin admin, MemberService members, CancellationToken ct)
    {
        var form = await FormAsync(http, ct);
        try
        {
            var id = await admin.AddAsync(MemberAdminEndpoints.Editor(user), RecordInput(form, withStatus: true), ct);
            return SeeOther($"/admin/members/{id}");
        }
        catch (MemberInputException refused)
        {
            return await AddForm(http, user, admin, members, new Posted(form, refused.Error, refused.Regulation, null), ct);
        }
    }

    private static async Task<IResult> ActionForm(HttpContext http, CurrentUser user, MemberAdmin admin, MemberService members, long id, string action,
        Posted? posted, CancellationToken ct)
    {
        var editor = MemberAdminEndpoints.Editor(user);
        var m = (await admin.GetAsync(editor, id, ct)).Member;
        var f = posted?.Form;
        var body = new StringBuilder(Refusal(posted));
        body.Append($"""<form method=post action="/admin/members/{id}/{action}">""");
        string title;
        switch (action)
        {
            case "edit":
                title = $"编辑：{m.Name}";
                body.Append(RecordFields(f ?? Prefill(m), posted, withStatus: false,
                    personalHint: m.PersonalDataInFull ? "留空则不修改" : "您看不到完整号码；留空则不修改，填写则替换"));
                body.Append(Check("clearPhone", "清除手机号", f?["clearPhone"].ToString() == "1"))
                    .Append(Check("clearIdCard", "清除身份证号", f?["clearIdCard"].ToString() == "1"));
                break;
            case "move":
                title = $"转移组织：{m.Name}";
                var orgs = await admin.OrgsAsync(editor, ct);
                body.Append(Notice("info", $"现所在组织：{m.OrgName}。转出原支部后，其在原支部担任的职务于转移之日结束。"));
                body.Append(Select("toOrgId", "转入组织", f?["toOrgId"], orgs.Where(o => o.Id != m.OrgId)
                    .Select(o => (o.Id.ToString(CultureInfo.InvariantCulture), Indent(o) + o.Name)), ErrorOf(posted, "toOrgId")));
                body.Append(Field("movedOn", "转移日期", f?["movedOn"], ErrorOf(posted, "movedOn"), type: "date", required: true));
                body.Append(Field("reason", "原因", f?["reason"], ErrorOf(posted, "reason")));
                break;
            default:
                title = $"登记去世：{m.Name}";
                body.Append(Notice("warn", "登记后该党员状态为“已去世”，其担任的职务于去世之日结束，不再计入名册。"));
                body.Append(Field("deceasedOn", "去世日期", f?["deceasedOn"], ErrorOf(posted, "deceasedOn"), type: "date", required: true));
                break;
        }
        body.Append($"""<button>保存</button> <a class="button plain" href="/admin/members/{id}">取消</a></form>""");
        return Page(http, await AdminEndpoints.ViewerAsync(user, members, ct), title, "members", body.ToString(), Status(posted));
    }

    private static async Task<IResult> ActionPost(long id, string action, HttpContext http, CurrentUser user, MemberAdmin admin, MemberService members,
        CancellationToken ct)
    {
        var form = await FormAsync(http, ct);
        var editor = MemberAdminEndpoints.Editor(user);
        try
        {
            switch (action)
            {
                case "edit":
                    await admin.EditAsync(editor, id, RecordInput(form, withStatus: false), ct);
                    break;
                case "move":
                    await admin.MoveAsync(editor, id, Long(form["toOrgId"]), Date(form, "movedOn"), form["reason"], ct);
                    break;
                default:
                    await admin.MarkDeceasedAsync(editor, id, Date(form, "deceasedOn"), ct);
                    break;
            }
            return SeeOther($"/admin/members/{id}");
        }
        catch (MemberInputException refused)
        {
            return await ActionForm(http, user, admin, members, id, action, new Posted(form, refused.Error, refused.Regulation, null), ct);
        }
        catch (RuleViolationException rule)
        {
            return await ActionForm(http, user, admin, members, id, action, new Posted(form, null, null, rule.Message), ct);
        }
    }

    private static async Task<IResult> RoleForm(HttpContext http, CurrentUser user, MemberAdmin admin, MemberService members, long id, string action,
        Posted? posted, CancellationToken ct)
    {
        var editor = MemberAdminEndpoints.Editor(user);
        var d = await admin.GetAsync(editor, id, ct);
        var f = posted?.Form;
        var body = new StringBuilder(Refusal(posted));
        body.Append($"""<form method=post action="/admin/members/{id}/roles/{action}">""");
        string title;
        if (action == "new")
        {
            title = $"任命职务：{d.Member.Name}";
            var orgs = await admin.OrgsAsync(editor, ct);
            body.Append(Select("role", "职务", f?["role"], MemberRules.AppointableRoles.Select(r => (r, AdminEndpoints.RoleName(r))), ErrorOf(posted, "role")));
            body.Append(Select("orgId", "任职组织", f?["orgId"], orgs.Select(o => (o.Id.ToString(CultureInfo.InvariantCulture), Indent(o) + o.Name)),
                ErrorOf(posted, "orgId")));
            body.Append(Field("startsOn", "任职日期", f?["startsOn"], ErrorOf(posted, "startsOn"), type: "date", required: true));
        }
        else
        {
            title = $"结束职务：{d.Member.Name}";
            var held = d.Roles.Where(r => r.Role != Roles.Member).ToList();
            if (held.Count == 0)
                body.Append(Notice("info", "该党员目前没有担任职务。"));
            body.Append(Select("held", "职务", f?["held"], held.Select(r => ($"{r.Role}:{r.OrgId}", $"{AdminEndpoints.RoleName(r.Role)}（{r.OrgName}）")),
                ErrorOf(posted, "role") ?? ErrorOf(posted, "orgId")));
            body.Append(Field("endsOn", "离任日期", f?["endsOn"], ErrorOf(posted, "endsOn"), type: "date", required: true));
        }
        body.Append($"""<button>保存</button> <a class="button plain" href="/admin/members/{id}">取消</a></form>""");
        return Page(http, await AdminEndpoints.ViewerAsync(user, members, ct), title, "members", body.ToString(), Status(posted));
    }

    private static async Task<IResult> RolePost(long id, string action, HttpContext http, CurrentUser user, MemberAdmin admin, MemberService members,
        CancellationToken ct)
    {
        var form = await FormAsync(http, ct);
        var editor = MemberAdminEndpoints.Editor(user);
        try
        {
            if (action == "new")
                await admin.AppointAsync(editor, id, NonEmpty(form["role"]), Long(form["orgId"]), Date(form, "startsOn"), ct);
            else
            {
                var held = form["held"].ToString().Split(':');
                await admin.EndRoleAsync(editor, id, NonEmpty(held[0]), held.Length == 2 ? Long(held[1]) : null, Date(form, "endsOn"), ct);
            }
            return SeeOther($"/admin/members/{id}");
        }
        catch (MemberInputException refused)
        {
            return await RoleForm(http, user, admin, members, id, action, new Posted(form, refused.Error, refused.Regulation, null), ct);
        }
        catch (RuleViolationException rule)
        {
            return await RoleForm(http, user, admin, members, id, action, new Posted(form, null, null, rule.Message), ct);
        }
    }

    private static string RecordFields(IFormCollection? f, Posted? posted, bool withStatus, string? personalHint)
    {
        var sb = new StringBuilder();
        sb.Append(Field("name", "姓名", f?["name"], ErrorOf(posted, "name"), required: true));
        sb.Append(Select("sex", "性别", f?["sex"], [("", "请选择"), ("male", "男"), ("female", "女")], ErrorOf(posted, "sex")));
        sb.Append(Field("birthDate", "出生日期", f?["birthDate"], ErrorOf(posted, "birthDate"), type: "date"));
        sb.Append(Field("joinedOn", "入党日期", f?["joinedOn"], ErrorOf(posted, "joinedOn"), type: "date"));
        if (withStatus)
            sb.Append(Select("status", "党员类别", f?["status"], [("full", "正式党员"), ("probationary", "预备党员")], ErrorOf(posted, "status")));
        sb.Append(Field("phone", "手机号", f?["phone"], ErrorOf(posted, "phone"), hint: personalHint));
        sb.Append(Field("idCard", "身份证号", f?["idCard"], ErrorOf(posted, "idCard"), hint: personalHint ?? "加密保存，仅街道党建办和本支部书记可见完整号码"));
        sb.Append(Check("retired", "退休", f?["retired"].ToString() == "1")).Append(Check("mobile", "流动党员", f?["mobile"].ToString() == "1"));
        return sb.ToString();
    }

    /// <summary>The edit form's first values: the record, with phone and ID card left blank (blank: unchanged).</summary>
    private static IFormCollection Prefill(MemberView m) => new FormCollection(new Dictionary<string, Microsoft.Extensions.Primitives.StringValues>
    {
        ["name"] = m.Name,
        ["sex"] = m.Sex == Sex.Male ? "male" : "female",
        ["birthDate"] = m.BirthDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "",
        ["joinedOn"] = m.JoinedOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "",
        ["retired"] = m.Retired ? "1" : "",
        ["mobile"] = m.Mobile ? "1" : "",
    });

    private static MemberInput RecordInput(IFormCollection form, bool withStatus) => MemberAdminEndpoints.Input(new AdminMemberBody(
        Long(form["orgId"]), form["name"], NonEmpty(form["sex"]), Date(form, "birthDate"), Date(form, "joinedOn"),
        withStatus ? NonEmpty(form["status"]) : null, NonEmpty(form["phone"]), NonEmpty(form["idCard"]), form["retired"] == "1", form["mobile"] == "1",
        !withStatus && form["clearPhone"] == "1", !withStatus && form["clearIdCard"] == "1"));

    private static async Task<IFormCollection> FormAsync(HttpContext http, CancellationToken ct) =>
        http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : FormCollection.Empty;

    private static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static long? Long(string? s) => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;

    /// <summary>A date field (yyyy-MM-dd); a value that is no date is refused by name, never a 500.</summary>
    private static DateOnly? Date(IFormCollection form, string field)
    {
        if (NonEmpty(form[field]) is not { } s)
            return null;
        return DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : throw new MemberInputException(new FieldError(field, "member.bad_date", "日期格式应为 2024-01-31。"));
    }

    private static string? ErrorOf(Posted? posted, string field) => posted?.Error is { } e && e.Field == field ? e.Message : null;

    private static string Refusal(Posted? posted) => posted switch
    {
        { Refusal: { } text } => Notice("refuse", text),
        { Regulation: { } regulation, Error: { } e } => Notice("refuse", e.Message, regulation),
        { Error: { } e } => Notice("refuse", "请修改标红的项目：" + e.Message),
        _ => "",
    };

    private static int Status(Posted? posted) => posted switch
    {
        null => StatusCodes.Status200OK,
        { Refusal: not null } => StatusCodes.Status409Conflict,
        { Error.Code: "member.phone_taken" or "member.id_card_taken" or "org.secretary_exists" or "member.role_held" } => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status400BadRequest,
    };


    private static string Check(string name, string label, bool on) =>
        $"""<label class=field><input type=checkbox name="{name}" value="1"{(on ? " checked" : "")}> {E(label)}</label>""";

    private static string Indent(Org o) => new('　', Math.Max(0, o.Depth));

    private static string Day(DateOnly? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "—";

    private static string SexName(Sex s) => s == Sex.Male ? "男" : "女";

    private static string StatusName(MemberStatus s) => s switch
    {
        MemberStatus.Full => "正式党员",
        MemberStatus.Probationary => "预备党员",
        MemberStatus.TransferredOut => "已转出",
        _ => "已去世",
    };

    private static string Flags(MemberView m) => string.Join("、", new[] { m.Retired ? "退休" : null, m.Mobile ? "流动党员" : null }.OfType<string>()) is { Length: > 0 } s ? s : "—";
}
