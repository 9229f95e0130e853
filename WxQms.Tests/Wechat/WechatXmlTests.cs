using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Xml;
using WxQms.Domain.Wechat;
using static WxQms.Tests.Wechat.Samples;

namespace WxQms.Tests.Wechat;

public sealed class WechatXmlTests
{
    [Fact]
    public void Reads_the_root_children_into_the_flat_view()
    {
        var fields = WechatXml.Flatten(WechatXml.Parse(TextMessage));

        Assert.Equal(new Dictionary<string, string>
        {
            ["ToUserName"] = OaId,
            ["FromUserName"] = OpenId,
            ["CreateTime"] = "1700000000",
            ["MsgType"] = "text",
            ["Content"] = "hello",
            ["MsgId"] = "24000000000000001",
        }, fields);
    }

    [Fact]
    public void Ignores_indentation_between_elements_but_keeps_leaf_text_exactly()
    {
        var root = WechatXml.Parse("<xml>\n  <Content><![CDATA[  two spaces  ]]></Content>\n  <Label>  plain  </Label>\n</xml>");

        Assert.Equal("", root.Value);
        Assert.Equal("  two spaces  ", root.Child("Content")!.Value);
        Assert.Equal("  plain  ", root.Child("Label")!.Value);
    }

    [Fact]
    public void Reads_empty_elements_as_empty_strings()
    {
        var fields = WechatXml.Flatten(WechatXml.Parse("<xml><EventKey><![CDATA[]]></EventKey><A/><B></B></xml>"));

        Assert.Equal("", fields["EventKey"]);
        Assert.Equal("", fields["A"]);
        Assert.Equal("", fields["B"]);
    }

    [Fact]
    public void Joins_split_cdata_sections_and_decodes_entities()
    {
        var root = WechatXml.Parse("<xml><A><![CDATA[x]]]]><![CDATA[>y]]></A><B>&lt;b&gt; &amp; &#x4E2D;</B></xml>");

        Assert.Equal("x]]>y", root.Child("A")!.Value);
        Assert.Equal("<b> & 中", root.Child("B")!.Value);
    }

    [Fact]
    public void Flattens_nested_elements_under_dotted_paths()
    {
        var fields = WechatXml.Flatten(WechatXml.Parse(ScancodePushEvent));

        Assert.Equal("qrcode", fields["ScanCodeInfo.ScanType"]);
        Assert.Equal("https://example.org/t/1", fields["ScanCodeInfo.ScanResult"]);
        Assert.False(fields.ContainsKey("ScanCodeInfo"));
    }

    [Fact]
    public void Leaves_repeated_elements_out_of_the_flat_view_and_keeps_them_in_the_tree()
    {
        var root = WechatXml.Parse(PicSysphotoEvent);
        var fields = WechatXml.Flatten(root);

        Assert.Equal("2", fields["SendPicsInfo.Count"]);
        Assert.DoesNotContain(fields.Keys, k => k.StartsWith("SendPicsInfo.PicList", StringComparison.Ordinal));
        Assert.Equal(
            ["1b5f7c23b5bf75682a53e7b6d163e185", "9e4a2b7f2c8d4e1a0b3c5d6e7f809a1b"],
            root.Child("SendPicsInfo")!.Child("PicList")!.ChildrenNamed("item").Select(i => i.Child("PicMd5Sum")!.Value));
    }

    [Fact]
    public void Drops_raw_control_characters_instead_of_throwing()
    {
        var root = WechatXml.Parse(TextWithControlCharacters);

        Assert.Equal("abcd e]]>f <xml>nested</xml>", root.Child("Content")!.Value);
        Assert.Equal("24000000000000100", root.Child("MsgId")!.Value);
    }

    [Fact]
    public void Accepts_character_references_to_control_characters()
    {
        Assert.Equal("a\u0001b", WechatXml.Parse("<xml><C>a&#1;b</C></xml>").Child("C")!.Value);
    }

    [Fact]
    public void Refuses_an_external_file_entity_without_reading_the_file()
    {
        const string payload = """
            <?xml version="1.0"?>
            <!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <xml><ToUserName>gh_x</ToUserName><Content>&xxe;</Content></xml>
            """;

        var e = Assert.Throws<WechatXmlException>(() => WechatXml.Parse(payload));

        Assert.Contains("DTD", e.Message);
        Assert.DoesNotContain("root:", e.ToString());
        Assert.Throws<WechatXmlException>(() => InboundMessage.Parse(payload));
    }

    [Theory]
    [InlineData("""<!DOCTYPE xml [<!ENTITY xxe SYSTEM "http://127.0.0.1:{port}/secret">]><xml><Content>&xxe;</Content></xml>""")]
    [InlineData("""<!DOCTYPE xml [<!ENTITY % p SYSTEM "http://127.0.0.1:{port}/evil.dtd"> %p;]><xml/>""")]
    [InlineData("""<!DOCTYPE xml SYSTEM "http://127.0.0.1:{port}/evil.dtd"><xml/>""")]
    public void Refuses_an_http_entity_without_making_a_request(string template)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;

            Assert.Throws<WechatXmlException>(() => WechatXml.Parse(template.Replace("{port}", port.ToString())));

            // XmlReader resolves synchronously, so a connection would already be in the backlog.
            Thread.Sleep(50);
            Assert.False(listener.Pending(), "the parser connected to the entity's URL");
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public void Refuses_internal_entity_expansion()
    {
        const string laughs = """
            <!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
            <xml><Content>&c;</Content></xml>
            """;

        Assert.Throws<WechatXmlException>(() => WechatXml.Parse(laughs));
    }

    [Theory]
    [InlineData("")]
    [InlineData("success")]
    [InlineData("<xml><A></xml>")]
    [InlineData("<root><A>1</A></root>")]
    [InlineData("""{"ToUserName":"gh_x","Encrypt":"abc"}""")]
    public void Refuses_what_is_not_a_wechat_xml_body(string body)
    {
        Assert.Throws<WechatXmlException>(() => WechatXml.Parse(body));
    }

    [Fact]
    public void Refuses_a_body_over_the_character_limit()
    {
        var big = "<xml><Content>" + new string('a', 2000) + "</Content></xml>";

        Assert.Contains("limit", Assert.Throws<WechatXmlException>(() => WechatXml.Parse(big, maxCharacters: 1000)).Message);
        Assert.Equal(2000, WechatXml.Parse(big, maxCharacters: 4000).Child("Content")!.Value.Length);
    }

    [Fact]
    public void Refuses_absurdly_deep_nesting()
    {
        var deep = "<xml>" + string.Concat(Enumerable.Repeat("<a>", 40)) + string.Concat(Enumerable.Repeat("</a>", 40)) + "</xml>";

        Assert.Throws<WechatXmlException>(() => WechatXml.Parse(deep));
    }

    [Fact]
    public void Writes_a_text_reply_exactly_as_the_vector()
    {
        var reply = new TextReply(OpenId, OaId, 1700000001, "hi");

        Assert.Equal(Vector.ReplyXml, WechatXml.WriteReply(reply));
    }

    [Fact]
    public void Writes_an_image_reply()
    {
        var xml = WechatXml.WriteReply(new ImageReply(OpenId, OaId, 1700000001, "media_1"));

        Assert.Equal(
            "<xml><ToUserName><![CDATA[oUser_openid_0001]]></ToUserName><FromUserName><![CDATA[gh_0123456789ab]]></FromUserName>"
            + "<CreateTime>1700000001</CreateTime><MsgType><![CDATA[image]]></MsgType><Image><MediaId><![CDATA[media_1]]></MediaId></Image></xml>",
            xml);
    }

    [Fact]
    public void Writes_a_news_reply_with_its_article_count()
    {
        var reply = new NewsReply(OpenId, OaId, 1700000001,
            [new NewsArticle("任务提醒", "本月任务", "https://example.org/p.jpg", "https://example.org/t?a=1&b=2"),
             new NewsArticle("Second", "", "", "https://example.org/2")]);

        var root = WechatXml.Parse(WechatXml.WriteReply(reply));

        Assert.Equal("news", root.Child("MsgType")!.Value);
        Assert.Equal("2", root.Child("ArticleCount")!.Value);
        var items = root.Child("Articles")!.ChildrenNamed("item").ToList();
        Assert.Equal(["Title", "Description", "PicUrl", "Url"], items[0].Children.Select(c => c.Name));
        Assert.Equal("https://example.org/t?a=1&b=2", items[0].Child("Url")!.Value);
        Assert.Equal("Second", items[1].Child("Title")!.Value);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(9)]
    public void Refuses_a_news_reply_without_1_to_8_articles(int count)
    {
        var reply = new NewsReply(OpenId, OaId, 1, Enumerable.Repeat(new NewsArticle("t", "d", "p", "u"), count).ToList());

        Assert.Throws<ArgumentException>(() => WechatXml.WriteReply(reply));
    }

    [Theory]
    [InlineData("a]]>b")]
    [InlineData("]]>")]
    [InlineData("]]>]]>]]]]>>")]
    [InlineData("<xml><Content><![CDATA[x]]></Content></xml>")]
    [InlineData("&amp; &lt; \" ' 你好 😀")]
    [InlineData("")]
    public void Writes_text_that_reads_back_unchanged(string content)
    {
        var xml = WechatXml.WriteReply(new TextReply(OpenId, OaId, 1, content));

        var root = WechatXml.Parse(xml);
        Assert.Equal(content, root.Child("Content")!.Value);
        Assert.Equal(["ToUserName", "FromUserName", "CreateTime", "MsgType", "Content"], root.Children.Select(c => c.Name));
    }

    [Fact]
    public void Splits_cdata_at_the_end_marker()
    {
        var xml = WechatXml.WriteReply(new TextReply(OpenId, OaId, 1, "a]]>b"));

        Assert.Contains("<Content><![CDATA[a]]]]><![CDATA[>b]]></Content>", xml);
    }

    [Fact]
    public void Removes_characters_xml_cannot_hold_and_normalises_newlines()
    {
        var content = "line1\r\nline2\rline3\n\ttab\u0000\u0001\u0008\u000B\u000C\u001F\uFFFE\uFFFF end\uD800 lone 😀";

        var xml = WechatXml.WriteReply(new TextReply(OpenId, OaId, 1, content));

        Assert.Equal("line1\nline2\nline3\n\ttab end lone 😀", WechatXml.Parse(xml).Child("Content")!.Value);
    }

    [Fact]
    public void Writes_the_encrypted_envelope_with_wechats_tag_names()
    {
        var xml = WechatXml.WriteEncryptedEnvelope(Vector.ReplyEncrypt, Vector.ReplyMsgSignature, Vector.ReplyTimeStamp, Vector.ReplyNonce);

        Assert.Equal(
            $"<xml><Encrypt><![CDATA[{Vector.ReplyEncrypt}]]></Encrypt><MsgSignature><![CDATA[{Vector.ReplyMsgSignature}]]></MsgSignature>"
            + "<TimeStamp>1700000001</TimeStamp><Nonce><![CDATA[555666777]]></Nonce></xml>",
            xml);
    }

    /// <summary>
    /// Replies are written without an XmlWriter (issue #25: its buffers were a fifth of a push's garbage); this one, set
    /// up as the writer used to be, is the oracle: the same characters for every kind of reply and awkward text.
    /// </summary>
    [Theory]
    [InlineData("hi")]
    [InlineData("a]]>b ]]>]]>]]]]>> ]] > ]")]
    [InlineData("line1\r\nline2\rline3\n\ttab\u0000\u0001\uFFFE end\uD800 lone 😀")]
    [InlineData("<xml><Content><![CDATA[x]]></Content></xml> &amp; &lt; \" ' 你好")]
    [InlineData("")]
    public void Writes_replies_character_for_character_as_an_xml_writer(string text)
    {
        PassiveReply[] replies =
        [
            new TextReply(OpenId, OaId, 1700000001, text),
            new ImageReply(OpenId + text, OaId, 1700000001, "media]]>" + text),
            new NewsReply(text, OaId, 1700000001, [new NewsArticle(text, "d" + text, "https://example.org/p.jpg?a=1&b=" + text, "u"),
                new NewsArticle("2", "", "", text)]),
        ];
        foreach (var reply in replies)
            Assert.Equal(OracleReply(reply), WechatXml.WriteReply(reply));

        Assert.Equal(OracleEnvelope(text, "sig<&>", "17000&00001", "5556]]>66777"),
            WechatXml.WriteEncryptedEnvelope(text, "sig<&>", "17000&00001", "5556]]>66777"));
        Assert.Equal(OracleEnvelope("abc+/=", "0f", "", "1"), WechatXml.WriteEncryptedEnvelope("abc+/=", "0f", "", "1"));
    }

    [Fact]
    public void Refuses_a_timestamp_holding_a_character_xml_cannot_carry()
    {
        Assert.Throws<ArgumentException>(() => WechatXml.WriteEncryptedEnvelope("abc", "0f", "1\u0001", "1"));
    }

    /// <summary>
    /// Parsing reads the string in place with a stricter reader first; what that one refuses is read again as before, so
    /// character references to controls and non-characters still read (as <c>&amp;#1;</c> above), an undeclared entity is
    /// still refused, and a safe-mode body no longer costs two 4,096-character buffers.
    /// </summary>
    [Fact]
    public void Reads_what_the_quick_reader_refuses_exactly_as_before()
    {
        Assert.Equal("a\u0000b\uFFFFc\uD800", WechatXml.Parse("<xml><C>a&#0;b&#xFFFF;c&#xD800;</C></xml>").Child("C")!.Value);
        Assert.Equal("\t\n\r", WechatXml.Parse("<xml><C>&#9;&#10;&#13;</C></xml>").Child("C")!.Value);
        var refused = Assert.Throws<WechatXmlException>(() => WechatXml.Parse("<xml><C>&undeclared;</C></xml>"));
        Assert.Contains("undeclared", refused.Message, StringComparison.Ordinal);
        Assert.Throws<WechatXmlException>(() => WechatXml.Parse("<xml><C>1</D></xml>"));
    }

    [Fact]
    public void Parses_a_safe_mode_body_without_a_reader_buffer_per_parse()
    {
        var body = $"<xml><ToUserName><![CDATA[{OaId}]]></ToUserName><Encrypt><![CDATA[{new string('A', 512)}]]></Encrypt></xml>";
        for (var i = 0; i < 200; i++)
            WechatXml.Parse(body);

        const int parses = 500;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < parses; i++)
            WechatXml.Parse(body);
        var perParse = (GC.GetAllocatedBytesForCurrentThread() - before) / parses;

        // ~13 KB through a StringReader (its 4,096-character buffer alone is 8 KB); ~6 KB read in place.
        Assert.True(perParse < 8_000, $"{perParse} bytes per parse");
    }

    private static readonly XmlWriterSettings OracleSettings = new()
    {
        OmitXmlDeclaration = true,
        Indent = false,
        NewLineHandling = NewLineHandling.None,
        ConformanceLevel = ConformanceLevel.Document,
        CheckCharacters = true,
    };

    private static string OracleReply(PassiveReply reply) => Oracle(w =>
    {
        OracleCData(w, "ToUserName", reply.ToUserName);
        OracleCData(w, "FromUserName", reply.FromUserName);
        w.WriteElementString("CreateTime", reply.CreateTime.ToString(System.Globalization.CultureInfo.InvariantCulture));
        switch (reply)
        {
            case TextReply text:
                OracleCData(w, "MsgType", "text");
                OracleCData(w, "Content", text.Content);
                break;
            case ImageReply image:
                OracleCData(w, "MsgType", "image");
                w.WriteStartElement("Image");
                OracleCData(w, "MediaId", image.MediaId);
                w.WriteEndElement();
                break;
            case NewsReply news:
                OracleCData(w, "MsgType", "news");
                w.WriteElementString("ArticleCount", news.Articles.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
                w.WriteStartElement("Articles");
                foreach (var article in news.Articles)
                {
                    w.WriteStartElement("item");
                    OracleCData(w, "Title", article.Title);
                    OracleCData(w, "Description", article.Description);
                    OracleCData(w, "PicUrl", article.PicUrl);
                    OracleCData(w, "Url", article.Url);
                    w.WriteEndElement();
                }
                w.WriteEndElement();
                break;
        }
    });

    private static string OracleEnvelope(string encrypt, string signature, string timeStamp, string nonce) => Oracle(w =>
    {
        OracleCData(w, "Encrypt", encrypt);
        OracleCData(w, "MsgSignature", signature);
        w.WriteElementString("TimeStamp", timeStamp);
        OracleCData(w, "Nonce", nonce);
    });

    private static string Oracle(Action<XmlWriter> body)
    {
        var sb = new StringBuilder();
        using (var w = XmlWriter.Create(sb, OracleSettings))
        {
            w.WriteStartElement("xml");
            body(w);
            w.WriteEndElement();
        }
        return sb.ToString();
    }

    private static void OracleCData(XmlWriter w, string name, string value)
    {
        var rest = WechatXml.RemoveInvalidXmlChars(value).Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
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

    [Fact]
    public void Returns_valid_text_unchanged()
    {
        const string text = "ok 你好 😀\t\n";

        Assert.Same(text, WechatXml.RemoveInvalidXmlChars(text));
    }
}
