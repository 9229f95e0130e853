using System.Text.RegularExpressions;
using WxQms.Domain.Model;

namespace WxQms.Domain.Rules.Members;

/// <summary>
/// The rules of a member's record and roles, as pure functions: which roles the console appoints and what a member
/// form must hold (one secretary per org is <see cref="Orgs.OrgRules.AppointSecretary"/>). Dates come in as arguments (today in Shanghai).
/// </summary>
public static partial class MemberRules
{
    /// <summary>The roles the console appoints and ends (the plain member role comes with the roster).</summary>
    public static readonly IReadOnlyList<string> AppointableRoles = [Roles.Secretary, Roles.Worker, Roles.Committee, Roles.Staff, Roles.Inspector];

    public const int MaxNameLength = 50;
    public const int MaxReasonLength = 200;

    /// <summary>A mainland mobile number (11 digits starting with 1), trimmed; null when it is not one.</summary>
    public static string? NormalizePhone(string? input)
    {
        var s = input?.Trim().Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        return s is not null && Mobile().IsMatch(s) ? s : null;
    }

    /// <summary>What is wrong with the fields every member form shares, in the order of the form.</summary>
    public static IReadOnlyList<FieldError> CheckRecord(string? name, DateOnly? birthDate, DateOnly? joinedOn, string? phone,
        string? idCard, DateOnly today)
    {
        var errors = new List<FieldError>();
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed))
            errors.Add(new("name", "member.name_required", "请填写姓名。"));
        else if (trimmed.Length > MaxNameLength)
            errors.Add(new("name", "member.name_too_long", $"姓名不能超过 {MaxNameLength} 个字。"));
        if (birthDate is { } b && (b > today || b.Year < 1900))
            errors.Add(new("birthDate", "member.bad_birth_date", "出生日期不正确。"));
        if (joinedOn is { } j && j > today)
            errors.Add(new("joinedOn", "member.bad_joined_on", "入党日期不能晚于今天。"));
        else if (joinedOn is { } j2 && birthDate is { } b2 && j2 < b2.AddYears(18))
            errors.Add(new("joinedOn", "member.bad_joined_on", "入党日期与出生日期不符（入党时应年满十八周岁）。"));
        if (!string.IsNullOrWhiteSpace(phone) && NormalizePhone(phone) is null)
            errors.Add(new("phone", "member.bad_phone", "手机号应为 11 位数字，以 1 开头。"));
        if (!string.IsNullOrWhiteSpace(idCard) && IdCardNumbers.Normalize(idCard) is null)
            errors.Add(new("idCard", "member.bad_id_card", "身份证号不正确（18 位，最后一位为校验码）。"));
        return errors;
    }

    /// <summary>What is wrong with a date an action takes effect on (a move, a death, a role's start or end).</summary>
    public static FieldError? CheckDate(string field, DateOnly? date, DateOnly today, DateOnly? notBefore = null, string? notBeforeText = null)
    {
        if (date is not { } d)
            return new(field, "member.date_required", "请填写日期。");
        if (d > today)
            return new(field, "member.date_in_future", "日期不能晚于今天。");
        if (notBefore is { } nb && d < nb)
            return new(field, "member.date_too_early", $"日期不能早于{notBeforeText ?? nb.ToString("yyyy-MM-dd")}。");
        return null;
    }

    [GeneratedRegex("^1[3-9][0-9]{9}$")]
    private static partial Regex Mobile();
}
