using System.Globalization;
using System.Text;
using WxQms.Api.Assessment;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Assessment;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Assessment;
using WxQms.Domain.Storage;
using static WxQms.Api.H5.H5Layout;
using static WxQms.Api.Infrastructure.Problems;

namespace WxQms.Api.H5;

/// <summary>
/// <c>/h5/ranking</c>: the ranking page opened from the official-account menu. Server-rendered, phone
/// first, Chinese; the bar chart is SVG drawn here (WeChat's browser reaches no CDN), the viewer's own
/// org is highlighted. A period picker (the last twelve months, this year's quarters, this year) and two
/// tabs (社区 / 支部). Office staff also get the two spreadsheets.
/// </summary>
public static class RankingPage
{
    public static void MapRankingPage(this IEndpointRouteBuilder app)
    {
        var h5 = app.MapGroup("/h5").ExcludeFromDescription().RequireRateLimiting(RateLimits.H5);
        h5.MapGet("/ranking", Page);
        h5.MapGet("/ranking/rankings.xlsx", async (string? period, long? scope, HttpContext http, H5Viewer viewers, RankingCache cache,
            RankingQueries queries, AssessedPeriods periods, CancellationToken ct) =>
        {
            var (outcome, viewer) = await viewers.ResolveAsync(http, ct);
            return viewer is null || outcome != H5Viewer.Outcome.Member
                ? Denied(outcome)
                : await ExportEndpoints.RankingsAsync(period, scope, viewer.Grants, http, cache, queries, periods, ct);
        });
        h5.MapGet("/ranking/tasks.xlsx", async (string? period, long? scope, HttpContext http, H5Viewer viewers, OrgStore orgs,
            AssessmentExports rows, AssessedPeriods periods, CancellationToken ct) =>
        {
            var (outcome, viewer) = await viewers.ResolveAsync(http, ct);
            return viewer is null || outcome != H5Viewer.Outcome.Member
                ? Denied(outcome)
                : await ExportEndpoints.TasksAsync(period, scope, viewer.Grants, orgs, rows, periods, ct);
        });
    }

    private static IResult Denied(H5Viewer.Outcome outcome) => Problem(StatusCodes.Status401Unauthorized, "未登录",
        "请从公众号菜单打开排名页后再导出", outcome == H5Viewer.Outcome.NotBound ? "auth.not_bound" : "auth.required");

    internal static async Task<IResult> Page(string? period, long? scope, string? level, HttpContext http, H5Viewer viewers,
        RankingCache cache, RankingQueries queries, OrgStore orgs, AssessedPeriods periods, TimeProvider clock, CancellationToken ct)
    {
        var (outcome, viewer) = await viewers.ResolveAsync(http, ct);
        switch (outcome)
        {
            case H5Viewer.Outcome.Redirect:
                return Results.Redirect(H5Viewer.CleanPath(http.Request));
            case H5Viewer.Outcome.NeedsOAuth:
                return viewers.StartOAuth(http) is { } authorize
                    ? Results.Redirect(authorize)
                    : Message(StatusCodes.Status503ServiceUnavailable, "暂时无法登录", "页面地址未配置（Bot:PublicBase），请联系管理员。");
            case H5Viewer.Outcome.StateMismatch:
                return Message(StatusCodes.Status400BadRequest, "授权已失效", "请从公众号菜单重新打开排名页。");
            case H5Viewer.Outcome.NotBound or not H5Viewer.Outcome.Member:
                return Message(StatusCodes.Status403Forbidden, "请先绑定党员身份",
                    "您的微信尚未绑定党员信息。请在公众号中发送手机号完成绑定，或从小程序进入。");
        }

        var (request, problem) = RankingEndpoints.Resolve(period, scope, level, viewer!.Grants, periods);
        if (problem is not null)
            return Message(problem.StatusCode, "无法显示排名", problem.ProblemDetails.Detail ?? "参数无效");
        var (ranking, _, refused) = await RankingEndpoints.LoadForAsync(request!, viewer.Grants, cache, queries, orgs, ct);
        if (ranking is null)
            return refused!.StatusCode == StatusCodes.Status404NotFound
                ? Message(StatusCodes.Status404NotFound, "未找到", "没有这个组织")
                : Message(StatusCodes.Status403Forbidden, "无权查看", "您无权查看该范围的排名");

        // The communities, for the branch tab's picker (office staff and committees can look at any they may see).
        var communityRequest = request! with { Level = RankingLevel.Community, ScopeId = OrgPath.Ids(ranking.View.Scope.Path)[0] };
        var (communities, _, _) = await RankingEndpoints.LoadForAsync(communityRequest, viewer.Grants, cache, queries, orgs, ct);
        var html = Render(ranking.View, request!, viewer, communities?.View, clock.GetUtcNow(), periods.FirstYear, viewers.Subdistrict);
        return H5Layout.Page(http, html);
    }

    internal static string Render(RankingView view, RankingRequest request, H5Identity viewer, RankingView? communities, DateTimeOffset now,
        int firstYear, string subdistrict)
    {
        var mine = view.Rows.FirstOrDefault(r => viewer.Grants.Any(g => OrgPath.IsWithin(g.OrgPath, r.Path)));
        var staff = viewer.Grants.Any(g => g.Role == Roles.Staff);
        var sb = new StringBuilder(16_384);
        sb.Append(Head(view.PeriodLabel + "排名"));
        sb.Append("<header><h1>党建工作排名</h1><p class=sub>").Append(E(view.Scope.Name)).Append(" · ")
            .Append(view.Level == "community" ? "社区排名" : "支部排名").Append("</p></header>");

        // Tabs and the period picker: plain links and a GET form, so the page works without script.
        sb.Append("<nav class=tabs>");
        foreach (var (lvl, label) in new[] { ("community", "社区"), ("branch", "支部") })
        {
            var href = Url(request.Period.Key, lvl == "branch" ? BranchScope(view, mine, viewer) : null, lvl);
            sb.Append($"<a data-level=\"{lvl}\" href=\"{E(href)}\"").Append(view.Level == lvl ? " class=on aria-current=page" : "")
                .Append('>').Append(label).Append("</a>");
        }
        sb.Append("</nav>");
        sb.Append("<form class=picker method=get action=\"/h5/ranking\"><input type=hidden name=level value=\"").Append(E(view.Level))
            .Append("\"><input type=hidden name=scope value=\"").Append(view.Scope.Id).Append("\"><label>期间 <select name=period id=period onchange=\"this.form.submit()\">");
        foreach (var p in PeriodChoices(now, firstYear))
        {
            sb.Append("<option value=\"").Append(p.Key).Append('"').Append(p.Key == view.Period ? " selected" : "").Append('>')
                .Append(E(RankingQueries.Label(p))).Append("</option>");
        }
        sb.Append("</select></label>");
        if (view.Level == "branch" && communities is not null && communities.Rows.Count > 1)
        {
            sb.Append("<label>社区 <select id=community onchange=\"this.form.scope.value=this.value;this.form.submit()\">");
            foreach (var c in communities.Rows.OrderBy(r => r.Path, StringComparer.Ordinal))
            {
                if (!RankingAccess.CanSee(viewer.Grants, c.Path))
                    continue;
                sb.Append($"<option value=\"{c.OrgId}\"").Append(c.OrgId == view.Scope.Id ? " selected" : "").Append('>')
                    .Append(E(c.Name)).Append("</option>");
            }
            sb.Append("</select></label>");
        }
        sb.Append("<noscript><button>查看</button></noscript></form>");
        sb.Append(Shortcuts(view, now, firstYear));

        sb.Append("<p class=status>").Append(view.Provisional
            ? $"<span class=live>实时</span>截至 {E(Periods.Describe(view.AsOf))}，本期尚未结算，数据随工作进展变化。"
            : view.ClosedAt is { } closed
                ? $"<span class=closed>已结算</span>{E(Periods.Describe(closed))}结算，结算后的更正计入下月。"
                : "本期已结束，数据按台账实时计算。").Append("</p>");
        if (mine is not null)
        {
            sb.Append("<section class=mine><b>").Append(E(mine.Name)).Append("</b> ")
                .Append(mine.Rank is { } rank ? $"第 <strong>{rank}</strong> 名 / 共 {view.Rows.Count(r => r.Rank is not null)} 个" : "本期" + NothingDue)
                .Append(mine.Ratio is { } myRatio ? $"，完成率 {Percent(myRatio)}" : "").Append("</section>");
        }

        if (view.Rows.Count == 0)
            sb.Append("<p class=empty>该范围内没有可排名的组织。</p>");
        else
            sb.Append(Chart(view.Rows, mine?.OrgId));

        sb.Append("<table><thead><tr><th>名次</th><th>组织</th><th>得分/应得</th><th>逾期</th></tr></thead><tbody>");
        foreach (var r in view.Rows)
        {
            sb.Append(r.OrgId == mine?.OrgId ? "<tr class=me>" : "<tr>")
                .Append("<td>").Append(r.Rank?.ToString(CultureInfo.InvariantCulture) ?? "—").Append("</td><td>").Append(E(r.Name))
                .Append("<small>").Append(E(r.KindLabel)).Append("</small></td><td>")
                .Append(r.HasTasks() ? $"{Num(r.Earned + r.Carried)}/{Num(r.Possible)}" : NothingDue)
                .Append(r.Carried != 0 ? $"<small>含更正 {Num(r.Carried)}</small>" : "")
                .Append("</td><td>").Append(r.Missed).Append("</td></tr>");
        }
        sb.Append("</tbody></table>");
        sb.Append("<p class=note>完成率 = 到期任务的得分 ÷ 应得分（含临时任务，已撤销的不计）；同分时依次比较总得分、逾期数。</p>");
        if (staff)
        {
            var q = $"period={Uri.EscapeDataString(view.Period)}";
            sb.Append("<p class=exports>导出：<a href=\"/h5/ranking/rankings.xlsx?").Append(q).Append("\">排名 Excel</a>")
                .Append("<a href=\"/h5/ranking/tasks.xlsx?").Append(q).Append("&amp;scope=").Append(view.Scope.Id).Append("\">任务状态 Excel</a></p>");
        }
        sb.Append("<footer>").Append(E(viewer.Name)).Append(" · ").Append(E(subdistrict)).Append("党建质量管理</footer></body></html>");
        return sb.ToString();
    }

    private static bool HasTasks(this RankingRow r) => r.Possible > 0;

    /// <summary>An org without a task due in the period (so far, in a live one): unranked, never 0 %.</summary>
    internal const string NothingDue = "暂无到期任务";

    /// <summary>One tap to the last closed month, the live month and the year so far (the picker holds the rest).</summary>
    private static string Shortcuts(RankingView view, DateTimeOffset now, int firstYear)
    {
        var month = Periods.Containing(Recurrence.Monthly, now);
        var last = Periods.Containing(Recurrence.Monthly, month.StartsAt.AddDays(-1));
        var year = Periods.Containing(Recurrence.Yearly, now);
        var sb = new StringBuilder("<nav class=quick>");
        foreach (var (p, label, id) in new[] { (last, "上月", "last-month"), (month, "本月（实时）", "this-month"), (year, "本年累计", "year") })
        {
            if (!PeriodAssessment.IsAssessed(p, firstYear, now))
                continue;
            sb.Append($"<a id={id} href=\"{E(Url(p.Key, view.Scope.Id, view.Level))}\"").Append(p.Key == view.Period ? " class=on aria-current=page" : "")
                .Append('>').Append(label).Append("</a>");
        }
        return sb.Append("</nav>").ToString();
    }

    private static long? BranchScope(RankingView view, RankingRow? mine, H5Identity viewer) =>
        view.Level == "community" ? mine?.OrgId ?? view.Rows.FirstOrDefault()?.OrgId : view.Scope.Id;

    /// <summary>Horizontal bars, one per org, sized by ratio (0–120 %); no-task orgs show a dash.</summary>
    internal static string Chart(IReadOnlyList<RankingRow> rows, long? mine)
    {
        const int width = 360, rowHeight = 30, labelWidth = 118, barMax = 190;
        var height = rows.Count * rowHeight + 8;
        var sb = new StringBuilder();
        sb.Append($"<svg class=chart viewBox=\"0 0 {width} {height}\" width=\"100%\" role=img aria-label=\"完成率柱状图\" xmlns=\"http://www.w3.org/2000/svg\">");
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            var y = 4 + i * rowHeight;
            var me = r.OrgId == mine;
            var ratio = r.Ratio is { } x ? Math.Clamp(x, 0m, 1.2m) : 0m;
            var w = (int)Math.Round(ratio / 1.2m * barMax);
            var fill = me ? "#d4380d" : r.Ratio is null ? "#ccc" : "#c9a227";
            sb.Append($"<g class=\"bar{(me ? " me" : "")}\" data-org=\"{r.OrgId}\">");
            if (me)
                sb.Append($"<rect x=\"0\" y=\"{y - 2}\" width=\"{width}\" height=\"{rowHeight - 2}\" fill=\"#fff1e8\" rx=\"4\"/>");
            sb.Append($"<text x=\"4\" y=\"{y + 18}\" font-size=\"12\" fill=\"#333\">{E(Short(r.Name, 9))}</text>");
            sb.Append($"<rect x=\"{labelWidth}\" y=\"{y + 6}\" width=\"{Math.Max(w, 1)}\" height=\"16\" rx=\"3\" fill=\"{fill}\"/>");
            sb.Append($"<text x=\"{labelWidth + Math.Max(w, 1) + 4}\" y=\"{y + 18}\" font-size=\"12\" fill=\"{(me ? "#d4380d" : "#555")}\">")
                .Append(r.Ratio is { } ratioText ? Percent(ratioText) : NothingDue).Append("</text></g>");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    /// <summary>The periods that exist (<see cref="PeriodAssessment.IsAssessed"/>) among the last twelve months, this year's quarters and this year.</summary>
    private static IEnumerable<Period> PeriodChoices(DateTimeOffset now, int firstYear)
    {
        var choices = new List<Period>(17);
        var month = Periods.Containing(Recurrence.Monthly, now);
        for (var i = 0; i < 12; i++)
        {
            choices.Add(month);
            month = Periods.Containing(Recurrence.Monthly, month.StartsAt.AddDays(-1));
        }
        var year = Periods.Containing(Recurrence.Yearly, now).Year;
        for (var q = 1; q <= 4; q++)
            choices.Add(Periods.For(RecurrenceKind.Quarterly, year, q));
        choices.Add(Periods.For(RecurrenceKind.Yearly, year, 1));
        return choices.Where(p => PeriodAssessment.IsAssessed(p, firstYear, now));
    }

    private static string Url(string period, long? scope, string level) =>
        $"/h5/ranking?period={Uri.EscapeDataString(period)}&level={level}" + (scope is { } s ? $"&scope={s}" : "");

    private static string Percent(decimal ratio) => (ratio * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string Num(decimal d) => d.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Short(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";

    private static IResult Message(int? status, string title, string text) =>
        H5Layout.Message(status ?? StatusCodes.Status400BadRequest, title, text, Style);

    private static string Head(string title) => H5Layout.Head(title, Style);

    private const string Style = """
        select{font-size:15px;padding:5px;border:1px solid #ddd;border-radius:4px;background:#fff;max-width:200px}
        .quick{display:flex;gap:8px;margin:8px 14px}.quick a{padding:4px 10px;border:1px solid #d9d9d9;border-radius:14px;color:#555;text-decoration:none;font-size:13px;background:#fff}
        .quick a.on{border-color:#d4380d;color:#d4380d;font-weight:600}
        .status{margin:8px 14px;font-size:12px;color:#777}.live,.closed{display:inline-block;padding:1px 6px;margin-right:6px;border-radius:3px;color:#fff;font-size:11px}
        .live{background:#fa8c16}.closed{background:#389e0d}
        .mine{margin:8px 14px;padding:10px 12px;background:#fff1e8;border-left:4px solid #d4380d;border-radius:4px}
        .mine strong{color:#d4380d;font-size:18px}
        .chart{display:block;background:#fff;margin:8px 0;padding:4px 0}
        table{width:100%;border-collapse:collapse;background:#fff;font-size:14px}th,td{padding:8px 6px;border-bottom:1px solid #f0f0f0;text-align:left}
        th{color:#888;font-weight:normal;font-size:12px}td small{display:block;color:#999;font-size:11px}tr.me td{background:#fff1e8;color:#d4380d;font-weight:600}
        .note,.exports,footer{margin:10px 14px;font-size:12px;color:#888}.exports a{margin-right:12px;color:#1677ff}
        """;
}
