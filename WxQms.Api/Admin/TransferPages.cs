using System.Data;
using System.Globalization;
using System.Text;
using MiniExcelLibs;
using WxQms.Api.Infrastructure;
using WxQms.Api.MiniProgram;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Members;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Rules.Transfers;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Transfers;
using WxQms.Domain.Storage;
using static WxQms.Api.Admin.AdminLayout;

namespace WxQms.Api.Admin;

/// <summary>
/// The office's view of transfers of organisational relationship (issue #17 item 4 and 5): every transfer in transit in
/// the viewer's scope with an overdue receipt or an expired letter highlighted, a letter's standard three-part form to
/// print on A4 (存根, 介绍信, 回执), and the year's transfers in and out per community as an Excel workbook.
/// </summary>
public static class TransferPages
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static void MapAdminTransfers(this IEndpointRouteBuilder app)
    {
        var pages = app.AdminPages();
        pages.MapGet("/transfers", List);
        pages.MapGet("/transfers/{id:long}/print", Print);
        app.AdminApi().MapGet("/transfers", InTransit)
            .WithSummary("Every transfer in transit in the caller's scope, overdue receipts and expired letters first");
        app.AdminApi().MapGet("/exports/transfers.xlsx", Export)
            .Produces(StatusCodes.Status200OK, contentType: ContentType)
            .WithSummary("Office staff: the year's transfers in and out per community (year: default this year)");
    }

    private static bool KeepsAny(CurrentUser user) => user.Roles.Any(g => MemberAccess.KeepScope(g) is not null);

    internal static async Task<IResult> InTransit(CurrentUser user, TransferService transfers, CancellationToken ct)
    {
        if (!KeepsAny(user))
            return Problems.Problem(StatusCodes.Status403Forbidden, "无权访问", "只有书记、党务工作者、社区党委和街道党建办可以查看在途转接", "auth.forbidden");
        var items = await transfers.InTransitAsync(MemberAdminEndpoints.Editor(user), ct);
        return TypedResults.Ok(new TransferListDto(items.Select(TransferDto.From).ToList()));
    }

    internal static async Task<IResult> List(HttpContext http, CurrentUser user, MemberService members, TransferService transfers,
        TimeProvider clock, CancellationToken ct)
    {
        var viewer = await AdminEndpoints.ViewerAsync(user, members, ct);
        if (!KeepsAny(user))
            return Page(http, viewer, "组织关系转接", "transfers", Notice("refuse", "组织关系转接由支部书记、社区党委和街道党建办办理。"),
                StatusCodes.Status403Forbidden);
        var items = await transfers.InTransitAsync(MemberAdminEndpoints.Editor(user), ct);
        var view = TableQuery.From(http.Request, []);
        IEnumerable<TransferView> rows = items;
        if (view.Search is { } q)
            rows = rows.Where(v => v.Transfer.MemberName.Contains(q, StringComparison.Ordinal) || v.Transfer.FromOrgName.Contains(q, StringComparison.Ordinal)
                || v.Transfer.ToOrgName.Contains(q, StringComparison.Ordinal) || (v.Transfer.LetterNo ?? "").Contains(q, StringComparison.Ordinal));
        var list = rows.ToList();
        var cells = list.Skip(view.Offset).Take(view.PageSize).Select(v =>
        {
            var t = v.Transfer;
            var late = v.ReceiptOverdue || v.LetterExpired;
            var state = late ? $"""<b class=late style="color:#c62828">{E(v.StateText)}</b>""" : E(v.StateText);
            var print = t.Kind == TransferKind.Out ? $"""<a href="/admin/transfers/{t.Id}/print">打印</a>""" : "";
            return (IReadOnlyList<string>)
            [
                E(t.LetterNo ?? $"#{t.Id}"), E(t.MemberName), E(v.KindText), E(t.FromOrgName), E(t.ToOrgName), state,
                E(Day(t.ValidUntil)), E(Day(t.AcceptedOn)), E(Day(t.ReceiptDueOn)), print,
            ];
        });
        var overdue = items.Count(v => v.ReceiptOverdue);
        var expired = items.Count(v => v.LetterExpired);
        var year = Periods.LocalDate(clock.GetUtcNow()).Year;
        var body = new StringBuilder();
        body.Append("""<p><a class=button href="/admin/transfers/incoming">登记转入介绍信</a> 转出本街道：在党员页面点「开具转出介绍信」。</p>""");
        if (overdue > 0)
            body.Append(Notice("warn", $"{overdue} 份介绍信的回执已逾期（对方接收后一个月内应寄回回执）；回执寄回前党员仍由转出支部管理。", TransferRules.Regulation));
        if (expired > 0)
            body.Append(Notice("warn", $"{expired} 份介绍信已过有效期而对方尚未接收，请联系党员，必要时作废重开。"));
        body.Append(Table("/admin/transfers", view,
        [
            new("编号"), new("党员"), new("类型"), new("转出组织"), new("转入组织"), new("状态"), new("有效期至"), new("接收日期"),
            new("回执应到"), new(""),
        ], cells, list.Count, "党员、组织或编号"));
        if (user.HasRole(Roles.Staff))
            body.Append($"""<form method=get action="/api/admin/exports/transfers.xlsx"><label>年度 <input name=year type=number value="{year}" min=2000 max=2100></label> <button>导出全年转接统计（Excel）</button></form>""");
        return Page(http, viewer, "组织关系转接（在途）", "transfers", body.ToString());
    }

    internal static async Task<IResult> Print(long id, HttpContext http, CurrentUser user, TransferService transfers, MemberAdminStore members,
        CancellationToken ct)
    {
        var v = await transfers.GetAsync(MemberAdminEndpoints.Editor(user), id, ct);
        var t = v.Transfer;
        if (t.Kind is not (TransferKind.Out or TransferKind.Certificate))
            return Bare(http, "无介绍信", Notice("refuse", "只有转出街道的组织关系介绍信和党员证明信可以打印。"), StatusCodes.Status404NotFound);
        var m = await members.GetAsync(t.MemberId, ct);
        var sex = m?.Sex == Sex.Female ? "女" : "男";
        var status = m?.Status == MemberStatus.Probationary ? "预备" : "正式";
        var days = t.IssuedOn is { } i && t.ValidUntil is { } u ? u.DayNumber - i.DayNumber : 0;
        var dues = t.DuesPaidThrough?.ToString() ?? "____年__月";
        var no = E(t.LetterNo);
        var issued = Cn(t.IssuedOn);
        string Part(string title, string inner) => $"""<section><h2>{title}</h2><p class=no>第 {no} 号</p>{inner}</section>""";
        var title = t.Kind == TransferKind.Certificate ? "党员证明信" : "中国共产党党员组织关系介绍信";
        var stub = Part($"{title}（存根）", $"""
            <p>{E(t.MemberName)} 同志（{sex}），系中共{status}党员，组织关系由 <u>{E(t.FromOrgName)}</u> 转到 <u>{E(t.ToOrgName)}</u>。</p>
            <p>党费交到 {E(dues)}。有效期 {days} 天（至 {Cn(t.ValidUntil)}）。</p><p class=date>{issued}</p>
            """);
        var letter = Part(title, $"""
            <p><u>{E(t.ToOrgName)}</u>：</p>
            <p class=indent>兹介绍 {E(t.MemberName)} 同志（{sex}），系中共{status}党员，{(t.Reason is { } r ? E(r) + "，" : "")}请转接组织关系。</p>
            <p class=indent>该同志党费已交到 {E(dues)}。</p><p>（有效期 {days} 天）</p>
            <p class=sign>{E(t.FromOrgName)}（盖章）</p><p class=date>{issued}</p>
            """);
        var receipt = t.Kind == TransferKind.Certificate ? "" : "<div class=cut>（沿此线剪下）</div>" + Part("党员组织关系介绍信回执", $"""
            <p><u>{E(t.FromOrgName)}</u>：</p>
            <p class=indent>{E(t.MemberName)} 同志的党员组织关系已转达我处，特此回执。</p>
            <p class=sign>接收党组织（盖章）</p><p class=date>年　　月　　日</p>
            """);
        var html = $$"""
            <!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{E(title)}} 第 {{no}} 号</title>
            <style>@page{size:A4;margin:15mm}body{font-family:"SimSun","Songti SC",serif;font-size:14pt;width:180mm;margin:0 auto}
            section{min-height:80mm;padding:4mm 0}h2{text-align:center;font-size:17pt;margin:2mm 0}.no{text-align:right;margin:0}
            .indent{text-indent:2em}.sign,.date{text-align:right}.cut{border-top:1px dashed #000;text-align:center;font-size:10pt;color:#555;margin:4mm 0}
            @media print{.noprint{display:none} }</style></head><body>
            <p class=noprint><button onclick="print()">打印</button></p>
            {{stub}}<div class=cut>（骑缝，加盖公章后沿此线剪开）</div>{{letter}}{{receipt}}
            </body></html>
            """;
        return HtmlPages.Respond(http, html);
    }

    internal static async Task<IResult> Export(int? year, CurrentUser user, TransferService transfers, TimeProvider clock, CancellationToken ct)
    {
        if (!user.HasRole(Roles.Staff))
            return Problems.Problem(StatusCodes.Status403Forbidden, "无权访问", "只有街道党建办可以导出全年的转接统计", "auth.forbidden");
        var y = year ?? Periods.LocalDate(clock.GetUtcNow()).Year;
        if (y is < 2000 or > 2100)
            return Problems.Problem(StatusCodes.Status400BadRequest, "参数无效", "年度应在 2000 至 2100 之间", "request.invalid");
        var lines = await transfers.YearAsync(MemberAdminEndpoints.Editor(user), y, ct);
        var table = new DataTable();
        foreach (var c in Columns)
            table.Columns.Add(c, c == "社区" ? typeof(string) : typeof(int));
        foreach (var l in lines)
            table.Rows.Add(l.Community, l.InFromOutside, l.InWithin, l.OutOfSubdistrict, l.OutWithin, l.InTransit);
        table.Rows.Add("合计", lines.Sum(l => l.InFromOutside), lines.Sum(l => l.InWithin), lines.Sum(l => l.OutOfSubdistrict),
            lines.Sum(l => l.OutWithin), lines.Sum(l => l.InTransit));
        var stream = new MemoryStream();
        await stream.SaveAsAsync(new Dictionary<string, object> { [$"{y}年组织关系转接"] = table }, excelType: ExcelType.XLSX, cancellationToken: ct);
        stream.Position = 0;
        return TypedResults.File(stream, ContentType, $"组织关系转接_{y}.xlsx");
    }

    public static readonly string[] Columns = ["社区", "从街道外转入", "街道内转入", "转出街道", "街道内转出", "在途"];

    private static string Day(DateOnly? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";

    private static string Cn(DateOnly? d) => d is { } x ? $"{x.Year}年{x.Month}月{x.Day}日" : "年　　月　　日";
}
