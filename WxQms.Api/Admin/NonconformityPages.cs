using System.Globalization;
using System.Text;
using WxQms.Api.Infrastructure;
using WxQms.Api.MiniProgram;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Nonconformities;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Nonconformities;
using WxQms.Domain.Storage;
using static WxQms.Api.Admin.AdminLayout;

namespace WxQms.Api.Admin;

/// <summary>
/// The office's register of nonconformities (不符合项台账, issue #19 item 7): every nonconformity filtered by community,
/// state and source, those past due marked, and the trail of one (raised, each cause and countermeasure, completion,
/// each effectiveness check).
/// </summary>
public static class NonconformityPages
{
    public static void MapAdminNonconformities(this IEndpointRouteBuilder app)
    {
        var pages = app.AdminPages();
        pages.MapGet("/nonconformities", List);
        pages.MapGet("/nonconformities/{id:long}", Detail);
    }

    private static readonly (string Value, string Text)[] States =
        [("", "全部状态"), .. Enum.GetValues<NonconformityState>().Select(s => (DbNames.Of(s), CapaRules.Describe(s)))];

    private static readonly (string Value, string Text)[] Sources =
        [("", "全部来源"), .. Enum.GetValues<NonconformitySource>().Select(s => (DbNames.Of(s), CapaRules.Describe(s)))];

    internal static async Task<IResult> List(HttpContext http, CurrentUser user, MemberService members, OrgStore orgs, NonconformityService service,
        CancellationToken ct)
    {
        var viewer = await AdminEndpoints.ViewerAsync(user, members, ct);
        if (!user.HasRole(Roles.Staff))
            return Page(http, viewer, "不符合项", "nonconformities", Notice("refuse", "不符合项台账由街道党建办查看。"), StatusCodes.Status403Forbidden);
        var query = http.Request.Query;
        var communities = new List<Org>();
        foreach (var root in await orgs.GetRootsAsync(ct))
        {
            if (await orgs.GetSubtreeAsync(root.Id, ct) is { } sub)
                communities.AddRange(sub.Orgs.Where(o => o.ParentId == root.Id).OrderBy(o => o.SortOrder).ThenBy(o => o.Id));
        }
        var community = long.TryParse(query["community"], NumberStyles.None, CultureInfo.InvariantCulture, out var c)
            ? communities.FirstOrDefault(o => o.Id == c) : null;
        var state = Enum.GetValues<NonconformityState>().Cast<NonconformityState?>().FirstOrDefault(s => DbNames.Of(s!.Value) == query["state"]);
        var source = Enum.GetValues<NonconformitySource>().Cast<NonconformitySource?>().FirstOrDefault(s => DbNames.Of(s!.Value) == query["source"]);
        var items = await service.RegisterAsync(community?.Path, state, source, NonconformityEndpoints.Actor(user), ct);
        var view = TableQuery.From(http.Request, []);
        IEnumerable<NonconformityView> rows = items;
        if (view.Search is { } q)
            rows = rows.Where(v => v.Item.Description.Contains(q, StringComparison.Ordinal) || v.Item.OrgName.Contains(q, StringComparison.Ordinal)
                || (v.Item.Clause ?? "").Contains(q, StringComparison.Ordinal));
        var list = rows.ToList();
        var cells = list.Skip(view.Offset).Take(view.PageSize).Select(v =>
        {
            var n = v.Item;
            var st = v.PastDue ? $"""<b class=late style="color:#c62828">{E(CapaRules.Describe(n.State))}（逾期）</b>""" : E(CapaRules.Describe(n.State));
            return (IReadOnlyList<string>)
            [
                $"""<a href="/admin/nonconformities/{n.Id}">NC{n.Id}</a>""", E(n.OrgName), E(CapaRules.Describe(n.Source)), E(n.Clause),
                E(CapaRules.Describe(n.Severity)), E(n.Description), st, E(Day(n.ActionDueOn)), E(Day(n.CheckDueOn)),
                E(WxQms.Domain.Rules.Tasks.Periods.LocalDate(n.RaisedAt).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            ];
        });
        var body = new StringBuilder();
        body.Append("""<form method=get action="/admin/nonconformities" class=search>""");
        body.Append(Select("community", "社区", community?.Id.ToString(CultureInfo.InvariantCulture) ?? "",
            communities.Select(o => (o.Id.ToString(CultureInfo.InvariantCulture), o.Name)).Prepend(("", "全部社区"))));
        body.Append(Select("state", "状态", query["state"].ToString(), States));
        body.Append(Select("source", "来源", query["source"].ToString(), Sources));
        body.Append("<button>筛选</button></form>");
        var pastDue = items.Count(v => v.PastDue);
        if (pastDue > 0)
            body.Append(Notice("warn", $"{pastDue} 项不符合项的纠正措施已过完成期限，计入考核扣分。"));
        var path = "/admin/nonconformities" + Filters(community?.Id, query["state"], query["source"]);
        body.Append(Table(path, view,
        [
            new("编号"), new("支部"), new("来源"), new("条款"), new("严重程度"), new("描述"), new("状态"), new("整改期限"), new("验证日期"),
            new("提出日期"),
        ], cells, list.Count, "描述、支部或条款"));
        return Page(http, viewer, "不符合项台账", "nonconformities", body.ToString());
    }

    internal static async Task<IResult> Detail(long id, HttpContext http, CurrentUser user, MemberService members, NonconformityService service,
        CancellationToken ct)
    {
        var viewer = await AdminEndpoints.ViewerAsync(user, members, ct);
        if (!user.HasRole(Roles.Staff))
            return Page(http, viewer, "不符合项", "nonconformities", Notice("refuse", "不符合项台账由街道党建办查看。"), StatusCodes.Status403Forbidden);
        var v = await service.GetAsync(id, NonconformityEndpoints.Actor(user), ct);
        var n = v.Item;
        var body = new StringBuilder();
        body.Append($"""
            <table><tbody>
            <tr><th>支部</th><td>{E(n.OrgName)}</td></tr><tr><th>来源</th><td>{E(CapaRules.Describe(n.Source))}（{E(n.SourceRef)}）</td></tr>
            <tr><th>条款</th><td>{E(n.Clause)}</td></tr><tr><th>严重程度</th><td>{E(CapaRules.Describe(n.Severity))}</td></tr>
            <tr><th>描述</th><td>{E(n.Description)}</td></tr><tr><th>状态</th><td>{E(CapaRules.Describe(n.State))}{(v.PastDue ? "（整改逾期）" : "")}</td></tr>
            <tr><th>原因分析</th><td>{E(n.Cause)}</td></tr><tr><th>纠正措施</th><td>{E(n.Action)}</td></tr>
            <tr><th>整改期限</th><td>{E(Day(n.ActionDueOn))}</td></tr><tr><th>验证日期</th><td>{E(Day(n.CheckDueOn))}</td></tr>
            </tbody></table><h2>处理记录</h2>
            """);
        body.Append(Table($"/admin/nonconformities/{id}", TableQuery.From(http.Request, []) with { PageSize = 200 },
            [new("时间"), new("轮次"), new("步骤"), new("原因"), new("内容"), new("期限"), new("照片"), new("操作人")],
            v.Trail.Select(s => (IReadOnlyList<string>)
            [
                E(s.At.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)), s.Cycle.ToString(CultureInfo.InvariantCulture),
                E(CapaRules.Describe(s.Kind)), E(s.Cause), E(s.Note), E(Day(s.DueOn)), s.Photos.Count.ToString(CultureInfo.InvariantCulture), E(s.Actor),
            ]), v.Trail.Count));
        body.Append("""<p><a href="/admin/nonconformities">返回台账</a></p>""");
        return Page(http, viewer, $"不符合项 NC{n.Id}", "nonconformities", body.ToString());
    }

    private static string Filters(long? community, string? state, string? source)
    {
        var parts = new List<string>();
        if (community is { } c)
            parts.Add("community=" + c.ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(state))
            parts.Add("state=" + Uri.EscapeDataString(state));
        if (!string.IsNullOrEmpty(source))
            parts.Add("source=" + Uri.EscapeDataString(source));
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    private static string Day(DateOnly? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";
}
