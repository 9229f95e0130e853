using System.Globalization;
using System.Text;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Members;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Members;
using static WxQms.Api.Admin.AdminLayout;

namespace WxQms.Api.Admin;

/// <summary>
/// 体检问卷 (/admin/checkups): the office keeps each year's 党性体检 questionnaire as data — items in sections with weights
/// (1–10) — adds and removes items while nobody has answered the year's questionnaire, and starts a year from the last.
/// Everyone of the console reads it; only office staff change it.
/// </summary>
public static class CheckupPages
{
    private const string PagePath = "/admin/checkups";

    public static void MapAdminCheckups(this IEndpointRouteBuilder app)
    {
        var pages = app.AdminPages();
        pages.MapGet("/checkups", Show);
        pages.MapPost("/checkups", Add);
        pages.MapPost("/checkups/copy", Copy);
        pages.MapPost("/checkups/{itemId:long}/remove", Remove);
    }

    private static async Task<IResult> Show(int? year, HttpContext http, CurrentUser user, CheckupService checkups, MemberService members,
        CancellationToken ct)
    {
        var notice = http.Request.Query["done"].ToString() switch
        {
            "added" => Notice("info", "已添加题目。"),
            "removed" => Notice("info", "已删除题目。"),
            "copied" => Notice("info", $"已从上一年度复制 {http.Request.Query["count"]} 道题目。"),
            _ => "",
        };
        return await RenderAsync(http, user, checkups, members, year ?? checkups.CurrentYear(), notice, null, null, null, null, ct);
    }

    private static async Task<IResult> Add(int? year, HttpContext http, CurrentUser user, CheckupService checkups, MemberService members,
        CancellationToken ct)
    {
        var y = year ?? checkups.CurrentYear();
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : null;
        var section = form?["section"].ToString().Trim() ?? "";
        var text = form?["text"].ToString().Trim() ?? "";
        var weightText = form?["weight"].ToString().Trim() ?? "";
        var weight = int.TryParse(weightText, NumberStyles.None, CultureInfo.InvariantCulture, out var w) ? w : 0;
        EnsureStaff(user);
        if (Checkups.CheckItem(section, text, weight) is { } refusal)
            return await RenderAsync(http, user, checkups, members, y, "", section, text, weightText, refusal, ct);
        try
        {
            await checkups.AddItemAsync(MemberAdminEndpoints.Editor(user), y, section, text, weight, ct);
        }
        catch (ConflictException e)
        {
            return await RenderAsync(http, user, checkups, members, y, "", section, text, weightText, e.Message, ct);
        }
        return SeeOther($"{PagePath}?year={y}&done=added");
    }

    private static async Task<IResult> Copy(int? year, HttpContext http, CurrentUser user, CheckupService checkups, MemberService members,
        CancellationToken ct)
    {
        var y = year ?? checkups.CurrentYear();
        EnsureStaff(user);
        try
        {
            var copied = await checkups.CopyFromPreviousAsync(MemberAdminEndpoints.Editor(user), y, ct);
            return SeeOther($"{PagePath}?year={y}&done=copied&count={copied}");
        }
        catch (Exception e) when (e is ConflictException or RuleViolationException)
        {
            return await RenderAsync(http, user, checkups, members, y, Notice("refuse", e.Message), null, null, null, null, ct);
        }
    }

    private static async Task<IResult> Remove(long itemId, int? year, HttpContext http, CurrentUser user, CheckupService checkups,
        MemberService members, CancellationToken ct)
    {
        var y = year ?? checkups.CurrentYear();
        EnsureStaff(user);
        try
        {
            await checkups.RemoveItemAsync(MemberAdminEndpoints.Editor(user), itemId, ct);
            return SeeOther($"{PagePath}?year={y}&done=removed");
        }
        catch (ConflictException e)
        {
            return await RenderAsync(http, user, checkups, members, y, Notice("refuse", e.Message), null, null, null, null, ct);
        }
    }

    private static void EnsureStaff(CurrentUser user)
    {
        if (!user.HasRole(Roles.Staff))
            throw new ForbiddenException("auth.forbidden", "体检问卷由街道党建办维护");
    }

    private static async Task<IResult> RenderAsync(HttpContext http, CurrentUser user, CheckupService checkups, MemberService members, int year,
        string notice, string? section, string? text, string? weight, string? error, CancellationToken ct)
    {
        var items = await checkups.ItemsAsync(year, ct);
        var staff = user.HasRole(Roles.Staff);
        var y = year.ToString(CultureInfo.InvariantCulture);
        var body = new StringBuilder(notice);
        body.Append(Notice("info", "党性体检每年一次：党员自评、支部评价（每题 1–5 分），按权重折算为百分制（自评占 30%，支部评价占 70%），"
            + "90 分以上为好、75 分以上为较好、60 分以上为一般，其下为较差；任一方评 3 分及以下的题目列为需改进事项，汇总后列入支部组织生活会议题。已有党员作答的年度不能再改题目。"));
        body.Append($"""<form method=get action="{PagePath}">""").Append(Field("year", "年度", y, type: "number")).Append("<button>查看</button></form>");
        body.Append("<table><thead><tr><th>分类</th><th>题目</th><th>权重</th>").Append(staff ? "<th></th>" : "").Append("</tr></thead><tbody>");
        foreach (var i in items)
        {
            body.Append("<tr><td>").Append(E(i.Section)).Append("</td><td>").Append(E(i.Text)).Append("</td><td>").Append(i.Weight).Append("</td>");
            if (staff)
                body.Append($"""<td><form method=post action="{PagePath}/{i.Id}/remove?year={y}"><button>删除</button></form></td>""");
            body.Append("</tr>");
        }
        if (items.Count == 0)
            body.Append($"<tr><td colspan=4>{E(year + "年度还没有题目")}</td></tr>");
        body.Append("</tbody></table>");
        if (staff)
        {
            body.Append($"""<h2>添加题目</h2><form method=post action="{PagePath}?year={y}">""");
            if (error is not null)
                body.Append(Notice("refuse", error));
            body.Append(Select("section", "分类", section, Checkups.DefaultSections.Select(s => (s, s))));
            body.Append(Field("text", "题目", text, required: true, hint: $"不超过{Checkups.TextLength}字"));
            body.Append(Field("weight", "权重", weight ?? "1", type: "number", required: true, hint: "1–10"));
            body.Append("<button>添加</button></form>");
            if (items.Count == 0)
                body.Append($"""<form method=post action="{PagePath}/copy?year={y}"><button>从上一年度复制</button></form>""");
        }
        return Page(http, await AdminEndpoints.ViewerAsync(user, members, ct), "体检问卷", "checkups", body.ToString(),
            error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }
}
