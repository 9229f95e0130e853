using System.Globalization;
using System.Text;
using MiniExcelLibs;
using WxQms.Api.Infrastructure;
using WxQms.Api.MiniProgram;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Development;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Development;
using static WxQms.Api.Admin.AdminLayout;

namespace WxQms.Api.Admin;

/// <summary>
/// Member development in the console (#17): /admin/development lists the pipeline the viewer watches (the office: the
/// whole subdistrict), each applicant's stage, next step and time left, and for the office the year's numbers per
/// community, exported to Excel at <c>/api/admin/exports/development.xlsx?year=</c>. <c>/admin/development/{id}</c> shows one
/// applicant's steps and timetable and records the next step where it needs nothing but a date and a note (the higher
/// committee's 备案, 预审, 谈话, 审批 and 归档: the community approves here or in the mini program).
/// </summary>
public static class DevelopmentPages
{
    private const string PagePath = "/admin/development";

    public static void MapAdminDevelopment(this IEndpointRouteBuilder app)
    {
        app.AdminPages().MapGet("/development", Show);
        app.AdminPages().MapGet("/development/{id:long}", Applicant);
        app.AdminPages().MapPost("/development/{id:long}", RecordStep).DisableAntiforgery();
        app.AdminApi().MapGet("/exports/development.xlsx", Export)
            .WithSummary("The year's development numbers per community (office staff)").Produces(200, contentType: RosterWorkbook.ContentType);
    }

    private static string[] StatusNames => ["申请人", "积极分子", "发展对象", "预备党员", "正式党员"];

    private static string StatusName(string status) => status switch
    {
        "activist" => "入党积极分子",
        "candidate" => "发展对象",
        "probationary" => "预备党员",
        "full" => "正式党员",
        _ => "入党申请人",
    };

    private static async Task<IResult> Show(HttpContext http, CurrentUser user, DevelopmentService service, MemberService members,
        TimeProvider clock, CancellationToken ct)
    {
        var today = Periods.LocalDate(clock.GetUtcNow());
        var who = new DevActor(user.Roles, TaskEndpoints.Actor(user), user.MemberId, user.WechatUserId);
        var views = await service.ListAsync(null, false, who, ct);
        var query = TableQuery.From(http.Request, ["org", "step", "left"]);
        var dtos = views.Select(v => ApplicantDto.From(v, today, false))
            .Where(d => query.Search is not { } q || d.Name.Contains(q, StringComparison.Ordinal) || d.OrgName.Contains(q, StringComparison.Ordinal));
        dtos = query.Sort switch
        {
            "step" => query.Descending ? dtos.OrderByDescending(d => d.LastStep) : dtos.OrderBy(d => d.LastStep),
            "left" => query.Descending ? dtos.OrderByDescending(d => d.Next?.DaysLeft ?? int.MaxValue) : dtos.OrderBy(d => d.Next?.DaysLeft ?? int.MaxValue),
            "org" => query.Descending ? dtos.OrderByDescending(d => d.OrgName, StringComparer.Ordinal) : dtos.OrderBy(d => d.OrgName, StringComparer.Ordinal),
            _ => dtos,
        };
        var all = dtos.ToList();
        var rows = all.Skip(query.Offset).Take(query.PageSize).Select(d => (IReadOnlyList<string>)
        [
            $"""<a href="{PagePath}/{d.Id}">{E(d.Name)}</a>""", E(d.OrgName), E(StatusName(d.Status)), E($"{d.LastStep}/25 {(d.LastStep > 0 ? DevelopmentSteps.Get(d.LastStep)!.Name : "")}"),
            E(Date(d.LastStepOn)), E(d.Next is { } n ? $"第{n.Number}步 {n.Name}（{(n.Recorder == "committee" ? "上级党委" : "支部")}）" : "—"),
            E(d.Next?.Earliest is { } e && e > today ? $"{Date(e)} 起" : "—"),
            Left(d.Next),
        ]);
        var body = new StringBuilder();
        body.Append(Notice("info", "发展党员五个阶段二十五个步骤；时限依据党章和《中国共产党发展党员工作细则》，超期的步骤标红，须重新讨论的另行提示。"));
        body.Append(Table(PagePath, query, [new("姓名"), new("所在支部", "org"), new("身份"), new("已完成", "step"), new("日期"),
            new("下一步"), new("最早可办"), new("剩余时间", "left")], rows, all.Count, "搜索姓名或支部"));
        if (user.Roles.Any(g => g.Role == Roles.Staff))
        {
            var year = int.TryParse(http.Request.Query["year"], NumberStyles.None, CultureInfo.InvariantCulture, out var y) && y is > 2000 and < 2200
                ? y : today.Year;
            var numbers = await service.YearAsync(year, user.Roles, ct);
            body.Append($"""<h2>{year}年发展党员情况（按社区）</h2><p><a class="button plain" href="/api/admin/exports/development.xlsx?year={year}">导出 Excel</a></p>""");
            body.Append("<div class=scroll><table><thead><tr><th>社区</th>");
            foreach (var s in StatusNames)
                body.Append($"<th>{E(s)}</th>");
            body.Append("</tr></thead><tbody>");
            foreach (var r in numbers)
                body.Append($"<tr><td>{E(r.Community)}</td><td>{r.Applicants}</td><td>{r.Activists}</td><td>{r.Candidates}</td><td>{r.Admitted}</td><td>{r.Full}</td></tr>");
            body.Append($"<tr><th>合计</th><th>{numbers.Sum(r => r.Applicants)}</th><th>{numbers.Sum(r => r.Activists)}</th><th>{numbers.Sum(r => r.Candidates)}</th><th>{numbers.Sum(r => r.Admitted)}</th><th>{numbers.Sum(r => r.Full)}</th></tr>");
            body.Append("</tbody></table></div>");
        }
        return Page(http, await AdminEndpoints.ViewerAsync(user, members, ct), "发展党员", "development", body.ToString());
    }

    private static async Task<IResult> Export(CurrentUser user, DevelopmentService service, TimeProvider clock, int? year, CancellationToken ct)
    {
        var y = year is > 2000 and < 2200 ? year.Value : Periods.LocalDate(clock.GetUtcNow()).Year;
        var numbers = await service.YearAsync(y, user.Roles, ct);
        var sheet = numbers.Select(r => new Dictionary<string, object?>
        {
            ["社区"] = r.Community, ["递交入党申请"] = r.Applicants, ["确定入党积极分子"] = r.Activists, ["确定发展对象"] = r.Candidates,
            ["接收预备党员"] = r.Admitted, ["预备党员转正"] = r.Full,
        }).ToList();
        var stream = new MemoryStream();
        await stream.SaveAsAsync(new Dictionary<string, object> { [$"{y}年发展党员"] = sheet }, excelType: ExcelType.XLSX, cancellationToken: ct);
        stream.Position = 0;
        return TypedResults.File(stream, RosterWorkbook.ContentType, $"发展党员统计{y}.xlsx");
    }

    /// <summary>The evidence only the mini program's form takes (people, a vote, the training, the review's conclusion).</summary>
    private const DevEvidence MiniProgramOnly = DevEvidence.Introducers | DevEvidence.Contacts | DevEvidence.Vote | DevEvidence.Training
        | DevEvidence.Conclusion;

    private sealed record StepForm(string? OccurredOn, string? Note, int Version);

    private static Task<IResult> Applicant(long id, HttpContext http, CurrentUser user, DevelopmentService service, MemberService members,
        TimeProvider clock, CancellationToken ct) =>
        ApplicantPageAsync(id, http, user, service, members, clock, null, new Dictionary<string, string>(), ct);

    private static async Task<IResult> RecordStep(long id, HttpContext http, CurrentUser user, DevelopmentService service,
        MemberService members, TimeProvider clock, CancellationToken ct)
    {
        var who = new DevActor(user.Roles, TaskEndpoints.Actor(user), user.MemberId, user.WechatUserId);
        ApplicantView view;
        try
        {
            view = await service.GetAsync(id, who, ct);
        }
        catch (Exception e) when (e is NotFoundException or ForbiddenException)
        {
            return await ApplicantPageAsync(id, http, user, service, members, clock, null, new Dictionary<string, string>(), ct);
        }
        if (view.Next is not { } next || !DevelopmentService.MayRecord(user.Roles, next, view.Applicant.OrgPath))
            return Page(http, await AdminEndpoints.ViewerAsync(user, members, ct), "发展党员", "development",
                Notice("refuse", view.Next is null ? "该申请人已完成全部步骤。" : $"“{view.Next.Name}”由{RecorderName(view.Next.Recorder)}记录。"),
                StatusCodes.Status403Forbidden);
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : FormCollection.Empty;
        var posted = new StepForm(form["occurredOn"], form["note"],
            int.TryParse(form["version"], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1);
        var errors = new Dictionary<string, string>();
        if ((next.Evidence & MiniProgramOnly) != 0)
            errors["form"] = $"“{next.Name}”须在小程序中记录（需填写人员、表决或培训等情况）。";
        else if (!DateOnly.TryParseExact(posted.OccurredOn, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var on))
            errors["occurredOn"] = "请填写日期，如 2026-12-01";
        else
        {
            try
            {
                await service.RecordAsync(id, new StepRequest(next.Number, on, null, null, null, null, posted.Note, null, posted.Version), who, ct);
                return SeeOther($"{PagePath}/{id}?recorded={next.Number}");
            }
            catch (RuleViolationException e)
            {
                errors[e.Code == "request.invalid" ? "note" : "occurredOn"] = e.Message;
            }
            catch (ConflictException e)
            {
                errors["form"] = e.Message;
            }
        }
        return await ApplicantPageAsync(id, http, user, service, members, clock, posted, errors, ct);
    }

    private static async Task<IResult> ApplicantPageAsync(long id, HttpContext http, CurrentUser user, DevelopmentService service,
        MemberService members, TimeProvider clock, StepForm? posted, IReadOnlyDictionary<string, string> errors, CancellationToken ct)
    {
        var viewer = await AdminEndpoints.ViewerAsync(user, members, ct);
        var today = Periods.LocalDate(clock.GetUtcNow());
        ApplicantView view;
        try
        {
            view = await service.GetAsync(id, new DevActor(user.Roles, TaskEndpoints.Actor(user), user.MemberId, user.WechatUserId), ct);
        }
        catch (NotFoundException e)
        {
            return Page(http, viewer, "发展党员", "development", Notice("refuse", e.Message), StatusCodes.Status404NotFound);
        }
        catch (ForbiddenException e)
        {
            return Page(http, viewer, "发展党员", "development", Notice("refuse", e.Message), StatusCodes.Status403Forbidden);
        }
        var d = ApplicantDto.From(view, today, true);
        var sb = new StringBuilder();
        if (int.TryParse(http.Request.Query["recorded"], NumberStyles.None, CultureInfo.InvariantCulture, out var recorded)
            && DevelopmentSteps.Get(recorded) is { } done)
            sb.Append(Notice("info", $"已记录第{done.Number}步：{done.Name}。"));
        sb.Append($"<p><b>{E(d.Name)}</b> · {E(d.OrgName)} · {E(StatusName(d.Status))} · {E(d.StageName)}</p>");
        if (d.Next is { } n)
        {
            sb.Append($"<p>下一步：第{n.Number}步 {E(n.Name)}（{RecorderName(view.Next!.Recorder)}） {Left(n)}</p><ul>");
            if (n.Earliest is { } earliest && earliest > today)
                sb.Append($"<li>最早 {E(Date(earliest))} 起：{E(n.EarliestRule)}</li>");
            if (n.Due is { } due)
                sb.Append($"<li>应在 {E(Date(due))} 前：{E(n.DueRule)}</li>");
            if (n.Limit is { } limit && limit != n.Due)
                sb.Append($"<li>最迟 {E(Date(limit))}：{E(n.LimitRule)}</li>");
            sb.Append("</ul>");
            if (DevelopmentService.MayRecord(user.Roles, view.Next!, view.Applicant.OrgPath))
            {
                if (errors.TryGetValue("form", out var formError))
                    sb.Append(Notice("refuse", formError));
                if ((view.Next!.Evidence & MiniProgramOnly) != 0)
                    sb.Append(Notice("info", $"“{n.Name}”须在小程序中记录（需填写人员、表决或培训等情况）。"));
                else
                {
                    sb.Append($"""<form method=post action="{PagePath}/{id}"><input type=hidden name=version value="{d.Version}">""");
                    sb.Append(Field("occurredOn", "日期", posted?.OccurredOn ?? Date(today), errors.GetValueOrDefault("occurredOn"), "date", true));
                    var noteError = errors.GetValueOrDefault("note");
                    sb.Append($"""<label class="field{(noteError is null ? "" : " bad")}"><span>说明</span><textarea name=note rows=3 maxlength=500 style="width:100%;max-width:420px">{E(posted?.Note)}</textarea>{(noteError is null ? "" : $"<em>{E(noteError)}</em>")}</label>""");
                    sb.Append($"""<button>记录第{n.Number}步</button> <a class="button plain" href="{PagePath}">返回列表</a></form>""");
                }
            }
        }
        else
            sb.Append(Notice("info", "已完成全部 25 个步骤。"));
        sb.Append("<h2>已记录的步骤</h2><div class=scroll><table><thead><tr><th>步骤</th><th>日期</th><th>记录人</th><th>提示</th></tr></thead><tbody>");
        foreach (var step in d.Steps ?? [])
            sb.Append($"<tr><td>第{step.Step}步 {E(step.Name)}</td><td>{E(Date(step.OccurredOn))}</td><td>{E(step.RecordedBy)}</td><td>{E(string.Join("；", step.Warnings.Select(w => w.Text)))}</td></tr>");
        sb.Append("</tbody></table></div>");
        return Page(http, viewer, "发展党员：" + d.Name, "development", sb.ToString(),
            errors.Count > 0 ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK);
    }

    private static string RecorderName(DevRecorder r) => r == DevRecorder.Committee ? "上级党委（社区党委）" : "支部";

    private static string Left(NextStepDto? n)
    {
        if (n?.DaysLeft is not { } left)
            return "—";
        var end = n.Due ?? n.Limit;
        return left < 0 ? $"""<span style="color:#c62828">已逾期 {-left} 天（{E(Date(end))}）</span>""" : E($"{left} 天（{Date(end)}）");
    }

    private static string Date(DateOnly? d) => d is { } v ? v.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "—";
}
