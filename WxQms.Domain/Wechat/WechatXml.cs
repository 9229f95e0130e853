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

    /// <summary>
    /// A DTD (and with it every entity declaration) is refused before anything is resolved; <c>CheckCharacters</c> off
    /// admits character references such as <c>&amp;#1;</c>. Immutable once used, so one instance serves every parse.
    /// </summary>
    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        CheckCharacters = false,
        MaxCharactersInDocument = DefaultMaxCharacters,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = false,
        CloseInput = true,
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

        // .NET still rejects raw control characters even with CheckCharacters = false (that flag
        // only admits character references such as &#1;), and WeChat forwards them inside CDATA
        // (PROTOCOL §1.8). They carry nothing a handler needs, so they are dropped up front.
        var text = RemoveInvalidXmlChars(xml);
        var settings = SettingsFor(maxCharacters);
        try
        {
            // The quick reader first: it reads the string in place, where the reader over a StringReader allocates a
            // 4,096-character buffer and more, ~11 KB a parse and two parses per safe-mode push (issue #25). It is
            // stricter, never looser: it refuses character references to what XML cannot hold (&#1;) and reports
            // undeclared entities, so whatever it refuses is read again by the reader below, whose answer (a tree
            // or the error) is the one given, as before.
            using var quick = XmlReader.Create(new XmlTextReader(text, XmlNodeType.Document, null)
            {
                DtdProcessing = DtdProcessing.Prohibit,
                XmlResolver = null,
                Normalization = true,
                EntityHandling = EntityHandling.ExpandEntities,
                WhitespaceHandling = WhitespaceHandling.All,
            }, settings);
            return Read(quick);
        }
        catch (XmlException)
        {
            // Not for the quick reader: judged by the reader below.
        }

        try
        {
            using var reader = XmlReader.Create(new StringReader(text), settings);
            return Read(reader);
        }
        catch (XmlException e)
        {
            throw new WechatXmlException($"The XML is not acceptable: {e.Message}", e);
        }
    }

    private static XmlReaderSettings SettingsFor(int maxCharacters)
    {
        if (maxCharacters == DefaultMaxCharacters)
            return ReaderSettings;
        var limited = ReaderSettings.Clone();
        limited.MaxCharactersInDocument = maxCharacters;
        return limited;
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

        if (reply is NewsReply { Articles.Count: < 1 or > NewsReply.MaxArticles } bad)
            throw new ArgumentException(
                $"A news reply carries 1 to {NewsReply.MaxArticles} articles, got {bad.Articles.Count}.", nameof(reply));
        if (reply is not (TextReply or ImageReply or NewsReply))
            throw new ArgumentException($"Unsupported reply type {reply.GetType().Name}.", nameof(reply));

        var w = ReplyText.Start();
        w.CData("ToUserName", reply.ToUserName);
        w.CData("FromUserName", reply.FromUserName);
        w.Element("CreateTime", reply.CreateTime.ToString(CultureInfo.InvariantCulture));
        switch (reply)
        {
            case TextReply text:
                w.CData("MsgType", "text");
                w.CData("Content", text.Content);
                break;

            case ImageReply image:
                w.CData("MsgType", "image");
                w.Open("Image");
                w.CData("MediaId", image.MediaId);
                w.Close("Image");
                break;

            case NewsReply news:
                w.CData("MsgType", "news");
                w.Element("ArticleCount", news.Articles.Count.ToString(CultureInfo.InvariantCulture));
                w.Open("Articles");
                foreach (var article in news.Articles)
                {
                    w.Open("item");
                    w.CData("Title", article.Title);
                    w.CData("Description", article.Description);
                    w.CData("PicUrl", article.PicUrl);
                    w.CData("Url", article.Url);
                    w.Close("item");
                }
                w.Close("Articles");
                break;
        }
        return w.Finish();
    }

    /// <summary>The safe-mode reply body (PROTOCOL §2.3); note WeChat's capitalisation of TimeStamp.</summary>
    public static string WriteEncryptedEnvelope(string encrypt, string msgSignature, string timeStamp, string nonce)
    {
        ArgumentNullException.ThrowIfNull(encrypt);
        ArgumentNullException.ThrowIfNull(msgSignature);
        ArgumentNullException.ThrowIfNull(timeStamp);
        ArgumentNullException.ThrowIfNull(nonce);

        // Every safe-mode reply takes this path: Base64, hex and digits need no escaping and no CDATA splitting.
        if (IsPlainToken(encrypt) && IsPlainToken(msgSignature) && IsPlainToken(timeStamp) && IsPlainToken(nonce))
            return $"<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt><MsgSignature><![CDATA[{msgSignature}]]></MsgSignature><TimeStamp>{timeStamp}</TimeStamp><Nonce><![CDATA[{nonce}]]></Nonce></xml>";
        var w = ReplyText.Start();
        w.CData("Encrypt", encrypt);
        w.CData("MsgSignature", msgSignature);
        w.Element("TimeStamp", timeStamp);
        w.CData("Nonce", nonce);
        return w.Finish();
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

    /// <summary>
    /// Writes reply XML as an <see cref="XmlWriter"/> with <c>OmitXmlDeclaration</c>, no indentation,
    /// <c>NewLineHandling.None</c> and <c>CheckCharacters</c> would, character for character, without its ~14 KB of
    /// buffers per reply (issue #25): one reply per push, so that was a fifth of a push's garbage. The builder is kept
    /// per thread and reused.
    /// </summary>
    private readonly struct ReplyText
    {
        [ThreadStatic]
        private static StringBuilder? cached;

        private readonly StringBuilder sb;

        private ReplyText(StringBuilder sb) => this.sb = sb;

        public static ReplyText Start()
        {
            var sb = cached ?? new StringBuilder(512);
            cached = null;
            return new ReplyText(sb.Clear().Append("<xml>"));
        }

        public string Finish()
        {
            var text = sb.Append("</xml>").ToString();
            if (sb.Capacity <= 16 * 1024)
                cached = sb;
            return text;
        }

        public void Open(string name) => sb.Append('<').Append(name).Append('>');

        public void Close(string name) => sb.Append("</").Append(name).Append('>');

        /// <summary>An element of plain text (digits here): escaped as the XmlWriter escapes text; empty is <c>&lt;x /&gt;</c>.</summary>
        public void Element(string name, string value)
        {
            if (value.Length == 0)
            {
                sb.Append('<').Append(name).Append(" />");
                return;
            }
            if (!ReferenceEquals(RemoveInvalidXmlChars(value), value))
                throw new ArgumentException($"The value of <{name}> holds a character XML cannot carry.", nameof(value));
            Open(name);
            foreach (var c in value)
            {
                _ = c switch
                {
                    '&' => sb.Append("&amp;"),
                    '<' => sb.Append("&lt;"),
                    '>' => sb.Append("&gt;"),
                    _ => sb.Append(c),
                };
            }
            Close(name);
        }

        /// <summary>
        /// Text goes out as CDATA, as WeChat's own samples do. A <c>]]&gt;</c> inside the text would end
        /// the section, so the text is split there across two sections, and newlines are normalised to
        /// LF because WeChat's iPhone client renders CR LF as two line breaks (PROTOCOL §10.3).
        /// </summary>
        public void CData(string name, string value)
        {
            ArgumentNullException.ThrowIfNull(value, name);

            var rest = RemoveInvalidXmlChars(value).Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').AsSpan();
            Open(name);
            int end;
            while ((end = rest.IndexOf("]]>", StringComparison.Ordinal)) >= 0)
            {
                sb.Append("<![CDATA[").Append(rest[..(end + 2)]).Append("]]>");
                rest = rest[(end + 2)..];
            }
            sb.Append("<![CDATA[").Append(rest).Append("]]>");
            Close(name);
        }
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
