using System.Globalization;
using System.Text;
using WxQms.Api.Infrastructure;
using WxQms.Api.MiniProgram;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Assessment;
using WxQms.Domain.Rules.ManagementReview;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Assessment;
using WxQms.Domain.Services.ManagementReview;
using static WxQms.Api.Admin.AdminLayout;
using static WxQms.Api.Infrastructure.Problems;

namespace WxQms.Api.Admin;

/// <summary>
/// 管理评审 (issue #20 item 2) in the console, office staff only: the pack of a quarter or a year for the subdistrict or one
/// community as a printable page (<c>/admin/review?period=2026Q4&amp;org=</c>, A4, a section a page, no menu in print) and as
/// a workbook (<c>/api/admin/exports/review.xlsx</c>), the review's decisions recorded on the page (each an ad-hoc task for
/// its owner org), and the year's targets (<c>/admin/review/targets</c>).
/// </summary>
public static class ReviewPages
{
    private const string PagePath = "/admin/review";
    private const string TargetsPath = "/admin/review/targets";

    public static void MapAdminReview(this IEndpointRouteBuilder app)
    {
        var pages = app.AdminPages();
        pages.MapGet("/review", Show);
        pages.MapPost("/review/decisions", Decide);
        pages.MapGet("/review/targets", Targets);
        pages.MapPost("/review/targets", SetTarget);
        pages.MapPost("/review/targets/remove", RemoveTarget);
        app.AdminApi().MapGet("/exports/review.xlsx", Export)
            .WithSummary("The management review pack of a quarter or year as .xlsx (office staff)").Produces(200, contentType: RosterWorkbook.ContentType);
    }

    /// <summary>The period asked for (a quarter or a year; this quarter when none), or why not.</summary>
    private static (Period? Period, string? Refusal) PeriodOf(string? period, AssessedPeriods periods, TimeProvider clock) =>
        PeriodOrCode(period, periods, clock) is var (p, refusal, _) ? (p, refusal) : default;

    /// <summary>The period, or the refusal and its code: <c>request.invalid</c> (not a quarter or year), <c>period.out_of_range</c>.</summary>
    private static (Period? Period, string? Refusal, string? Code) PeriodOrCode(string? period, AssessedPeriods periods, TimeProvider clock)
    {
        if (string.IsNullOrWhiteSpace(period))
            return (ReviewPeriods.QuarterOf(clock.GetUtcNow()), null, null);
        if (!ReviewPeriods.TryParse(period, out var p))
            return (null, $"无法识别的期间“{period}”，应如 2026Q4（季度）或 2026（年度）", "request.invalid");
        return periods.Exists(p) ? (p, null, null) : (null, periods.Describe(period), "period.out_of_range");
    }

    private static ReviewEditor Editor(CurrentUser user) => new(TaskEndpoints.Actor(user), user.MemberId, user.Roles);

    private static async Task<IResult> Export(string? period, long? org, CurrentUser user, ReviewPackService packs, AssessedPeriods periods,
        TimeProvider clock, CancellationToken ct)
    {
        if (!user.HasRole(Roles.Staff))
            return Problem(StatusCodes.Status403Forbidden, "无权访问", "管理评审仅限街道党建办工作人员", "auth.forbidden");
        var (p, refusal, code) = PeriodOrCode(period, periods, clock);
        if (p is null)
            return Problem(StatusCodes.Status400BadRequest, "参数无效", refusal!, code!);
        ReviewPack pack;
        try
        {
            pack = await packs.BuildAsync(p, org, user.Roles, ct);
        }
        catch (RuleViolationException e)
        {
            return Problem(StatusCodes.Status400BadRequest, "参数无效", e.Message, e.Code);
        }
        var stream = new MemoryStream();
        await MiniExcelLibs.MiniExcel.SaveAsAsync(stream, ReviewWorkbook.Sheets(pack), excelType: MiniExcelLibs.ExcelType.XLSX, cancellationToken: ct);
        stream.Position = 0;
        return TypedResults.File(stream, RosterWorkbook.ContentType, $"管理评审_{pack.Ranking.Scope.Name}_{ReviewPeriods.Name(p)}.xlsx");
    }

    private static Task<IResult> Show(string? period, long? org, HttpContext http, CurrentUser user, ReviewPackService packs,
        AssessedPeriods periods, TimeProvider clock, MemberService members, CancellationToken ct) =>
        RenderAsync(period, org, http, user, packs, periods, clock, members, null, null, ct);

    private static async Task<IResult> Decide(string? period, long? org, HttpContext http, CurrentUser user, ReviewService reviews,
        ReviewPackService packs, AssessedPeriods periods, TimeProvider clock, MemberService members, CancellationToken ct)
    {
        ReviewService.EnsureStaff(user.Roles);
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : null;
        var values = new DecisionForm(form?["text"].ToString(), form?["owner"].ToString(), form?["due"].ToString());
        var (p, refusal) = PeriodOf(period, periods, clock);
        if (p is null || form is null)
            return await RenderAsync(period, org, http, user, packs, periods, clock, members, values, refusal ?? "请填写评审决定", ct);
        var (scope, _) = await packs.ScopeAsync(org, user.Roles, ct);
        long? owner = long.TryParse(values.Owner, NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o : null;
        DateOnly? due = DateOnly.TryParseExact(values.Due, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
        try
        {
            await reviews.RecordDecisionAsync(Editor(user), p, scope.Id, values.Text, owner, due, ct);
        }
        catch (RuleViolationException e)
        {
            return await RenderAsync(period, org, http, user, packs, periods, clock, members, values, e.Message, ct);
        }
        return SeeOther($"{PagePath}?period={ReviewPeriods.Name(p)}&org={scope.Id}&done=decided#decisions");
    }

    private sealed record DecisionForm(string? Text, string? Owner, string? Due);

    private static async Task<IResult> RenderAsync(string? period, long? org, HttpContext http, CurrentUser user, ReviewPackService packs,
        AssessedPeriods periods, TimeProvider clock, MemberService members, DecisionForm? form, string? error, CancellationToken ct)
    {
        ReviewService.EnsureStaff(user.Roles);
        var viewer = await AdminEndpoints.ViewerAsync(user, members, ct);
        var (p, refusal) = PeriodOf(period, periods, clock);
        var choices = await packs.OrgsAsync(user.Roles, ct);
        var body = new StringBuilder(PrintStyle);
        var periodName = p is null ? period ?? "" : ReviewPeriods.Name(p);
        body.Append($"""<form class="noprint pick" method=get action="{PagePath}">""")
            .Append(Field("period", "期间", periodName, hint: "季度如 2026Q4，年度如 2026"))
            .Append(Select("org", "范围", org?.ToString(CultureInfo.InvariantCulture) ?? choices.FirstOrDefault()?.Id.ToString(CultureInfo.InvariantCulture),
                choices.Where(c => c.Depth <= 1).Select(c => (c.Id.ToString(CultureInfo.InvariantCulture), c.Depth == 0 ? c.Name + "（全街道）" : c.Name))))
            .Append("<button>查看</button></form>");
        if (p is null)
        {
            body.Append(Notice("refuse", refusal!));
            return Page(http, viewer, "管理评审", "review", body.ToString(), StatusCodes.Status400BadRequest);
        }
        ReviewPack pack;
        try
        {
            pack = await packs.BuildAsync(p, org, user.Roles, ct);
        }
        catch (RuleViolationException e)
        {
            body.Append(Notice("refuse", e.Message));
            return Page(http, viewer, "管理评审", "review", body.ToString(), StatusCodes.Status400BadRequest);
        }
        var scopeId = pack.Ranking.Scope.Id.ToString(CultureInfo.InvariantCulture);
        var query = $"period={Uri.EscapeDataString(periodName)}&org={scopeId}";
        body.Append($"""
            <p class="noprint actions"><a class=button href="/api/admin/exports/review.xlsx?{E(query)}">下载工作簿</a>
            <button type=button class=plain onclick="window.print()">打印</button>
            <a class="button plain" href="{TargetsPath}?year={p.Year}">年度目标</a></p>
            """);
        if (http.Request.Query["done"] == "decided")
            body.Append(Notice("info", "已记录评审决定，并已作为临时任务下发给责任组织。"));
        body.Append(ReviewHtml.Pack(pack));
        body.Append(DecisionFormHtml(pack, choices, query, form, error));
        return Page(http, viewer, "管理评审", "review", body.ToString(), error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    private static string DecisionFormHtml(ReviewPack pack, IReadOnlyList<Org> choices, string query, DecisionForm? form, string? error)
    {
        var scopePath = pack.Ranking.Scope.Path;
        var owners = choices.Where(c => c.Depth > 0 && Domain.Rules.OrgPath.IsWithin(c.Path, scopePath))
            .Select(c => (c.Id.ToString(CultureInfo.InvariantCulture), (c.Depth > 1 ? "　" : "") + c.Name));
        var sb = new StringBuilder($"""<form class=noprint id=decide method=post action="{PagePath}/decisions?{E(query)}"><h2>记录评审决定</h2>""");
        if (error is not null)
            sb.Append(Notice("refuse", error));
        sb.Append(Field("text", "决定（措施）", form?.Text, required: true, hint: $"不超过{ReviewService.MaxDecisionLength}字；将作为临时任务下发给责任组织"))
            .Append(Select("owner", "责任组织", form?.Owner, owners))
            .Append(Field("due", "完成期限", form?.Due, type: "date", required: true))
            .Append("<button>记录决定</button></form>");
        return sb.ToString();
    }

    private const string PrintStyle = """
        <style>
        @page{size:A4;margin:14mm 12mm}
        .pack section{background:#fff;padding:12px 16px;margin:0 0 16px;border:1px solid #eee;border-radius:6px}
        .pack h2{font-size:17px;margin:0 0 10px}.pack h3{font-size:15px;margin:14px 0 6px}.pack .cover h2{font-size:22px;text-align:center}
        .pack .meta{color:#555;text-align:center}.pack td.num,.pack th.num{text-align:right}.pack .met{color:#2e7d32}.pack .unmet{color:#c62828;font-weight:600}
        .pack .none{color:#888}form.pick{display:flex;gap:12px;align-items:flex-end;flex-wrap:wrap}form.pick .field{margin:0}.actions{display:flex;gap:8px}
        @media print{
          header,nav,.noprint{display:none!important}body{background:#fff;font-size:11pt}.wrap{display:block;min-height:0}main{padding:0}
          main>h1{display:none}.pack section{border:0;padding:0;margin:0;break-before:page}.pack section.cover{break-before:auto}
          .pack table{font-size:10pt}.pack tr{break-inside:avoid}.pack thead{display:table-header-group}
        }
        </style>
        """;

    // ---- targets ----

    private static Task<IResult> Targets(int? year, HttpContext http, CurrentUser user, ReviewService reviews, ReviewPackService packs,
        ITaskCatalogueSource duties, MemberService members, CancellationToken ct) =>
        TargetsPageAsync(year, http, user, reviews, packs, duties, members, null, null, ct);

    private static async Task<IResult> SetTarget(int? year, HttpContext http, CurrentUser user, ReviewService reviews, ReviewPackService packs,
        ITaskCatalogueSource duties, MemberService members, CancellationToken ct)
    {
        ReviewService.EnsureStaff(user.Roles);
        var y = year ?? reviews.CurrentYear();
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : null;
        var values = new TargetForm(form?["applies"].ToString(), form?["kind"].ToString(), form?["duty"].ToString(), form?["threshold"].ToString());
        if (form is null || !Enum.TryParse<TargetKind>(values.Kind, ignoreCase: false, out var kind) || !Enum.IsDefined(kind))
            return await TargetsPageAsync(y, http, user, reviews, packs, duties, members, values, "请选择目标类型", ct);
        decimal? threshold = decimal.TryParse(values.Threshold, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var t) ? t : null;
        try
        {
            await reviews.SetTargetAsync(Editor(user), y, values.Applies, kind, values.Duty, threshold, ct);
        }
        catch (RuleViolationException e)
        {
            return await TargetsPageAsync(y, http, user, reviews, packs, duties, members, values, e.Message, ct);
        }
        return SeeOther($"{TargetsPath}?year={y}&done=set");
    }

    private static async Task<IResult> RemoveTarget(int? year, HttpContext http, CurrentUser user, ReviewService reviews, CancellationToken ct)
    {
        ReviewService.EnsureStaff(user.Roles);
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : null;
        if (!long.TryParse(form?["id"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            return Problem(StatusCodes.Status400BadRequest, "参数无效", "请指明要删除的目标", "request.invalid");
        await reviews.RemoveTargetAsync(Editor(user), id, ct);
        return SeeOther($"{TargetsPath}?year={year ?? reviews.CurrentYear()}&done=removed");
    }

    private sealed record TargetForm(string? Applies, string? Kind, string? Duty, string? Threshold);

    private static async Task<IResult> TargetsPageAsync(int? year, HttpContext http, CurrentUser user, ReviewService reviews,
        ReviewPackService packs, ITaskCatalogueSource duties, MemberService members, TargetForm? form, string? error, CancellationToken ct)
    {
        ReviewService.EnsureStaff(user.Roles);
        var y = year is > 2000 and < 2200 ? year.Value : reviews.CurrentYear();
        var catalogue = await duties.GetAsync(ct);
        var names = catalogue.GroupBy(d => d.Code).ToDictionary(g => g.Key, g => g.Last().Name, StringComparer.Ordinal);
        string DutyName(string code) => names.GetValueOrDefault(code) ?? code;
        var choices = await packs.OrgsAsync(user.Roles, ct);
        var orgNames = choices.ToDictionary(c => c.Id, c => c.Name);
        var targets = await reviews.TargetsAsync(y, ct);
        var ys = y.ToString(CultureInfo.InvariantCulture);
        var body = new StringBuilder();
        body.Append(http.Request.Query["done"].ToString() switch
        {
            "set" => Notice("info", "已保存目标。"),
            "removed" => Notice("info", "已删除目标。"),
            _ => "",
        });
        body.Append(Notice("info", "年度目标按组织设定，或统一设定给全部社区、全部支部；某组织单独设定的同类目标优先。管理评审报告逐一判断各组织是否达成。"));
        body.Append($"""<form method=get action="{TargetsPath}">""").Append(Field("year", "年度", ys, type: "number")).Append("<button>查看</button></form>");
        body.Append("<table><thead><tr><th>适用于</th><th>目标</th><th></th></tr></thead><tbody>");
        foreach (var t in targets)
        {
            var appliesTo = t.OrgId is { } id ? orgNames.GetValueOrDefault(id) ?? $"组织 {id}" : ReviewTargets.LevelLabel(t.Level!.Value);
            body.Append($"<tr><td>{E(appliesTo)}</td><td>{E(ReviewTargets.Describe(t, DutyName))}</td><td>")
                .Append($"""<form method=post action="{TargetsPath}/remove?year={ys}"><input type=hidden name=id value="{t.Id}"><button class=plain>删除</button></form>""")
                .Append("</td></tr>");
        }
        if (targets.Count == 0)
            body.Append($"<tr><td colspan=3 class=empty>{E(y + "年度还没有目标")}</td></tr>");
        body.Append("</tbody></table>");
        body.Append($"""<h2>设定目标</h2><form method=post action="{TargetsPath}?year={ys}">""");
        if (error is not null)
            body.Append(Notice("refuse", error));
        var applies = new List<(string, string)> { ("branch", "全部支部"), ("community", "全部社区") };
        applies.AddRange(choices.Where(c => c.Depth > 0).Select(c => (c.Id.ToString(CultureInfo.InvariantCulture), (c.Depth > 1 ? "　" : "") + c.Name)));
        body.Append(Select("applies", "适用于", form?.Applies, applies))
            .Append(Select("kind", "目标类型", form?.Kind,
            [
                (nameof(TargetKind.DutyAllDone), "某项职责全部完成"), (nameof(TargetKind.OnTimeRate), "按时完成率不低于"),
                (nameof(TargetKind.NoDuesArrears), "无党费欠缴"), (nameof(TargetKind.MinScore), "考核得分不低于（百分制）"),
            ]))
            .Append(Select("duty", "职责（“全部完成”时）", form?.Duty ?? TaskCodes.CommitteeMeeting, names.Select(n => (n.Key, n.Value))))
            .Append(Field("threshold", "目标值（%或分）", form?.Threshold, type: "number", hint: "按时完成率或得分时填写，0–100"))
            .Append("<button>保存</button></form>");
        return Page(http, await AdminEndpoints.ViewerAsync(user, members, ct), $"{y}年度管理评审目标", "review", body.ToString(),
            error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }
}
