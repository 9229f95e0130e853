using System.Globalization;
using MiniExcelLibs;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Assessment;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Assessment;
using WxQms.Domain.Storage;
using static WxQms.Api.Infrastructure.Problems;

namespace WxQms.Api.Assessment;

/// <summary>
/// Spreadsheets for the office (街道党建办) only: rankings of a period (communities and branches, one
/// sheet each) and the task status of a subtree. Bearer token here; the ranking page offers the same
/// files under /h5/ranking/… with its own sign-in.
/// </summary>
public static class ExportEndpoints
{
    private const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static void MapExports(this IEndpointRouteBuilder app)
    {
        var exports = app.MapGroup("/api/exports").WithTags("Assessment").RequireAuthorization(MpAuth.Policy);
        exports.MapGet("/rankings.xlsx", (string? period, long? scope, CurrentUser user, HttpContext http, RankingCache cache,
                RankingQueries queries, AssessedPeriods periods, CancellationToken ct) =>
                RankingsAsync(period, scope, user.Roles, http, cache, queries, periods, ct))
            .WithSummary("Rankings of a period as .xlsx (office staff)").Produces(200, contentType: Xlsx);
        exports.MapGet("/tasks.xlsx", (string? period, long? scope, CurrentUser user, OrgStore orgs, AssessmentExports rows,
                AssessedPeriods periods, CancellationToken ct) => TasksAsync(period, scope, user.Roles, orgs, rows, periods, ct))
            .WithSummary("Task status of a subtree for a period as .xlsx (office staff)").Produces(200, contentType: Xlsx);
    }

    internal static async Task<IResult> RankingsAsync(string? period, long? scope, IReadOnlyList<Grant> grants, HttpContext http,
        RankingCache cache, RankingQueries queries, AssessedPeriods periods, CancellationToken ct)
    {
        if (!grants.Any(g => g.Role == Roles.Staff))
            return Problem(StatusCodes.Status403Forbidden, "无权访问", "导出仅限街道党建办工作人员", "auth.forbidden");
        var (community, problem) = RankingEndpoints.Resolve(period, scope, "community", grants, periods);
        if (problem is not null)
            return problem;
        var (communities, _) = await RankingEndpoints.LoadAsync(community!, cache, queries, ct);
        if (communities is null)
            return Problem(StatusCodes.Status404NotFound, "未找到", "组织不存在", "org.not_found");
        // Branches are ranked within their community: one ranking per community, in the communities' order.
        var branchRows = new List<Dictionary<string, object?>>();
        foreach (var c in communities.View.Rows.OrderBy(r => r.Path, StringComparer.Ordinal))
        {
            var (branches, _) = await RankingEndpoints.LoadAsync(community! with { Level = RankingLevel.Branch, ScopeId = c.OrgId },
                cache, queries, ct);
            if (branches is not null)
                branchRows.AddRange(Sheet(branches.View, c.Name));
        }
        var sheets = new Dictionary<string, object>
        {
            ["社区排名"] = Sheet(communities.View),
            ["支部排名"] = branchRows,
        };
        return await FileAsync(sheets, $"排名_{communities.View.Period}.xlsx", ct);
    }

    internal static async Task<IResult> TasksAsync(string? period, long? scope, IReadOnlyList<Grant> grants, OrgStore orgs,
        AssessmentExports rows, AssessedPeriods periods, CancellationToken ct)
    {
        if (!grants.Any(g => g.Role == Roles.Staff))
            return Problem(StatusCodes.Status403Forbidden, "无权访问", "导出仅限街道党建办工作人员", "auth.forbidden");
        var (request, problem) = RankingEndpoints.Resolve(period, scope, "community", grants, periods);
        if (problem is not null)
            return problem;
        var org = await orgs.GetAsync(request!.ScopeId, ct);
        if (org is null)
            return Problem(StatusCodes.Status404NotFound, "未找到", $"组织 {request.ScopeId} 不存在", "org.not_found");
        var lines = await rows.TaskStatusAsync(org.Path, request.Period, ct);
        var sheet = lines.Select(l => new Dictionary<string, object?>
        {
            ["组织"] = l.Org, ["任务"] = l.Task, ["期间"] = l.Period, ["截止日期"] = LastDay(l.DueAt),
            ["状态"] = l.State, ["临时任务"] = l.AdHoc ? "是" : "否", ["应得分"] = l.Possible, ["已得分"] = l.Points,
            // #18 item 5: members' feedback on the meeting (average 1–5 and how many rated; anonymous).
            ["会议评价"] = l.FeedbackAverage is { } average ? average : "—", ["评价人数"] = l.FeedbackCount,
        }).ToList();
        return await FileAsync(new Dictionary<string, object> { ["任务状态"] = sheet }, $"任务状态_{org.Name}_{request.Period.Key}.xlsx", ct);
    }

    private static List<Dictionary<string, object?>> Sheet(RankingView view, string? community = null) =>
        view.Rows.Select(r =>
        {
            // A number where there is a rank, so the sheet sorts by it; a dash for an org with nothing due.
            var row = new Dictionary<string, object?> { ["排名"] = r.Rank is { } rank ? rank : "—" };
            if (community is not null)
                row["所属社区"] = community;
            row["组织"] = r.Name;
            row["类别"] = r.KindLabel;
            row["得分"] = r.Earned + r.Carried;
            row["应得分"] = r.Possible;
            row["完成率"] = r.Ratio is { } ratio ? $"{ratio * 100:0.0}%" : "暂无任务";
            row["任务数"] = r.Tasks;
            row["逾期未完成"] = r.Missed;
            row["期间"] = view.PeriodLabel + (view.Provisional ? "（实时，未结算）" : "（已结算）");
            return row;
        }).ToList();

    /// <summary>
    /// The day a task must be done by, as the mini program shows it: a task due at a Shanghai midnight (the
    /// end of its period or of an ad-hoc task's last day) is due on the day before; any other time is given.
    /// </summary>
    internal static string LastDay(DateTime dueAtShanghai) => dueAtShanghai.TimeOfDay == TimeSpan.Zero
        ? dueAtShanghai.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
        : dueAtShanghai.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static async Task<IResult> FileAsync(Dictionary<string, object> sheets, string name, CancellationToken ct)
    {
        var stream = new MemoryStream();
        await stream.SaveAsAsync(sheets, excelType: ExcelType.XLSX, cancellationToken: ct);
        stream.Position = 0;
        return TypedResults.File(stream, Xlsx, name);
    }
}
