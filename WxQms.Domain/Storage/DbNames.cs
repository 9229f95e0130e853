using System.Text;
using WxQms.Domain.Model;

namespace WxQms.Domain.Storage;

/// <summary>How enums are spelled in the database: snake_case strings, stable across renames in code.</summary>
public static class DbNames
{
    public static string Of<TEnum>(TEnum value) where TEnum : struct, Enum => Snake(value.ToString());

    public static TEnum Parse<TEnum>(string value) where TEnum : struct, Enum =>
        Enum.TryParse<TEnum>(value.Replace("_", ""), ignoreCase: true, out var parsed)
            ? parsed
            : throw new FormatException($"'{value}' is not a {typeof(TEnum).Name}");

    public static string Of(OrgKind kind) => Of<OrgKind>(kind);

    private static string Snake(string pascal)
    {
        var sb = new StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            if (char.IsUpper(pascal[i]) && i > 0)
                sb.Append('_');
            sb.Append(char.ToLowerInvariant(pascal[i]));
        }
        return sb.ToString();
    }
}
