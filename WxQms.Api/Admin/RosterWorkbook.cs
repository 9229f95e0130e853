using System.Data;
using MiniExcelLibs;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using static WxQms.Domain.Rules.RosterSheet;

namespace WxQms.Api.Admin;

/// <summary>
/// The roster workbook (.xlsx, MiniExcel): the instructions sheet, the organisations sheet and the members sheet in
/// the columns of <see cref="RosterSheet"/>; the template and the export are written here, an upload read here.
/// </summary>
public static class RosterWorkbook
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>The largest file an upload may be (2 MB holds well over ten thousand members).</summary>
    public const int MaxBytes = 2 * 1024 * 1024;

    private static readonly string[] Help =
    [
        "本工作簿用于批量导入党组织和党员名册。请保留“组织”“党员”两个工作表及其第一行的列名，从第二行起每行填写一条记录。",
        "示例行仅供参考，导入真实名册前请删除或改写示例行。",
        "【组织】组织编码：每个组织唯一，只能由字母、数字、“-”和“_”组成；已存在的编码表示更新该组织的名称和成立日期。",
        "【组织】组织类别：社区党委、党总支、党支部、党小组。社区党委设在街道党工委下，党总支设在街道或社区党委下，党支部设在街道、社区党委或党总支下，党小组设在党支部下。",
        "【组织】上级组织编码：系统中已有的组织或本表中的组织；组织类别和上级组织不能通过导入修改（移动组织请在组织管理中操作）。",
        "【组织】成立日期：选填，组织开始使用系统的日期，此前不安排任务。日期格式如 2024-07-01。",
        "【党员】所属组织编码：系统中已有的组织或“组织”表中的组织。",
        "【党员】身份证号和手机号至少填写一项：先按身份证号、再按手机号匹配已有党员，匹配到即更新，否则新增。身份证号请以文本格式填写18位；出生日期留空时按身份证号填写。",
        "【党员】党员状态：正式党员或预备党员；预备党员须填写接收预备党员日期。党员状态不能通过导入变更（转正、转出请走相应流程）。",
        "【党员】退休、流动党员：填“是”或“否”。",
        "【党员】职务：书记、党务工作者、委员（支委）、街道党建办、督查员，多个职务用顿号分隔；默认在所属组织任职，在其他组织任职写作“书记@组织编码”。任职日期对该行所有职务适用。",
        "【党员】卸任职务：该党员不再担任的职务，写法同“职务”，导入当日卸任并记入任职历史；“职务”中未列出的现任职务不会被撤销。留空的选填项不会清除已有数据。",
        "上传后系统先检查每一行：任何一行有错误，整个文件都不会导入，并列出每个错误所在的工作表、行和列；全部正确后才会在一次操作中全部导入。",
        "导出的名册使用同样的列，修改后可直接重新导入；未修改的行不会产生任何变更。",
    ];

    /// <summary>The workbook of <paramref name="file"/>: instructions first, then organisations and members.</summary>
    public static async Task<MemoryStream> WriteAsync(RosterFile file, CancellationToken ct)
    {
        var sheets = new Dictionary<string, object>
        {
            [HelpSheet] = Help.Select(h => new Dictionary<string, object?> { ["填写说明"] = h }).ToList(),
            [OrgSheet] = Table(OrgColumns, file.Orgs),
            [MemberSheet] = Table(MemberColumns, file.Members),
        };
        var stream = new MemoryStream();
        await stream.SaveAsAsync(sheets, excelType: ExcelType.XLSX, cancellationToken: ct);
        stream.Position = 0;
        return stream;
    }

    private static DataTable Table(IReadOnlyList<string> columns, IReadOnlyList<RosterRow> rows)
    {
        var table = new DataTable();
        foreach (var c in columns)
            table.Columns.Add(c, typeof(string));
        foreach (var row in rows)
            table.Rows.Add(columns.Select(c => (object)(Text(row.Cells.GetValueOrDefault(c)) ?? "")).ToArray());
        return table;
    }

    /// <summary>Why a file cannot be read as a roster workbook, as a code and a Chinese sentence.</summary>
    public sealed record Unreadable(string Code, string Reason);

    /// <summary>Reads an uploaded workbook: its rows by column title, blank rows skipped; or why it cannot be read.</summary>
    public static (RosterFile? File, Unreadable? Problem) Read(byte[] bytes)
    {
        // An .xlsx is a zip: anything else (an .xls, a CSV, a picture) is refused before a parser sees it.
        if (bytes.Length < 4 || bytes[0] != 'P' || bytes[1] != 'K' || bytes[2] != 3 || bytes[3] != 4)
            return (null, new Unreadable("import.not_xlsx", "请上传 Excel 2007 及以上版本的 .xlsx 文件（可先下载模板填写）"));
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            var names = MiniExcel.GetSheetNames(stream);
            foreach (var sheet in new[] { OrgSheet, MemberSheet })
                if (!names.Contains(sheet))
                    return (null, new Unreadable("import.bad_template", $"工作簿缺少“{sheet}”工作表，请使用下载的模板"));
            var (orgs, orgProblem) = Sheet(stream, OrgSheet, OrgColumns);
            if (orgProblem is not null)
                return (null, orgProblem);
            var (members, memberProblem) = Sheet(stream, MemberSheet, MemberColumns);
            if (memberProblem is not null)
                return (null, memberProblem);
            return (new RosterFile(orgs!, members!), null);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or FormatException or InvalidOperationException
                                       or System.Xml.XmlException or ArgumentException or NotSupportedException or KeyNotFoundException
                                       or IndexOutOfRangeException or NullReferenceException or InvalidCastException)
        {
            return (null, new Unreadable("import.not_xlsx", "文件无法作为 .xlsx 工作簿读取，请确认文件完整"));
        }
    }

    private static (List<RosterRow>?, Unreadable?) Sheet(Stream stream, string sheet, IReadOnlyList<string> columns)
    {
        stream.Position = 0;
        var rows = MiniExcel.Query(stream, useHeaderRow: false, sheetName: sheet, excelType: ExcelType.XLSX)
            .Cast<IDictionary<string, object?>>().ToList();
        if (rows.Count == 0)
            return (null, new Unreadable("import.bad_template", $"“{sheet}”工作表没有列名行，请使用下载的模板"));
        var letters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (letter, title) in rows[0])
            if (Text(title) is { } t && columns.Contains(t))
                letters.TryAdd(t, letter);
        var missing = columns.Where(c => !letters.ContainsKey(c) && !OptionalColumns.Contains(c)).ToList();
        if (missing.Count > 0)
            return (null, new Unreadable("import.bad_template", $"“{sheet}”工作表缺少列：{string.Join("、", missing)}，请使用下载的模板"));
        var result = new List<RosterRow>();
        for (var i = 1; i < rows.Count; i++)
        {
            var cells = columns.ToDictionary(c => c, c => letters.TryGetValue(c, out var letter) && rows[i].TryGetValue(letter, out var v) ? v : null);
            if (cells.Values.All(v => Text(v) is null))
                continue;
            result.Add(new RosterRow(i + 1, cells));
        }
        return (result, null);
    }
}
