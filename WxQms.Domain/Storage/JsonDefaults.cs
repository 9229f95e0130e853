using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace WxQms.Domain.Storage;

public static class JsonDefaults
{
    /// <summary>camelCase, enums as camelCase strings, Chinese and quotes left readable. (This is JSON
    /// served as application/json, never inlined into HTML, so HTML-sensitive escaping buys nothing.)</summary>
    public static readonly JsonSerializerOptions Storage = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        o.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        return o;
    }
}
