using System.Net;
using System.Net.Sockets;
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

    [Fact]
    public void Returns_valid_text_unchanged()
    {
        const string text = "ok 你好 😀\t\n";

        Assert.Same(text, WechatXml.RemoveInvalidXmlChars(text));
    }
}
