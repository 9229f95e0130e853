using System.Globalization;
using System.Text;
using QRCoder;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Reminders;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Bot;
using WxQms.Domain.Services.Reminders;
using WxQms.Domain.Storage;
using static WxQms.Api.Admin.AdminLayout;

namespace WxQms.Api.Admin;

/// <summary>
/// Where staff already are (issue #16, item 8): the review queue (pass or return a submission with a reason), the
/// reminder status list and bind-code printing as console pages, over the same Domain services as the mini program's
/// routes (<c>/api/mp/tasks/{id}/review</c>, <c>/api/mp/reminders</c>, <c>/api/mp/orgs/{id}/bind-qrcode</c>).
/// </summary>
public static class AdminWorkPages
{
    public static void MapAdminWork(this IEndpointRouteBuilder app)
    {
        var pages = app.AdminPages();
        pages.MapGet("/reviews", Reviews);
        pages.MapGet("/reviews/{id:long}", Review);
        pages.MapPost("/reviews/{id:long}", Decide).DisableAntiforgery();
        pages.MapGet("/reminders", Reminders);
        pages.MapGet("/bind-codes", BindCodes);
        pages.MapGet("/bind-codes/{id:long}", BindCode);
        app.AdminApi().MapGet("/reviews", ReviewQueue)
            .WithSummary("Office staff: the submissions awaiting review in my scope, soonest due first");
    }

    private static TaskViewer Viewer(CurrentUser user) => new(user.MemberId, user.Roles);

    private static IResult Refused(HttpContext http, string viewer, string title, string navKey, string text) =>
        Page(http, viewer, title, navKey, Notice("refuse", text), StatusCodes.Status403Forbidden);

    private static string Local(DateTimeOffset t) =>
        TimeZoneInfo.ConvertTime(t, Periods.Shanghai).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    // ---- 审核 ------------------------------------------------------------------------------------

    private static readonly string[] ReviewSorts = ["due", "org"];

    /// <summary>The tasks awaiting review in the staff member's scope.</summary>
    internal static async Task<IResult> ReviewQueue(CurrentUser user, TaskQueries queries, CancellationToken ct)
    {
        if (!user.HasRole(Roles.Staff))
            return Problems.Problem(StatusCodes.Status403Forbidden, "无权访问", "只有街道党建办审核佐证材料", "auth.forbidden");
        var scope = await queries.ReadableScopeAsync(null, Viewer(user), ct);
        var (items, _) = await queries.ListAsync(new TaskQueries.ListFilter(scope, AwaitingReview: true, Limit: 500), ct);
        return TypedResults.Ok(items);
    }

    internal static async Task<IResult> Reviews(HttpContext http, CurrentUser user, MemberService members, TaskQueries queries,
        CancellationToken ct)
    {
        var viewer = await AdminEndpoints.ViewerAsync(user, members, ct);
        if (!user.HasRole(Roles.Staff))
            return Refused(http, viewer, "审核", "reviews", "佐证材料由街道党建办审核。");
        var scope = await queries.ReadableScopeAsync(null, Viewer(user), ct);
        var (items, _) = await queries.ListAsync(new TaskQueries.ListFilter(scope, AwaitingReview: true, Limit: 500), ct);
        var view = TableQuery.From(http.Request, ReviewSorts);
        IEnumerable<TaskQueries.TaskListItem> rows = items;
        if (view.Search is { } q)
            rows = rows.Where(t => t.OrgName.Contains(q, StringComparison.OrdinalIgnoreCase) || t.TemplateName.Contains(q, StringComparison.OrdinalIgnoreCase));
        rows = (view.Sort, view.Descending) switch
        {
            ("org", false) => rows.OrderBy(t => t.OrgName, StringComparer.Ordinal),
            ("org", true) => rows.OrderByDescending(t => t.OrgName, StringComparer.Ordinal),
            (_, true) => rows.OrderByDescending(t => t.DueAt),
            _ => rows.OrderBy(t => t.DueAt),
        };
        var list = rows.ToList();
        var cells = list.Skip(view.Offset).Take(view.PageSize).Select(t => (IReadOnlyList<string>)
        [
            $"""<a href="/admin/reviews/{t.Id}">{E(t.TemplateName)}</a>""", E(t.OrgName), E(t.PeriodKey), E(Local(t.DueAt)),
            E(t.PossiblePoints.ToString("0.##", CultureInfo.InvariantCulture)),
        ]);
        var done = http.Request.Query["done"].ToString() is { Length: > 0 } d ? Notice("info", d == "approve" ? "已通过审核。" : "已退回，支部将收到审核结果通知。") : "";
        var body = done + Table("/admin/reviews", view,
            [new("任务", null), new("组织", "org"), new("期间", null), new("截止", "due"), new("分值", null)], cells, list.Count, "组织或任务名称");
        return Page(http, viewer, "审核", "reviews", body);
    }

    public sealed record ReviewForm(string? Decision, string? Adjustment, string? Reason, int Version);

    internal static async Task<IResult> Review(long id, HttpContext http, CurrentUser user, MemberService members, TaskQueries queries,
        OrgStore orgs, CancellationToken ct) =>
        await ReviewPageAsync(id, http, user, members, queries, orgs, null, new Dictionary<string, string>(), null, ct);

    internal static async Task<IResult> Decide(long id, HttpContext http, CurrentUser user, MemberService members, TaskQueries queries,
        TaskCommands commands, OrgStore orgs, CancellationToken ct)
    {
        var viewer = await AdminEndpoints.ViewerAsync(user, members, ct);
        if (!user.HasRole(Roles.Staff))
            return Refused(http, viewer, "审核", "reviews", "佐证材料由街道党建办审核。");
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : FormCollection.Empty;
        var posted = new ReviewForm(form["decision"], form["adjustment"], form["reason"],
            int.TryParse(form["version"], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1);
        var errors = new Dictionary<string, string>();
        ReviewDecision? decision = posted.Decision switch { "approve" => ReviewDecision.Approve, "return" => ReviewDecision.Return, _ => null };
        if (decision is null)
            errors["decision"] = "请选择通过或退回";
        var adjustment = 0m;
        if (!string.IsNullOrWhiteSpace(posted.Adjustment)
            && !decimal.TryParse(posted.Adjustment.Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out adjustment))
            errors["adjustment"] = "请填写数字，如 0、0.2 或 -0.3";
        if (decision == ReviewDecision.Return && string.IsNullOrWhiteSpace(posted.Reason))
            errors["reason"] = "退回须填写原因";
        if (errors.Count == 0)
        {
            try
            {
                await queries.GetForAsync(id, Viewer(user), TaskNeed.Review, ct);
                await commands.ReviewAsync(id, posted.Version, new ReviewRequest(decision!.Value, adjustment, posted.Reason),
                    user.MemberId is { } m ? $"member:{m}" : $"wechat_user:{user.WechatUserId}", user.MemberId, ct);
                http.Response.Headers.Location = "/admin/reviews?done=" + posted.Decision;
                return TypedResults.StatusCode(StatusCodes.Status303SeeOther);
            }
            catch (RuleViolationException e)
            {
                errors[e.Code == "review.adjustment_refused" ? "adjustment" : "reason"] = e.Message;
            }
            catch (ConflictException e)
            {
                errors["form"] = e.Message;
            }
        }
        return await ReviewPageAsync(id, http, user, members, queries, orgs, posted, errors, viewer, ct);
    }

    private static async Task<IResult> ReviewPageAsync(long id, HttpContext http, CurrentUser user, MemberService members,
        TaskQueries queries, OrgStore orgs, ReviewForm? posted, IReadOnlyDictionary<string, string> errors, string? viewer, CancellationToken ct)
    {
        viewer ??= await AdminEndpoints.ViewerAsync(user, members, ct);
        if (!user.HasRole(Roles.Staff))
            return Refused(http, viewer, "审核", "reviews", "佐证材料由街道党建办审核。");
        TaskSnapshot task;
        try
        {
            task = await queries.GetForAsync(id, Viewer(user), TaskNeed.Review, ct);
        }
        catch (NotFoundException)
        {
            return Page(http, viewer, "审核", "reviews", Notice("refuse", $"任务 {id} 不存在"), StatusCodes.Status404NotFound);
        }
        catch (ForbiddenException refused)
        {
            return Refused(http, viewer, "审核", "reviews", refused.Message);
        }
        var org = await orgs.GetAsync(task.OrgId, ct);
        var (evidence, _) = await queries.RecordAsync(id, ct);
        var sb = new StringBuilder();
        sb.Append($"<p><b>{E(task.Template.Name)}</b> · {E(org?.Name)} · {E(task.PeriodKey)} · 截止 {E(Local(task.DueAt))} · 分值 {E(task.PossiblePoints.ToString("0.##", CultureInfo.InvariantCulture))}</p>");
        if (evidence.FirstOrDefault() is { } e)
        {
            sb.Append("<table><tbody>");
            void Row(string k, string? val) => sb.Append($"<tr><th>{E(k)}</th><td>{E(val)}</td></tr>");
            Row("举行时间", Local(e.HeldAt));
            Row("地点", e.Place);
            Row("主题", e.Topic);
            Row(task.Template.EvidenceRule.RecordLabel, e.Minutes);
            Row("出席 / 缺席 / 请假", $"{e.Present} / {e.Absent} / {e.OnLeave}");
            Row("照片", $"{e.PhotoCount} 张（小程序任务详情中查看）");
            Row("提交", $"{Local(e.SubmittedAt)}，{(e.OnTime ? "按时" : "逾期")}，{(e.Passed ? "材料齐全" : "未通过检查：" + string.Join("；", e.Reasons))}");
            sb.Append("</tbody></table>");
        }
        else
        {
            sb.Append(Notice("warn", "该任务没有可审核的佐证材料。"));
        }
        if (task.State != Domain.Model.Tasks.TaskState.Completed || task.ReviewStatus == ReviewStatuses.Approved)
            sb.Append(Notice("info", "该任务当前不在待审核状态。"));
        if (errors.TryGetValue("form", out var formError))
            sb.Append(Notice("refuse", formError));
        var bound = TaskScoring.ReviewBound(task.PossiblePoints).ToString("0.##", CultureInfo.InvariantCulture);
        sb.Append($"""<form method=post action="/admin/reviews/{id}"><input type=hidden name=version value="{task.RowVersion}">""");
        sb.Append(Select("decision", "审核结果", posted?.Decision, [("", "请选择"), ("approve", "通过"), ("return", "退回")], errors.GetValueOrDefault("decision")));
        sb.Append(Field("adjustment", "质量加减分（通过时）", posted?.Adjustment ?? "0", errors.GetValueOrDefault("adjustment"),
            hint: $"不超过分值的 20%（±{bound}），非 0 时须说明理由"));
        var reasonError = errors.GetValueOrDefault("reason");
        sb.Append($"""<label class="field{(reasonError is null ? "" : " bad")}"><span>审核意见（退回时必填）</span><textarea name=reason rows=3 maxlength=500 style="width:100%;max-width:420px">{E(posted?.Reason)}</textarea>{(reasonError is null ? "" : $"<em>{E(reasonError)}</em>")}</label>""");
        sb.Append("<button>提交审核</button> <a class=\"button plain\" href=\"/admin/reviews\">返回列表</a></form>");
        return Page(http, viewer, "审核：" + task.Template.Name, "reviews", sb.ToString(),
            errors.Count > 0 ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK);
    }

    // ---- 提醒 ------------------------------------------------------------------------------------

    private static readonly (string Value, string Text)[] StatusOptions =
    [
        ("", "全部状态"), ("pending", "待发送"), ("sending", "发送中"), ("sent", "已发送"), ("failed", "发送失败"),
        ("unreachable", "无法送达"), ("cancelled", "已取消"),
    ];

    /// <summary>The newest this many reminders of a status are searched and paged here.</summary>
    private const int ReminderWindow = 200;

    internal static async Task<IResult> Reminders(string? status, HttpContext http, CurrentUser user, MemberService members,
        ReminderQueries reminders, CancellationToken ct)
    {
        var viewer = await AdminEndpoints.ViewerAsync(user, members, ct);
        if (Access.DefaultMonitorScope(user.Roles) is not { } scope)
            return Refused(http, viewer, "提醒", "reminders", "只有书记、党务工作者、社区党委和街道党建办可以查看提醒。");
        ReminderStatus? filter = null;
        var statusError = (string?)null;
        if (!string.IsNullOrEmpty(status))
        {
            if (StatusOptions.Any(o => o.Value == status && o.Value.Length > 0))
                filter = DbNames.Parse<ReminderStatus>(status);
            else
                statusError = "未知的状态";
        }
        var page = await reminders.ListAsync(new ReminderFilter(scope, filter, Limit: ReminderWindow), ct);
        var view = TableQuery.From(http.Request, []);
        var rows = page.Items.Where(r => view.Search is not { } q
            || r.RecipientName.Contains(q, StringComparison.OrdinalIgnoreCase) || r.OrgName.Contains(q, StringComparison.OrdinalIgnoreCase)
            || r.KindLabel.Contains(q, StringComparison.OrdinalIgnoreCase)).ToList();
        var cells = rows.Skip(view.Offset).Take(view.PageSize).Select(r => (IReadOnlyList<string>)
        [
            E(r.KindLabel), E(r.RecipientName), E(r.OrgName), E(r.StatusLabel), E(Local(r.DueAt)), E(r.SentAt is { } s ? Local(s) : ""),
            E(r.Attempts.ToString(CultureInfo.InvariantCulture)),
        ]);
        var counts = string.Join("　", StatusOptions.Where(o => o.Value.Length > 0)
            .Select(o => $"""<a href="/admin/reminders?status={o.Value}">{E(o.Text)} {N(page.Counts.GetValueOrDefault(o.Value))}</a>"""));
        var body = new StringBuilder()
            .Append($"<p class=count>{counts}</p>")
            .Append("""<form method=get action="/admin/reminders" class=search>""")
            .Append(Select("status", "状态", status, StatusOptions, statusError)).Append("<button>筛选</button></form>")
            .Append(Notice("info", $"按最近 {ReminderWindow} 条提醒搜索和分页。"))
            .Append(Table("/admin/reminders" + (filter is null ? "" : "?status=" + status), view,
                [new("类型"), new("接收人"), new("组织"), new("状态"), new("计划发送"), new("发送时间"), new("尝试次数")], cells, rows.Count, "接收人、组织或类型"));
        return Page(http, viewer, "提醒", "reminders", body.ToString(), statusError is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    // ---- 绑定码 ----------------------------------------------------------------------------------

    internal static async Task<IResult> BindCodes(HttpContext http, CurrentUser user, MemberService members, OrgStore orgs,
        CancellationToken ct)
    {
        var viewer = await AdminEndpoints.ViewerAsync(user, members, ct);
        if (!user.HasRole(Roles.Staff))
            return Refused(http, viewer, "绑定码", "bind-codes", "只有街道党建办可以打印绑定二维码。");
        var view = TableQuery.From(http.Request, []);
        var all = new List<Org>();
        foreach (var root in await orgs.GetRootsAsync(ct))
        {
            if (user.CanRead(root.Path) && await orgs.GetSubtreeAsync(root.Id, ct) is { } subtree)
                all.AddRange(subtree.Orgs.Where(o => o.Kind != OrgKind.PartyGroup));
        }
        var rows = all.Where(o => view.Search is not { } q || o.Name.Contains(q, StringComparison.OrdinalIgnoreCase)
            || o.Code.Contains(q, StringComparison.OrdinalIgnoreCase)).OrderBy(o => o.Path, StringComparer.Ordinal).ToList();
        var cells = rows.Skip(view.Offset).Take(view.PageSize).Select(o => (IReadOnlyList<string>)
        [
            E(o.Name), E(o.Code), $"""<a class="button plain" href="/admin/bind-codes/{o.Id}">打印绑定二维码</a>""",
        ]);
        var body = Notice("info", "党员用微信扫描所在组织的二维码，回复姓名和手机号后四位即可绑定；党小组的党员扫所在党支部的二维码。")
            + Table("/admin/bind-codes", view, [new("组织"), new("编码"), new("")], cells, rows.Count, "组织名称或编码");
        return Page(http, viewer, "绑定码", "bind-codes", body);
    }

    internal static async Task<IResult> BindCode(long id, HttpContext http, CurrentUser user, MemberService members,
        BindCodeService codes, CancellationToken ct)
    {
        var viewer = await AdminEndpoints.ViewerAsync(user, members, ct);
        if (!user.HasRole(Roles.Staff))
            return Refused(http, viewer, "绑定码", "bind-codes", "只有街道党建办可以打印绑定二维码。");
        try
        {
            var (code, org) = await codes.PrintAsync(id, user.MemberId, ct);
            using var generator = new QRCodeGenerator();
            using var data = generator.CreateQrCode(code.QrUrl!, QRCodeGenerator.ECCLevel.M);
            var png = Convert.ToBase64String(new PngByteQRCode(data).GetGraphic(10));
            var body = $"""
                <div class=print style="text-align:center;background:#fff;padding:24px;max-width:420px">
                <h2>{E(org.Name)}</h2><img src="data:image/png;base64,{png}" alt="{E(org.Name)}绑定二维码" width=320 height=320>
                <p>微信扫一扫，回复“姓名 手机号后四位”绑定党员身份</p><p class=count>有效期至 {E(Local(code.ExpiresAt))}</p></div>
                <p><button type=button onclick="window.print()">打印</button> <a class="button plain" href="/admin/bind-codes">返回列表</a></p>
                """;
            return Page(http, viewer, "绑定码：" + org.Name, "bind-codes", body);
        }
        catch (NotFoundException e)
        {
            return Page(http, viewer, "绑定码", "bind-codes", Notice("refuse", e.Message), StatusCodes.Status404NotFound);
        }
        catch (RuleViolationException e)
        {
            return Page(http, viewer, "绑定码", "bind-codes", Notice("refuse", e.Message), StatusCodes.Status409Conflict);
        }
    }
}
