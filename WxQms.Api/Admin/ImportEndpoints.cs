using System.Security.Cryptography;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Services;
using static WxQms.Api.Admin.AdminLayout;
using static WxQms.Api.Infrastructure.Problems;

namespace WxQms.Api.Admin;

/// <summary>
/// The roster's Excel import and export (issue #16 item 5): the template, the upload (checked as a whole, applied as a
/// whole) and the export under /api/admin, and the console page /admin/imports over the same service. Office staff
/// anywhere; a community's secretary within her community; every other console user gets 403.
/// </summary>
public static class ImportEndpoints
{
    public static void MapAdminImports(this IEndpointRouteBuilder app)
    {
        var api = app.AdminApi();
        api.MapGet("/imports/roster-template.xlsx", Template)
            .WithSummary("The roster workbook template with two example rows (staff, community secretaries)").Produces(200, contentType: RosterWorkbook.ContentType);
        api.MapPost("/imports/roster", Upload).DisableAntiforgery()
            .WithSummary("Checks a roster workbook (multipart file) and, with dryRun=false and no error, imports all of it in one transaction")
            .Produces<RosterReport>().ProducesProblem(400).ProducesProblem(403).ProducesProblem(422);
        api.MapGet("/exports/roster.xlsx", Export)
            .WithSummary("The caller's roster in the template's columns").Produces(200, contentType: RosterWorkbook.ContentType);

        var pages = app.AdminPages();
        pages.MapGet("/imports", ImportPage.Show);
        pages.MapPost("/imports", ImportPage.Check).DisableAntiforgery();
        pages.MapPost("/imports/confirm", ImportPage.Confirm).DisableAntiforgery();
    }

    /// <summary>The refusal for a console user who may not import or export (decided before the body is read).</summary>
    internal static IResult Forbidden() => Problem(StatusCodes.Status403Forbidden, "无权访问",
        "名册导入导出仅限街道党建办工作人员和社区党委书记（本社区）", "auth.forbidden");

    private static async Task<IResult> Template(CurrentUser user, RosterImportService roster, CancellationToken ct)
    {
        if (RosterImportService.Scope(user.Roles) is null)
            return Forbidden();
        var stream = await RosterWorkbook.WriteAsync(await roster.TemplateAsync(user.Roles, ct), ct);
        return TypedResults.File(stream, RosterWorkbook.ContentType, "党员名册导入模板.xlsx");
    }

    private static async Task<IResult> Export(CurrentUser user, RosterImportService roster, TimeProvider clock, CancellationToken ct)
    {
        if (RosterImportService.Scope(user.Roles) is null)
            return Forbidden();
        var stream = await RosterWorkbook.WriteAsync(await roster.ExportAsync(user.Roles, ct), ct);
        return TypedResults.File(stream, RosterWorkbook.ContentType, $"党员名册_{LocalTime.ToLocal(clock.GetUtcNow()):yyyyMMdd}.xlsx");
    }

    private static async Task<IResult> Upload(HttpRequest request, bool? dryRun, CurrentUser user, RosterImportService roster,
        CancellationToken ct)
    {
        if (RosterImportService.Scope(user.Roles) is null)
            return Forbidden();
        var (bytes, name, refused) = await ReadUploadAsync(request, ct);
        if (refused is not null)
            return refused;
        var (report, unreadable) = await ImportAsync(bytes!, name!, dryRun ?? true, user, roster, ct);
        if (unreadable is not null)
            return unreadable;
        return report!.Errors.Count == 0
            ? TypedResults.Ok(report)
            : TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "名册有错误，未导入",
                detail: $"共 {report.Errors.Count} 处错误，整个文件均未导入；请按错误所在的工作表、行和列修改后重新上传。",
                extensions: new Dictionary<string, object?> { ["code"] = "import.invalid", ["report"] = report });
    }

    /// <summary>Reads the workbook and imports it (or only checks it); a file that is no roster workbook is a 400.</summary>
    internal static async Task<(RosterReport? Report, IResult? Problem)> ImportAsync(byte[] bytes, string name, bool dryRun, CurrentUser user,
        RosterImportService roster, CancellationToken ct)
    {
        var (file, unreadable) = RosterWorkbook.Read(bytes);
        if (unreadable is not null)
            return (null, Problem(StatusCodes.Status400BadRequest, "文件无法导入", unreadable.Reason, unreadable.Code));
        var upload = new RosterUpload(name, Convert.ToHexStringLower(SHA256.HashData(bytes)), dryRun);
        var report = await roster.ImportAsync(file!, upload, user.Roles, MiniProgram.TaskEndpoints.Actor(user), user.MemberId, ct);
        return (report, null);
    }

    /// <summary>The multipart field <c>file</c>, at most <see cref="RosterWorkbook.MaxBytes"/>; or the 400 saying why not.</summary>
    internal static async Task<(byte[]? Bytes, string? Name, IResult? Problem)> ReadUploadAsync(HttpRequest request, CancellationToken ct)
    {
        const long limit = 16 * 1024 * 1024;
        byte[]? bytes = null;
        string? name = null;
        var tooLarge = false;
        try
        {
            await MultipartBody.ReadAsync(request, limit, limit, async (field, fileName, body) =>
            {
                if (field != "file" || bytes is not null)
                    return;
                using var copy = new MemoryStream();
                var buffer = new byte[81920];
                int read;
                while ((read = await body.ReadAsync(buffer, ct)) > 0)
                {
                    if (copy.Length + read > RosterWorkbook.MaxBytes)
                    {
                        tooLarge = true;
                        return;
                    }
                    copy.Write(buffer, 0, read);
                }
                bytes = copy.ToArray();
                name = Path.GetFileName(fileName);
            }, ct);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            tooLarge = true;
        }
        catch (BadHttpRequestException ex)
        {
            return (null, null, Problem(StatusCodes.Status400BadRequest, "请求无效", $"请以 multipart/form-data 的 file 字段上传 .xlsx 文件（{ex.Message}）",
                "import.no_file"));
        }
        if (tooLarge)
            return (null, null, Problem(StatusCodes.Status400BadRequest, "文件过大", $"文件不能超过 {RosterWorkbook.MaxBytes / (1024 * 1024)}MB",
                "import.too_large"));
        if (bytes is null)
            return (null, null, Problem(StatusCodes.Status400BadRequest, "请求无效", "请选择要上传的 .xlsx 文件（表单字段 file）", "import.no_file"));
        return (bytes, name, null);
    }
}
