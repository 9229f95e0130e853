using System.Globalization;
using System.Text;
using WxQms.Api.Infrastructure;
using WxQms.Api.MiniProgram;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Inspections;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Inspections;
using WxQms.Domain.Services.Nonconformities;
using WxQms.Domain.Storage;
using static WxQms.Api.Admin.AdminLayout;

namespace WxQms.Api.Admin;

/// <summary>
/// 巡查 (/admin/inspections, issue #19 items 2, 6, 7): office staff appoint inspectors for a term, plan each quarter's
/// inspections (branch, inspector), see the year's coverage (every branch, its visits by quarter, the gaps first), remove a
/// planned visit, read one inspection's report, plan the yearly internal audit of every branch and read its report.
/// </summary>
public static class InspectionPages
{
    private const string PagePath = "/admin/inspections";

    public static void MapAdminInspections(this IEndpointRouteBuilder app)
    {
        var pages = app.AdminPages();
        pages.MapGet("/inspections", Plan);
        pages.MapPost("/inspections/inspectors", Appoint);
        pages.MapPost("/inspections/plan", AddVisit);
        pages.MapPost("/inspections/{id:long}/remove", Remove);
        pages.MapGet("/inspections/{id:long}", Report);
        pages.MapGet("/inspections/{id:long}/photos/{sha256}", Photo);
        pages.MapGet("/inspections/audit", Audit);
        pages.MapPost("/inspections/audit", PlanAudit);
    }

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string I(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static IResult Refused(HttpContext http, string viewer) =>
        Page(http, viewer, "巡查", "inspections", Notice("refuse", "巡查员和检查计划由街道党建办管理。"), StatusCodes.Status403Forbidden);

    internal static async Task<IResult> Plan(int? year, HttpContext http, CurrentUser user, MemberService members, InspectionService service,
        CancellationToken ct)
    {
        var viewer = await AdminEndpoints.ViewerAsync(user, members, ct);
        if (!user.HasRole(Roles.Staff))
            return Refused(http, viewer);
        var who = NonconformityEndpoints.Actor(user);
        var y = year ?? service.CurrentQuarter().Year;
        var (_, coverage) = await service.CoverageAsync(who, y, InspectionKind.Inspection, ct);
        var terms = await service.TermsAsync(who, ct);
        var body = new StringBuilder(http.Request.Query["done"].ToString() switch
        {
            "appointed" => Notice("info", "已任命巡查员。"),
            "planned" => Notice("info", "已加入巡查计划。"),
            "removed" => Notice("info", "已从巡查计划中删除。"),
            _ => "",
        });
        if (http.Request.Query["error"].ToString() is { Length: > 0 } error)
            body.Append(Notice("refuse", error));
        body.Append($"""<form method=get action="{PagePath}">""").Append(Field("year", "年度", I(y), type: "number")).Append("<button>查看</button></form>");
        body.Append($"""<h2>覆盖情况</h2><p id=coverage>{y}年巡查计划覆盖 <b>{coverage.Covered}</b> / {coverage.Lines.Count} 个支部""");
        body.Append(coverage.Gaps.Count > 0 ? $"""，<b class=gap style="color:#c62828">缺口 {coverage.Gaps.Count} 个</b>：每个支部每年至少巡查一次。</p>""" : "，全部覆盖。</p>");
        body.Append("<table id=plan><thead><tr><th>社区</th><th>支部</th><th>第一季度</th><th>第二季度</th><th>第三季度</th><th>第四季度</th></tr></thead><tbody>");
        foreach (var line in coverage.Lines)
        {
            body.Append(line.Gap ? "<tr class=gap>" : "<tr>").Append("<td>").Append(E(line.Branch.CommunityName)).Append("</td><td>")
                .Append(E(line.Branch.Name)).Append(line.Gap ? "（未安排）" : "").Append("</td>");
            for (var q = 1; q <= 4; q++)
            {
                body.Append("<td>");
                foreach (var v in line.Visits.Where(v => v.Quarter == q))
                {
                    body.Append($"""<a href="{PagePath}/{v.Id}">{E(v.InspectorName ?? "巡查员")} · {(v.Submitted ? "已完成" : "待检查")}</a>""");
                    if (!v.Submitted)
                        body.Append($"""<form method=post action="{PagePath}/{v.Id}/remove?year={y}" style="display:inline"><button>删除</button></form>""");
                }
                body.Append("</td>");
            }
            body.Append("</tr>");
        }
        body.Append("</tbody></table>");
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));
        var active = terms.Where(t => t.To >= new DateOnly(y, 1, 1) && t.From <= new DateOnly(y, 12, 31)).DistinctBy(t => t.MemberId).ToList();
        body.Append($"""<h2>安排巡查</h2><form method=post action="{PagePath}/plan?year={y}">""");
        body.Append(Select("orgId", "支部", "", coverage.Lines.Select(l => (I(l.Branch.OrgId), $"{l.Branch.CommunityName} · {l.Branch.Name}"))));
        body.Append(Select("quarter", "季度", "", Enumerable.Range(1, 4).Select(q => (I(q), $"第{q}季度"))));
        body.Append(Select("inspector", "巡查员", "", active.Select(t => (I(t.MemberId), $"{t.Name}（{t.Unit}）"))));
        body.Append("<button>加入计划</button></form>");
        body.Append("<h2>巡查员</h2><table id=inspectors><thead><tr><th>姓名</th><th>单位</th><th>任期</th><th>任命人</th></tr></thead><tbody>");
        foreach (var t in terms)
            body.Append($"<tr><td>{E(t.Name)}</td><td>{E(t.Unit)}</td><td>{Day(t.From)} 至 {Day(t.To)}{(t.To < today ? "（已届满）" : "")}</td><td>{E(t.AppointedBy)}</td></tr>");
        body.Append("</tbody></table>");
        body.Append($"""<h3>任命巡查员</h3><form method=post action="{PagePath}/inspectors?year={y}">""");
        body.Append(Field("memberId", "党员编号", "", type: "number", required: true, hint: "在“党员”页面查到的编号"));
        body.Append(Field("unit", "所在单位", "", required: true, hint: "街道党工委或共建单位"));
        body.Append(Field("from", "任期开始", Day(today), type: "date", required: true));
        body.Append(Field("to", "任期结束", Day(today.AddYears(2)), type: "date", required: true));
        body.Append("<button>任命</button></form>");
        body.Append($"""<p><a href="{PagePath}/audit?year={y}">{y}年内部审核</a> · <a href="/admin/nonconformities?source=inspection">巡查发现的不符合项</a></p>""");
        return Page(http, viewer, "巡查计划与覆盖", "inspections", body.ToString());
    }

    private static async Task<IResult> Act(HttpContext http, CurrentUser user, MemberService members, string back, Func<NcActor, IFormCollection, Task> act,
        CancellationToken ct)
    {
        if (!user.HasRole(Roles.Staff))
            return Refused(http, await AdminEndpoints.ViewerAsync(user, members, ct));
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : FormCollection.Empty;
        try
        {
            await act(NonconformityEndpoints.Actor(user), form);
        }
        catch (Exception e) when (e is RuleViolationException or ConflictException or NotFoundException)
        {
            return SeeOther($"{back}&error={Uri.EscapeDataString(e.Message)}");
        }
        return SeeOther(back.Replace("?", "?done=" + http.Request.Path.Value!.Split('/')[^1] switch
        {
            "inspectors" => "appointed&",
            "remove" => "removed&",
            "audit" => "audit&",
            _ => "planned&",
        }, StringComparison.Ordinal));
    }

    private static long? Long(IFormCollection f, string name) =>
        long.TryParse(f[name], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static DateOnly? Date(IFormCollection f, string name) =>
        DateOnly.TryParseExact(f[name].ToString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    private static int YearOf(int? year, InspectionService service) => year ?? service.CurrentQuarter().Year;

    internal static Task<IResult> Appoint(int? year, HttpContext http, CurrentUser user, MemberService members, InspectionService service,
        CancellationToken ct) =>
        Act(http, user, members, $"{PagePath}?year={YearOf(year, service)}", async (who, f) =>
            await service.AppointAsync(who, Long(f, "memberId") ?? throw new RuleViolationException("request.invalid", "请填写党员编号"),
                f["unit"], Date(f, "from"), Date(f, "to"), ct), ct);

    internal static Task<IResult> AddVisit(int? year, HttpContext http, CurrentUser user, MemberService members, InspectionService service,
        CancellationToken ct) =>
        Act(http, user, members, $"{PagePath}?year={YearOf(year, service)}", async (who, f) =>
            await service.PlanAsync(who, Long(f, "orgId") ?? throw new RuleViolationException("request.invalid", "请选择支部"), YearOf(year, service),
                (int)(Long(f, "quarter") ?? 0), Long(f, "inspector") ?? throw new RuleViolationException("request.invalid", "请选择巡查员"), ct), ct);

    internal static Task<IResult> Remove(long id, int? year, HttpContext http, CurrentUser user, MemberService members, InspectionService service,
        CancellationToken ct) =>
        Act(http, user, members, $"{PagePath}?year={YearOf(year, service)}", (who, _) => service.RemoveAsync(who, id, ct), ct);

    internal static Task<IResult> PlanAudit(int? year, HttpContext http, CurrentUser user, MemberService members, InspectionService service,
        CancellationToken ct) =>
        Act(http, user, members, $"{PagePath}/audit?year={YearOf(year, service)}", async (who, f) =>
            await service.PlanAuditAsync(who, YearOf(year, service), (int)(Long(f, "quarter") ?? 0), ct), ct);

    /// <summary>One inspection's report: the checklist with each result, note, photos and the finding it raised.</summary>
    internal static async Task<IResult> Report(long id, HttpContext http, CurrentUser user, MemberService members, InspectionService service,
        CancellationToken ct)
    {
        var viewer = await AdminEndpoints.ViewerAsync(user, members, ct);
        if (!user.HasRole(Roles.Staff))
            return Refused(http, viewer);
        var v = await service.GetAsync(id, NonconformityEndpoints.Actor(user), ct);
        var i = v.Item;
        var body = new StringBuilder($"""
            <table><tbody><tr><th>支部</th><td>{E(i.CommunityName)} · {E(i.OrgName)}</td></tr>
            <tr><th>类型</th><td>{E(InspectionRules.Describe(i.Kind))}</td></tr><tr><th>季度</th><td>{i.Year}年第{i.Quarter}季度</td></tr>
            <tr><th>巡查员</th><td>{E(i.InspectorName)}</td></tr><tr><th>状态</th><td>{E(InspectionRules.Describe(i.State))}</td></tr>
            <tr><th>总体评价</th><td>{E(i.Summary)}</td></tr></tbody></table><h2>检查表</h2>
            """);
        body.Append(ItemsTable(i.Id, v.Items));
        body.Append($"""<p><a href="{PagePath}?year={i.Year}">返回巡查计划</a></p>""");
        return Page(http, viewer, $"{InspectionRules.Describe(i.Kind)}报告 · {i.OrgName}", "inspections", body.ToString());
    }

    /// <summary>One photo of an inspection's checklist, for office staff reading its report.</summary>
    internal static async Task<IResult> Photo(long id, string sha256, HttpContext http, CurrentUser user, MemberService members,
        InspectionService service, IFileStore files, CancellationToken ct)
    {
        if (!user.HasRole(Roles.Staff))
            return Refused(http, await AdminEndpoints.ViewerAsync(user, members, ct));
        return await InspectionEndpoints.PhotoResultAsync(await service.GetAsync(id, NonconformityEndpoints.Actor(user), ct), sha256, http, files, ct);
    }

    private static string ItemsTable(long inspectionId, IReadOnlyList<InspectionItem> items)
    {
        var body = new StringBuilder("<table class=items><thead><tr><th>序号</th><th>依据条款</th><th>检查内容</th><th>结果</th><th>说明</th><th>照片</th><th>不符合项</th></tr></thead><tbody>");
        foreach (var x in items)
        {
            body.Append($"<tr><td>{x.No}</td><td>{E(x.Clause)}</td><td>{E(x.Text)}</td><td>{E(x.Result is { } r ? InspectionRules.Describe(r) : "")}</td>")
                .Append($"<td>{E(x.Note)}</td><td>")
                .AppendJoin("", x.Photos.Select(p => $"""<a href="{PagePath}/{inspectionId}/photos/{p.Sha256}"><img src="{PagePath}/{inspectionId}/photos/{p.Sha256}" alt="照片" width=96 height=72 style="object-fit:cover;margin:0 4px 4px 0"></a>"""))
                .Append("</td><td>")
                .Append(x.NonconformityId is { } nc ? $"""<a href="/admin/nonconformities/{nc}">NC{nc}</a>""" : "").Append("</td></tr>");
        }
        return body.Append("</tbody></table>").ToString();
    }

    /// <summary>The year's internal audit (内部审核): its plan form, and its report by community (branches audited, items, findings).</summary>
    internal static async Task<IResult> Audit(int? year, HttpContext http, CurrentUser user, MemberService members, InspectionService service,
        CancellationToken ct)
    {
        var viewer = await AdminEndpoints.ViewerAsync(user, members, ct);
        if (!user.HasRole(Roles.Staff))
            return Refused(http, viewer);
        var y = YearOf(year, service);
        var (plan, coverage) = await service.CoverageAsync(NonconformityEndpoints.Actor(user), y, InspectionKind.Audit, ct);
        var body = new StringBuilder(http.Request.Query["done"] == "audit" ? Notice("info", "已安排内部审核。") : "");
        if (http.Request.Query["error"].ToString() is { Length: > 0 } error)
            body.Append(Notice("refuse", error));
        body.Append(Notice("info", "内部审核每年一次，覆盖全部社区的每个支部，使用与巡查相同的检查表；审核发现计入不符合项台账（来源：内部审核）。"));
        var done = plan.Count(p => p.State == InspectionState.Submitted);
        body.Append($"""<h2>{y}年内部审核报告</h2><p id=audit-summary>已安排 {plan.Count} 个支部，已完成 {done} 个，未安排 {coverage.Gaps.Count} 个。</p>""");
        body.Append("<table id=audit><thead><tr><th>社区</th><th>支部数</th><th>已审核</th><th>发现不符合</th></tr></thead><tbody>");
        var findings = new Dictionary<long, int>();
        foreach (var p in plan.Where(p => p.State == InspectionState.Submitted))
            findings[p.Id] = (await service.GetAsync(p.Id, NonconformityEndpoints.Actor(user), ct)).Items.Count(x => x.Result == ItemResult.Fail);
        foreach (var g in coverage.Lines.GroupBy(l => l.Branch.CommunityName))
        {
            var visits = g.SelectMany(l => l.Visits).ToList();
            body.Append($"<tr><td>{E(g.Key)}</td><td>{g.Count()}</td><td>{visits.Count(v => v.Submitted)}</td>")
                .Append($"<td>{visits.Sum(v => findings.GetValueOrDefault(v.Id))}</td></tr>");
        }
        body.Append("</tbody></table>");
        if (plan.Count > 0)
        {
            body.Append("<h3>各支部</h3><ul>");
            foreach (var p in plan)
                body.Append($"""<li><a href="{PagePath}/{p.Id}">{E(p.CommunityName)} · {E(p.OrgName)}</a>（{E(p.InspectorName)}，{E(InspectionRules.Describe(p.State))}{(findings.TryGetValue(p.Id, out var n) && n > 0 ? $"，不符合 {n} 项" : "")}）</li>""");
            body.Append("</ul>");
        }
        body.Append($"""<h3>安排内部审核</h3><form method=post action="{PagePath}/audit?year={y}">""")
            .Append(Select("quarter", "季度", "4", Enumerable.Range(1, 4).Select(q => (I(q), $"第{q}季度"))))
            .Append("<button>为全部支部安排</button></form>");
        return Page(http, viewer, $"{y}年内部审核", "inspections", body.ToString());
    }
}
