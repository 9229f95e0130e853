namespace WxQms.Tests.Wechat;

/// <summary>
/// Callback payloads and crypto vectors. <see cref="Vector"/> and <see cref="TextMessage"/> are
/// PROTOCOL.md §2.4 verbatim; <see cref="Tencent"/> is the public WXBizMsgCrypt sample vector
/// (developer.work.weixin.qq.com/document/path/90968), whose signature and pad of 30 we re-checked
/// with Python + OpenSSL. The other payloads follow the field tables and layouts in PROTOCOL §1.4–§1.6
/// (WeChat's doc layout, including its line breaks), with the §2.4 ids.
/// </summary>
internal static class Samples
{
    public const string OaId = "gh_0123456789ab";
    public const string OpenId = "oUser_openid_0001";

    public static class Vector
    {
        public const string Token = "testtoken";
        public const string EncodingAesKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
        public const string AppId = "wx1234567890abcdef";
        public const string AesKeyHex = "69b71d79f8218a39259a7a29aabb2dbafc31cb3d35db7e39ebbf3d0010831051";

        public const string UrlTimestamp = "1700000000";
        public const string UrlNonce = "123456789";
        public const string UrlSignature = "1224ee560df62329b43aeee20636a0defb583ee4";

        public const string InboundRandom = "0123456789abcdef";
        public const string InboundTimestamp = "1700000000";
        public const string InboundNonce = "987654321";
        public const string InboundEncrypt = "Q3stYC6hdFzMh9T8HCvyDPPN+F0mSXbI9zLTTbZWvBnog5E8sli6UcvZjNzpoZ6DkbBe5cbzosLzK3BSOsVYAcme7U/W5m7E2VHgNWn6XRJNfiU0JKvyTLfXmmnIKjo7eAiXqGUk0EKMPEGp1ARIwTfibI1P8yqN5DOIvEDddfOKHgxSN9p5tye1yBep+4y4TAn+dlbUrYTXjZFq6cvl13ZhOfCwR6FCgxqvB4Yl/WK85iEUP67s4zYws23gtzShAOT04zmXGe+3aFKA+g3c25BxK2IlqI9ABjqyb4G9oLNt691DDrshtLHDqLsUhVNaCp1F9Pxs3npNIyU3ibXEGQI55CEkV+d5MZu+xcAw00DQOhTLIdGyvKqVZETt68ORj/XJoDJQe62JL6UPUS2ldZsSx9647Jm+isMeULASn1U=";
        public const string InboundMsgSignature = "0d61f6eee4cbf5ba74df4905b710280d88a498b6";
        public const string InboundSignature = "36a0924c38f1082a8ba517a1237c541208ae33a7";

        /// <summary>The reply §2.4 describes as "text hi, CreateTime 1700000001"; its exact bytes were read back from the vector.</summary>
        public const string ReplyXml = "<xml><ToUserName><![CDATA[oUser_openid_0001]]></ToUserName><FromUserName><![CDATA[gh_0123456789ab]]></FromUserName><CreateTime>1700000001</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content></xml>";
        public const string ReplyRandom = "fedcba9876543210";
        public const string ReplyTimeStamp = "1700000001";
        public const string ReplyNonce = "555666777";
        public const string ReplyEncrypt = "DpQeJfnf/MGZ/+GTIspwVO0lqdd+dISwGPcOcdzbQIdNXZYnFzLCkE37m6n/k50GrpwYMlffMjSSvj05RzOe0g/aWnQz1T0XF1OHcMdtwI8Z/HSlebc8iTBem6Jq1owUoGrWhmmscEye1GycsN76+xgIPmoDLbbut/vcqZAM1le/TTPK/GrYD3XlUSda2M66NqlQZGmZUFc7tANiQhtACv+85KTrn3J0nwCCdznST6F3dnkcsCrC2sKtKrH//LvdNYD4J2hYNoVbSMCU5LJx5ti77skwUn0AFI/UXzHvzxnYXYUR87SnhIeLY7V9b7EVvylSpKZcCOY4rnQBiHAfxjUXmM1JHqnvYuftkrzTrnVW3mdTr4Kgd6GS9yH+ppit";
        public const string ReplyMsgSignature = "bef0bb51072d975065a724adb74a86837466088c";
    }

    public static class Tencent
    {
        public const string Token = "QDG6eK";
        public const string EncodingAesKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
        public const string AppId = "wx5823bf96d3bd56c7";
        public const string Timestamp = "1409659813";
        public const string Nonce = "1372623149";
        public const string MsgSignature = "477715d11cdb4164915debcba66cb864d751f3e6";
        public const string Encrypt = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==";

        /// <summary>The plaintext inside <see cref="Encrypt"/>: WeCom's variant, with line breaks between elements.</summary>
        public const string Message = """
            <xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>
            <FromUserName><![CDATA[mycreate]]></FromUserName>
            <CreateTime>1409659813</CreateTime>
            <MsgType><![CDATA[text]]></MsgType>
            <Content><![CDATA[hello]]></Content>
            <MsgId>4561255354251345929</MsgId>
            <AgentID>218</AgentID>
            </xml>
            """;
    }

    /// <summary>PROTOCOL §2.4, 259 bytes.</summary>
    public const string TextMessage = "<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName><FromUserName><![CDATA[oUser_openid_0001]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hello]]></Content><MsgId>24000000000000001</MsgId></xml>";

    public const string ImageMessage = """
        <xml>
          <ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>
          <FromUserName><![CDATA[oUser_openid_0001]]></FromUserName>
          <CreateTime>1700000010</CreateTime>
          <MsgType><![CDATA[image]]></MsgType>
          <PicUrl><![CDATA[http://mmbiz.qpic.cn/example.jpg]]></PicUrl>
          <MediaId><![CDATA[media_id_0001]]></MediaId>
          <MsgId>24000000000000002</MsgId>
        </xml>
        """;

    public const string LocationMessage = """
        <xml>
          <ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>
          <FromUserName><![CDATA[oUser_openid_0001]]></FromUserName>
          <CreateTime>1700000020</CreateTime>
          <MsgType><![CDATA[location]]></MsgType>
          <Location_X>31.230416</Location_X>
          <Location_Y>121.473701</Location_Y>
          <Scale>15</Scale>
          <Label><![CDATA[上海市黄浦区]]></Label>
          <MsgId>24000000000000003</MsgId>
        </xml>
        """;

    /// <summary>An ordinary follow: EventKey present but empty (PROTOCOL §1.5).</summary>
    public const string SubscribeEvent = """
        <xml>
          <ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>
          <FromUserName><![CDATA[oUser_openid_0001]]></FromUserName>
          <CreateTime>1700000030</CreateTime>
          <MsgType><![CDATA[event]]></MsgType>
          <Event><![CDATA[subscribe]]></Event>
          <EventKey><![CDATA[]]></EventKey>
        </xml>
        """;

    public const string SubscribeViaQrEvent = """
        <xml>
          <ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>
          <FromUserName><![CDATA[oUser_openid_0001]]></FromUserName>
          <CreateTime>1700000031</CreateTime>
          <MsgType><![CDATA[event]]></MsgType>
          <Event><![CDATA[subscribe]]></Event>
          <EventKey><![CDATA[qrscene_bind:member:42]]></EventKey>
          <Ticket><![CDATA[gQH47joAAAAAAAAAASxodHRwOi8vd2VpeGluLnFxLmNvbS9xL2lVaTFaZVhsUlpsVUFZb0w]]></Ticket>
        </xml>
        """;

    public const string ScanEvent = """
        <xml>
          <ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>
          <FromUserName><![CDATA[oUser_openid_0001]]></FromUserName>
          <CreateTime>1700000032</CreateTime>
          <MsgType><![CDATA[event]]></MsgType>
          <Event><![CDATA[SCAN]]></Event>
          <EventKey><![CDATA[bind:member:42]]></EventKey>
          <Ticket><![CDATA[gQH47joAAAAAAAAAASxodHRwOi8vd2VpeGluLnFxLmNvbS9xL2lVaTFaZVhsUlpsVUFZb0w]]></Ticket>
        </xml>
        """;

    public const string ClickEvent = """
        <xml>
          <ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>
          <FromUserName><![CDATA[oUser_openid_0001]]></FromUserName>
          <CreateTime>1700000040</CreateTime>
          <MsgType><![CDATA[event]]></MsgType>
          <Event><![CDATA[CLICK]]></Event>
          <EventKey><![CDATA[MY_TASKS]]></EventKey>
        </xml>
        """;

    /// <summary>Capital-D <c>MsgID</c>, as this event really sends it (PROTOCOL §1.5).</summary>
    public const string TemplateSendJobFinishEvent = """
        <xml>
          <ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>
          <FromUserName><![CDATA[oUser_openid_0001]]></FromUserName>
          <CreateTime>1700000050</CreateTime>
          <MsgType><![CDATA[event]]></MsgType>
          <Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event>
          <MsgID>200163836</MsgID>
          <Status><![CDATA[failed: system failed]]></Status>
        </xml>
        """;

    public const string ScancodePushEvent = """
        <xml>
          <ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>
          <FromUserName><![CDATA[oUser_openid_0001]]></FromUserName>
          <CreateTime>1700000060</CreateTime>
          <MsgType><![CDATA[event]]></MsgType>
          <Event><![CDATA[scancode_push]]></Event>
          <EventKey><![CDATA[SCAN_EVIDENCE]]></EventKey>
          <ScanCodeInfo>
            <ScanType><![CDATA[qrcode]]></ScanType>
            <ScanResult><![CDATA[https://example.org/t/1]]></ScanResult>
          </ScanCodeInfo>
        </xml>
        """;

    public const string PicSysphotoEvent = """
        <xml>
          <ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>
          <FromUserName><![CDATA[oUser_openid_0001]]></FromUserName>
          <CreateTime>1700000070</CreateTime>
          <MsgType><![CDATA[event]]></MsgType>
          <Event><![CDATA[pic_sysphoto]]></Event>
          <EventKey><![CDATA[PHOTO_EVIDENCE]]></EventKey>
          <SendPicsInfo>
            <Count>2</Count>
            <PicList>
              <item><PicMd5Sum><![CDATA[1b5f7c23b5bf75682a53e7b6d163e185]]></PicMd5Sum></item>
              <item><PicMd5Sum><![CDATA[9e4a2b7f2c8d4e1a0b3c5d6e7f809a1b]]></PicMd5Sum></item>
            </PicList>
          </SendPicsInfo>
        </xml>
        """;

    public const string SubscribeMsgPopupEvent = """
        <xml>
          <ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>
          <FromUserName><![CDATA[oUser_openid_0001]]></FromUserName>
          <CreateTime>1700000080</CreateTime>
          <MsgType><![CDATA[event]]></MsgType>
          <Event><![CDATA[subscribe_msg_popup_event]]></Event>
          <SubscribeMsgPopupEvent>
            <List>
              <TemplateId><![CDATA[tmpl_reminder_0001]]></TemplateId>
              <SubscribeStatusString><![CDATA[accept]]></SubscribeStatusString>
              <PopupScene>2</PopupScene>
            </List>
            <List>
              <TemplateId><![CDATA[tmpl_warning_0002]]></TemplateId>
              <SubscribeStatusString><![CDATA[reject]]></SubscribeStatusString>
              <PopupScene>2</PopupScene>
            </List>
          </SubscribeMsgPopupEvent>
        </xml>
        """;

    public static string SubscribeMsgSentEvent(long msgId) => $"""
        <xml>
          <ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>
          <FromUserName><![CDATA[oUser_openid_0001]]></FromUserName>
          <CreateTime>1700000090</CreateTime>
          <MsgType><![CDATA[event]]></MsgType>
          <Event><![CDATA[subscribe_msg_sent_event]]></Event>
          <SubscribeMsgSentEvent>
            <List>
              <TemplateId><![CDATA[tmpl_reminder_0001]]></TemplateId>
              <MsgID>{msgId}</MsgID>
              <ErrorCode>0</ErrorCode>
              <ErrorStatus><![CDATA[success]]></ErrorStatus>
            </List>
          </SubscribeMsgSentEvent>
        </xml>
        """;

    /// <summary>User text with raw control characters (PROTOCOL §1.8) and a split CDATA carrying <c>]]&gt;</c>.</summary>
    public const string TextWithControlCharacters =
        "<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName><FromUserName><![CDATA[oUser_openid_0001]]></FromUserName>"
        + "<CreateTime>1700000100</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        + "<Content><![CDATA[a\u0001b\u0000c\u000bd\u001f e]]]]><![CDATA[>f <xml>nested</xml>]]></Content>"
        + "<MsgId>24000000000000100</MsgId></xml>";

    /// <summary>Safe mode: only ToUserName and Encrypt (PROTOCOL §2.2).</summary>
    public static string SafeModeBody(string encrypt) =>
        $"<xml><ToUserName><![CDATA[{OaId}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>";

    /// <summary>Compatible mode: the plaintext fields and Encrypt side by side (PROTOCOL §1.1, §2.2).</summary>
    public static string CompatibleModeBody(string plaintextXml, string encrypt) =>
        plaintextXml.Replace("</xml>", $"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>", StringComparison.Ordinal);
}
