using System.Globalization;
using System.Text;
using System.Text.Json;
using WxQms.Api.Admin;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Model.Wishes;
using WxQms.Domain.Rules.Nonconformities;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Rules.Wishes;
using WxQms.Domain.Services.Assessment;
using WxQms.Domain.Services.Dashboard;
using WxQms.Domain.Storage;
using static WxQms.Api.H5.H5Layout;

namespace WxQms.Api.H5;

/// <summary>
/// <c>/h5/dashboard</c> (#20 item 1): what superiors see — opened from the official account's 工作台 (and as
/// <c>/admin/dashboard</c> from the console). Tiles, the per-org table, the year's heatmap of orgs × duties, the monthly
/// trend, reminders and wishes; every number links to <c>…/dashboard/list</c>, which lists the same tile's rows. Charts
/// are ECharts from our own build, with labels and patterns (readable without colour). Phone first; two columns on a desk.
/// </summary>
public static class DashboardPage
{
    public static void MapDashboardPage(this IEndpointRouteBuilder app)
    {
        var h5 = app.MapGroup("/h5").ExcludeFromDescription().RequireRateLimiting(RateLimits.H5);
        h5.MapGet("/dashboard", async (string? period, long? org, HttpContext http, H5Viewer viewers, DashboardService dashboards,
            AssessedPeriods periods, CancellationToken ct) => await AsViewerAsync(http, viewers, ct, grants =>
            ShowAsync("/h5/dashboard", grants, period, org, http, dashboards, periods, ct)));
        h5.MapGet("/dashboard/list", async (string? tile, string? period, long? org, string? duty, string? channel, HttpContext http,
            H5Viewer viewers, DashboardService dashboards, AssessedPeriods periods, CancellationToken ct) => await AsViewerAsync(http, viewers, ct,
            grants => ListAsync("/h5/dashboard", grants, tile, period, org, duty, channel, http, dashboards, periods, ct)));

        var admin = app.AdminPages();
        admin.MapGet("/dashboard", (string? period, long? org, HttpContext http, CurrentUser user, DashboardService dashboards,
            AssessedPeriods periods, CancellationToken ct) => ShowAsync("/admin/dashboard", user.Roles, period, org, http, dashboards, periods, ct));
        admin.MapGet("/dashboard/list", (string? tile, string? period, long? org, string? duty, string? channel, HttpContext http,
            CurrentUser user, DashboardService dashboards, AssessedPeriods periods, CancellationToken ct) =>
            ListAsync("/admin/dashboard", user.Roles, tile, period, org, duty, channel, http, dashboards, periods, ct));
    }

    private static async Task<IResult> AsViewerAsync(HttpContext http, H5Viewer viewers, CancellationToken ct,
        Func<IReadOnlyList<Domain.Rules.Grant>, Task<IResult>> show)
    {
        var (outcome, viewer) = await viewers.ResolveAsync(http, ct);
        return outcome switch
        {
            H5Viewer.Outcome.Redirect => Results.Redirect(H5Viewer.CleanPath(http.Request)),
            H5Viewer.Outcome.NeedsOAuth => viewers.StartOAuth(http) is { } authorize
                ? Results.Redirect(authorize)
                : Message(StatusCodes.Status503ServiceUnavailable, "暂时无法登录", "页面地址未配置（Bot:PublicBase），请联系管理员。"),
            H5Viewer.Outcome.StateMismatch => Message(StatusCodes.Status400BadRequest, "授权已失效", "请从公众号「工作台」重新打开看板。"),
            H5Viewer.Outcome.Member when viewer is not null => await show(viewer.Grants),
            _ => Message(StatusCodes.Status403Forbidden, "请先绑定党员身份", "您的微信尚未绑定党员信息。请在公众号中发送手机号完成绑定。"),
        };
    }

    /// <summary>The scope, org and period asked for, or the page that says why not.</summary>
    private static async Task<(DashboardOrg? Scope, DashboardOrg? Org, Period? Period, IResult? Refused)> ResolveAsync(
        IReadOnlyList<Domain.Rules.Grant> grants, string? period, long? org, DashboardService dashboards, AssessedPeriods periods,
        CancellationToken ct)
    {
        Period chosen;
        if (string.IsNullOrEmpty(period))
            chosen = dashboards.DefaultPeriod();
        else if (!Periods.TryParse(period, out chosen) || !periods.Exists(chosen))
            return (null, null, null, Message(StatusCodes.Status400BadRequest, "无法显示看板", periods.Describe(period)));
        var (scope, target, refusal) = await dashboards.ResolveAsync(grants, org, ct);
        return refusal switch
        {
            DashboardRefusal.NoScope => (null, null, null, Message(StatusCodes.Status403Forbidden, "暂无可查看的看板",
                "工作台看板供街道党建办和社区党委书记使用。您可以在小程序「我的任务」查看本支部的任务，或在排名页查看本期排名。")),
            DashboardRefusal.OutOfScope => (null, null, null, Message(StatusCodes.Status403Forbidden, "无权查看",
                "该组织不在您的看板范围内。")),
            _ => (scope, target, chosen, null),
        };
    }

    internal static async Task<IResult> ShowAsync(string basePath, IReadOnlyList<Domain.Rules.Grant> grants, string? period, long? org,
        HttpContext http, DashboardService dashboards, AssessedPeriods periods, CancellationToken ct)
    {
        var (scope, target, chosen, refused) = await ResolveAsync(grants, period, org, dashboards, periods, ct);
        if (refused is not null)
            return refused;
        var view = await dashboards.BuildAsync(scope!, target!, chosen!, ct);
        return H5Layout.Page(http, DashboardRender.Page(basePath, view, periods.FirstYear));
    }

    internal static async Task<IResult> ListAsync(string basePath, IReadOnlyList<Domain.Rules.Grant> grants, string? tile, string? period,
        long? org, string? duty, string? channel, HttpContext http, DashboardService dashboards, AssessedPeriods periods, CancellationToken ct)
    {
        var (_, target, chosen, refused) = await ResolveAsync(grants, period, org, dashboards, periods, ct);
        if (refused is not null)
            return refused;
        if (DashboardStore.Tile(tile) is not { } chosenTile)
            return Message(StatusCodes.Status400BadRequest, "无法显示清单", $"没有这个统计项“{tile}”。");
        if (duty is { Length: > 64 } || channel is { Length: > 8 })
            return Message(StatusCodes.Status400BadRequest, "无法显示清单", "参数无效。");
        var list = await dashboards.ListAsync(target!, chosenTile, chosen!, duty, channel, ct);
        return H5Layout.Page(http, DashboardRender.List(basePath, list, duty, channel));
    }

    private static IResult Message(int status, string title, string text) => H5Layout.Message(status, title, text, DashboardRender.Style);
}

/// <summary>The dashboard's HTML.</summary>
internal static class DashboardRender
{
    private static readonly Dictionary<string, string> Marks = new()
    {
        ["on_time"] = "✓", ["late"] = "◷", ["missed"] = "✗", ["not_due"] = "…",
    };

    private static readonly Dictionary<string, string> Channels = new() { ["oa"] = "公众号", ["mp"] = "小程序", ["sms"] = "短信" };

    public static string Page(string basePath, DashboardView v, int firstYear)
    {
        string Link(string tile, long orgId, string? period = null, string? duty = null, string? channel = null) =>
            $"{basePath}/list?tile={tile}&org={orgId}&period={Uri.EscapeDataString(period ?? v.Period.Key)}"
            + (duty is null ? "" : $"&duty={Uri.EscapeDataString(duty)}") + (channel is null ? "" : $"&channel={channel}");

        var sb = new StringBuilder(32_768);
        sb.Append(Head(v.Org.Name + " · 工作台看板", Style));
        sb.Append("<header><h1>工作台看板</h1><p class=sub>").Append(E(v.Org.Name)).Append(" · ").Append(E(RankingQueries.Label(v.Period)))
            .Append(" · 截至 ").Append(E(Periods.Describe(v.AsOf))).Append("</p></header>");
        if (v.Org.Id != v.Scope.Id)
            sb.Append("<p class=crumbs><a id=up href=\"").Append(E($"{basePath}?period={v.Period.Key}")).Append("\">← ").Append(E(v.Scope.Name)).Append("</a></p>");
        sb.Append("<form class=picker method=get action=\"").Append(basePath).Append("\">");
        if (v.Org.Id != v.Scope.Id)
            sb.Append("<input type=hidden name=org value=\"").Append(v.Org.Id).Append("\">");
        sb.Append("<label>期间 <select name=period id=period onchange=\"this.form.submit()\">");
        foreach (var p in PeriodChoices(v.AsOf, firstYear))
            sb.Append("<option value=\"").Append(p.Key).Append('"').Append(p.Key == v.Period.Key ? " selected" : "").Append('>')
                .Append(E(RankingQueries.Label(p))).Append("</option>");
        sb.Append("</select></label><noscript><button>查看</button></noscript></form>");

        sb.Append("<main class=grid>");
        // Tiles: the task group, each a link to its list.
        sb.Append("<section class=\"card wide\"><h2>任务</h2><div class=tiles>");
        foreach (var c in v.Counts.Where(c => c.Tile.Group == DashboardStore.TaskGroup))
            sb.Append($"<a class=\"tile t-{c.Tile.Key}\" data-tile=\"{c.Tile.Key}\" href=\"{E(Link(c.Tile.Key, v.Org.Id))}\"><b>{c.Total}</b><span>{E(c.Tile.Label)}</span></a>");
        sb.Append("</div><p class=note>统计到期时间在所选期间内的任务；逾期与排名的“未完成”同一口径。</p></section>");
        Nonconformities(sb, v, Link);

        // Per org under the one looked at: the same tiles, each count a link.
        if (v.Children.Count > 0)
        {
            var taskTiles = v.Counts.Where(c => c.Tile.Group is DashboardStore.TaskGroup or DashboardStore.NonconformityGroup).ToList();
            sb.Append("<section class=\"card wide\"><h2>各组织</h2><div class=scroll><table class=orgs><thead><tr><th>组织</th>");
            foreach (var c in taskTiles)
                sb.Append("<th>").Append(E(c.Tile.Label)).Append("</th>");
            sb.Append("</tr></thead><tbody>");
            foreach (var child in v.Children)
            {
                sb.Append($"<tr id=\"org-{child.Id}\"><th><a href=\"{E($"{basePath}?org={child.Id}&period={v.Period.Key}")}\">{E(child.Name)}</a></th>");
                foreach (var c in taskTiles)
                    sb.Append($"<td><a data-tile=\"{c.Tile.Key}\" href=\"{E(Link(c.Tile.Key, child.Id))}\">{c.ByOrg.GetValueOrDefault(child.Id)}</a></td>");
                sb.Append("</tr>");
            }
            sb.Append("</tbody></table></div></section>");
        }

        Heatmap(sb, v, Link);
        Trend(sb, v, basePath, Link);
        Reminders(sb, v, Link);
        Wishes(sb, v, Link);
        sb.Append("</main>");
        sb.Append("<script src=\"/vendor/echarts/echarts.min.js\"></script><script>").Append(ChartScript).Append("</script>");
        sb.Append("<footer>").Append(E(v.Scope.Name)).Append(" · 党建质量管理</footer></body></html>");
        return sb.ToString();
    }

    /// <summary>The register's two numbers (#19): open nonconformities raised in the period, countermeasures past due (the assessment's deduction).</summary>
    private static void Nonconformities(StringBuilder sb, DashboardView v, Func<string, long, string?, string?, string?, string> link)
    {
        sb.Append("<section class=\"card wide\" id=nonconformities><h2>不符合项与纠正措施</h2><div class=tiles>");
        foreach (var c in v.Counts.Where(c => c.Tile.Group == DashboardStore.NonconformityGroup))
            sb.Append($"<a class=\"tile t-{c.Tile.Key}\" data-tile=\"{c.Tile.Key}\" href=\"{E(link(c.Tile.Key, v.Org.Id, null, null, null))}\"><b>{c.Total}</b><span>{E(c.Tile.Label)}</span></a>");
        sb.Append("</div><p class=note>未关闭：所选期间内提出、尚未通过有效性验证；纠正措施逾期：整改期限在所选期间内、已过期仍未完成（计入考核扣分）。</p></section>");
    }

    private static void Heatmap(StringBuilder sb, DashboardView v, Func<string, long, string?, string?, string?, string> link)
    {
        var year = Periods.For(RecurrenceKind.Yearly, v.Period.Year, 1);
        sb.Append("<section class=\"card wide\"><h2>").Append(year.Year).Append("年 组织 × 职责</h2>");
        sb.Append("<p class=legend><span class=\"k on_time\">✓ 按时完成</span><span class=\"k late\">◷ 逾期完成</span><span class=\"k missed\">✗ 未完成</span><span class=\"k not_due\">… 未到期</span></p>");
        if (v.Heat.Count == 0 || v.Children.Count == 0)
        {
            sb.Append("<p class=empty>本年暂无任务。</p></section>");
            return;
        }
        sb.Append("<div class=scroll><table class=heat id=heatmap><thead><tr><th>组织</th>");
        foreach (var duty in v.Heat)
            sb.Append("<th>").Append(E(duty.Name)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var child in v.Children)
        {
            sb.Append("<tr><th>").Append(E(child.Name)).Append("</th>");
            foreach (var duty in v.Heat)
            {
                var cell = duty.Cells.GetValueOrDefault(child.Id);
                if (cell is null || cell.Count == 0)
                {
                    sb.Append("<td class=none>—</td>");
                    continue;
                }
                // The cell's shade follows its worst class (missed, then late, then not due); the marks say it in text.
                var worst = new[] { "missed", "late", "not_due", "on_time" }.First(k => cell.GetValueOrDefault(k) > 0);
                sb.Append($"<td class=\"{worst}\">");
                foreach (var (key, mark) in Marks)
                {
                    if (cell.GetValueOrDefault(key) is var n && n > 0)
                        sb.Append($"<a class=m data-class=\"{key}\" href=\"{E(link(key, child.Id, year.Key, duty.Duty, null))}\">{mark}{n}</a>");
                }
                sb.Append("</td>");
            }
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table></div></section>");
    }

    private static void Trend(StringBuilder sb, DashboardView v, string basePath, Func<string, long, string?, string?, string?, string> link)
    {
        sb.Append("<section class=card><h2>月度趋势</h2><div class=chart id=trend role=img aria-label=\"月度考核结果与按时完成率\"></div>");
        sb.Append("<div class=scroll><table class=data><thead><tr><th>月份</th><th>考核结果</th><th>按时完成</th></tr></thead><tbody>");
        var ranking = basePath.StartsWith("/h5", StringComparison.Ordinal) ? "/h5/ranking" : null;
        foreach (var p in v.Trend)
        {
            var result = p.Result is { } r ? Percent(r) : "暂无到期任务";
            sb.Append("<tr><td>").Append(p.Month).Append("</td><td>")
                .Append(ranking is null ? E(result) : $"<a href=\"{E($"{ranking}?period={p.Month}")}\">{E(result)}</a>")
                .Append("</td><td><a href=\"").Append(E(link("on_time", v.Org.Id, p.Month, null, null))).Append("\">")
                .Append(p.OnTime is { } o ? $"{Percent(o)}（{p.OnTimeCount}/{p.Due}）" : "—").Append("</a></td></tr>");
        }
        sb.Append("</tbody></table></div>");
        var data = new
        {
            months = v.Trend.Select(p => p.Month[5..] + "月"),
            result = v.Trend.Select(p => p.Result is { } r ? Math.Round(r * 100, 1) : (decimal?)null),
            onTime = v.Trend.Select(p => p.OnTime is { } o ? Math.Round(o * 100, 1) : (decimal?)null),
        };
        sb.Append("<script type=application/json id=trend-data>").Append(JsonSerializer.Serialize(data)).Append("</script></section>");
    }

    private static void Reminders(StringBuilder sb, DashboardView v, Func<string, long, string?, string?, string?, string> link)
    {
        var tiles = v.Counts.Where(c => c.Tile.Group == DashboardStore.ReminderGroup).ToList();
        sb.Append("<section class=card><h2>提醒送达</h2><div class=chart id=reminders role=img aria-label=\"提醒按结果与渠道\"></div>");
        sb.Append("<table class=data><thead><tr><th>结果</th>");
        foreach (var ch in Channels.Values)
            sb.Append("<th>").Append(ch).Append("</th>");
        sb.Append("<th>合计</th></tr></thead><tbody>");
        foreach (var c in tiles)
        {
            sb.Append("<tr><th>").Append(E(c.Tile.Label)).Append("</th>");
            foreach (var ch in Channels.Keys)
                sb.Append($"<td><a data-tile=\"{c.Tile.Key}\" data-channel=\"{ch}\" href=\"{E(link(c.Tile.Key, v.Org.Id, null, null, ch))}\">{c.ByChannel.GetValueOrDefault(ch)}</a></td>");
            sb.Append($"<td><a data-tile=\"{c.Tile.Key}\" href=\"{E(link(c.Tile.Key, v.Org.Id, null, null, null))}\">{c.Total}</a></td></tr>");
        }
        sb.Append("</tbody></table>");
        var data = new
        {
            outcomes = tiles.Select(c => c.Tile.Label),
            channels = Channels.Select(ch => new { name = ch.Value, values = tiles.Select(c => c.ByChannel.GetValueOrDefault(ch.Key)) }),
        };
        sb.Append("<script type=application/json id=reminders-data>").Append(JsonSerializer.Serialize(data)).Append("</script></section>");
    }

    private static void Wishes(StringBuilder sb, DashboardView v, Func<string, long, string?, string?, string?, string> link)
    {
        var tiles = v.Counts.Where(c => c.Tile.Group == DashboardStore.WishGroup).ToList();
        sb.Append("<section class=card><h2>微心愿</h2><div class=chart id=wishes role=img aria-label=\"微心愿按状态\"></div><div class=tiles>");
        foreach (var c in tiles)
            sb.Append($"<a class=\"tile small\" data-tile=\"{c.Tile.Key}\" href=\"{E(link(c.Tile.Key, v.Org.Id, null, null, null))}\"><b>{c.Total}</b><span>{E(c.Tile.Label)}</span></a>");
        sb.Append("</div>");
        var data = new { statuses = tiles.Select(c => c.Tile.Label), values = tiles.Select(c => c.Total) };
        sb.Append("<script type=application/json id=wishes-data>").Append(JsonSerializer.Serialize(data)).Append("</script></section>");
    }

    public static string List(string basePath, DashboardList list, string? duty, string? channel)
    {
        var sb = new StringBuilder(16_384);
        var title = $"{list.Tile.Label}{(channel is not null && Channels.TryGetValue(channel, out var ch) ? $"（{ch}）" : "")}";
        sb.Append(Head(title + " · " + list.Org.Name, Style));
        sb.Append("<header><h1>").Append(E(title)).Append("</h1><p class=sub>").Append(E(list.Org.Name)).Append(" · ")
            .Append(E(RankingQueries.Label(list.Period))).Append(duty is null ? "" : " · " + E(list.Items.FirstOrDefault().Title ?? duty))
            .Append("</p></header>");
        sb.Append("<p class=crumbs><a id=back href=\"").Append(E($"{basePath}?org={list.Org.Id}&period={list.Period.Key}")).Append("\">← 返回看板</a></p>");
        sb.Append("<p class=count>共 <b id=count>").Append(list.Items.Count).Append("</b> 项")
            .Append(list.Items.Count >= DashboardStore.ListLimit ? $"（仅显示前 {DashboardStore.ListLimit} 项）" : "").Append("</p>");
        if (list.Items.Count == 0)
            sb.Append("<p class=empty>没有符合条件的记录。</p>");
        else
        {
            sb.Append("<div class=scroll><table class=data><thead><tr><th>组织</th><th>事项</th><th>")
                .Append(list.Tile.Group switch { DashboardStore.WishGroup => "发布", DashboardStore.NonconformityGroup => "提出", _ => "到期" })
                .Append("</th><th>状态</th></tr></thead><tbody id=items>");
            foreach (var (item, name) in list.Items)
                sb.Append("<tr><td>").Append(E(item.OrgName)).Append("</td><td>").Append(E(name)).Append("</td><td>")
                    .Append(E(Periods.Describe(new DateTimeOffset(DateTime.SpecifyKind(item.DueAt, DateTimeKind.Utc)))))
                    .Append("</td><td>").Append(E(StateLabel(list.Tile.Group, item.State, item.Channel))).Append("</td></tr>");
            sb.Append("</tbody></table></div>");
        }
        sb.Append("</body></html>");
        return sb.ToString();
    }

    private static string StateLabel(string group, string state, string? channel) => group switch
    {
        DashboardStore.WishGroup => WishRules.Label(DbNames.Parse<WishStatus>(state)),
        DashboardStore.NonconformityGroup => CapaRules.Describe(DbNames.Parse<NonconformityState>(state)),
        DashboardStore.ReminderGroup => channel is not null && Channels.TryGetValue(channel, out var c) ? c : state,
        _ => TaskTransitions.StatusLabel(DbNames.Parse<TaskState>(state)),
    };

    /// <summary>This year, its quarters begun, and the months of the last year.</summary>
    private static IEnumerable<Period> PeriodChoices(DateTimeOffset now, int firstYear)
    {
        var year = Periods.Containing(Recurrence.Yearly, now);
        var choices = new List<Period> { year, Periods.For(RecurrenceKind.Yearly, year.Year - 1, 1) };
        for (var q = 1; q <= 4; q++)
            choices.Add(Periods.For(RecurrenceKind.Quarterly, year.Year, q));
        var month = Periods.Containing(Recurrence.Monthly, now);
        for (var i = 0; i < 12; i++)
        {
            choices.Add(month);
            month = Periods.Containing(Recurrence.Monthly, month.StartsAt.AddDays(-1));
        }
        return choices.Where(p => p.Year >= firstYear && p.StartsAt <= now);
    }

    private static string Percent(decimal ratio) => (ratio * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    /// <summary>Draws the three charts from their JSON; decal patterns and value labels carry what colour does.</summary>
    private const string ChartScript = """
        (function(){
          if(!window.echarts)return;
          function data(id){var el=document.getElementById(id+'-data');return el?JSON.parse(el.textContent):null;}
          var base={aria:{enabled:true,decal:{show:true}},animation:false,textStyle:{fontFamily:'"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif'}};
          function draw(id,option){var el=document.getElementById(id);if(!el)return;var c=echarts.init(el,null,{renderer:'canvas'});c.setOption(Object.assign({},base,option));window.addEventListener('resize',function(){c.resize();});}
          var t=data('trend');
          if(t)draw('trend',{legend:{top:0},grid:{left:40,right:16,top:36,bottom:28},tooltip:{trigger:'axis'},
            xAxis:{type:'category',data:t.months},yAxis:{type:'value',axisLabel:{formatter:'{value}%'}},
            series:[{name:'考核结果',type:'line',data:t.result,symbol:'circle',symbolSize:8,label:{show:true,formatter:'{c}%'},lineStyle:{type:'solid',width:3},connectNulls:false},
                    {name:'按时完成率',type:'line',data:t.onTime,symbol:'triangle',symbolSize:10,label:{show:true,position:'bottom',formatter:'{c}%'},lineStyle:{type:'dashed',width:2}}]});
          var r=data('reminders');
          if(r)draw('reminders',{legend:{top:0},grid:{left:70,right:16,top:36,bottom:24},tooltip:{trigger:'axis'},
            yAxis:{type:'category',data:r.outcomes},xAxis:{type:'value',minInterval:1},
            series:r.channels.map(function(c){return {name:c.name,type:'bar',stack:'all',data:c.values,label:{show:true,formatter:function(p){return p.value?c.name+' '+p.value:'';}}};})});
          var w=data('wishes');
          if(w)draw('wishes',{grid:{left:36,right:16,top:16,bottom:40},tooltip:{},xAxis:{type:'category',data:w.statuses,axisLabel:{interval:0,rotate:30}},
            yAxis:{type:'value',minInterval:1},series:[{name:'微心愿',type:'bar',data:w.values,label:{show:true,position:'top'}}]});
        })();
        """;

    public const string Style = """
        body{max-width:1200px}
        .crumbs{margin:8px 14px}.crumbs a{color:#1677ff;text-decoration:none}
        .grid{display:grid;grid-template-columns:1fr;gap:10px;padding:10px}
        @media (min-width:900px){.grid{grid-template-columns:1fr 1fr}.wide{grid-column:1 / -1}}
        .card{background:#fff;border-radius:6px;padding:10px 12px;min-width:0}.card h2{font-size:16px;margin:0 0 8px}
        .tiles{display:grid;grid-template-columns:repeat(3,1fr);gap:8px}@media (min-width:900px){.tiles{grid-template-columns:repeat(6,1fr)}}
        .tile{display:block;padding:10px 8px;border:1px solid #f0f0f0;border-radius:6px;text-decoration:none;color:#333;text-align:center}
        .tile b{display:block;font-size:24px;color:#b71c1c}.tile span{font-size:13px;color:#666}.tile.small b{font-size:18px}
        .t-overdue,.t-capa_past_due{border-color:#ffa39e}.t-warned{border-color:#ffd591}
        .scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:13px}th,td{padding:6px;border-bottom:1px solid #f0f0f0;text-align:left;white-space:nowrap}
        thead th{color:#888;font-weight:normal;font-size:12px}td a,th a{color:#1677ff;text-decoration:none}
        .heat td{text-align:center}.heat td a.m{display:inline-block;margin:0 2px;color:#222}
        .heat td.on_time,.k.on_time{background:#d9f7be}.heat td.late,.k.late{background:#fff1b8}.heat td.missed,.k.missed{background:#ffccc7}.heat td.not_due,.k.not_due{background:#f0f0f0}
        .legend .k{display:inline-block;padding:2px 6px;margin:0 6px 4px 0;border-radius:3px;font-size:12px}
        .chart{width:100%;height:260px}.note{font-size:12px;color:#888;margin:6px 0 0}.count{margin:10px 14px}.count b{color:#b71c1c;font-size:20px}
        footer{margin:10px 14px;font-size:12px;color:#888}
        """;
}
