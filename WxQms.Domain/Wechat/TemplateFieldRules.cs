using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace WxQms.Domain.Wechat;

/// <summary>The kind of a template field, read from its key: <c>thing1</c> → <see cref="Thing"/>.</summary>
public enum TemplateFieldType
{
    /// <summary>Old-template keys (<c>keyword1</c>, <c>first</c>, <c>remark</c>) and unknown prefixes: no type rule.</summary>
    Untyped,
    Thing,
    Number,
    Letter,
    Symbol,
    CharacterString,
    Time,
    Date,
    Amount,
    PhoneNumber,
    CarNumber,
    Name,
    Phrase,
    /// <summary>One of the template's enumerated values; only the template knows them.</summary>
    Enum,
    /// <summary>Fixed by the template.</summary>
    Const,
    /// <summary>Undocumented (PROTOCOL §4.4); held to the <see cref="Thing"/> rule.</summary>
    ShortThing,
}

/// <summary>A value WeChat would refuse with 47003; <see cref="ErrMsg"/> is WeChat's own wording.</summary>
public sealed record TemplateFieldViolation(string Field, string Reason)
{
    public string ErrMsg => $"argument invalid! data.{Field}.value invalid";

    public override string ToString() => $"{ErrMsg}: {Reason}";
}

/// <summary>
/// The field-type rules of category templates and subscribe messages (PROTOCOL §4.4, §5.3), checked
/// before a send so that a value WeChat would refuse with 47003 fails here, naming the field, without
/// spending quota. Pure: no I/O.
/// <para>
/// Characters are counted as Unicode code points, every letter, digit and symbol as one (the
/// subscribe-message rule; OA templates are said to count a run of letters/digits as one, so this is
/// the stricter count). Control characters and line breaks are refused in every field, typed or not,
/// and so are empty or blank values. Old-template keys have no type: WeChat folds values over 20
/// characters instead of refusing them, so length is not checked there.
/// </para>
/// </summary>
public static partial class TemplateFieldRules
{
    /// <summary>The longest type prefix first, so <c>short_thing1</c> is not read as <c>thing</c>.</summary>
    private static readonly (string Prefix, TemplateFieldType Type)[] Prefixes =
    [
        ("character_string", TemplateFieldType.CharacterString),
        ("phone_number", TemplateFieldType.PhoneNumber),
        ("short_thing", TemplateFieldType.ShortThing),
        ("car_number", TemplateFieldType.CarNumber),
        ("amount", TemplateFieldType.Amount),
        ("letter", TemplateFieldType.Letter),
        ("number", TemplateFieldType.Number),
        ("phrase", TemplateFieldType.Phrase),
        ("symbol", TemplateFieldType.Symbol),
        ("const", TemplateFieldType.Const),
        ("thing", TemplateFieldType.Thing),
        ("name", TemplateFieldType.Name),
        ("time", TemplateFieldType.Time),
        ("date", TemplateFieldType.Date),
        ("enum", TemplateFieldType.Enum),
    ];

    /// <summary>The type named by a key: a known prefix followed by digits (<c>thing1</c>, <c>thing01</c>).</summary>
    public static TemplateFieldType TypeOf(string key)
    {
        var digits = key.Length;
        while (digits > 0 && char.IsAsciiDigit(key[digits - 1]))
            digits--;
        if (digits == key.Length)
            return TemplateFieldType.Untyped; // first, remark: no number, no type
        var prefix = key.AsSpan(0, digits);
        foreach (var (p, type) in Prefixes)
        {
            if (prefix.SequenceEqual(p))
                return type;
        }
        return TemplateFieldType.Untyped; // keyword1 and anything WeChat does not type
    }

    /// <summary>Every field WeChat would refuse, in the order given. Empty means the data may be sent.</summary>
    public static IReadOnlyList<TemplateFieldViolation> Validate(IReadOnlyDictionary<string, string> data)
    {
        var violations = new List<TemplateFieldViolation>();
        foreach (var (key, value) in data)
        {
            if (Check(key, value) is { } violation)
                violations.Add(violation);
        }
        return violations;
    }

    /// <summary>One field: null when WeChat would accept it.</summary>
    public static TemplateFieldViolation? Check(string key, string? value)
    {
        var reason = Reason(TypeOf(key), value ?? "");
        return reason is null ? null : new TemplateFieldViolation(key, reason);
    }

    private static string? Reason(TemplateFieldType type, string value)
    {
        if (string.IsNullOrWhiteSpace(value))
            return "值为空";
        if (value.EnumerateRunes().Any(IsControlOrLineBreak))
            return "含有换行或控制字符";

        var length = Length(value);
        return type switch
        {
            TemplateFieldType.Thing or TemplateFieldType.ShortThing => length > 20 ? $"thing 最多 20 个字符，实际 {length} 个" : null,
            TemplateFieldType.Number => !NumberPattern().IsMatch(value) ? "number 只能是数字，可带小数点"
                : length > 32 ? $"number 最多 32 位，实际 {length} 位" : null,
            TemplateFieldType.Letter => !LetterPattern().IsMatch(value) ? "letter 只能是英文字母"
                : length > 32 ? $"letter 最多 32 个字母，实际 {length} 个" : null,
            TemplateFieldType.Symbol => !value.EnumerateRunes().All(IsSymbol) ? "symbol 只能是符号"
                : length > 5 ? $"symbol 最多 5 个符号，实际 {length} 个" : null,
            TemplateFieldType.CharacterString => !value.EnumerateRunes().All(r => r.Value is >= 0x20 and <= 0x7E)
                    ? "character_string 只能是数字、字母或符号，不能有中文"
                : length > 32 ? $"character_string 最多 32 个字符，实际 {length} 个" : null,
            TemplateFieldType.Time => IsTime(value) ? null : "time 须为 24 小时制时间，可带日期，区间用 ~ 连接（如 15:01、2019年10月1日 15:01）",
            TemplateFieldType.Date => IsDate(value) ? null : "date 须为日期，可带时间，区间用 ~ 连接（如 2019年10月1日、2018-01-01、01-01）",
            TemplateFieldType.Amount => AmountReason(value),
            TemplateFieldType.PhoneNumber => PhoneReason(value, length),
            TemplateFieldType.CarNumber => CarNumberReason(value, length),
            TemplateFieldType.Name => NameReason(value, length),
            TemplateFieldType.Phrase => !value.EnumerateRunes().All(IsHan) ? "phrase 只能是汉字"
                : length > 5 ? $"phrase 最多 5 个汉字，实际 {length} 个" : null,
            _ => null, // Untyped, Enum, Const: only the template knows more
        };
    }

    /// <summary>Code points, so an emoji or a rare character outside the BMP counts once.</summary>
    private static int Length(string value) => value.EnumerateRunes().Count();

    private static bool IsControlOrLineBreak(Rune r) =>
        Rune.IsControl(r) || r.Value is 0x2028 or 0x2029 or 0x85;

    /// <summary>CJK ideographs, including the extension blocks and compatibility ideographs.</summary>
    private static bool IsHan(Rune r) => r.Value is
        (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0xF900 and <= 0xFAFF)
        or (>= 0x20000 and <= 0x2EBEF) or (>= 0x30000 and <= 0x323AF);

    private static bool IsSymbol(Rune r) => Rune.IsPunctuation(r) || Rune.IsSymbol(r);

    private static bool IsAsciiLetterOrDigit(Rune r) => r.IsAscii && char.IsAsciiLetterOrDigit((char)r.Value);

    private static string? AmountReason(string value)
    {
        var m = AmountPattern().Match(value);
        if (!m.Success)
            return "amount 须为 1 个币种符号加数字，可带小数，结尾可带“元”（如 ¥100.00、100元）";
        var digits = m.Groups["int"].Length + m.Groups["frac"].Length;
        return digits > 10 ? $"amount 最多 10 位数字，实际 {digits} 位" : null;
    }

    private static string? PhoneReason(string value, int length)
    {
        if (!value.EnumerateRunes().All(r => r.IsAscii && (char.IsAsciiDigit((char)r.Value) || IsSymbol(r) || r.Value == ' ')))
            return "phone_number 只能是数字和符号（如 +86-0766-66888866）";
        if (!value.Any(char.IsAsciiDigit))
            return "phone_number 没有数字";
        return length > 17 ? $"phone_number 最多 17 个字符，实际 {length} 个" : null;
    }

    /// <summary>豫A12345, 豫AD12345, 豫A1234学: Chinese only first or last, letters and digits between.</summary>
    private static string? CarNumberReason(string value, int length)
    {
        if (length > 8)
            return $"car_number 最多 8 个字符，实际 {length} 个";
        var runes = value.EnumerateRunes().ToArray();
        for (var i = 0; i < runes.Length; i++)
        {
            var edge = i == 0 || i == runes.Length - 1;
            if (!(IsAsciiLetterOrDigit(runes[i]) || (edge && IsHan(runes[i]))))
                return "car_number 只能是字母和数字，首尾可为汉字";
        }
        return null;
    }

    /// <summary>≤ 10 Chinese characters, or ≤ 20 letters/symbols; any Chinese makes it count as Chinese.</summary>
    private static string? NameReason(string value, int length)
    {
        if (!value.EnumerateRunes().All(r => Rune.IsLetter(r) || IsSymbol(r) || r.Value == ' '))
            return "name 只能是汉字、字母或符号";
        var chinese = value.EnumerateRunes().Any(r => !r.IsAscii);
        return chinese && length > 10 ? $"name 含中文时最多 10 个字符，实际 {length} 个"
            : !chinese && length > 20 ? $"name 纯字母时最多 20 个字符，实际 {length} 个"
            : null;
    }

    // ---- time and date ------------------------------------------------------------------------

    private static bool IsTime(string value) => IsRange(value, requireClock: true);

    private static bool IsDate(string value) => IsRange(value, requireClock: false);

    /// <summary>One moment or two joined by ~; the second may be a bare clock (2019年10月1日 08:00~12:00).</summary>
    private static bool IsRange(string value, bool requireClock)
    {
        var parts = value.Split('~');
        if (parts.Length > 2)
            return false;
        if (!IsMoment(parts[0].Trim(), requireClock, out var firstHasClock))
            return false;
        if (parts.Length == 1)
            return true;
        var second = parts[1].Trim();
        return IsMoment(second, requireClock, out _) || (firstHasClock && IsClock(second));
    }

    /// <summary>Time fields: [date ] clock. Date fields: date [clock].</summary>
    private static bool IsMoment(string s, bool requireClock, out bool hasClock)
    {
        hasClock = false;
        if (s.Length == 0 || s != s.Trim())
            return false;
        var space = s.LastIndexOf(' ');
        if (space < 0)
        {
            hasClock = requireClock && IsClock(s);
            return requireClock ? hasClock : IsCalendarDate(s);
        }
        var (datePart, clockPart) = (s[..space].TrimEnd(), s[(space + 1)..]);
        hasClock = IsClock(clockPart);
        return hasClock && IsCalendarDate(datePart);
    }

    private static bool IsClock(string s)
    {
        var m = ClockPattern().Match(s);
        return m.Success && Int(m, "h") <= 23 && Int(m, "m") <= 59 && (!m.Groups["s"].Success || Int(m, "s") <= 59);
    }

    private static bool IsCalendarDate(string s)
    {
        var m = DatePattern().Match(s);
        if (!m.Success)
            return false;
        var hasYear = m.Groups["y"].Success;
        var month = Int(m, "mo");
        if (month is < 1 or > 12)
            return false;
        if (!m.Groups["d"].Success)
            return hasYear; // 2018-01 and 2018年1月 name a month; a bare month is not a date
        var year = hasYear ? Int(m, "y") : 2000; // no year: allow 29 February
        return year >= 1 && Int(m, "d") >= 1 && Int(m, "d") <= DateTime.DaysInMonth(year, month);
    }

    private static int Int(Match m, string group) => int.Parse(m.Groups[group].ValueSpan, CultureInfo.InvariantCulture);

    [GeneratedRegex("^[0-9]+(\\.[0-9]+)?$")]
    private static partial Regex NumberPattern();

    [GeneratedRegex("^[A-Za-z]+$")]
    private static partial Regex LetterPattern();

    [GeneratedRegex("^[¥￥$€£]?(?<int>[0-9]+)(\\.(?<frac>[0-9]+))?元?$")]
    private static partial Regex AmountPattern();

    [GeneratedRegex("^(?<h>[0-9]{1,2}):(?<m>[0-9]{2})(:(?<s>[0-9]{2}))?$")]
    private static partial Regex ClockPattern();

    /// <summary>2019年10月1日, 2019年10月, 10月1日, 2018-01-01, 2018/01/01, 2018.01.01, 2018-01, 01-01.</summary>
    [GeneratedRegex("""
        ^(?:
            (?:(?<y>[0-9]{4})年)?(?<mo>[0-9]{1,2})月(?:(?<d>[0-9]{1,2})[日号])?
          | (?<y>[0-9]{4})(?<sep>[-/.])(?<mo>[0-9]{1,2})(?:\k<sep>(?<d>[0-9]{1,2}))?
          | (?<mo>[0-9]{1,2})[-/](?<d>[0-9]{1,2})
        )$
        """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex DatePattern();
}
