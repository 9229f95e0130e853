using WxQms.Domain.Wechat;
using static WxQms.Tests.Wechat.Samples;

namespace WxQms.Tests.Wechat;

public sealed class InboundMessageTests
{
    [Fact]
    public void Types_the_common_header_of_a_text_message()
    {
        var m = InboundMessage.Parse(TextMessage);

        Assert.Equal(OaId, m.ToUserName);
        Assert.Equal(OpenId, m.FromUserName);
        Assert.Equal(1700000000, m.CreateTime);
        Assert.Equal("text", m.MsgType);
        Assert.Equal(24000000000000001, m.MsgId);
        Assert.False(m.IsEvent);
        Assert.Null(m.Event);
        Assert.Equal("hello", m.Content);
    }

    [Fact]
    public void Reads_the_tencent_sample_with_line_breaks_between_elements()
    {
        var m = InboundMessage.Parse(Tencent.Message);

        Assert.Equal("mycreate", m.FromUserName);
        Assert.Equal(4561255354251345929, m.MsgId);
        Assert.Equal("218", m.Get("AgentID"));
    }

    [Fact]
    public void Exposes_image_and_location_fields()
    {
        var image = InboundMessage.Parse(ImageMessage);
        var location = InboundMessage.Parse(LocationMessage);

        Assert.Equal("http://mmbiz.qpic.cn/example.jpg", image.PicUrl);
        Assert.Equal("media_id_0001", image.MediaId);
        Assert.Equal(31.230416, location.LocationX);
        Assert.Equal(121.473701, location.LocationY);
        Assert.Equal("上海市黄浦区", location.Label);
        Assert.Equal("15", location.Get("Scale"));
    }

    [Fact]
    public void Reads_the_capital_d_MsgID_of_template_job_events()
    {
        var m = InboundMessage.Parse(TemplateSendJobFinishEvent);

        Assert.True(m.IsEvent);
        Assert.Equal("TEMPLATESENDJOBFINISH", m.Event);
        Assert.Equal(200163836, m.MsgId);
        Assert.Equal("failed: system failed", m.Status);
    }

    [Theory]
    [InlineData("MsgId", "5", 5L)]
    [InlineData("MsgID", "6", 6L)]
    [InlineData("msgid", "7", 7L)]
    [InlineData("MsgId", "0", null)]
    [InlineData("MsgId", "", null)]
    [InlineData("MsgId", "not-a-number", null)]
    public void Reads_MsgId_whatever_its_spelling_and_treats_zero_as_absent(string tag, string value, long? expected)
    {
        var m = InboundMessage.Parse(Message($"<{tag}>{value}</{tag}>"));

        Assert.Equal(expected, m.MsgId);
    }

    [Fact]
    public void Prefers_the_exact_MsgId_spelling_when_both_are_present()
    {
        Assert.Equal(11, InboundMessage.Parse(Message("<MsgID>22</MsgID><MsgId>11</MsgId>")).MsgId);
    }

    [Theory]
    [InlineData("<FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType>", "ToUserName")]
    [InlineData("<ToUserName>gh</ToUserName><CreateTime>1</CreateTime><MsgType>text</MsgType>", "FromUserName")]
    [InlineData("<ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime>", "MsgType")]
    [InlineData("<ToUserName>gh</ToUserName><FromUserName>o</FromUserName><MsgType>text</MsgType>", "CreateTime")]
    [InlineData("<ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>soon</CreateTime><MsgType>text</MsgType>", "CreateTime")]
    [InlineData("<ToUserName>gh</ToUserName><FromUserName>o</FromUserName><FromUserName>p</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType>", "FromUserName")]
    public void Refuses_a_push_with_a_missing_or_ambiguous_header_field(string inner, string field)
    {
        var e = Assert.Throws<WechatXmlException>(() => InboundMessage.Parse($"<xml>{inner}</xml>"));

        Assert.Contains(field, e.Message);
    }

    [Fact]
    public void Reads_the_qr_scene_from_both_binding_paths()
    {
        Assert.Equal("bind:member:42", InboundMessage.Parse(SubscribeViaQrEvent).QrScene);
        Assert.Equal("bind:member:42", InboundMessage.Parse(ScanEvent).QrScene);
        Assert.Null(InboundMessage.Parse(SubscribeEvent).QrScene);
        Assert.Null(InboundMessage.Parse(ClickEvent).QrScene);
        Assert.Equal("", InboundMessage.Parse(SubscribeEvent).EventKey);
    }

    [Fact]
    public void Lists_every_item_of_a_subscribe_message_popup()
    {
        var items = InboundMessage.Parse(SubscribeMsgPopupEvent).SubscribeMsgItems;

        Assert.Equal(
            [new SubscribeMsgItem("tmpl_reminder_0001", "accept", "2", null, null, null),
             new SubscribeMsgItem("tmpl_warning_0002", "reject", "2", null, null, null)],
            items);
    }

    [Fact]
    public void Reads_the_msg_id_inside_a_subscribe_message_sent_item()
    {
        var item = Assert.Single(InboundMessage.Parse(SubscribeMsgSentEvent(1700827132819554304)).SubscribeMsgItems);

        Assert.Equal(new SubscribeMsgItem("tmpl_reminder_0001", null, null, 1700827132819554304, "0", "success"), item);
    }

    [Fact]
    public void Keys_a_message_on_account_user_and_MsgId()
    {
        Assert.Equal("msg:gh_0123456789ab:oUser_openid_0001:24000000000000001", InboundMessage.Parse(TextMessage).DedupeKey);
    }

    [Fact]
    public void Keys_the_same_MsgId_from_different_users_apart()
    {
        var other = TextMessage.Replace(OpenId, "oUser_openid_0002", StringComparison.Ordinal);

        Assert.NotEqual(InboundMessage.Parse(TextMessage).DedupeKey, InboundMessage.Parse(other).DedupeKey);
    }

    [Fact]
    public void Keys_an_event_on_user_time_event_and_event_key()
    {
        Assert.Equal("evt:gh_0123456789ab:oUser_openid_0001:1700000030:event:subscribe::::::",
            InboundMessage.Parse(SubscribeEvent).DedupeKey);
        Assert.Equal("evt:gh_0123456789ab:oUser_openid_0001:1700000040:event:CLICK::::::MY_TASKS",
            InboundMessage.Parse(ClickEvent).DedupeKey);
    }

    [Fact]
    public void Escapes_colons_in_the_event_key()
    {
        Assert.EndsWith(":qrscene_bind%3Amember%3A42", InboundMessage.Parse(SubscribeViaQrEvent).DedupeKey);
    }

    /// <summary>
    /// A VIEW tap on a menu button that opens an H5 page through web OAuth carries the whole authorize URL
    /// (about 290 characters), and an EventKey may be Chinese: the stored key stays printable ASCII within
    /// the column's 255 characters, and still tells taps on different buttons apart.
    /// </summary>
    [Theory]
    [InlineData("https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx5a4db0c0a0000001&redirect_uri=https%3A%2F%2Fqms.example.gov.cn%2Fh5%2Foauth%3Freturn%3D%252Fh5%252Franking%253Flevel%253Dbranch%2526period%253Dmonth&response_type=code&scope=snsapi_base&state=h5#wechat_redirect")]
    [InlineData("我的任务")]
    public void Keys_a_long_or_chinese_event_key_within_the_column(string eventKey)
    {
        var key = InboundMessage.Parse(Event("VIEW", eventKey, 100)).DedupeKey;

        Assert.InRange(key.Length, 1, 255);
        Assert.All(key, c => Assert.InRange(c, ' ', '~'));
        Assert.Equal(key, InboundMessage.Parse(Event("VIEW", eventKey, 100)).DedupeKey);
        Assert.NotEqual(key, InboundMessage.Parse(Event("VIEW", eventKey + "x", 100)).DedupeKey);
    }

    [Fact]
    public void Cannot_be_fooled_into_a_shared_key_by_shifting_text_between_parts()
    {
        var a = InboundMessage.Parse(Event("CLICK", "x:y", 100));
        var b = InboundMessage.Parse(Event("CLICK:x", "y", 100));

        Assert.NotEqual(a.DedupeKey, b.DedupeKey);
    }

    [Fact]
    public void Keys_template_job_events_of_one_second_apart_by_MsgID()
    {
        var first = InboundMessage.Parse(TemplateSendJobFinishEvent);
        var second = InboundMessage.Parse(TemplateSendJobFinishEvent.Replace("200163836", "200163837", StringComparison.Ordinal));

        Assert.Contains(":200163836:", first.DedupeKey);
        Assert.NotEqual(first.DedupeKey, second.DedupeKey);
    }

    [Fact]
    public void Keys_subscribe_message_results_of_one_second_apart_by_their_items()
    {
        var first = InboundMessage.Parse(SubscribeMsgSentEvent(1));
        var again = InboundMessage.Parse(SubscribeMsgSentEvent(1));
        var second = InboundMessage.Parse(SubscribeMsgSentEvent(2));

        Assert.Equal(first.DedupeKey, again.DedupeKey);
        Assert.NotEqual(first.DedupeKey, second.DedupeKey);
    }

    [Fact]
    public void Keys_a_media_check_push_by_its_trace_id()
    {
        static string Push(string traceId) => $"""
            <xml><ToUserName>gh_0123456789ab</ToUserName><FromUserName>oUser_openid_0001</FromUserName>
            <CreateTime>1700000200</CreateTime><MsgType>event</MsgType><Event>wxa_media_check</Event>
            <isrisky>0</isrisky><trace_id>{traceId}</trace_id></xml>
            """;

        Assert.NotEqual(InboundMessage.Parse(Push("trace-a")).DedupeKey, InboundMessage.Parse(Push("trace-b")).DedupeKey);
    }

    [Fact]
    public void Gives_a_redelivery_the_same_key_whatever_its_whitespace()
    {
        var compact = string.Concat(PicSysphotoEvent.Split('\n').Select(l => l.Trim()));

        Assert.Equal(InboundMessage.Parse(PicSysphotoEvent).DedupeKey, InboundMessage.Parse(compact).DedupeKey);
    }

    [Fact]
    public void Keys_a_message_without_MsgId_like_an_event()
    {
        var m = InboundMessage.Parse(Message("<MsgId>0</MsgId>"));

        Assert.StartsWith("evt:gh_0123456789ab:oUser_openid_0001:1700000000:text:", m.DedupeKey);
    }

    private static string Message(string extra) =>
        $"<xml><ToUserName>{OaId}</ToUserName><FromUserName>{OpenId}</FromUserName><CreateTime>1700000000</CreateTime>"
        + $"<MsgType>text</MsgType><Content>x</Content>{extra}</xml>";

    private static string Event(string name, string key, long createTime) =>
        $"<xml><ToUserName>{OaId}</ToUserName><FromUserName>{OpenId}</FromUserName><CreateTime>{createTime}</CreateTime>"
        + $"<MsgType>event</MsgType><Event><![CDATA[{name}]]></Event><EventKey><![CDATA[{key}]]></EventKey></xml>";
}
