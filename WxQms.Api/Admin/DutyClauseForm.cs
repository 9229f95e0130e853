using WxQms.Api.MiniProgram;
using WxQms.Domain.Services.Documents;
using static WxQms.Api.Admin.AdminLayout;

namespace WxQms.Api.Admin;

/// <summary>
/// The duty page's 受控文件条款: the clause of a controlled document the duty follows (DFL-QP-03 §4.2), linked to the
/// reader, and for office staff the form that sets or clears it (posted to <c>/admin/duties/{code}/clause</c>).
/// </summary>
internal static class DutyClauseForm
{
    public static async Task<string> RenderAsync(HttpContext http, string code, bool staff, (string? Value, string? Error)? posted,
        CancellationToken ct)
    {
        var clause = ClauseDto.From(await http.RequestServices.GetRequiredService<DocumentService>().ClauseAsync(code, ct));
        var shown = clause is null
            ? "<p class=clause>依据条款：尚未指定</p>"
            : $"""<p class=clause>依据条款：<a href="{E(clause.Url)}">{E(clause.Label)}</a></p>""";
        if (!staff)
            return shown;
        var error = posted?.Error;
        return shown + $"""<form method=post action="/admin/duties/{E(Uri.EscapeDataString(code))}/clause" class=search>"""
            + Field("clause", "依据的受控文件条款", posted?.Value ?? clause?.Label, error, hint: "文件编号 §条款号，例如 DFL-QP-03 §4.2；留空则清除")
            + "<button>保存条款</button></form>";
    }
}
