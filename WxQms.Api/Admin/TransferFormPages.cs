using System.Globalization;
using System.Text;
using WxQms.Api.Infrastructure;
using WxQms.Api.MiniProgram;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Rules.Transfers;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Members;
using WxQms.Domain.Services.Transfers;
using static WxQms.Api.Admin.AdminLayout;

namespace WxQms.Api.Admin;

/// <summary>
/// The console's transfer forms (issue #17 item 3): a letter out of the subdistrict for a member (from her page; 党费交到 is
/// read from her dues months, never typed) and a letter received from outside registered with the member it introduces,
/// placed in a branch. The same service as the mini program: each one audit entry; a refusal shows inline, in Chinese.
/// </summary>
public static class TransferFormPages
{
    public static void MapAdminTransferForms(this IEndpointRouteBuilder app)
    {
        var pages = app.AdminPages();
        pages.MapGet("/transfers/out/{id:long}", (long id, HttpContext http, CurrentUser user, MemberAdmin admin, MemberService members,
            TransferService transfers, TimeProvider clock, CancellationToken ct) => OutForm(id, http, user, admin, members, transfers, clock, null, ct));
        pages.MapPost("/transfers/out/{id:long}", OutPost);
        pages.MapGet("/transfers/incoming", (HttpContext http, CurrentUser user, MemberAdmin admin, MemberService members, TimeProvider clock,
            CancellationToken ct) => InForm(http, user, admin, members, clock, null, ct));
        pages.MapPost("/transfers/incoming", InPost);
    }

    /// <summary>What a posted form left: its values and the refusal (a field's, or a rule's).</summary>
    private sealed record Posted(IFormCollection Form, FieldError? Error, string? Refusal, int Status);

    private static async Task<IResult> OutForm(long memberId, HttpContext http, CurrentUser user, MemberAdmin admin, MemberService members,
        TransferService transfers, TimeProvider clock, Posted? posted, CancellationToken ct)
    {
        var viewer = await AdminEndpoints.ViewerAsync(user, members, ct);
        MemberView m;
        try
        {
            m = (await admin.GetAsync(MemberAdminEndpoints.Editor(user), memberId, ct)).Member;
        }
        catch (ForbiddenException refused)
        {
            return Page(http, viewer, "开具转出介绍信", "transfers", Notice("refuse", refused.Message), StatusCodes.Status403Forbidden);
        }
        var today = Periods.LocalDate(clock.GetUtcNow());
        var f = posted?.Form;
        var dues = await transfers.PaidThroughAsync(memberId, ct);
        var body = new StringBuilder(Refusal(posted));
        body.Append(Notice("info", $"{m.Name}（{m.OrgName}）转出本街道：介绍信有效期最长 {TransferRules.MaxValidityMonths} 个月；回执寄回前仍由本支部管理。"
            + $"党费交到：{(dues?.ToString() ?? "暂无党费记录")}（按党费台账自动填写）。", TransferRules.Regulation));
        body.Append($"""<form method=post action="/admin/transfers/out/{memberId}">""");
        body.Append(Field("toOrgName", "接收组织全称", f?["toOrgName"], ErrorOf(posted, "toOrgName"), required: true));
        body.Append(Field("issuedOn", "开具日期", f?["issuedOn"] ?? Day(today), ErrorOf(posted, "issuedOn"), type: "date", required: true));
        body.Append(Field("validUntil", "有效期至", f?["validUntil"] ?? Day(today.AddDays(30)), ErrorOf(posted, "validUntil"), type: "date",
            required: true));
        body.Append(Field("leaveMonths", "外出月数", f?["leaveMonths"], ErrorOf(posted, "leaveMonths"), type: "number",
            hint: $"不超过 {TransferRules.CertificateMaxMonths} 个月的开具党员证明信，不转组织关系"));
        body.Append(Field("reason", "事由", f?["reason"], ErrorOf(posted, "reason")));
        body.Append($"""<button>开具介绍信</button> <a class="button plain" href="/admin/members/{memberId}">取消</a></form>""");
        return Page(http, viewer, $"开具转出介绍信：{m.Name}", "transfers", body.ToString(), posted?.Status ?? StatusCodes.Status200OK);
    }

    private static async Task<IResult> OutPost(long id, HttpContext http, CurrentUser user, MemberAdmin admin, MemberService members,
        TransferService transfers, TimeProvider clock, CancellationToken ct)
    {
        var memberId = id;
        var form = await FormAsync(http, ct);
        return await Refused(form, async () =>
        {
            var months = Int(form, "leaveMonths");
            var transfer = await transfers.StartAsync(MemberAdminEndpoints.Editor(user), new TransferStart(TransferKind.Out, memberId, null,
                NonEmpty(form["toOrgName"]), Date(form, "issuedOn"), Date(form, "validUntil"), null, months, NonEmpty(form["reason"])), ct);
            return SeeOther($"/admin/transfers/{transfer}/print");
        }, posted => OutForm(memberId, http, user, admin, members, transfers, clock, posted, ct));
    }

    private static async Task<IResult> InForm(HttpContext http, CurrentUser user, MemberAdmin admin, MemberService members, TimeProvider clock,
        Posted? posted, CancellationToken ct)
    {
        var viewer = await AdminEndpoints.ViewerAsync(user, members, ct);
        var branches = (await admin.OrgsAsync(MemberAdminEndpoints.Editor(user), ct)).Where(o => o.Kind == OrgKind.Branch).ToList();
        if (branches.Count == 0)
            return Page(http, viewer, "登记转入介绍信", "transfers", Notice("refuse", "组织关系转接由支部书记、社区党委和街道党建办办理。"),
                StatusCodes.Status403Forbidden);
        var f = posted?.Form;
        var today = Periods.LocalDate(clock.GetUtcNow());
        var body = new StringBuilder(Refusal(posted));
        body.Append(Notice("info", "登记从街道外转入的组织关系介绍信，并把党员编入支部；党员随后关注公众号，扫描支部的绑定二维码完成微信绑定。"));
        body.Append("""<form method=post action="/admin/transfers/incoming">""");
        body.Append(Select("toOrgId", "接收支部", f?["toOrgId"], branches.Select(o => (o.Id.ToString(CultureInfo.InvariantCulture), o.Name)),
            ErrorOf(posted, "toOrgId")));
        body.Append(Field("fromOrgName", "开具介绍信的组织全称", f?["fromOrgName"], ErrorOf(posted, "fromOrgName"), required: true));
        body.Append(Field("letterNo", "介绍信编号", f?["letterNo"], ErrorOf(posted, "letterNo"), required: true));
        body.Append(Field("issuedOn", "开具日期", f?["issuedOn"], ErrorOf(posted, "issuedOn"), type: "date", required: true));
        body.Append(Field("validUntil", "有效期至", f?["validUntil"], ErrorOf(posted, "validUntil"), type: "date", required: true));
        body.Append(Field("duesPaidThrough", "党费交到（介绍信所载，yyyy-MM）", f?["duesPaidThrough"], ErrorOf(posted, "duesPaidThrough"), type: "month"));
        body.Append(Field("receivedOn", "收到日期", f?["receivedOn"] ?? Day(today), ErrorOf(posted, "receivedOn"), type: "date"));
        body.Append(Field("name", "姓名", f?["name"], ErrorOf(posted, "name"), required: true));
        body.Append(Select("sex", "性别", f?["sex"], [("", "请选择"), ("male", "男"), ("female", "女")], ErrorOf(posted, "sex")));
        body.Append(Field("birthDate", "出生日期", f?["birthDate"], ErrorOf(posted, "birthDate"), type: "date"));
        body.Append(Field("joinedOn", "入党日期", f?["joinedOn"], ErrorOf(posted, "joinedOn"), type: "date"));
        body.Append(Select("status", "党员类别", f?["status"], [("full", "正式党员"), ("probationary", "预备党员")], ErrorOf(posted, "status")));
        body.Append(Field("phone", "手机号", f?["phone"], ErrorOf(posted, "phone"), required: true, hint: "党员凭姓名和手机号后四位绑定微信"));
        body.Append("""<button>登记转入</button> <a class="button plain" href="/admin/transfers">取消</a></form>""");
        return Page(http, viewer, "登记转入介绍信", "transfers", body.ToString(), posted?.Status ?? StatusCodes.Status200OK);
    }

    private static async Task<IResult> InPost(HttpContext http, CurrentUser user, MemberAdmin admin, MemberService members, TransferService transfers,
        TimeProvider clock, CancellationToken ct)
    {
        var form = await FormAsync(http, ct);
        return await Refused(form, async () =>
        {
            var toOrgId = long.TryParse(form["toOrgId"], NumberStyles.None, CultureInfo.InvariantCulture, out var to) ? to : (long?)null;
            var input = MemberAdminEndpoints.Input(new AdminMemberBody(toOrgId, NonEmpty(form["name"]), NonEmpty(form["sex"]),
                Date(form, "birthDate"), Date(form, "joinedOn"), NonEmpty(form["status"]), NonEmpty(form["phone"]), null, false, false));
            var (memberId, _) = await transfers.RegisterInAsync(MemberAdminEndpoints.Editor(user), new TransferIn(toOrgId, NonEmpty(form["fromOrgName"]),
                NonEmpty(form["letterNo"]), Date(form, "issuedOn"), Date(form, "validUntil"), TransferEndpoints.Dues(form["duesPaidThrough"]),
                Date(form, "receivedOn"), input.Name, input.Sex, input.BirthDate, input.JoinedOn, input.Status, input.Phone), ct);
            return SeeOther($"/admin/members/{memberId}");
        }, posted => InForm(http, user, admin, members, clock, posted, ct));
    }

    /// <summary>Runs the change; a refusal shows the form again with its message inline (400, 403 or 409), never a 500.</summary>
    private static async Task<IResult> Refused(IFormCollection form, Func<Task<IResult>> change, Func<Posted, Task<IResult>> again)
    {
        try
        {
            return await change();
        }
        catch (MemberInputException refused)
        {
            return await again(new Posted(form, refused.Error, refused.Regulation is { } r ? $"{refused.Error.Message}（依据：{r}）" : null,
                refused.Conflict ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest));
        }
        catch (RuleViolationException rule)
        {
            return await again(new Posted(form, null, rule.Message, StatusCodes.Status409Conflict));
        }
        catch (ForbiddenException forbidden)
        {
            return await again(new Posted(form, null, forbidden.Message, StatusCodes.Status403Forbidden));
        }
    }

    private static string Refusal(Posted? posted) => posted switch
    {
        { Refusal: { } text } => Notice("refuse", text),
        { Error: { } e } => Notice("refuse", "请修改标红的项目：" + e.Message),
        _ => "",
    };

    private static string? ErrorOf(Posted? posted, string field) => posted?.Error is { } e && e.Field == field ? e.Message : null;

    private static async Task<IFormCollection> FormAsync(HttpContext http, CancellationToken ct) =>
        http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : FormCollection.Empty;

    private static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static int? Int(IFormCollection form, string field) =>
        NonEmpty(form[field]) is not { } s ? null
        : int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v <= 1200 ? v
        : throw new MemberInputException(new FieldError(field, "request.invalid", "请填写整数月数。"));

    /// <summary>A date field (yyyy-MM-dd); a value that is no date is refused by name, never a 500.</summary>
    private static DateOnly? Date(IFormCollection form, string field) =>
        NonEmpty(form[field]) is not { } s ? null
        : DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
        : throw new MemberInputException(new FieldError(field, "member.bad_date", "日期格式应为 2024-01-31。"));
}
