using System.Globalization;
using System.Text;
using MiniExcelLibs;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Assessment;
using WxQms.Domain.Rules.Members;
using WxQms.Domain.Services.Assessment;
using static WxQms.Api.H5.H5Layout;
using static WxQms.Api.Infrastructure.Problems;

namespace WxQms.Api.H5;

/// <summary>
/// <c>/h5/stars/{orgId}</c>: the 星级党员 of a branch (or any org the viewer may read) for a year, opened from the official
/// account; office staff also download the spreadsheet (<c>/h5/stars/{orgId}/stars.xlsx</c>, or with a bearer token
/// <c>/api/exports/stars.xlsx</c>).
/// </summary>
public static class StarsPage
{
    private const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    private const string Style = """
        .status{padding:8px 14px;color:#666;font-size:13px;margin:0}
        table{width:100%;border-collapse:collapse;background:#fff}th,td{padding:9px 8px;border-bottom:1px solid #f0f0f0;text-align:left;font-size:14px}
        th{color:#888;font-weight:normal;font-size:12px}.stars{color:#d4380d;letter-spacing:1px;white-space:nowrap}small{display:block;color:#999;font-size:11px}
        .exports{padding:10px 14px}.exports a{color:#b71c1c}footer{padding:16px 14px;color:#aaa;font-size:12px}
        """;

    public static void MapStarsPage(this IEndpointRouteBuilder app)
    {
        var h5 = app.MapGroup("/h5").ExcludeFromDescription().RequireRateLimiting(RateLimits.H5);
        h5.MapGet("/stars/{orgId:long}", Page);
        h5.MapGet("/stars/{orgId:long}/stars.xlsx", async (long orgId, int? year, HttpContext http, H5Viewer viewers, BranchStars stars,
            CancellationToken ct) =>
        {
            var (outcome, viewer) = await viewers.ResolveAsync(http, ct);
            return viewer is null || outcome != H5Viewer.Outcome.Member
                ? Problem(StatusCodes.Status401Unauthorized, "未登录", "请从公众号打开星级党员页后再导出",
                    outcome == H5Viewer.Outcome.NotBound ? "auth.not_bound" : "auth.required")
                : await ExportAsync(orgId, year, viewer.Grants, stars, ct);
        });
        app.MapGet("/api/exports/stars.xlsx", (long? scope, int? year, CurrentUser user, BranchStars stars, CancellationToken ct) =>
                ExportAsync(scope, year, user.Roles, stars, ct))
            .WithTags("Assessment").RequireAuthorization(MpAuth.Policy)
            .WithSummary("The stars of every member of a subtree for a year as .xlsx (office staff)").Produces(200, contentType: Xlsx);
    }

    internal static async Task<IResult> Page(long orgId, int? year, HttpContext http, H5Viewer viewers, BranchStars stars, CancellationToken ct)
    {
        var (outcome, viewer) = await viewers.ResolveAsync(http, ct);
        switch (outcome)
        {
            case H5Viewer.Outcome.Redirect:
                return Results.Redirect(H5Viewer.CleanPath(http.Request));
            case H5Viewer.Outcome.NeedsOAuth:
                return viewers.StartOAuth(http) is { } authorize
                    ? Results.Redirect(authorize)
                    : Message(StatusCodes.Status503ServiceUnavailable, "暂时无法登录", "页面地址未配置（Bot:PublicBase），请联系管理员。", Style);
            case H5Viewer.Outcome.StateMismatch:
                return Message(StatusCodes.Status400BadRequest, "授权已失效", "请从公众号菜单重新打开页面。", Style);
            case H5Viewer.Outcome.NotBound or not H5Viewer.Outcome.Member:
                return Message(StatusCodes.Status403Forbidden, "请先绑定党员身份", "您的微信尚未绑定党员信息。请在公众号中发送手机号完成绑定，或从小程序进入。", Style);
        }
        OrgStars list;
        try
        {
            list = await stars.GetAsync(viewer!.Grants, orgId, year, ct);
        }
        catch (NotFoundException)
        {
            return Message(StatusCodes.Status404NotFound, "未找到", "没有这个组织", Style);
        }
        catch (ForbiddenException)
        {
            return Message(StatusCodes.Status403Forbidden, "无权查看", "您无权查看该组织的星级党员", Style);
        }
        catch (RuleViolationException e)
        {
            return Message(StatusCodes.Status400BadRequest, "无法显示", e.Message, Style);
        }
        return H5Layout.Page(http, Render(list, viewer, viewers.Subdistrict));
    }

    internal static string Render(OrgStars list, H5Identity viewer, string subdistrict)
    {
        var sb = new StringBuilder(8_192);
        sb.Append(Head($"{list.Year}年星级党员", Style));
        sb.Append("<header><h1>星级党员</h1><p class=sub>").Append(E(list.OrgName)).Append(" · ")
            .Append(list.Year.ToString(CultureInfo.InvariantCulture)).Append("年</p></header>");
        sb.Append("<p class=status>").Append(E(list.Provisional ? $"截至{list.PeriodLabel}，本月尚未结算，星级为暂计" : $"按{list.PeriodLabel}结算"))
            .Append("。星级按全年积分评定，年终民主评议优秀加一星、基本合格至多二星、不合格为一星。</p>");
        if (list.Members.Count == 0)
            sb.Append("<p class=empty>该组织没有在册党员。</p>");
        else
        {
            var showOrg = list.Members.Select(m => m.OrgId).Distinct().Count() > 1;
            sb.Append("<table><thead><tr><th>党员</th><th>星级</th><th>本年积分</th><th>民主评议</th></tr></thead><tbody>");
            foreach (var m in list.Members)
            {
                sb.Append(m.MemberId == viewer.MemberId ? "<tr class=me>" : "<tr>").Append("<td>").Append(E(m.Name));
                if (showOrg)
                    sb.Append("<small>").Append(E(m.OrgName)).Append("</small>");
                sb.Append($"</td><td class=stars data-stars=\"{m.Stars}\">").Append(Stars.Label(m.Stars)).Append("</td><td>")
                    .Append(m.PointsYear.ToString("0.##", CultureInfo.InvariantCulture)).Append("</td><td>")
                    .Append(m.Grade is { } g ? Appraisals.Label(g) : "—").Append("</td></tr>");
            }
            sb.Append("</tbody></table>");
        }
        if (viewer.Grants.Any(g => g.Role == Roles.Staff))
            sb.Append($"<p class=exports><a href=\"/h5/stars/{list.OrgId}/stars.xlsx?year={list.Year}\">导出 Excel</a></p>");
        sb.Append("<footer>").Append(E(viewer.Name)).Append(" · ").Append(E(subdistrict)).Append("党建质量管理</footer></body></html>");
        return sb.ToString();
    }

    /// <summary>The office's spreadsheet: every member of the subtree (default: the whole subdistrict) with her stars.</summary>
    internal static async Task<IResult> ExportAsync(long? scope, int? year, IReadOnlyList<Domain.Rules.Grant> grants, BranchStars stars,
        CancellationToken ct)
    {
        if (!grants.Any(g => g.Role == Roles.Staff))
            return Problem(StatusCodes.Status403Forbidden, "无权访问", "导出仅限街道党建办工作人员", "auth.forbidden");
        var scopeId = scope ?? grants.First(g => g.Role == Roles.Staff).OrgId;
        var list = await stars.GetAsync(grants, scopeId, year, ct);
        var rows = list.Members.Select(m => new Dictionary<string, object?>
        {
            ["党员"] = m.Name, ["所在组织"] = m.OrgName, ["星级"] = m.Stars, ["星级标识"] = Stars.Label(m.Stars), ["本年积分"] = m.PointsYear,
            ["民主评议"] = m.Grade is { } g ? Appraisals.Label(g) : "", ["期间"] = list.PeriodLabel + (list.Provisional ? "（暂计）" : "（已结算）"),
        }).ToList();
        var stream = new MemoryStream();
        await stream.SaveAsAsync(new Dictionary<string, object> { ["星级党员"] = rows }, excelType: ExcelType.XLSX, cancellationToken: ct);
        stream.Position = 0;
        return TypedResults.File(stream, Xlsx, $"星级党员_{list.OrgName}_{list.Year}.xlsx");
    }
}
