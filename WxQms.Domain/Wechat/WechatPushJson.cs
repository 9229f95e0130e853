using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace WxQms.Domain.Wechat;

/// <summary>
/// JSON-format mini-program pushes (PROTOCOL §5.7) in, and the JSON safe-mode reply envelope out.
/// <para>
/// A push is read into the same <see cref="WechatXmlNode"/> tree the XML path produces, so
/// <see cref="InboundMessage.From"/>, <see cref="WechatXml.Flatten"/> and the dedupe key work
/// unchanged. The root is named <c>xml</c>. Conversion, lenient per PROTOCOL §1.6 and §10.6:
/// </para>
/// <list type="bullet">
/// <item>An object becomes a node whose children are its properties, in document order. An empty
/// object is a leaf with the empty value, like <c>&lt;result&gt;&lt;/result&gt;</c>.</item>
/// <item>An array named <c>X</c> becomes one child named <c>X</c> per item — the shape of repeated
/// XML elements — so <c>"List": {…}</c> and <c>"List": [{…}]</c> give the same tree, and two items
/// drop out of the flat view as repeated XML elements do. An empty array adds nothing (zero items).
/// An array directly inside an array becomes a node named <c>X</c> with its items as children,
/// also named <c>X</c>.</item>
/// <item>A string is its decoded value. Characters XML 1.0 cannot carry are dropped, exactly as the
/// XML path drops them (<see cref="WechatXml.RemoveInvalidXmlChars"/>), so a value is the same
/// whichever format the console is set to and can be echoed into an XML reply.</item>
/// <item>A number is its JSON text as sent (<c>1700000000</c>, <c>0.95</c>): invariant by
/// definition and never rounded, so a 19-digit MsgId survives, and <c>"100"</c> and <c>100</c>
/// read the same.</item>
/// <item><c>true</c>/<c>false</c> become <c>1</c>/<c>0</c>: WeChat's XML spells its flags that way
/// (<c>isrisky</c>, <c>subscribe</c>), so a handler sees one vocabulary in both formats.</item>
/// <item><c>null</c> becomes a leaf with the empty value, like an empty XML element.</item>
/// </list>
/// Nesting is limited to 16 levels like the XML path's, counted the JSON way (the root object is
/// level 1, and arrays count as a level), and the size to the same character limit.
/// </summary>
public static class WechatPushJson
{
    private const int MaxDepth = 16;

    /// <summary>Base64 and Chinese text go out as they are; the reply is never inlined into HTML.</summary>
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>Parses a JSON push (or decrypted JSON message) whose root is an object.</summary>
    /// <exception cref="WechatXmlException">Not valid JSON, too large, too deep, or not an object at the root.</exception>
    public static WechatXmlNode Parse(string json, int maxCharacters = WechatXml.DefaultMaxCharacters)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCharacters);
        if (json.Length > maxCharacters)
            throw new WechatXmlException($"The JSON has {json.Length} characters; the limit is {maxCharacters}.");

        try
        {
            // The XML path's pre-pass (PROTOCOL §1.8): raw control characters, which JSON forbids inside
            // strings, and raw unpaired surrogates, which cannot be transcoded, are dropped rather than
            // losing the push. Escaped ones are handled per value below. A byte-order mark survives
            // decoding the body to a string, and JsonDocument refuses it.
            var text = WechatXml.RemoveInvalidXmlChars(json).AsMemory().TrimStart('\uFEFF');
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions
            {
                MaxDepth = MaxDepth,
                CommentHandling = JsonCommentHandling.Disallow,
                AllowTrailingCommas = false,
            });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new WechatXmlException($"The JSON root is {Describe(root.ValueKind)}; WeChat sends an object.");
            return Convert("xml", root);
        }
        catch (JsonException e)
        {
            throw new WechatXmlException($"The JSON is not acceptable: {e.Message}", e);
        }
    }

    /// <summary>
    /// True when the body is meant as JSON: its first significant character is <c>{</c>. XML pushes
    /// start with <c>&lt;</c>, so this never reroutes one of them.
    /// </summary>
    public static bool LooksLikeJson(string? body) =>
        body is not null && body.AsSpan().TrimStart().TrimStart('\uFEFF').TrimStart().StartsWith("{", StringComparison.Ordinal);

    /// <summary>
    /// The safe-mode reply body for a JSON push: <c>{"Encrypt":…,"MsgSignature":…,"TimeStamp":…,"Nonce":…}</c>,
    /// the names and capitalisation of the XML envelope (PROTOCOL §2.3). <c>TimeStamp</c> is written as
    /// a number, as the XML envelope writes it without CDATA and WeChat's JSON pushes send
    /// <c>CreateTime</c>; its digits are exactly the signed string.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="timeStamp"/> is not canonical unix seconds.</exception>
    public static string WriteEncryptedEnvelope(string encrypt, string msgSignature, string timeStamp, string nonce)
    {
        ArgumentNullException.ThrowIfNull(encrypt);
        ArgumentNullException.ThrowIfNull(msgSignature);
        ArgumentNullException.ThrowIfNull(timeStamp);
        ArgumentNullException.ThrowIfNull(nonce);
        // The number must print back as the very string that was signed: no sign, no leading zeros.
        if (!long.TryParse(timeStamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds.ToString(CultureInfo.InvariantCulture) != timeStamp)
            throw new ArgumentException($"TimeStamp '{timeStamp}' is not canonical unix seconds.", nameof(timeStamp));

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("Encrypt", encrypt);
            w.WriteString("MsgSignature", msgSignature);
            w.WriteNumber("TimeStamp", seconds);
            w.WriteString("Nonce", nonce);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static WechatXmlNode Convert(string name, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var children = new List<WechatXmlNode>();
                foreach (var property in element.EnumerateObject())
                    AddProperty(children, PropertyName(property), property.Value);
                return new WechatXmlNode(name, "", children);

            case JsonValueKind.Array:
                // Only reached for an array inside an array; a property's array is spread by AddProperty.
                var items = new List<WechatXmlNode>();
                AddProperty(items, name, element);
                return new WechatXmlNode(name, "", items);

            default:
                return new WechatXmlNode(name, Scalar(element), []);
        }
    }

    private static void AddProperty(List<WechatXmlNode> siblings, string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            siblings.Add(Convert(name, value));
            return;
        }
        foreach (var item in value.EnumerateArray())
            siblings.Add(Convert(name, item));
    }

    private static string Scalar(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => WechatXml.RemoveInvalidXmlChars(StringValue(element)),
        JsonValueKind.Number => element.GetRawText(),
        JsonValueKind.True => "1",
        JsonValueKind.False => "0",
        _ => "",
    };

    private static string StringValue(JsonElement element)
    {
        try
        {
            return element.GetString() ?? "";
        }
        catch (InvalidOperationException)
        {
            // An escaped unpaired surrogate ("\ud83d" from a cut-off emoji) is valid JSON, but .NET will
            // not turn it into a string. The XML path drops such a character and keeps the message;
            // decode by hand so the caller's RemoveInvalidXmlChars can do the same here.
            return UnescapeRaw(element.GetRawText());
        }
    }

    private static string PropertyName(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException e)
        {
            throw new WechatXmlException("A JSON property name is not valid UTF-16.", e);
        }
    }

    /// <summary>Decodes a string token the reader has already validated, quotes included.</summary>
    private static string UnescapeRaw(string raw)
    {
        var sb = new StringBuilder(raw.Length);
        for (var i = 1; i < raw.Length - 1; i++)
        {
            var c = raw[i];
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }
            var escape = raw[++i];
            switch (escape)
            {
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'u':
                    sb.Append((char)ushort.Parse(raw.AsSpan(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
                    i += 4;
                    break;
                default: sb.Append(escape); break; // \" \\ \/
            }
        }
        return sb.ToString();
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
