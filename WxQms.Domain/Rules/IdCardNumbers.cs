namespace WxQms.Domain.Rules;

/// <summary>
/// Mainland resident ID-card numbers (GB 11643-1999): eighteen characters, seventeen digits and a check character
/// (0-9 or X) computed from them. Pure: checking, normalising and masking; storing them encrypted is
/// <c>Services.IdCardProtector</c>'s work.
/// </summary>
public static class IdCardNumbers
{
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckCharacters = "10X98765432";

    /// <summary>The number in its stored form (trimmed, upper-case X), or null when it is not a valid number.</summary>
    public static string? Normalize(string? input)
    {
        var s = input?.Trim().ToUpperInvariant();
        if (s is not { Length: 18 })
            return null;
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            if (s[i] is < '0' or > '9')
                return null;
            sum += (s[i] - '0') * Weights[i];
        }
        if (s[17] != CheckCharacters[sum % 11])
            return null;
        return BirthDate(s) is null ? null : s;
    }

    /// <summary>The date of birth the number encodes (characters 7-14), or null when it is no date.</summary>
    public static DateOnly? BirthDate(string number) =>
        number.Length == 18 && DateOnly.TryParseExact(number.AsSpan(6, 8), "yyyyMMdd", out var d) ? d : null;

    /// <summary>The last four characters, by which staff search.</summary>
    public static string LastFour(string number) => number[^4..];

    /// <summary>Whether <paramref name="text"/> is a number as <see cref="Mask"/> shows it (first four, asterisks, last four).</summary>
    public static bool IsMask(string text) => text.Length == 18 && text[4..^4].All(c => c == '*') && !text[..4].Contains('*')
        && !text[^4..].Contains('*');

    /// <summary>What a viewer without a need for the number sees: <c>4101**********123X</c>.</summary>
    public static string Mask(string number) => number.Length < 8 ? new string('*', number.Length) : number[..4] + new string('*', number.Length - 8) + number[^4..];
}
