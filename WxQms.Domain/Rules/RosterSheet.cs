using System.Globalization;
using WxQms.Domain.Model;

namespace WxQms.Domain.Rules;

/// <summary>
/// The roster workbook's contract: its sheets, their columns (the template, the export and the import use exactly
/// these), the words a cell may hold (组织类别, 党员状态, 职务, 是/否) and how a cell is read. Pure.
/// </summary>
public static class RosterSheet
{
    public const string OrgSheet = "组织";
    public const string MemberSheet = "党员";
    public const string HelpSheet = "填写说明";

    public const string OrgCode = "组织编码";
    public const string OrgName = "组织名称";
    public const string OrgKindColumn = "组织类别";
    public const string ParentCode = "上级组织编码";
    public const string EstablishedOn = "成立日期";

    public static readonly IReadOnlyList<string> OrgColumns = [OrgCode, OrgName, OrgKindColumn, ParentCode, EstablishedOn];

    public const string MemberOrg = "所属组织编码";
    public const string Name = "姓名";
    public const string SexColumn = "性别";
    public const string BirthDate = "出生日期";
    public const string IdCard = "身份证号";
    public const string Phone = "手机号";
    public const string Status = "党员状态";
    public const string JoinedOn = "入党日期";
    public const string AdmittedOn = "接收预备党员日期";
    public const string Retired = "退休";
    public const string Mobile = "流动党员";
    public const string RolesColumn = "职务";
    public const string RolesSince = "任职日期";

    /// <summary>Roles the member no longer holds (as in 职务), ended on the day of the import; the export leaves it blank.</summary>
    public const string RolesEnded = "卸任职务";

    public static readonly IReadOnlyList<string> MemberColumns =
        [MemberOrg, Name, SexColumn, BirthDate, IdCard, Phone, Status, JoinedOn, AdmittedOn, Retired, Mobile, RolesColumn, RolesSince, RolesEnded];

    /// <summary>Columns a file may lack (files made from the template before the column existed): read as blank.</summary>
    public static readonly IReadOnlySet<string> OptionalColumns = new HashSet<string>(StringComparer.Ordinal) { RolesEnded };

    /// <summary>The kinds an import may create, by the words of the sheet.</summary>
    public static readonly IReadOnlyDictionary<string, OrgKind> Kinds = new Dictionary<string, OrgKind>
    {
        ["社区党委"] = OrgKind.CommunityCommittee,
        ["党总支"] = OrgKind.GeneralBranch,
        ["党支部"] = OrgKind.Branch,
        ["党小组"] = OrgKind.PartyGroup,
    };

    public static readonly IReadOnlyDictionary<string, MemberStatus> Statuses = new Dictionary<string, MemberStatus>
    {
        ["正式党员"] = MemberStatus.Full,
        ["预备党员"] = MemberStatus.Probationary,
    };

    /// <summary>The roles a 职务 cell may name (支委 and 委员 are the same role), and the word the export writes.</summary>
    public static readonly IReadOnlyDictionary<string, string> RoleWords = new Dictionary<string, string>
    {
        ["书记"] = Roles.Secretary,
        ["党务工作者"] = Roles.Worker,
        ["委员"] = Roles.Committee,
        ["支委"] = Roles.Committee,
        ["街道党建办"] = Roles.Staff,
        ["督查员"] = Roles.Inspector,
    };

    public static string RoleWord(string role) => role switch
    {
        Roles.Secretary => "书记",
        Roles.Worker => "党务工作者",
        Roles.Committee => "委员",
        Roles.Staff => "街道党建办",
        Roles.Inspector => "督查员",
        _ => role,
    };

    public static string StatusWord(MemberStatus status) => status == MemberStatus.Probationary ? "预备党员" : "正式党员";

    public static string SexWord(Sex sex) => sex == Sex.Female ? "女" : "男";

    public static string YesNo(bool value) => value ? "是" : "否";

    public static string DateText(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";

    /// <summary>
    /// One role of a 职务 cell: <c>书记</c> (held in the member's own org) or <c>书记@DFL-C03</c> (held in another org,
    /// as a community's secretary who sits in a branch). Several are separated by 、 , ， ; or ；.
    /// </summary>
    public sealed record RoleItem(string Word, string? Role, string? OrgCode);

    public static IReadOnlyList<RoleItem> ParseRoles(string cell) =>
        cell.Split(['、', ',', '，', ';', '；'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(item =>
            {
                var at = item.IndexOf('@');
                var word = at < 0 ? item : item[..at].Trim();
                var org = at < 0 ? null : item[(at + 1)..].Trim();
                return new RoleItem(item, RoleWords.GetValueOrDefault(word), org is { Length: > 0 } ? org : null);
            }).ToList();

    /// <summary>A 职务 cell for roles held in <paramref name="ownOrgCode"/> and elsewhere, in a stable order.</summary>
    public static string RolesCell(IEnumerable<(string Role, string OrgCode)> roles, string ownOrgCode) =>
        string.Join("、", roles.Where(r => r.Role != Roles.Member)
            .OrderBy(r => Roles.All.ToList().IndexOf(r.Role)).ThenBy(r => r.OrgCode, StringComparer.Ordinal)
            .Select(r => r.OrgCode == ownOrgCode ? RoleWord(r.Role) : $"{RoleWord(r.Role)}@{r.OrgCode}"));

    /// <summary>A cell as trimmed text (a whole number without decimals), or null when empty.</summary>
    public static string? Text(object? cell) => cell switch
    {
        null => null,
        string s => s.Trim() is { Length: > 0 } t ? t : null,
        double d when d == Math.Floor(d) && Math.Abs(d) < 1e15 => ((long)d).ToString(CultureInfo.InvariantCulture),
        double d => d.ToString(CultureInfo.InvariantCulture),
        DateTime dt => dt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => Convert.ToString(cell, CultureInfo.InvariantCulture)?.Trim() is { Length: > 0 } o ? o : null,
    };

    private static readonly string[] DateFormats = ["yyyy-MM-dd", "yyyy-M-d", "yyyy/M/d", "yyyy.M.d", "yyyyMMdd", "yyyy年M月d日"];

    /// <summary>
    /// A date cell: a date the spreadsheet holds, an Excel serial day number, or text such as 2024-07-01, 2024/7/1,
    /// 2024.7.1 or 2024年7月1日. <paramref name="ok"/> is false for anything else; an empty cell is (null, true).
    /// </summary>
    public static DateOnly? Date(object? cell, out bool ok)
    {
        ok = true;
        switch (cell)
        {
            case null:
                return null;
            case DateTime dt:
                return DateOnly.FromDateTime(dt);
            case double serial when serial is > 1 and < 2958466 && serial == Math.Floor(serial):
                return DateOnly.FromDateTime(DateTime.FromOADate(serial));
        }
        var text = Text(cell);
        if (text is null)
            return null;
        if (DateOnly.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) && date.Year >= 1900)
            return date;
        ok = false;
        return null;
    }

    /// <summary>是/否 (also 1/0, Y/N); empty is null. <paramref name="ok"/> is false for anything else.</summary>
    public static bool? YesNo(object? cell, out bool ok)
    {
        ok = true;
        switch (Text(cell))
        {
            case null:
                return null;
            case "是" or "1" or "Y" or "y" or "TRUE" or "true":
                return true;
            case "否" or "0" or "N" or "n" or "FALSE" or "false":
                return false;
            default:
                ok = false;
                return null;
        }
    }

    /// <summary>A mainland mobile number: eleven digits starting with 1.</summary>
    public static bool IsPhone(string phone) => phone.Length == 11 && phone[0] == '1' && phone.All(char.IsAsciiDigit);

    /// <summary>A phone as a masked export shows it: <c>138****1234</c> (the first three and last four digits).</summary>
    public static string MaskPhone(string phone) => phone.Length < 7 ? "****" : $"{phone[..3]}****{phone[^4..]}";

    /// <summary>Whether a cell is a masked export's phone, <c>138****1234</c>: the stored number stays.</summary>
    public static bool IsPhoneMask(string text) => text.Length == 11 && text[3..7] == "****" && text[0] == '1'
        && text[..3].All(char.IsAsciiDigit) && text[7..].All(char.IsAsciiDigit);
}
