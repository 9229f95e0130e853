using System.Globalization;
using System.Text;

namespace WxQms.Domain.Rules.Bot;

public enum BotCommand
{
    None,
    Help,
    Tasks,
    Ranking,
    Bind,
    Unbind,
    Cancel,
    Number,
}

/// <summary>A binding answer: the name and the last four digits of the phone number.</summary>
public sealed record BindAnswer(string Name, string PhoneTail);

/// <summary>
/// Reads what a user typed to the official account. Pure: no state, no I/O. Full-width characters
/// (a Chinese keyboard's １２３４, the ideographic space and punctuation) count as their ASCII twins.
/// </summary>
public static class BotText
{
    public const int MaxNameLength = 20;

    public static BotCommand Command(string? text, out int number)
    {
        number = 0;
        var t = Normalize(text);
        if (t.Length is > 0 and <= 2 && int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out number) && number > 0)
            return BotCommand.Number;
        return t switch
        {
            "帮助" or "?" or "help" or "菜单" => BotCommand.Help,
            "任务" or "我的任务" => BotCommand.Tasks,
            "排名" => BotCommand.Ranking,
            "绑定" => BotCommand.Bind,
            "解绑" or "解除绑定" => BotCommand.Unbind,
            "取消" => BotCommand.Cancel,
            _ => BotCommand.None,
        };
    }

    /// <summary>
    /// "张三 1234", "张三1234", "张三，1234": a name of Chinese characters or letters (·allowed, as in
    /// minority names) followed by exactly four digits. Null when the text is not of that shape.
    /// </summary>
    public static BindAnswer? ParseBindAnswer(string? text)
    {
        var t = Normalize(text);
        if (t.Length < 5)
            return null;
        var digits = t[^4..];
        if (!digits.All(char.IsAsciiDigit))
            return null;
        var name = t[..^4].TrimEnd(' ', ',', '，', '、', ':', '：', '-', '/').Trim();
        if (name.Length is 0 or > MaxNameLength || name.Any(c => char.IsAsciiDigit(c) || char.IsControl(c)))
            return null;
        return new BindAnswer(name, digits);
    }

    /// <summary>
    /// 「请假 原因」: the text after 请假 (separators trimmed), "" for a bare 请假 (the bot then says how), null when the text
    /// is not a leave request.
    /// </summary>
    public static string? LeaveReason(string? text)
    {
        var t = Normalize(text);
        return t.StartsWith("请假", StringComparison.Ordinal) ? t[2..].TrimStart(' ', ',', '，', '、', ':', '：', '-').Trim() : null;
    }

    /// <summary>Trimmed, full-width forms folded to ASCII, ideographic spaces to plain ones.</summary>
    public static string Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return "";
        var sb = new StringBuilder(text.Length);
        foreach (var c in text.Trim())
        {
            sb.Append(c switch
            {
                '\u3000' => ' ',
                >= '\uFF01' and <= '\uFF5E' and not '，' and not '：' => (char)(c - 0xFEE0),
                _ => c,
            });
        }
        return sb.ToString().Trim();
    }
}
