using System.Globalization;
using System.Text;
using WxQms.Api.Infrastructure;
using WxQms.Api.MiniProgram;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using static WxQms.Api.Admin.AdminLayout;

namespace WxQms.Api.Admin;

/// <summary>
/// The console's 职责目录: the catalogue table (each duty, its version in force, points, frequency, the next version if
/// scheduled), a duty's page with every version and the clause it cites, and for office staff a form that adds a
/// version in two steps: 预览 shows how many tasks of the coming plan it affects, 确认保存 saves it.
/// </summary>
public static class DutyPages
{
    private static readonly string[] SortKeys = ["name", "points", "from"];

    /// <summary>The form's fields (request names), their labels and hints.</summary>
    private static readonly (string Name, string Label, string? Hint)[] NumberFields =
    [
        ("points", "分值", "按时完成得分"),
        ("lateDeduction", "逾期完成扣分", "不超过分值"),
        ("overdueDeduction", "未完成扣分", null),
        ("minPhotos", "照片至少（张）", null),
        ("organiserDaysBefore", "提前提醒书记（天）", null),
    ];

    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("/duties", ListPage);
        pages.MapGet("/duties/{code}", DutyPage);
        pages.MapPost("/duties/{code}", PostVersion);
    }

    private static async Task<IResult> ListPage(HttpContext http, CurrentUser user, MemberService members, DutyService duties,
        CancellationToken ct)
    {
        var query = TableQuery.From(http.Request, SortKeys);
        IEnumerable<DutyOverview> list = await duties.ListAsync(ct);
        if (query.Search is { } q)
            list = list.Where(d => d.Code.Contains(q, StringComparison.OrdinalIgnoreCase) || Current(d).Name.Contains(q, StringComparison.Ordinal));
        list = query.Sort switch
        {
            "name" => query.Descending ? list.OrderByDescending(d => Current(d).Name) : list.OrderBy(d => Current(d).Name),
            "points" => query.Descending ? list.OrderByDescending(d => Current(d).Points) : list.OrderBy(d => Current(d).Points),
            "from" => query.Descending ? list.OrderByDescending(d => Current(d).EffectiveFrom) : list.OrderBy(d => Current(d).EffectiveFrom),
            _ => list,
        };
        var all = list.ToList();
        var rows = all.Skip(query.Offset).Take(query.PageSize).Select(d =>
        {
            var t = Current(d);
            var next = d.Next?.Template;
            return (IReadOnlyList<string>)
            [
                $"""<a href="/admin/duties/{E(d.Code)}">{E(t.Name)}</a>""", $"第{t.Version}版", Num(t.Points), E(t.Recurrence.Label),
                E(t.AppliesTo.Label), t.EffectiveFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                next is null ? "—" : E($"第{next.Version}版，{next.EffectiveFrom:yyyy-MM-dd}起，{Num(next.Points)}分，{next.Recurrence.Label}"),
            ];
        });
        var body = Notice("info", "职责目录即任务计划的依据：每个职责按版本记录分值、频次、提醒和佐证要求及所依据的制度条款。"
                + "修改职责须新增版本并指定生效日期，已在使用的版本不再修改。")
            + Table("/admin/duties", query,
                [new("职责", "name"), new("现行版本"), new("分值", "points"), new("频次"), new("适用组织"), new("生效日期", "from"), new("下一版本")],
                rows, all.Count, "职责名称或代码");
        return Page(http, await AdminEndpoints.ViewerAsync(user, members, ct), "职责目录", "duties", body);
    }

    private static async Task<IResult> DutyPage(string code, HttpContext http, CurrentUser user, MemberService members, DutyService duties,
        CancellationToken ct)
    {
        var duty = await duties.GetAsync(code, ct);
        var added = int.TryParse(http.Request.Query["added"], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : (int?)null;
        return await RenderAsync(http, user, members, duty, null, FormValues.Empty, new Dictionary<string, string>(), added, ct);
    }

    /// <summary>Step 1 (预览) checks the form and shows its impact; step 2 (确认保存) saves and redirects to the duty.</summary>
    private static async Task<IResult> PostVersion(string code, HttpContext http, CurrentUser user, MemberService members,
        DutyService duties, CancellationToken ct)
    {
        DutyService.EnsureStaff(user.Roles);
        var duty = await duties.GetAsync(code, ct);
        if (!http.Request.HasFormContentType)
            return Problems.Problem(StatusCodes.Status400BadRequest, "请求无效", "请通过页面表单提交", "request.invalid");
        var form = FormValues.From(await http.Request.ReadFormAsync(ct));
        var (request, errors) = form.ToRequest();
        if (errors.Count > 0)
            return await RenderAsync(http, user, members, duty, null, form, errors, null, ct, StatusCodes.Status400BadRequest);

        var draft = form.Step == "confirm"
            ? await duties.AddAsync(code, request, user.Roles, TaskEndpoints.Actor(user), user.MemberId, ct)
            : await duties.PreviewAsync(code, request, user.Roles, ct);
        if (!draft.Valid)
            return await RenderAsync(http, user, members, duty, null, form, draft.Errors, null, ct, StatusCodes.Status400BadRequest);
        if (form.Step == "confirm")
        {
            // 303: the browser shows the duty with its new version, and a reload does not post again.
            return SeeOther($"/admin/duties/{Uri.EscapeDataString(code)}?added={draft.Template!.Version}");
        }
        return await RenderAsync(http, user, members, duty, draft, form, draft.Errors, null, ct);
    }

    internal static async Task<IResult> RenderAsync(HttpContext http, CurrentUser user, MemberService members, DutyOverview duty,
        DutyDraft? preview, FormValues form, IReadOnlyDictionary<string, string> errors, int? added, CancellationToken ct,
        int status = StatusCodes.Status200OK, (string? Value, string? Error)? clauseForm = null)
    {
        var current = Current(duty);
        var sb = new StringBuilder();
        if (http.Request.Query["clause"] == "set")
            sb.Append(Notice("info", "已更新依据条款。"));
        sb.Append(await DutyClauseForm.RenderAsync(http, duty.Code, user.Roles.Any(g => g.Role == Roles.Staff), clauseForm, ct));
        if (added is { } a)
            sb.Append(Notice("info", $"已新增第{a}版，自{duty.Versions.FirstOrDefault(x => x.Template.Version == a)?.Template.EffectiveFrom:yyyy-MM-dd}起生效。"));
        sb.Append("<h2>各版本</h2><div class=scroll><table><thead><tr><th>版本</th><th>生效日期</th><th>状态</th><th>分值</th><th>逾期完成扣分</th>"
            + "<th>未完成扣分</th><th>频次</th><th>佐证要求</th><th>依据条款</th><th>添加</th></tr></thead><tbody>");
        foreach (var v in duty.Versions)
        {
            var t = v.Template;
            var state = v.InForce ? "现行" : v.Scheduled ? "待生效" : "已被替代";
            var evidence = $"照片≥{t.EvidenceRule.MinPhotos}张；{t.EvidenceRule.RecordLabel}" + (t.EvidenceRule.AttendanceRequired ? "；登记出席" : "");
            sb.Append($"<tr><td>第{t.Version}版</td><td>{t.EffectiveFrom:yyyy-MM-dd}</td><td>{state}</td><td>{Num(t.Points)}</td>"
                + $"<td>{Num(t.LateDeduction)}</td><td>{Num(t.OverdueDeduction)}</td><td>{E(t.Recurrence.Label)}</td><td>{E(evidence)}</td>"
                + $"<td>{E(t.Source)}</td><td>{E(v.AddedBy)}<br><small>{v.AddedAt.ToOffset(TimeSpan.FromHours(8)):yyyy-MM-dd HH:mm}</small></td></tr>");
        }
        sb.Append("</tbody></table></div>");

        if (user.Roles.Any(g => g.Role == Roles.Staff))
            sb.Append(Form(duty, current, preview, form, errors));
        return Page(http, await AdminEndpoints.ViewerAsync(user, members, ct), $"职责：{current.Name}", "duties", sb.ToString(), status);
    }

    private static string Form(DutyOverview duty, TaskTemplate current, DutyDraft? preview, FormValues form,
        IReadOnlyDictionary<string, string> errors)
    {
        var sb = new StringBuilder($"""<h2>新增版本（第{duty.Latest.Template.Version + 1}版）</h2>""");
        sb.Append(Notice("info", "未填写的项目沿用最新版本。生效日期须晚于今天，且为周期的第一天；已开始的任务保持原版本，"
            + "生效日期以后尚未开始的待办任务改用新版本。"));
        if (errors.Count > 0)
            sb.Append(Notice("refuse", "请修改标红的项目后重新预览。"));
        if (preview?.Impact is { } i)
        {
            sb.Append(Notice("warn", $"预览：第{preview.Template!.Version}版自{i.EffectiveFrom:yyyy-MM-dd}起生效，影响即将执行计划中的 {i.Affected} 项任务"
                + $"（已生成的待办任务改用新版本 {i.Moved} 项，尚未生成、将按新版本生成 {i.Created} 项）；"
                + $"已报计划、保持原版本 {i.Kept} 项；因频次改变撤除的待办任务 {i.Withdrawn} 项。确认无误后请点击“确认保存”。"));
        }
        sb.Append($"""<form method=post action="/admin/duties/{E(duty.Code)}">""");
        sb.Append(Field("effectiveFrom", "生效日期", form["effectiveFrom"], Error(errors, "effectiveFrom"), "date", required: true,
            hint: "每月1日；按季度的职责为季度首日；按年的职责为1月1日"));
        sb.Append(Field("name", "职责名称", form["name"] ?? current.Name, Error(errors, "name")));
        foreach (var (name, label, hint) in NumberFields)
            sb.Append(Field(name, label, form[name], Error(errors, name), hint: hint ?? $"现行：{Existing(current, name)}"));
        sb.Append(Select("frequency", "频次", form["frequency"] ?? DutyRules.FrequencyKey(current.Recurrence),
            DutyRules.Frequencies.Select(f => (f.Key, f.Label)), Error(errors, "frequency")));
        sb.Append(Field("recordLabel", "佐证记录名称", form["recordLabel"] ?? current.EvidenceRule.RecordLabel, Error(errors, "recordLabel")));
        sb.Append(Field("source", "依据的制度或文件条款", form["source"] ?? current.Source, Error(errors, "source"), required: true));
        sb.Append("""<p><button name=step value=preview class=plain>预览</button> """);
        if (preview?.Impact is not null)
            sb.Append("""<button name=step value=confirm>确认保存</button>""");
        sb.Append("</p></form>");
        return sb.ToString();
    }

    private static string Existing(TaskTemplate t, string name) => name switch
    {
        "points" => Num(t.Points),
        "lateDeduction" => Num(t.LateDeduction),
        "overdueDeduction" => Num(t.OverdueDeduction),
        "minPhotos" => t.EvidenceRule.MinPhotos.ToString(CultureInfo.InvariantCulture),
        _ => t.ReminderRule.OrganiserDaysBefore.ToString(CultureInfo.InvariantCulture),
    };

    private static string? Error(IReadOnlyDictionary<string, string> errors, string field) => errors.GetValueOrDefault(field);

    /// <summary>The version in force today, or the first one when none is yet.</summary>
    private static TaskTemplate Current(DutyOverview d) => (d.InForce ?? d.Versions[0]).Template;

    private static string Num(decimal d) => d.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>The form as posted (trimmed; empty is absent), and the request it makes or the fields that are not numbers or dates.</summary>
    internal sealed class FormValues(IReadOnlyDictionary<string, string> values)
    {
        public static FormValues Empty { get; } = new(new Dictionary<string, string>());

        public static FormValues From(IFormCollection form) => new(form.Keys.ToDictionary(k => k, k => form[k].ToString().Trim())
            .Where(kv => kv.Value.Length > 0).ToDictionary(kv => kv.Key, kv => kv.Value));

        public string? this[string name] => values.GetValueOrDefault(name);

        public string Step => this["step"] ?? "preview";

        public (DutyVersionRequest Request, Dictionary<string, string> Errors) ToRequest()
        {
            var errors = new Dictionary<string, string>(StringComparer.Ordinal);
            DateOnly? from = null;
            if (this["effectiveFrom"] is { } f)
            {
                if (DateOnly.TryParseExact(f, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
                    from = d;
                else
                    errors["effectiveFrom"] = "日期格式应为 年-月-日，例如 2027-01-01";
            }
            decimal? Dec(string name)
            {
                if (this[name] is not { } s)
                    return null;
                if (decimal.TryParse(s, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var x))
                    return x;
                errors[name] = "请输入数字";
                return null;
            }
            int? Int(string name)
            {
                if (this[name] is not { } s)
                    return null;
                if (int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var x))
                    return x;
                errors[name] = "请输入整数";
                return null;
            }
            var request = new DutyVersionRequest(from, this["name"], this["source"], this["frequency"], Dec("points"),
                Dec("lateDeduction"), Dec("overdueDeduction"), Int("minPhotos"), RecordLabel: this["recordLabel"],
                OrganiserDaysBefore: Int("organiserDaysBefore"));
            return (request, errors);
        }
    }
}
