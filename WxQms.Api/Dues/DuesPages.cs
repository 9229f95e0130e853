using System.Globalization;
using System.Text;
using MiniExcelLibs;
using WxQms.Api.Admin;
using WxQms.Api.Infrastructure;
using WxQms.Api.MiniProgram;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Dues;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Dues;
using WxQms.Domain.Storage;
using static WxQms.Api.Admin.AdminLayout;

namespace WxQms.Api.Dues;

/// <summary>
/// Dues outside the mini program: the yearly disclosure a branch publishes (<c>/h5/dues/{orgId}/{year}</c>, members masked as
/// 张*), the console's page 党费 (/admin/dues: the branches' totals of a year, the arrears cases and the community committee's
/// decision on a six-month case) and the Excel exports of a branch's and the subdistrict's dues for office staff.
/// </summary>
public static class DuesPages
{
    private const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static void MapDuesPages(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/h5").ExcludeFromDescription().RequireRateLimiting(RateLimits.H5).MapGet("/dues/{orgId:long}/{year:int}", Disclosure);
        var pages = app.AdminPages();
        pages.MapGet("/dues", Show);
        pages.MapPost("/dues/cases/{caseId:long}/decision", Decide);
        var api = app.AdminApi();
        api.MapGet("/dues/export", ExportScope).WithSummary("Dues of a year as .xlsx: each branch's totals and every member's months (within the caller's scope)")
            .Produces(200, contentType: Xlsx);
        api.MapGet("/dues/branches/{id:long}/export", ExportBranch).WithSummary("A branch's dues of a year as .xlsx: members' months and the ledger")
            .Produces(200, contentType: Xlsx);
    }

    private const string Style = """
        table{width:100%;border-collapse:collapse;background:#fff;font-size:13px}td,th{padding:7px 6px;border-bottom:1px solid #eee;text-align:left}
        .sum{padding:10px 14px;background:#fff;margin-top:8px}.m{color:#b71c1c}
        """;

    internal static async Task<IResult> Disclosure(long orgId, int year, HttpContext http, DuesService dues, CancellationToken ct)
    {
        var d = await dues.DisclosureAsync(orgId, year, ct);
        if (d is null)
            return WxQms.Api.H5.H5Layout.Message(StatusCodes.Status404NotFound, "党费收缴情况公示", "该支部尚未公示本年度的党费收缴情况。", Style);
        var rows = new StringBuilder();
        foreach (var line in d.Lines)
            rows.Append($"<tr><td>{H(line.Name)}</td><td>{H(line.MonthsPaid.Count == 0 ? "—" : string.Join("、", line.MonthsPaid) + "月")}</td><td>{DuesRules.Yuan(line.PaidFen)}</td></tr>");
        var html = $"""
            {WxQms.Api.H5.H5Layout.Head($"{d.OrgName}{year}年党费收缴情况公示", Style)}
            <header><h1>{H(d.OrgName)}</h1><p class=sub>{year}年党费收缴情况公示 · {LocalTime.ToLocal(d.PublishedAt):yyyy-MM-dd}公示</p></header>
            <div class=sum>共{d.Lines.Count}名党员，收缴<b class=m>{DuesRules.Yuan(d.CollectedFen)}</b>元，上缴{DuesRules.Yuan(d.HandedUpFen)}元</div>
            <table><tr><th>党员</th><th>已交月份</th><th>金额（元）</th></tr>{rows}</table></body></html>
            """;
        return WxQms.Api.H5.H5Layout.Page(http, html);
    }

    private static string H(string? s) => WxQms.Api.H5.H5Layout.E(s);

    private static async Task<IResult> Show(HttpContext http, CurrentUser user, DuesService dues, MemberService members, CancellationToken ct)
    {
        var year = int.TryParse(http.Request.Query["year"], NumberStyles.None, CultureInfo.InvariantCulture, out var y) ? y : dues.CurrentMonth.Year;
        return await RenderAsync(http, user, dues, members, year, http.Request.Query["decided"].Count > 0 ? Notice("info", "已记录处理决定。") : "",
            null, null, ct);
    }

    private static async Task<IResult> Decide(long caseId, HttpContext http, CurrentUser user, DuesService dues, MemberService members,
        CancellationToken ct)
    {
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : FormCollection.Empty;
        var decision = form["decision"].ToString().Trim();
        if (decision.Length is 0 or > 200)
            return await RenderAsync(http, user, dues, members, dues.CurrentMonth.Year, "", caseId, "请填写处理决定（不超过200字）", ct,
                StatusCodes.Status400BadRequest);
        await dues.DecideAsync(caseId, decision, user.Roles, TaskEndpoints.Actor(user), user.MemberId, ct);
        return SeeOther("/admin/dues?decided=" + caseId);
    }

    private static async Task<IResult> RenderAsync(HttpContext http, CurrentUser user, DuesService dues, MemberService members, int year,
        string notice, long? errorCase, string? error, CancellationToken ct, int status = StatusCodes.Status200OK)
    {
        var scope = Access.DefaultMonitorScope(user.Roles) ?? OrgPath.Root;
        var totals = await dues.TotalsAsync(scope, year, user.Roles, ct);
        var cases = await dues.CasesAsync(user.Roles, ct);
        var body = new StringBuilder(notice);
        body.Append($"""<p><a href="/api/admin/dues/export?year={year}">导出{year}年党费（Excel）</a></p>""");
        body.Append("<h2>支部收缴</h2><table><tr><th>支部</th><th>党员</th><th>应交（元）</th><th>已交（元）</th><th>欠交（元）</th><th>上缴（元）</th><th></th></tr>");
        foreach (var t in totals)
            body.Append($"""<tr><td>{E(t.Name)}</td><td>{N(t.Members)}</td><td>{DuesRules.Yuan(t.DueFen)}</td><td>{DuesRules.Yuan(t.PaidFen)}</td><td>{DuesRules.Yuan(t.OwedFen)}</td><td>{DuesRules.Yuan(t.HandedUpFen)}</td><td><a href="/api/admin/dues/branches/{t.OrgId}/export?year={year}">导出</a></td></tr>""");
        body.Append("</table><h2>欠交党费</h2><table><tr><th>党员</th><th>支部</th><th>事项</th><th>自</th><th>月数</th><th>处理决定</th></tr>");
        foreach (var c in cases)
        {
            var what = c.Kind == "committee" ? Arrears.CaseTitle : "书记谈心谈话";
            var decided = c.Kind != "committee" ? (c.TaskId is { } t ? $"任务 {t}" : "")
                : c.Decision is { } d ? E(d)
                : Access.CanIssue(user.Roles, OrgPath.Root) || user.Roles.Any(g => g.Role is "secretary" or "committee")
                    ? $"""<form method=post action="/admin/dues/cases/{c.Id}/decision">{Field("decision", "处理决定", null, errorCase == c.Id ? error : null)}<button>记录</button></form>"""
                    : "待社区党委决定";
            body.Append($"<tr><td>{E(c.Name)}</td><td>{E(c.OrgName)}</td><td>{E(what)}</td><td>{E(c.Month)}</td><td>{c.MonthsOwed}</td><td>{decided}</td></tr>");
        }
        body.Append("</table>");
        return Page(http, await AdminEndpoints.ViewerAsync(user, members, ct), $"党费（{year}年）", "dues", body.ToString(), status);
    }

    private static async Task<IResult> ExportScope(int? year, CurrentUser user, DuesService dues, CancellationToken ct)
    {
        var y = dues.YearOf(year);
        var scope = Access.DefaultMonitorScope(user.Roles) ?? throw new WxQms.Domain.Model.ForbiddenException("auth.forbidden", "您无权导出党费");
        var totals = await dues.TotalsAsync(scope, y, user.Roles, ct);
        var detail = new List<Dictionary<string, object?>>();
        foreach (var t in totals)
            detail.AddRange(MemberRows(t.Name, await dues.RowsAsync(t.OrgId, y, ct)));
        var sheets = new Dictionary<string, object>
        {
            ["支部汇总"] = totals.Select(t => new Dictionary<string, object?>
            {
                ["支部"] = t.Name, ["党员数"] = t.Members, ["应交（元）"] = DuesRules.Yuan(t.DueFen), ["已交（元）"] = DuesRules.Yuan(t.PaidFen),
                ["欠交（元）"] = DuesRules.Yuan(t.OwedFen), ["上缴（元）"] = DuesRules.Yuan(t.HandedUpFen),
            }).ToList(),
            ["党员明细"] = detail,
        };
        return await FileAsync(sheets, $"党费_{y}.xlsx", ct);
    }

    private static async Task<IResult> ExportBranch(long id, int? year, CurrentUser user, DuesService dues, CancellationToken ct)
    {
        var y = dues.YearOf(year);
        var branch = await dues.BranchAsync(id, y, user.Roles, ct);
        var sheets = new Dictionary<string, object>
        {
            ["党员明细"] = MemberRows(branch.OrgName, await dues.RowsAsync(id, y, ct)),
            ["收缴台账"] = branch.Ledger.Select(l => new Dictionary<string, object?>
            {
                ["日期"] = LocalTime.ToLocal(DbTime.Utc(l.OccurredAt)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["类别"] = l.Kind == DuesStore.LedgerHandedUp ? "上缴" : l.Via == DuesSettlement.ViaCash ? "现金收缴" : "微信支付",
                ["党员"] = l.MemberName ?? "", ["月份"] = l.Months ?? "", ["金额（元）"] = DuesRules.Yuan(l.AmountFen), ["凭证号"] = l.Reference,
                ["其中自愿多交"] = l.VoluntaryLabel ?? "",
            }).ToList(),
        };
        return await FileAsync(sheets, $"党费_{branch.OrgName}_{y}.xlsx", ct);
    }

    private static IEnumerable<Dictionary<string, object?>> MemberRows(string branch, IReadOnlyList<BranchMonthRow> rows) =>
        rows.GroupBy(r => r.MemberId).Select(g =>
        {
            var row = new Dictionary<string, object?> { ["支部"] = branch, ["党员"] = g.First().Name };
            for (var m = 1; m <= 12; m++)
            {
                var r = g.FirstOrDefault(x => DuesMonth.Parse(x.Month).Month == m);
                row[$"{m}月"] = r is null ? "" : r.State switch
                {
                    "paid" => DuesRules.Yuan(r.PaidFen),
                    "waived" => "免交",
                    "partly_paid" => $"部分{DuesRules.Yuan(r.PaidFen)}/{DuesRules.Yuan(r.AmountFen)}",
                    _ => "欠" + DuesRules.Yuan(r.AmountFen),
                };
            }
            row["已交合计（元）"] = DuesRules.Yuan(g.Sum(r => (long)r.PaidFen));
            return row;
        });

    private static async Task<IResult> FileAsync(Dictionary<string, object> sheets, string name, CancellationToken ct)
    {
        var stream = new MemoryStream();
        await stream.SaveAsAsync(sheets, excelType: ExcelType.XLSX, cancellationToken: ct);
        stream.Position = 0;
        return TypedResults.File(stream, Xlsx, name);
    }
}
