using System.Buffers;
using System.Globalization;
using System.Text;
using System.Xml;

namespace WxQms.Domain.Wechat;

/// <summary>
/// Callback XML in and passive-reply XML out (PROTOCOL §1.3–§1.8, §2.3).
/// <para>
/// Reading gives a small tree (<see cref="WechatXmlNode"/>) and, from it, a flat view
/// (<see cref="Flatten"/>): each leaf under the root keyed by its dotted path below <c>&lt;xml&gt;</c>
/// (<c>Content</c>, <c>ScanCodeInfo.ScanResult</c>). A path that occurs more than once — the
/// <c>List</c> items of subscribe-message events, <c>PicList.item</c> — is left out of the flat view
/// on purpose, so nobody silently reads only the first item; walk the tree for those.
/// </para>
/// </summary>
public static class WechatXml
{
    /// <summary>Real callbacks are a few KB; 1 MB leaves room and still bounds the work per request.</summary>
    public const int DefaultMaxCharacters = 1 << 20;

    private const int MaxDepth = 16;

    private static readonly XmlWriterSettings WriterSettings = new()
    {
        OmitXmlDeclaration = true,
        Indent = false,
        NewLineHandling = NewLineHandling.None,
        ConformanceLevel = ConformanceLevel.Document,
        // Left on as a backstop: RemoveInvalidXmlChars has already dropped what XML 1.0 cannot hold.
        CheckCharacters = true,
    };

    /// <summary>
    /// Parses a callback body whose root is <c>&lt;xml&gt;</c>. A DTD (and with it every entity
    /// declaration, internal or external) is refused before anything is resolved.
    /// </summary>
    /// <exception cref="WechatXmlException">Not well-formed, too large, too deep, a DTD, or another root.</exception>
    public static WechatXmlNode Parse(string xml, int maxCharacters = DefaultMaxCharacters)
    {
        ArgumentNullException.ThrowIfNull(xml);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCharacters);
        if (xml.Length > maxCharacters)
            throw new WechatXmlException($"The XML has {xml.Length} characters; the limit is {maxCharacters}.");

        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            CheckCharacters = false,
            MaxCharactersInDocument = maxCharacters,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            IgnoreWhitespace = false,
            CloseInput = true,
        };

        try
        {
            // .NET still rejects raw control characters even with CheckCharacters = false (that flag
            // only admits character references such as &#1;), and WeChat forwards them inside CDATA
            // (PROTOCOL §1.8). They carry nothing a handler needs, so they are dropped up front.
            using var reader = XmlReader.Create(new StringReader(RemoveInvalidXmlChars(xml)), settings);
            return Read(reader);
        }
        catch (XmlException e)
        {
            throw new WechatXmlException($"The XML is not acceptable: {e.Message}", e);
        }
    }

    /// <summary>Leaves keyed by dotted path below the root; repeated paths are omitted (see the type's remarks).</summary>
    public static IReadOnlyDictionary<string, string> Flatten(WechatXmlNode root)
    {
        ArgumentNullException.ThrowIfNull(root);

        var leaves = new List<KeyValuePair<string, string>>();
        foreach (var child in root.Children)
            CollectLeaves(child, child.Name, leaves);

        var repeated = leaves.GroupBy(l => l.Key, StringComparer.Ordinal)
            .Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        return leaves.Where(l => !repeated.Contains(l.Key)).ToDictionary(StringComparer.Ordinal);
    }

    public static string WriteReply(PassiveReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);

        return Write(w =>
        {
            WriteCDataElement(w, "ToUserName", reply.ToUserName);
            WriteCDataElement(w, "FromUserName", reply.FromUserName);
            w.WriteElementString("CreateTime", reply.CreateTime.ToString(CultureInfo.InvariantCulture));
            switch (reply)
            {
                case TextReply text:
                    WriteCDataElement(w, "MsgType", "text");
                    WriteCDataElement(w, "Content", text.Content);
                    break;

                case ImageReply image:
                    WriteCDataElement(w, "MsgType", "image");
                    w.WriteStartElement("Image");
                    WriteCDataElement(w, "MediaId", image.MediaId);
                    w.WriteEndElement();
                    break;

                case NewsReply news:
                    if (news.Articles.Count is < 1 or > NewsReply.MaxArticles)
                        throw new ArgumentException(
                            $"A news reply carries 1 to {NewsReply.MaxArticles} articles, got {news.Articles.Count}.",
                            nameof(reply));
                    WriteCDataElement(w, "MsgType", "news");
                    w.WriteElementString("ArticleCount", news.Articles.Count.ToString(CultureInfo.InvariantCulture));
                    w.WriteStartElement("Articles");
                    foreach (var article in news.Articles)
                    {
                        w.WriteStartElement("item");
                        WriteCDataElement(w, "Title", article.Title);
                        WriteCDataElement(w, "Description", article.Description);
                        WriteCDataElement(w, "PicUrl", article.PicUrl);
                        WriteCDataElement(w, "Url", article.Url);
                        w.WriteEndElement();
                    }
                    w.WriteEndElement();
                    break;

                default:
                    throw new ArgumentException($"Unsupported reply type {reply.GetType().Name}.", nameof(reply));
            }
        });
    }

    /// <summary>The safe-mode reply body (PROTOCOL §2.3); note WeChat's capitalisation of TimeStamp.</summary>
    public static string WriteEncryptedEnvelope(string encrypt, string msgSignature, string timeStamp, string nonce)
    {
        ArgumentNullException.ThrowIfNull(encrypt);
        ArgumentNullException.ThrowIfNull(msgSignature);
        ArgumentNullException.ThrowIfNull(timeStamp);
        ArgumentNullException.ThrowIfNull(nonce);

        // Every safe-mode reply takes this path: Base64, hex and digits need no escaping and no CDATA splitting, so
        // they are written as the XmlWriter would write them, without its ~20 KB of buffers per reply.
        if (IsPlainToken(encrypt) && IsPlainToken(msgSignature) && IsPlainToken(timeStamp) && IsPlainToken(nonce))
            return $"<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt><MsgSignature><![CDATA[{msgSignature}]]></MsgSignature><TimeStamp>{timeStamp}</TimeStamp><Nonce><![CDATA[{nonce}]]></Nonce></xml>";
        return Write(w =>
        {
            WriteCDataElement(w, "Encrypt", encrypt);
            WriteCDataElement(w, "MsgSignature", msgSignature);
            w.WriteElementString("TimeStamp", timeStamp);
            WriteCDataElement(w, "Nonce", nonce);
        });
    }

    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");

    private static bool IsPlainToken(string value) => value.Length > 0 && !value.AsSpan().ContainsAnyExcept(TokenChars);

    /// <summary>
    /// Drops what XML 1.0 cannot carry even escaped: C0 controls other than tab, LF and CR,
    /// U+FFFE/U+FFFF and unpaired surrogates. Dropping beats replacing with U+FFFD, which would
    /// show up as a box in the user's chat.
    /// </summary>
    public static string RemoveInvalidXmlChars(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (IsAllValid(text))
            return text;

        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (XmlConvert.IsXmlChar(c))
                sb.Append(c);
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                sb.Append(c).Append(text[++i]);
        }
        return sb.ToString();
    }

    private static bool IsAllValid(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (XmlConvert.IsXmlChar(c))
                continue;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            return false;
        }
        return true;
    }

    private static WechatXmlNode Read(XmlReader reader)
    {
        var open = new Stack<NodeBuilder>();
        WechatXmlNode? root = null;

        while (reader.Read())
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Element:
                    if (open.Count == 0 && reader.Name != "xml")
                        throw new WechatXmlException($"The root element is <{reader.Name}>; WeChat sends <xml>.");
                    if (open.Count >= MaxDepth)
                        throw new WechatXmlException($"Elements are nested deeper than {MaxDepth} levels.");
                    var builder = new NodeBuilder(reader.Name);
                    if (reader.IsEmptyElement)
                        Close(builder, open, ref root);
                    else
                        open.Push(builder);
                    break;

                case XmlNodeType.Text:
                case XmlNodeType.CDATA:
                case XmlNodeType.Whitespace:
                case XmlNodeType.SignificantWhitespace:
                    if (open.Count > 0)
                        open.Peek().Text.Append(reader.Value);
                    break;

                case XmlNodeType.EndElement:
                    Close(open.Pop(), open, ref root);
                    break;
            }
        }

        return root ?? throw new WechatXmlException("The XML has no root element.");
    }

    private static void Close(NodeBuilder builder, Stack<NodeBuilder> open, ref WechatXmlNode? root)
    {
        var text = builder.Text.ToString();
        // Indentation between child elements is not a value; a leaf keeps its text exactly.
        if (builder.Children.Count > 0 && string.IsNullOrWhiteSpace(text))
            text = "";
        var node = new WechatXmlNode(builder.Name, text, builder.Children);
        if (open.Count > 0)
            open.Peek().Children.Add(node);
        else
            root = node;
    }

    private static void CollectLeaves(WechatXmlNode node, string path, List<KeyValuePair<string, string>> leaves)
    {
        if (node.IsLeaf)
        {
            leaves.Add(new(path, node.Value));
            return;
        }
        foreach (var child in node.Children)
            CollectLeaves(child, path + "." + child.Name, leaves);
    }

    private static string Write(Action<XmlWriter> body)
    {
        var sb = new StringBuilder();
        using (var w = XmlWriter.Create(sb, WriterSettings))
        {
            w.WriteStartElement("xml");
            body(w);
            w.WriteEndElement();
        }
        return sb.ToString();
    }

    /// <summary>
    /// Text goes out as CDATA, as WeChat's own samples do. A <c>]]&gt;</c> inside the text would end
    /// the section, so the text is split there across two sections, and newlines are normalised to
    /// LF because WeChat's iPhone client renders CR LF as two line breaks (PROTOCOL §10.3).
    /// </summary>
    private static void WriteCDataElement(XmlWriter w, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(value, name);

        var rest = RemoveInvalidXmlChars(value).Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        w.WriteStartElement(name);
        int end;
        while ((end = rest.IndexOf("]]>", StringComparison.Ordinal)) >= 0)
        {
            w.WriteCData(rest[..(end + 2)]);
            rest = rest[(end + 2)..];
        }
        w.WriteCData(rest);
        w.WriteEndElement();
    }

    private sealed class NodeBuilder(string name)
    {
        public string Name { get; } = name;
        public StringBuilder Text { get; } = new();
        public List<WechatXmlNode> Children { get; } = [];
    }
}

/// <summary>
/// One element of a callback body. <see cref="Value"/> is the element's own text (CDATA and text
/// joined, entities decoded); for an element with children it is empty unless it had real mixed text.
/// </summary>
public sealed class WechatXmlNode(string name, string value, IReadOnlyList<WechatXmlNode> children)
{
    public string Name { get; } = name;
    public string Value { get; } = value;
    public IReadOnlyList<WechatXmlNode> Children { get; } = children;

    public bool IsLeaf => Children.Count == 0;

    /// <summary>The first child with this exact name, or null.</summary>
    public WechatXmlNode? Child(string name) => Children.FirstOrDefault(c => c.Name == name);

    public IEnumerable<WechatXmlNode> ChildrenNamed(string name) => Children.Where(c => c.Name == name);

    public override string ToString() => IsLeaf ? $"<{Name}>{Value}" : $"<{Name}> ({Children.Count} children)";
}

public sealed class WechatXmlException : Exception
{
    public WechatXmlException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
