using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;

namespace WxQms.Domain.Storage;

public static class JsonDefaults
{
    /// <summary>camelCase, enums as camelCase strings, Chinese left readable; HTML-sensitive characters stay escaped.</summary>
    public static readonly JsonSerializerOptions Storage = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        o.Encoder = JavaScriptEncoder.Create(UnicodeRanges.All);
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        return o;
    }
}
