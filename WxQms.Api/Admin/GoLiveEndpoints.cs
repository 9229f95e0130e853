using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using WxQms.Api.Infrastructure;
using WxQms.Api.MiniProgram;
using WxQms.Domain.Services;
using WxQms.Domain.Storage;
using static WxQms.Api.Admin.AdminLayout;
using static WxQms.Api.Infrastructure.Problems;

namespace WxQms.Api.Admin;

/// <summary>The go-live day to set (yyyy-MM-dd).</summary>
public sealed record GoLiveBody(DateOnly? LiveOn);

/// <summary>
/// An org's go-live after a change: its own (null once cleared), the one in force (its own, else its nearest ancestor's;
/// null: nothing limits it), and how many unstarted tasks due before it were cancelled.
/// </summary>
public sealed record GoLiveDto(long OrgId, string OrgName, DateOnly? Previous, DateOnly? LiveOn, DateOnly? InForce, int CancelledTasks)
{
    public static GoLiveDto From(GoLiveChange c) => new(c.OrgId, c.OrgName, c.Previous, c.LiveOn, c.InForce, c.Cancelled.Count);
}

/// <summary>
/// Go-live (上线): office staff set the day an org starts using the system. <c>PUT /api/admin/orgs/{id}/go-live</c> for
/// scripts, and the console page /admin/go-live listing the subdistrict and its communities with a form.
/// </summary>
public static class GoLiveEndpoints
{
    private const string PagePath = "/admin/go-live";

    public static void MapAdminGoLive(this IEndpointRouteBuilder app)
    {
        app.AdminApi().MapPut("/orgs/{id:long}/go-live", Set)
            .WithSummary("Set the day an org starts using the system (office staff): unstarted tasks due before it are cancelled");
        app.AdminApi().MapDelete("/orgs/{id:long}/go-live", Clear)
            .WithSummary("Clear an org's own go-live: it follows its nearest ancestor's again (office staff; 409 when it has none of its own)");
        var pages = app.AdminPages();
        pages.MapGet("/go-live", Show);
        pages.MapPost("/go-live", Post);
    }

    internal static async Task<Results<Ok<GoLiveDto>, ProblemHttpResult>> Set(long id, GoLiveBody? body, CurrentUser user,
        GoLiveService service, CancellationToken ct)
    {
        GoLiveService.Authorize(user.Roles);
        if (service.Check(body?.LiveOn) is { } problem)
            return Problem(StatusCodes.Status400BadRequest, "参数无效", problem, "request.invalid");
        var change = await service.SetAsync(user.Roles, TaskEndpoints.Actor(user), user.MemberId, id, body!.LiveOn, ct);
        return TypedResults.Ok(GoLiveDto.From(change));
    }

    internal static async Task<Ok<GoLiveDto>> Clear(long id, CurrentUser user, GoLiveService service, CancellationToken ct) =>
        TypedResults.Ok(GoLiveDto.From(await service.ClearAsync(user.Roles, TaskEndpoints.Actor(user), user.MemberId, id, ct)));

    private static async Task<IResult> Show(HttpContext http, CurrentUser user, GoLiveService service, MemberService members,
        CancellationToken ct)
    {
        var rows = await service.ListAsync(user.Roles, ct);
        var done = http.Request.Query["set"].ToString();
        var cleared = http.Request.Query["cleared"].ToString();
        var notice = long.TryParse(done, NumberStyles.None, CultureInfo.InvariantCulture, out var setId) && rows.FirstOrDefault(r => r.Id == setId) is { } set
            ? Notice("info", $"已将{set.Name}的上线日期设为{Date(set.LiveOn)}；此前未开始的任务已撤销 {http.Request.Query["cancelled"]} 项，之后的任务在下次生成计划时补齐。")
            : long.TryParse(cleared, NumberStyles.None, CultureInfo.InvariantCulture, out var clearedId) && rows.FirstOrDefault(r => r.Id == clearedId) is { } c
            ? Notice("info", $"已清除{c.Name}的本级上线日期，现{(c.InForce is null ? "不限上线日期" : $"随上级于{Date(c.InForce)}上线")}；此前未开始的任务已撤销 {http.Request.Query["cancelled"]} 项。")
            : "";
        return await RenderAsync(http, user, service, members, rows, notice, null, null, null, null, ct);
    }

    private static async Task<IResult> Post(HttpContext http, CurrentUser user, GoLiveService service, MemberService members,
        CancellationToken ct)
    {
        var rows = await service.ListAsync(user.Roles, ct);
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : null;
        var orgText = form?["orgId"].ToString() ?? "";
        var dayText = form?["liveOn"].ToString().Trim() ?? "";
        string? orgError = null, dayError = null;
        if (!long.TryParse(orgText, NumberStyles.None, CultureInfo.InvariantCulture, out var orgId) || rows.All(r => r.Id != orgId))
            orgError = "请选择街道或社区";
        DateOnly? day = DateOnly.TryParseExact(dayText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
        var clear = form?["clear"].ToString() == "1";
        dayError = clear ? dayText.Length > 0 ? "清除本级上线日期时请不要填写日期" : null
            : day is null && dayText.Length > 0 ? "日期格式应为 2026-01-01" : service.Check(day);
        if (clear && orgError is null && rows.First(r => r.Id == orgId).LiveOn is null)
            orgError = "该组织没有单独设置上线日期，无需清除";
        if (orgError is not null || dayError is not null)
            return await RenderAsync(http, user, service, members, rows, "", orgText, dayText, orgError, dayError, ct);
        if (clear)
        {
            var undone = await service.ClearAsync(user.Roles, TaskEndpoints.Actor(user), user.MemberId, orgId, ct);
            return SeeOther($"{PagePath}?cleared={undone.OrgId}&cancelled={undone.Cancelled.Count}");
        }

        var change = await service.SetAsync(user.Roles, TaskEndpoints.Actor(user), user.MemberId, orgId, day, ct);
        return SeeOther($"{PagePath}?set={change.OrgId}&cancelled={change.Cancelled.Count}");
    }

    private static async Task<IResult> RenderAsync(HttpContext http, CurrentUser user, GoLiveService service, MemberService members,
        IReadOnlyList<GoLiveRow> rows, string notice, string? orgValue, string? dayValue, string? orgError, string? dayError,
        CancellationToken ct)
    {
        var query = TableQuery.From(http.Request, ["name", "code", "live"]);
        var listed = rows.Where(r => query.Search is not { } q || r.Name.Contains(q, StringComparison.Ordinal) || r.Code.Contains(q, StringComparison.OrdinalIgnoreCase));
        listed = query.Sort switch
        {
            "name" => query.Descending ? listed.OrderByDescending(r => r.Name, StringComparer.Ordinal) : listed.OrderBy(r => r.Name, StringComparer.Ordinal),
            "code" => query.Descending ? listed.OrderByDescending(r => r.Code, StringComparer.Ordinal) : listed.OrderBy(r => r.Code, StringComparer.Ordinal),
            "live" => query.Descending ? listed.OrderByDescending(r => r.InForce) : listed.OrderBy(r => r.InForce),
            _ => listed,
        };
        var all = listed.ToList();
        var page = all.Skip(query.Offset).Take(query.PageSize).Select(r => (IReadOnlyList<string>)
        [
            E(r.Depth == 0 ? r.Name : "　" + r.Name), E(r.Code), E(Date(r.LiveOn)),
            E(r.InForce is null ? "未设置（不限）" : r.LiveOn is null ? $"{Date(r.InForce)}（随街道）" : Date(r.InForce)),
        ]);
        var body = new StringBuilder(notice);
        body.Append(Notice("info", "上线日期之前的周期不生成任务，不提醒、不预警、不计逾期、不计入排名。社区未单独设置时随街道。改晚：此前未开始（待办、逾期未交）的任务撤销并留痕；改早：下次生成计划时补齐。"));
        body.Append(Table(PagePath, query, [new("组织", "name"), new("编码", "code"), new("本级上线日期"), new("实际上线日期", "live")], page, all.Count,
            "搜索名称或编码"));
        body.Append($"""<h2>设置上线日期</h2><form method=post action="{PagePath}">""");
        body.Append(Select("orgId", "组织", orgValue, rows.Select(r => (r.Id.ToString(CultureInfo.InvariantCulture), r.Name)), orgError));
        body.Append(Field("liveOn", "上线日期", dayValue, dayError, type: "date", hint: "该日起开始使用本系统"));
        body.Append("""<label class=field><input type=checkbox name="clear" value="1"> 清除本级上线日期（改为随上级；日期留空）</label>""");
        body.Append("<button>保存</button></form>");
        return Page(http, await AdminEndpoints.ViewerAsync(user, members, ct), "上线", "go-live", body.ToString());
    }

    private static string Date(DateOnly? d) => d is { } v ? v.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "—";

}
