using System.Globalization;
using System.Text;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Model;
using WxQms.Domain.Services;
using static WxQms.Api.Admin.AdminLayout;

namespace WxQms.Api.Admin;

/// <summary>
/// /admin/imports: download the template, upload a workbook (checked first: the counts and a table of errors by
/// sheet, row and column), then 确认导入 applies the same file. The checked file rides along in the confirmation form
/// (base64, at most 2 MB), so nothing is kept on the server between the two steps and any instance can apply it;
/// it is checked again, whole, before anything is written.
/// </summary>
public static class ImportPage
{
    private const string Path = "/admin/imports";

    internal static async Task<IResult> Show(HttpContext http, CurrentUser user, MemberService members, CancellationToken ct)
    {
        var viewer = await AdminEndpoints.ViewerAsync(user, members, ct);
        if (RosterImportService.Scope(user.Roles) is null)
            return Refused(http, viewer);
        var q = http.Request.Query;
        var done = q["done"] == "1"
            ? Notice("info", $"导入完成：新增 {q["create"]} 行，更新 {q["update"]} 行，未变 {q["unchanged"]} 行。")
            : "";
        return Page(http, viewer, "导入导出", "imports", done + Forms(null));
    }

    internal static async Task<IResult> Check(HttpContext http, CurrentUser user, MemberService members, RosterImportService roster,
        CancellationToken ct)
    {
        var viewer = await AdminEndpoints.ViewerAsync(user, members, ct);
        if (RosterImportService.Scope(user.Roles) is null)
            return Refused(http, viewer);
        var (bytes, name, refused) = await ImportEndpoints.ReadUploadAsync(http.Request, ct);
        if (refused is not null)
            return Page(http, viewer, "导入导出", "imports", Forms("请选择要上传的 .xlsx 文件（不超过 2MB）"), StatusCodes.Status400BadRequest);
        var (report, unreadable) = await ImportEndpoints.ImportAsync(bytes!, name!, dryRun: true, user, roster, ct);
        if (unreadable is not null || report is null)
            return Page(http, viewer, "导入导出", "imports", Forms(FileProblem(bytes!)), StatusCodes.Status400BadRequest);
        var body = new StringBuilder(Report(report, name!));
        if (report.Errors.Count == 0)
            body.Append(ConfirmForm(bytes!, name!));
        body.Append(Forms(null));
        return Page(http, viewer, "导入导出", "imports", body.ToString(),
            report.Errors.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity);
    }

    internal static async Task<IResult> Confirm(HttpContext http, CurrentUser user, MemberService members, RosterImportService roster,
        CancellationToken ct)
    {
        var viewer = await AdminEndpoints.ViewerAsync(user, members, ct);
        if (RosterImportService.Scope(user.Roles) is null)
            return Refused(http, viewer);
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : null;
        byte[]? bytes = null;
        try
        {
            bytes = form?["file"].ToString() is { Length: > 0 } b64 ? Convert.FromBase64String(b64) : null;
        }
        catch (FormatException)
        {
        }
        var name = form?["name"].ToString() is { Length: > 0 } n ? n : "roster.xlsx";
        if (bytes is null || bytes.Length > RosterWorkbook.MaxBytes)
            return Page(http, viewer, "导入导出", "imports", Forms("确认导入的文件已失效，请重新上传"), StatusCodes.Status400BadRequest);
        var (report, unreadable) = await ImportEndpoints.ImportAsync(bytes, name, dryRun: false, user, roster, ct);
        if (unreadable is not null || report is null)
            return Page(http, viewer, "导入导出", "imports", Forms(FileProblem(bytes)), StatusCodes.Status400BadRequest);
        if (report.Errors.Count > 0)
            return Page(http, viewer, "导入导出", "imports", Report(report, name) + Forms(null), StatusCodes.Status422UnprocessableEntity);
        // 303: the browser shows the result with a GET, so a reload does not post the file again.
        return SeeOther(string.Create(CultureInfo.InvariantCulture,
            $"{Path}?done=1&create={report.Create}&update={report.Update}&unchanged={report.Unchanged}"));
    }

    private static string FileProblem(byte[] bytes) => RosterWorkbook.Read(bytes).Problem?.Reason ?? "文件无法导入";

    private static IResult Refused(HttpContext http, string viewer) =>
        Page(http, viewer, "导入导出", "imports", Notice("refuse", "名册导入导出仅限街道党建办工作人员和社区党委书记（本社区）。"), StatusCodes.Status403Forbidden);

    private static string Forms(string? error) => $"""
        <section><h2>1. 下载模板</h2><p><a class="button plain" href="/api/admin/imports/roster-template.xlsx">下载导入模板</a>
        <a class="button plain" href="/api/admin/exports/roster.xlsx">导出本级名册</a></p>
        <p class=count>导出的名册与模板列相同，修改后可直接重新导入。</p></section>
        <section><h2>2. 上传名册（先检查，不会导入）</h2>
        <form method=post action="{Path}" enctype="multipart/form-data">
        <label class="field{(error is null ? "" : " bad")}"><span>名册文件（.xlsx，不超过2MB） *</span><input type=file name=file accept=".xlsx" required>
        {(error is null ? "" : $"<em>{E(error)}</em>")}</label>
        <button>上传并检查</button></form></section>
        """;

    private static string Report(RosterReport report, string name)
    {
        var sb = new StringBuilder();
        sb.Append(report.Errors.Count == 0
            ? Notice("info", $"“{name}”检查通过：新增 {report.Create} 行，更新 {report.Update} 行，未变 {report.Unchanged} 行。请确认后导入。")
            : Notice("refuse", $"“{name}”有 {report.Errors.Count} 处错误，整个文件都不会导入。请按下表修改后重新上传。"));
        sb.Append($"""
            <div class=scroll><table><thead><tr><th>工作表</th><th>新增</th><th>更新</th><th>未变</th></tr></thead><tbody>
            <tr><td>组织</td><td>{report.Orgs.Create}</td><td>{report.Orgs.Update}</td><td>{report.Orgs.Unchanged}</td></tr>
            <tr><td>党员</td><td>{report.Members.Create}</td><td>{report.Members.Update}</td><td>{report.Members.Unchanged}</td></tr>
            </tbody></table></div>
            """);
        if (report.Errors.Count > 0)
        {
            sb.Append("<h2>错误</h2><div class=scroll><table class=errors><thead><tr><th>工作表</th><th>行</th><th>列</th><th>原因</th></tr></thead><tbody>");
            foreach (var e in report.Errors)
                sb.Append($"<tr><td>{E(e.Sheet)}</td><td>{e.Row}</td><td>{E(e.Column)}</td><td>{E(e.Reason)}</td></tr>");
            sb.Append("</tbody></table></div>");
        }
        return sb.ToString();
    }

    private static string ConfirmForm(byte[] bytes, string name) => $"""
        <form method=post action="{Path}/confirm" class=confirm>
        <input type=hidden name=name value="{E(name)}"><input type=hidden name=file value="{Convert.ToBase64String(bytes)}">
        <p><button>确认导入</button></p></form>
        """;
}
