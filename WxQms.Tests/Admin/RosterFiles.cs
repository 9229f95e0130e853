using System.Globalization;
using System.Net.Http.Headers;
using MiniExcelLibs;
using WxQms.Domain.Rules;

namespace WxQms.Tests.Admin;

/// <summary>
/// Roster workbooks written by the tests themselves (MiniExcel, the template's sheet and column titles), and valid
/// ID-card numbers of nobody, so the import tests do not depend on the product's writer.
/// </summary>
public static class RosterFiles
{
    public sealed class Book
    {
        public List<Dictionary<string, object?>> Orgs { get; } = [];

        public List<Dictionary<string, object?>> Members { get; } = [];

        public Book Org(string code, string name, string kind, string parent, string? established = null)
        {
            Orgs.Add(new() { ["组织编码"] = code, ["组织名称"] = name, ["组织类别"] = kind, ["上级组织编码"] = parent, ["成立日期"] = established ?? "" });
            return this;
        }

        public Book Member(string org, string name, string? idCard, string? phone, string status = "正式党员", string? admitted = null,
            string roles = "", string? since = null, string sex = "女", string? birth = null, string? joined = "2010-07-01", string? ended = null)
        {
            Members.Add(new()
            {
                ["所属组织编码"] = org, ["姓名"] = name, ["性别"] = sex, ["出生日期"] = birth ?? "", ["身份证号"] = idCard ?? "",
                ["手机号"] = phone ?? "", ["党员状态"] = status, ["入党日期"] = joined ?? "", ["接收预备党员日期"] = admitted ?? "",
                ["退休"] = "否", ["流动党员"] = "否", ["职务"] = roles, ["任职日期"] = since ?? "",
            });
            if (ended is not null) // the optional column (files made before it existed have none)
                Members[^1]["卸任职务"] = ended;
            return this;
        }

        public byte[] Bytes()
        {
            var sheets = new Dictionary<string, object>
            {
                ["组织"] = Orgs.Count > 0 ? Orgs : [Empty(RosterSheet.OrgColumns)],
                ["党员"] = Members.Count > 0 ? Members : [Empty(RosterSheet.MemberColumns)],
            };
            using var stream = new MemoryStream();
            stream.SaveAs(sheets, excelType: ExcelType.XLSX);
            return stream.ToArray();
        }

        private static Dictionary<string, object?> Empty(IEnumerable<string> columns) => columns.ToDictionary(c => c, _ => (object?)"");
    }

    /// <summary>A valid number (GB 11643) born on the given day, told apart by <paramref name="n"/> (0–999).</summary>
    public static string IdCard(int n, DateOnly? birth = null)
    {
        var head = "320102" + (birth ?? new DateOnly(1980, 1, 1)).ToString("yyyyMMdd", CultureInfo.InvariantCulture) + n.ToString("000", CultureInfo.InvariantCulture);
        foreach (var c in "0123456789X")
            if (IdCardNumbers.Normalize(head + c) is { } valid)
                return valid;
        throw new InvalidOperationException(head);
    }

    /// <summary>A phone number of the tests' own range (the demo draws from real prefixes, never 166).</summary>
    public static string Phone(int n) => "1660" + n.ToString("0000000", CultureInfo.InvariantCulture);

    public static MultipartFormDataContent Upload(byte[] bytes, string name = "名册.xlsx")
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        form.Add(file, "file", name);
        return form;
    }
}
