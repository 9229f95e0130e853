using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace WxQms.Domain.Wechat;

/// <summary>
/// A parsed (and, in safe mode, already decrypted) push: the common header typed, everything else
/// through <see cref="Fields"/> (the flat view described on <see cref="WechatXml"/>) or
/// <see cref="Root"/> (the tree, for repeated elements). Accessors return null when WeChat did not
/// send the element. XML and JSON pushes give the same tree (<see cref="WechatPushJson"/>).
/// </summary>
public sealed class InboundMessage
{
    private InboundMessage(WechatXmlNode root, IReadOnlyDictionary<string, string> fields)
    {
        Root = root;
        Fields = fields;
        ToUserName = Required(fields, "ToUserName");
        FromUserName = Token(Required(fields, "FromUserName"), "FromUserName", 64);
        MsgType = Token(Required(fields, "MsgType"), "MsgType", 32);
        if (fields.TryGetValue("Event", out var evt) && evt.Length > 0)
            Token(evt, "Event", 64);
        var createTime = Required(fields, "CreateTime");
        CreateTime = ParseLong(createTime)
            ?? throw new WechatXmlException($"CreateTime '{createTime}' is not a unix time.");
        MsgId = ReadMsgId(fields);
    }

    /// <exception cref="WechatXmlException">Unacceptable XML, or a header field missing or malformed.</exception>
    public static InboundMessage Parse(string xml, int maxCharacters = WechatXml.DefaultMaxCharacters) =>
        From(WechatXml.Parse(xml, maxCharacters));

    /// <summary>A JSON-format push (PROTOCOL §5.7), already decrypted.</summary>
    /// <exception cref="WechatXmlException">Unacceptable JSON, or a header field missing or malformed.</exception>
    public static InboundMessage ParseJson(string json, int maxCharacters = WechatXml.DefaultMaxCharacters) =>
        From(WechatPushJson.Parse(json, maxCharacters));

    /// <exception cref="WechatXmlException">A header field is missing or malformed.</exception>
    public static InboundMessage From(WechatXmlNode root)
    {
        ArgumentNullException.ThrowIfNull(root);
        return new InboundMessage(root, WechatXml.Flatten(root));
    }

    public WechatXmlNode Root { get; }

    public IReadOnlyDictionary<string, string> Fields { get; }

    /// <summary>The account's original id (<c>gh_…</c>).</summary>
    public string ToUserName { get; }

    /// <summary>The sender's openid for this account.</summary>
    public string FromUserName { get; }

    /// <summary>Unix seconds.</summary>
    public long CreateTime { get; }

    public string MsgType { get; }

    /// <summary>
    /// <c>MsgId</c> on ordinary messages, <c>MsgID</c> on TEMPLATESENDJOBFINISH and MASSSENDJOBFINISH
    /// (PROTOCOL §1.5, §11: reading only one spelling is Senparc bug #2605). Zero counts as absent,
    /// as in Senparc, so it can never become a key shared by unrelated pushes.
    /// </summary>
    public long? MsgId { get; }

    public bool IsEvent => MsgType == "event";

    public string? Event => Get("Event");

    public string? EventKey => Get("EventKey");

    public string? Content => Get("Content");

    public string? PicUrl => Get("PicUrl");

    public string? MediaId => Get("MediaId");

    public string? Format => Get("Format");

    public string? Recognition => Get("Recognition");

    public string? ThumbMediaId => Get("ThumbMediaId");

    public string? Title => Get("Title");

    public string? Description => Get("Description");

    public string? Url => Get("Url");

    public string? Label => Get("Label");

    /// <summary>Latitude of a location message (<c>Location_X</c>).</summary>
    public double? LocationX => ParseDouble(Get("Location_X"));

    /// <summary>Longitude of a location message (<c>Location_Y</c>).</summary>
    public double? LocationY => ParseDouble(Get("Location_Y"));

    public string? Ticket => Get("Ticket");

    /// <summary>TEMPLATESENDJOBFINISH: <c>success</c>, <c>failed:user block</c>, <c>failed: system failed</c>, …</summary>
    public string? Status => Get("Status");

    /// <summary>
    /// <c>trace_id</c>: on a <c>wxa_media_check</c> push, the id <c>media_check_async</c> returned, by
    /// which the verdict is matched to its request (PROTOCOL §5.6).
    /// </summary>
    public string? TraceId => Get("trace_id");

    /// <summary>The <c>wxa_media_check</c> event (PROTOCOL §5.6).</summary>
    public bool IsMediaCheck => IsEvent && string.Equals(Event, "wxa_media_check", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A version-2 <c>wxa_media_check</c> verdict, <c>result.suggest</c>: <c>pass</c>, <c>review</c> or
    /// <c>risky</c> (PROTOCOL §5.6). Null for other pushes and for version-1 pushes, which send
    /// <c>isrisky</c> instead.
    /// </summary>
    public string? MediaCheckSuggest => IsMediaCheck ? Get("result.suggest") : null;

    /// <summary>
    /// <c>result.label</c> of a <c>wxa_media_check</c> push as a string (<c>100</c> = normal), whether
    /// WeChat sent it as a string or as a number (PROTOCOL §5.6 documents the one and sends the other).
    /// Null for other pushes.
    /// </summary>
    public string? MediaCheckLabel => IsMediaCheck ? Get("result.label") : null;

    /// <summary>
    /// The parametric-QR scene for both binding paths (PROTOCOL §1.5): <c>subscribe</c> carries
    /// <c>qrscene_</c> + scene, <c>SCAN</c> the bare scene. Null for a plain follow and other events.
    /// </summary>
    public string? QrScene
    {
        get
        {
            const string prefix = "qrscene_";
            var key = EventKey;
            if (!IsEvent || string.IsNullOrEmpty(key))
                return null;
            if (string.Equals(Event, "SCAN", StringComparison.OrdinalIgnoreCase))
                return key;
            if (string.Equals(Event, "subscribe", StringComparison.OrdinalIgnoreCase)
                && key.StartsWith(prefix, StringComparison.Ordinal))
                return key[prefix.Length..];
            return null;
        }
    }

    /// <summary>
    /// The <c>List</c> items of subscribe_msg_popup_event, _change_event and _sent_event
    /// (PROTOCOL §1.6), whether one or many; empty for anything else. XML wraps them in
    /// <c>SubscribeMsgPopupEvent</c> (…<c>ChangeEvent</c>, …<c>SentEvent</c>); JSON puts <c>List</c>
    /// — one object or an array — at the top level, which is read for these three events only.
    /// </summary>
    public IReadOnlyList<SubscribeMsgItem> SubscribeMsgItems =>
        Root.Children
            .Where(c => c.Name is "SubscribeMsgPopupEvent" or "SubscribeMsgChangeEvent" or "SubscribeMsgSentEvent")
            .SelectMany(c => c.ChildrenNamed("List"))
            .Concat(IsSubscribeMsgEvent ? Root.ChildrenNamed("List") : [])
            .Select(SubscribeMsgItem.From)
            .ToList();

    private bool IsSubscribeMsgEvent =>
        IsEvent && Event?.ToLowerInvariant() is "subscribe_msg_popup_event" or "subscribe_msg_change_event" or "subscribe_msg_sent_event";

    /// <summary>
    /// The key under which a redelivery of this push is recognised (PROTOCOL §1.7, §10.2, §11).
    /// <list type="bullet">
    /// <item>Messages: <c>msg:ToUserName:FromUserName:MsgId</c>. MsgId alone collides across users
    /// (WxJava#333), and one store may serve several accounts.</item>
    /// <item>Events, and a message that lacks a MsgId:
    /// <c>evt:ToUserName:FromUserName:CreateTime:MsgType:Event:MsgID:trace_id:CardId:UserCardCode:nested:EventKey</c>.
    /// The optional ids keep apart different events of one user in one second (Senparc #1106 card
    /// events, #2605 TEMPLATESENDJOBFINISH, <c>wxa_media_check</c> pushes by <see cref="TraceId"/>);
    /// <c>nested</c> is a short hash of the nested elements, so two subscribe_msg_sent_event pushes
    /// in one second with different List items stay distinct. JSON and XML pushes are keyed alike:
    /// both give the same tree, and a quoted and a bare number the same value.</item>
    /// </list>
    /// Parts are escaped (<c>%</c> → <c>%25</c>, <c>:</c> → <c>%3A</c>) so that no two different
    /// pushes can produce the same key by shifting text between parts. A key longer than
    /// <see cref="MaxKeyLength"/> or with other than printable ASCII (a VIEW tap's OAuth URL, a Chinese
    /// EventKey) is stored as <c>sha256:</c> and the SHA-256 of the whole key, which fits the column.
    /// </summary>
    public string DedupeKey => Bounded(FullDedupeKey);

    /// <summary>The longest key stored as it reads (the column holds 255 ASCII characters).</summary>
    public const int MaxKeyLength = 200;

    private static string Bounded(string key) =>
        key.Length <= MaxKeyLength && key.All(c => c is >= ' ' and <= '~')
            ? key
            : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private string FullDedupeKey
    {
        get
        {
            if (!IsEvent && MsgId is { } id)
                return string.Join(':', "msg", Escape(ToUserName), Escape(FromUserName),
                    id.ToString(CultureInfo.InvariantCulture));

            return string.Join(':',
                "evt",
                Escape(ToUserName),
                Escape(FromUserName),
                CreateTime.ToString(CultureInfo.InvariantCulture),
                Escape(MsgType),
                Escape(Event ?? ""),
                MsgId?.ToString(CultureInfo.InvariantCulture) ?? "",
                Escape(Get("trace_id") ?? ""),
                Escape(Get("CardId") ?? ""),
                Escape(Get("UserCardCode") ?? ""),
                NestedDigest(),
                Escape(EventKey ?? ""));
        }
    }

    /// <summary>A field from the flat view, e.g. <c>Content</c> or <c>ScanCodeInfo.ScanResult</c>; null when absent.</summary>
    public string? Get(string name) => Fields.GetValueOrDefault(name);

    public override string ToString() => $"{MsgType}{(IsEvent ? "/" + Event : "")} from {FromUserName} at {CreateTime}";

    private string NestedDigest()
    {
        var nested = Root.Children.Where(c => !c.IsLeaf).ToList();
        if (nested.Count == 0)
            return "";
        var sb = new StringBuilder();
        foreach (var node in nested)
            AppendCanonical(sb, node);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())).AsSpan(0, 8));
    }

    private static void AppendCanonical(StringBuilder sb, WechatXmlNode node)
    {
        // Length-prefixed, so no choice of names and values makes two different trees read the same.
        sb.Append(node.Name.Length).Append('<').Append(node.Name)
          .Append(node.Value.Length).Append('=').Append(node.Value)
          .Append(node.Children.Count).Append('[');
        foreach (var child in node.Children)
            AppendCanonical(sb, child);
        sb.Append(']');
    }

    private static string Escape(string part) =>
        part.Replace("%", "%25", StringComparison.Ordinal).Replace(":", "%3A", StringComparison.Ordinal);

    /// <summary>
    /// Openids, message types and event names are short runs of visible ASCII (no spaces): anything else is not
    /// WeChat's, and would not fit the ASCII columns a push is kept in.
    /// </summary>
    private static string Token(string value, string name, int maxLength) =>
        value.Length <= maxLength && value.All(c => c is > ' ' and <= '~')
            ? value
            : throw new WechatXmlException($"{name} is not a WeChat identifier.");

    private static string Required(IReadOnlyDictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value)
            ? value
            : throw new WechatXmlException($"The push has no {name}.");

    private static long? ReadMsgId(IReadOnlyDictionary<string, string> fields)
    {
        // Both documented spellings first; any other casing only as a last resort, since
        // PROTOCOL §1.4 says to read this one tag case-insensitively.
        var value = fields.GetValueOrDefault("MsgId") ?? fields.GetValueOrDefault("MsgID")
            ?? fields.FirstOrDefault(f => string.Equals(f.Key, "MsgId", StringComparison.OrdinalIgnoreCase)).Value;
        return PositiveLong(value);
    }

    internal static long? PositiveLong(string? value) => ParseLong(value) is > 0 and var id ? id : null;

    private static long? ParseLong(string? value) =>
        long.TryParse(value?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static double? ParseDouble(string? value) =>
        double.TryParse(value?.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
}

/// <summary>
/// One <c>List</c> item of a subscribe-message event (PROTOCOL §1.6). <c>SubscribeStatus</c> is
/// <c>accept</c> or <c>reject</c> on popup and change events; sent events carry <c>MsgId</c>,
/// <c>ErrorCode</c> and <c>ErrorStatus</c> instead.
/// </summary>
public sealed record SubscribeMsgItem(
    string TemplateId, string? SubscribeStatus, string? PopupScene, long? MsgId, string? ErrorCode, string? ErrorStatus)
{
    internal static SubscribeMsgItem From(WechatXmlNode list)
    {
        string? Leaf(string name) => list.Child(name)?.Value;

        var msgId = list.Children.FirstOrDefault(c => string.Equals(c.Name, "MsgId", StringComparison.OrdinalIgnoreCase));
        return new SubscribeMsgItem(Leaf("TemplateId") ?? "", Leaf("SubscribeStatusString"), Leaf("PopupScene"),
            InboundMessage.PositiveLong(msgId?.Value), Leaf("ErrorCode"), Leaf("ErrorStatus"));
    }
}
