using System.Data;
using System.Globalization;
using MiniExcelLibs;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Operations;

namespace WxQms.Api.Admin;

/// <summary>
/// <c>GET /api/admin/exports/audit.xlsx?month=2026-03</c>: the office exports a month of the audit trail (痕迹) as a workbook,
/// one row per entry in the order they happened; the trail itself is never changed, and old months stay in their partition.
/// </summary>
public static class AuditExportEndpoints
{
    public static void MapAdminAuditExport(this IEndpointRouteBuilder app) =>
        app.AdminApi().MapGet("/exports/audit.xlsx", Export)
            .Produces(StatusCodes.Status200OK, contentType: TransferPages.ContentType)
            .WithSummary("Office staff: one month of the audit trail (month=yyyy-MM, Asia/Shanghai; default last month)");

    public static readonly string[] Columns = ["时间", "操作人", "操作", "对象", "对象编号", "组织", "内容"];

    internal static async Task<IResult> Export(string? month, CurrentUser user, AuditExport audit, TimeProvider clock, CancellationToken ct)
    {
        var period = Periods.For(RecurrenceKind.Monthly, Periods.LocalDate(clock.GetUtcNow()).AddMonths(-1).Year,
            Periods.LocalDate(clock.GetUtcNow()).AddMonths(-1).Month);
        if (month is not null && !(Periods.TryParse(month, out period) && period.Kind == RecurrenceKind.Monthly && period.Year is >= 2000 and <= 2100))
            return Problems.Problem(StatusCodes.Status400BadRequest, "参数无效", "月份格式应为 2026-03", "request.invalid");
        var rows = await audit.MonthAsync(user.Roles, period, ct);
        var table = new DataTable();
        foreach (var c in Columns)
            table.Columns.Add(c, c == "对象编号" ? typeof(long) : typeof(string));
        foreach (var r in rows)
            table.Rows.Add(TimeZoneInfo.ConvertTime(new DateTimeOffset(r.OccurredAt, TimeSpan.Zero), Periods.Shanghai).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                r.Actor, r.Action, r.EntityType, (object?)r.EntityId ?? DBNull.Value, r.OrgName ?? "", r.Data ?? "");
        var stream = new MemoryStream();
        await stream.SaveAsAsync(new Dictionary<string, object> { [$"{period.Year}年{period.Index}月操作记录"] = table }, excelType: ExcelType.XLSX, cancellationToken: ct);
        stream.Position = 0;
        return TypedResults.File(stream, TransferPages.ContentType, $"操作记录_{period.Key}.xlsx");
    }
}
