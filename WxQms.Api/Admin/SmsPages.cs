using System.Globalization;
using System.Text;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Reminders;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Reminders;
using WxQms.Domain.Storage;
using static WxQms.Api.Admin.AdminLayout;

namespace WxQms.Api.Admin;

/// <summary>
/// 短信 (issue #21): the office's SMS of a month in billing units (70 characters a message, 67 a part of a long one) by
/// reminder kind and org, against the monthly budget (<c>Sms:MonthlyBudgetUnits</c>), with a warning once it is used.
/// </summary>
public static class SmsPages
{
    public static void MapAdminSms(this IEndpointRouteBuilder app) => app.AdminPages().MapGet("/sms", Usage);

    internal static async Task<IResult> Usage(HttpContext http, CurrentUser user, MemberService members, SmsBudget budget, TimeProvider clock,
        CancellationToken ct)
    {
        var viewer = await AdminEndpoints.ViewerAsync(user, members, ct);
        if (!user.HasRole(Roles.Staff))
            return Page(http, viewer, "短信", "sms", Notice("refuse", "短信用量由街道党建办查看。"), StatusCodes.Status403Forbidden);
        var current = Periods.Containing(Recurrence.Monthly, clock.GetUtcNow());
        var month = current;
        if (http.Request.Query["month"].ToString() is { Length: > 0 } asked)
        {
            if (!DateOnly.TryParseExact(asked + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
                || day.Year is < 2000 or > 2100)
                return Page(http, viewer, "短信", "sms", Notice("refuse", "月份应为 yyyy-MM，如 2026-12。"), StatusCodes.Status400BadRequest);
            month = Periods.For(RecurrenceKind.Monthly, day.Year, day.Month);
        }
        var usage = await budget.MonthAsync(month, ct);

        var body = new StringBuilder();
        body.Append($"""<form method=get class=filters><input type=month name=month value="{E(month.Key)}"><button>查看</button></form>""");
        if (usage.Exhausted)
            body.Append(Notice("refuse", $"{month.Key} 的短信预算已用完（{N(usage.Units)} / {N(usage.Budget)} 计费条）：非紧急提醒不再发短信，街道党建办已收到预警。"));
        else if (usage.Budget > 0 && usage.Units * 5 >= usage.Budget * 4L)
            body.Append(Notice("info", $"{month.Key} 的短信预算已用 {usage.Units * 100 / usage.Budget}%（{N(usage.Units)} / {N(usage.Budget)} 计费条）。"));
        body.Append($"""<p id=summary>{E(month.Key)}：短信 {N(usage.Messages)} 条，计费 {N(usage.Units)} 条（每条 70 字以内计 1 条，长短信每 67 字计 1 条）{(usage.Budget > 0 ? $"，月度预算 {N(usage.Budget)} 条" : "，未设月度预算")}。</p>""");
        body.Append("<table><thead><tr><th>提醒类型</th><th>组织</th><th>短信条数</th><th>计费条数</th></tr></thead><tbody>");
        foreach (var row in usage.Rows)
            body.Append($"<tr><td>{E(Kind(row.Kind))}</td><td>{E(row.OrgName ?? "—")}</td><td>{N(row.Messages)}</td><td>{N(row.Units)}</td></tr>");
        if (usage.Rows.Count == 0)
            body.Append("<tr><td colspan=4>暂无</td></tr>");
        body.Append("</tbody></table>");
        return Page(http, viewer, "短信", "sms", body.ToString());
    }

    private static string Kind(string kind)
    {
        try
        {
            return ReminderQueries.KindLabel(DbNames.Parse<ReminderKind>(kind));
        }
        catch (FormatException)
        {
            return kind;
        }
    }
}
