using System.Text.Json;
using WxQms.Domain.Wechat;
using WxQms.Domain.Wechat.Callbacks;
using static WxQms.Tests.Wechat.CallbackAssertions;
using static WxQms.Tests.Wechat.Samples;

namespace WxQms.Tests.Wechat;

/// <summary>
/// Mini-program pushes in the JSON data format (PROTOCOL §5.7): the three modes, the lenient reading
/// of §1.6/§10.6 (quoted numbers, List as object or array), the wxa_media_check push of §5.6 and the
/// JSON reply envelope. Payload shapes follow the field lists in PROTOCOL with the §2.4 ids.
/// </summary>
public sealed class JsonPushTests
{
    private static readonly WechatCrypto Crypto = new(Vector.EncodingAesKey, Vector.AppId);
    private static readonly CallbackSettings Plain = new(Vector.Token);
    private static readonly CallbackSettings Encrypted = new(Vector.Token, Crypto);
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1700000000 + 3);

    /// <summary>A text message (mini-program customer-service push) with the header numbers bare.</summary>
    private const string TextJson = """
        {"ToUserName":"gh_0123456789ab","FromUserName":"oUser_openid_0001","CreateTime":1700000000,"MsgType":"text","Content":"hello","MsgId":24000000000000001}
        """;

    /// <summary>The same message with every number quoted, as WeChat sometimes sends them (PROTOCOL §1.6).</summary>
    private const string TextJsonQuoted = """
        {"ToUserName":"gh_0123456789ab","FromUserName":"oUser_openid_0001","CreateTime":"1700000000","MsgType":"text","Content":"hello","MsgId":"24000000000000001"}
        """;

    /// <summary>The wxa_media_check push of PROTOCOL §5.6 (version 2), with <c>label</c> spelled as given.</summary>
    private static string MediaCheckJson(string label, string traceId = "60f96f1d-3845297a-1976a3ae") => $$"""
        {
          "ToUserName": "gh_0123456789ab",
          "FromUserName": "oUser_openid_0001",
          "CreateTime": 1700000200,
          "MsgType": "event",
          "Event": "wxa_media_check",
          "appid": "wx1234567890abcdef",
          "trace_id": "{{traceId}}",
          "version": 2,
          "detail": [
            {"strategy": "content_model", "errcode": 0, "suggest": "pass", "label": {{label}}, "prob": 90},
            {"strategy": "keyword", "errcode": 0, "suggest": "pass", "label": {{label}}, "prob": 0.5}
          ],
          "errcode": 0,
          "errmsg": "ok",
          "result": {"suggest": "pass", "label": {{label}}}
        }
        """;

    /// <summary>subscribe_msg_popup_event in JSON: no wrapper, and <c>List</c> as given (PROTOCOL §1.6).</summary>
    private static string PopupJson(string list) => $$"""
        {"ToUserName":"gh_0123456789ab","FromUserName":"oUser_openid_0001","CreateTime":"1700000080","MsgType":"event",
         "Event":"subscribe_msg_popup_event","List":{{list}}}
        """;

    private const string ReminderItem = """{"TemplateId":"tmpl_reminder_0001","SubscribeStatusString":"accept","PopupScene":"0"}""";
    private const string ReminderItemBare = """{"TemplateId":"tmpl_reminder_0001","SubscribeStatusString":"accept","PopupScene":0}""";
    private const string WarningItem = """{"TemplateId":"tmpl_warning_0002","SubscribeStatusString":"reject","PopupScene":"0"}""";

    // ---- opening, per mode ----

    [Fact]
    public void Opens_a_plaintext_json_push()
    {
        var accepted = AssertAccepted(CallbackEnvelope.Open(PlainQuery(), TextJson, Plain, Now));

        Assert.Equal(CallbackMode.Plaintext, accepted.Mode);
        Assert.True(accepted.IsJson);
        Assert.False(accepted.WasEncrypted);
        Assert.Equal(("hello", 24000000000000001L), (accepted.Message.Content, accepted.Message.MsgId));
        Assert.Equal(InboundMessage.Parse(TextMessage).DedupeKey, accepted.Message.DedupeKey);
    }

    [Fact]
    public void Marks_an_xml_push_as_not_json()
    {
        Assert.False(AssertAccepted(CallbackEnvelope.Open(PlainQuery(), TextMessage, Plain, Now)).IsJson);
        Assert.False(AssertAccepted(CallbackEnvelope.Open(EncryptedQuery(), SafeModeBody(Vector.InboundEncrypt), Encrypted, Now)).IsJson);
    }

    [Fact]
    public void Opens_a_safe_mode_json_push()
    {
        var encrypt = Crypto.Encrypt(MediaCheckJson("\"100\""));

        var accepted = AssertAccepted(CallbackEnvelope.Open(EncryptedQuery(encrypt), SafeJson(encrypt), Encrypted, Now));

        Assert.Equal(CallbackMode.Safe, accepted.Mode);
        Assert.True(accepted.IsJson);
        Assert.True(accepted.WasEncrypted);
        Assert.Equal(("wxa_media_check", "pass", "100"),
            (accepted.Message.Event, accepted.Message.MediaCheckSuggest, accepted.Message.MediaCheckLabel));
    }

    [Fact]
    public void Opens_compatible_mode_json_from_the_encrypted_copy_only()
    {
        var encrypt = Crypto.Encrypt(TextJson);
        // The plaintext copy is unauthenticated; a forged Content there must not reach a handler.
        var body = TextJson.Trim().TrimEnd('}').Replace("hello", "forged", StringComparison.Ordinal)
            + $",\"Encrypt\":\"{encrypt}\"}}";

        var accepted = AssertAccepted(CallbackEnvelope.Open(EncryptedQuery(encrypt), body, Encrypted, Now));

        Assert.Equal(CallbackMode.Compatible, accepted.Mode);
        Assert.True(accepted.IsJson);
        Assert.Equal("hello", accepted.Message.Content);
    }

    [Fact]
    public void Checks_msg_signature_over_the_decoded_Encrypt_value_not_its_json_escapes()
    {
        // Base64 carries '/' and '+', which some JSON writers escape; WeChat signs the value itself.
        var encrypt = Crypto.Encrypt(TextJson, "0123456789abcdef");
        Assert.Contains('/', encrypt);
        var escaped = encrypt.Replace("/", "\\/", StringComparison.Ordinal).Replace("+", "\\u002B", StringComparison.Ordinal);

        var accepted = AssertAccepted(CallbackEnvelope.Open(EncryptedQuery(encrypt), SafeJson(escaped), Encrypted, Now));

        Assert.Equal("hello", accepted.Message.Content);
    }

    [Fact]
    public void Refuses_a_tampered_json_Encrypt_by_its_msg_signature()
    {
        var encrypt = Crypto.Encrypt(TextJson);
        var bytes = Convert.FromBase64String(encrypt);
        bytes[5] ^= 0x01;
        var tampered = Convert.ToBase64String(bytes);

        AssertRejected(CallbackRejection.BadMsgSignature, CallbackEnvelope.Open(EncryptedQuery(encrypt), SafeJson(tampered), Encrypted, Now));
    }

    [Fact]
    public void Refuses_a_json_Encrypt_signed_with_the_three_value_signature()
    {
        var encrypt = Crypto.Encrypt(TextJson);
        var query = EncryptedQuery(encrypt) with { MsgSignature = Vector.InboundSignature };

        AssertRejected(CallbackRejection.BadMsgSignature, CallbackEnvelope.Open(query, SafeJson(encrypt), Encrypted, Now));
    }

    [Fact]
    public void Refuses_an_encrypted_json_push_when_no_key_is_configured()
    {
        var encrypt = Crypto.Encrypt(TextJson);

        AssertRejected(CallbackRejection.EncryptionNotConfigured, CallbackEnvelope.Open(EncryptedQuery(encrypt), SafeJson(encrypt), Plain, Now));
    }

    [Fact]
    public void Refuses_plaintext_json_once_a_key_is_configured_unless_allowed()
    {
        AssertRejected(CallbackRejection.PlaintextNotAllowed, CallbackEnvelope.Open(PlainQuery(), TextJson, Encrypted, Now));
        Assert.True(AssertAccepted(CallbackEnvelope.Open(PlainQuery(), TextJson, Encrypted with { AcceptPlaintext = true }, Now)).IsJson);
    }

    [Fact]
    public void Refuses_encrypt_type_aes_on_a_json_body_without_Encrypt()
    {
        AssertRejected(CallbackRejection.BadBody, CallbackEnvelope.Open(PlainQuery() with { EncryptType = "aes" }, TextJson, Plain, Now));
    }

    [Fact]
    public void Reads_the_decrypted_message_in_the_envelopes_format()
    {
        var xmlInside = Crypto.Encrypt(TextMessage);
        var jsonInside = Crypto.Encrypt(TextJson);

        AssertRejected(CallbackRejection.BadBody, CallbackEnvelope.Open(EncryptedQuery(xmlInside), SafeJson(xmlInside), Encrypted, Now));
        AssertRejected(CallbackRejection.BadBody, CallbackEnvelope.Open(EncryptedQuery(jsonInside), SafeModeBody(jsonInside), Encrypted, Now));
    }

    [Theory]
    [InlineData("""{"ToUserName":""")]
    [InlineData("""{"ToUserName":"gh_0123456789ab",}""")]
    [InlineData("""{'ToUserName':'gh_0123456789ab'}""")]
    [InlineData("""{"ToUserName":"gh_0123456789ab"} trailing""")]
    [InlineData("""{"ToUserName":"gh_0123456789ab" /* comment */}""")]
    [InlineData("{\"Content\":\"raw\ttab\"}")]
    public void Refuses_malformed_json_as_a_bad_body(string body)
    {
        AssertRejected(CallbackRejection.BadBody, CallbackEnvelope.Open(PlainQuery(), body, Plain, Now));
    }

    [Fact]
    public void Refuses_json_without_the_message_header()
    {
        AssertRejected(CallbackRejection.BadBody, CallbackEnvelope.Open(PlainQuery(), """{"Content":"no header"}""", Plain, Now));
        var encrypt = Crypto.Encrypt("""{"Content":"no header"}""");
        AssertRejected(CallbackRejection.BadBody, CallbackEnvelope.Open(EncryptedQuery(encrypt), SafeJson(encrypt), Encrypted, Now));
    }

    [Theory]
    [InlineData(16, true)]
    [InlineData(17, false)]
    [InlineData(500, false)]
    public void Accepts_json_nested_up_to_sixteen_levels(int levels, bool accepted)
    {
        // levels counts the root object, as the XML limit counts <xml>; arrays would count too.
        var nested = string.Concat(Enumerable.Repeat("{\"a\":", levels - 1)) + "1" + new string('}', levels - 1);
        var body = TextJson.Trim()[..^1] + ",\"Deep\":" + nested + "}";
        var encrypt = Crypto.Encrypt(body);

        var plain = CallbackEnvelope.Open(PlainQuery(), body, Plain, Now);
        var safe = CallbackEnvelope.Open(EncryptedQuery(encrypt), SafeJson(encrypt), Encrypted, Now);

        if (accepted)
        {
            Assert.Equal("1", AssertAccepted(plain).Message.Get("Deep" + string.Concat(Enumerable.Repeat(".a", levels - 1))));
            AssertAccepted(safe);
        }
        else
        {
            AssertRejected(CallbackRejection.BadBody, plain);
            AssertRejected(CallbackRejection.BadBody, safe);
        }
    }

    [Fact]
    public void Counts_arrays_towards_the_nesting_limit()
    {
        var nested = new string('[', 16) + new string(']', 16);

        Assert.Throws<WechatXmlException>(() => WechatPushJson.Parse("{\"a\":" + nested + "}"));
    }

    [Fact]
    public void Refuses_a_json_body_over_the_size_limit_before_parsing_it()
    {
        AssertRejected(CallbackRejection.BodyTooLarge, CallbackEnvelope.Open(PlainQuery(), TextJson, Plain with { MaxBodyCharacters = 100 }, Now));
        Assert.Throws<WechatXmlException>(() => WechatPushJson.Parse(TextJson, maxCharacters: 100));
    }

    [Fact]
    public void Takes_a_leading_byte_order_mark_and_whitespace_in_its_stride()
    {
        Assert.True(AssertAccepted(CallbackEnvelope.Open(PlainQuery(), "\uFEFF \r\n" + TextJson, Plain, Now)).IsJson);
    }

    // ---- lenient reading (PROTOCOL §1.6, §10.6) ----

    [Fact]
    public void Reads_quoted_and_bare_numbers_alike()
    {
        var bare = InboundMessage.ParseJson(TextJson);
        var quoted = InboundMessage.ParseJson(TextJsonQuoted);

        Assert.Equal(1700000000, bare.CreateTime);
        Assert.Equal(24000000000000001, bare.MsgId);
        Assert.Equal((bare.CreateTime, bare.MsgId), (quoted.CreateTime, quoted.MsgId));
        Assert.Equal(bare.DedupeKey, quoted.DedupeKey);
    }

    [Fact]
    public void Keeps_numbers_as_sent_without_rounding()
    {
        var m = InboundMessage.ParseJson("""
            {"ToUserName":"gh","FromUserName":"o","CreateTime":1,"MsgType":"event","Event":"x",
             "Big":1700827132819554304,"Small":-0.50,"Exp":1e3,"status_code":4294966288}
            """);

        Assert.Equal(("1700827132819554304", "-0.50", "1e3", "4294966288"),
            (m.Get("Big"), m.Get("Small"), m.Get("Exp"), m.Get("status_code")));
    }

    [Fact]
    public void Reads_booleans_as_one_and_zero_and_null_as_empty()
    {
        var m = InboundMessage.ParseJson("""
            {"ToUserName":"gh","FromUserName":"o","CreateTime":1,"MsgType":"event","Event":"x",
             "isrisky":false,"subscribe":true,"EventKey":null}
            """);

        Assert.Equal(("0", "1", ""), (m.Get("isrisky"), m.Get("subscribe"), m.EventKey));
    }

    [Fact]
    public void Reads_a_single_List_object_like_a_one_item_array()
    {
        var asObject = InboundMessage.ParseJson(PopupJson(ReminderItem));
        var asArray = InboundMessage.ParseJson(PopupJson($"[{ReminderItem}]"));
        var bare = InboundMessage.ParseJson(PopupJson(ReminderItemBare));

        var expected = new SubscribeMsgItem("tmpl_reminder_0001", "accept", "0", null, null, null);
        Assert.Equal([expected], asObject.SubscribeMsgItems);
        Assert.Equal([expected], asArray.SubscribeMsgItems);
        Assert.Equal([expected], bare.SubscribeMsgItems);
        Assert.Equal(asObject.DedupeKey, asArray.DedupeKey);
        Assert.Equal(asObject.DedupeKey, bare.DedupeKey);
    }

    [Fact]
    public void Lists_every_item_of_a_List_array()
    {
        var m = InboundMessage.ParseJson(PopupJson($"[{ReminderItem},{WarningItem}]"));

        Assert.Equal(
            [new SubscribeMsgItem("tmpl_reminder_0001", "accept", "0", null, null, null),
             new SubscribeMsgItem("tmpl_warning_0002", "reject", "0", null, null, null)],
            m.SubscribeMsgItems);
        // Repeated, so deliberately absent from the flat view, exactly as in XML.
        Assert.Null(m.Get("List.TemplateId"));
        Assert.NotEqual(InboundMessage.ParseJson(PopupJson(ReminderItem)).DedupeKey, m.DedupeKey);
    }

    [Fact]
    public void Reads_the_bare_19_digit_MsgID_of_a_subscribe_message_sent_item()
    {
        var m = InboundMessage.ParseJson("""
            {"ToUserName":"gh_0123456789ab","FromUserName":"oUser_openid_0001","CreateTime":1700000090,"MsgType":"event",
             "Event":"subscribe_msg_sent_event","List":{"TemplateId":"tmpl_reminder_0001","MsgID":1700827132819554304,"ErrorCode":0,"ErrorStatus":"success"}}
            """);

        Assert.Equal([new SubscribeMsgItem("tmpl_reminder_0001", null, null, 1700827132819554304, "0", "success")], m.SubscribeMsgItems);
    }

    [Fact]
    public void Reads_a_top_level_List_only_for_subscribe_message_events()
    {
        var other = PopupJson(ReminderItem).Replace("subscribe_msg_popup_event", "some_other_event", StringComparison.Ordinal);

        Assert.Empty(InboundMessage.ParseJson(other).SubscribeMsgItems);
    }

    [Fact]
    public void Refuses_a_json_push_with_an_ambiguous_header_field()
    {
        var twice = TextJson.Replace("\"MsgType\"", "\"FromUserName\":\"oUser_openid_0002\",\"MsgType\"", StringComparison.Ordinal);

        Assert.Contains("FromUserName", Assert.Throws<WechatXmlException>(() => InboundMessage.ParseJson(twice)).Message);
    }

    [Fact]
    public void Drops_what_xml_cannot_carry_from_strings_as_the_xml_path_does()
    {
        // Escaped controls and an unpaired surrogate (a cut-off emoji), a raw control character,
        // and a real emoji that must survive.
        var json = TextJson.Replace("\"hello\"", "\"a\\u0001b\\u0000c\\ud83d d\u0002e 😀\"", StringComparison.Ordinal);

        Assert.Equal("abc de 😀", InboundMessage.ParseJson(json).Content);
    }

    [Fact]
    public void Maps_empty_and_nested_arrays_and_empty_objects()
    {
        var root = WechatPushJson.Parse("""{"none":[],"grid":[[1,2],[3]],"result":{}}""");

        Assert.Equal("xml", root.Name);
        Assert.Empty(root.ChildrenNamed("none"));
        var rows = root.ChildrenNamed("grid").ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal(["1", "2"], rows[0].ChildrenNamed("grid").Select(c => c.Value));
        Assert.Equal(["3"], rows[1].ChildrenNamed("grid").Select(c => c.Value));
        Assert.Equal("", WechatXml.Flatten(root)["result"]);
    }

    [Theory]
    [InlineData("[{\"ToUserName\":\"gh\"}]")]
    [InlineData("\"text\"")]
    [InlineData("42")]
    public void Refuses_a_json_root_that_is_not_an_object(string json)
    {
        Assert.Throws<WechatXmlException>(() => WechatPushJson.Parse(json));
    }

    // ---- wxa_media_check (PROTOCOL §5.6) ----

    [Theory]
    [InlineData("\"100\"")]
    [InlineData("100")]
    public void Types_the_verdict_of_a_media_check_push_whether_label_is_a_string_or_a_number(string label)
    {
        var m = InboundMessage.ParseJson(MediaCheckJson(label));

        Assert.True(m.IsMediaCheck);
        Assert.Equal("60f96f1d-3845297a-1976a3ae", m.TraceId);
        Assert.Equal(("pass", "100"), (m.MediaCheckSuggest, m.MediaCheckLabel));
        Assert.Equal(("wx1234567890abcdef", "2"), (m.Get("appid"), m.Get("version")));
        var detail = m.Root.ChildrenNamed("detail").ToList();
        Assert.Equal(["content_model", "keyword"], detail.Select(d => d.Child("strategy")!.Value));
        Assert.Equal(["90", "0.5"], detail.Select(d => d.Child("prob")!.Value));
        Assert.All(detail, d => Assert.Equal("100", d.Child("label")!.Value));
    }

    [Fact]
    public void Keys_a_media_check_push_by_trace_id_whatever_the_type_of_label()
    {
        var asString = InboundMessage.ParseJson(MediaCheckJson("\"100\""));
        var asNumber = InboundMessage.ParseJson(MediaCheckJson("100"));
        var otherTrace = InboundMessage.ParseJson(MediaCheckJson("100", "60f96f1d-3845297a-0000aaaa"));

        Assert.Contains(":60f96f1d-3845297a-1976a3ae:", asString.DedupeKey);
        Assert.Equal(asString.DedupeKey, asNumber.DedupeKey);
        Assert.NotEqual(asString.DedupeKey, otherTrace.DedupeKey);
    }

    [Fact]
    public void Gives_the_xml_and_json_forms_of_a_media_check_push_the_same_reading_and_key()
    {
        const string xml = """
            <xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName><FromUserName><![CDATA[oUser_openid_0001]]></FromUserName>
            <CreateTime>1700000200</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[wxa_media_check]]></Event>
            <appid><![CDATA[wx1234567890abcdef]]></appid><trace_id><![CDATA[60f96f1d-3845297a-1976a3ae]]></trace_id><version>2</version>
            <detail><strategy><![CDATA[content_model]]></strategy><errcode>0</errcode><suggest><![CDATA[pass]]></suggest><label>100</label><prob>90</prob></detail>
            <detail><strategy><![CDATA[keyword]]></strategy><errcode>0</errcode><suggest><![CDATA[pass]]></suggest><label>100</label><prob>0.5</prob></detail>
            <errcode>0</errcode><errmsg><![CDATA[ok]]></errmsg><result><suggest><![CDATA[pass]]></suggest><label>100</label></result></xml>
            """;

        var fromXml = InboundMessage.Parse(xml);
        var fromJson = InboundMessage.ParseJson(MediaCheckJson("100"));

        Assert.Equal((fromXml.TraceId, fromXml.MediaCheckSuggest, fromXml.MediaCheckLabel),
            (fromJson.TraceId, fromJson.MediaCheckSuggest, fromJson.MediaCheckLabel));
        Assert.Equal(fromXml.Fields, fromJson.Fields);
        Assert.Equal(fromXml.DedupeKey, fromJson.DedupeKey);
    }

    [Fact]
    public void Gives_no_verdict_for_other_pushes()
    {
        var m = InboundMessage.ParseJson("""
            {"ToUserName":"gh","FromUserName":"o","CreateTime":1,"MsgType":"event","Event":"other","result":{"suggest":"pass","label":100}}
            """);

        Assert.False(m.IsMediaCheck);
        Assert.Null(m.MediaCheckSuggest);
        Assert.Null(m.MediaCheckLabel);
        Assert.Null(InboundMessage.Parse(TextMessage).TraceId);
    }

    // ---- the reply ----

    [Fact]
    public void Seals_the_reply_vector_in_the_json_envelope_byte_for_byte()
    {
        var request = new CallbackAccepted(InboundMessage.ParseJson(TextJson), CallbackMode.Safe, Vector.InboundTimestamp, Vector.InboundNonce)
        {
            IsJson = true,
        };

        var body = CallbackEnvelope.SealReply(Vector.ReplyXml, request, Encrypted,
            DateTimeOffset.FromUnixTimeSeconds(1700000001), nonce: Vector.ReplyNonce, random16: Vector.ReplyRandom);

        Assert.Equal(
            $$"""{"Encrypt":"{{Vector.ReplyEncrypt}}","MsgSignature":"{{Vector.ReplyMsgSignature}}","TimeStamp":1700000001,"Nonce":"{{Vector.ReplyNonce}}"}""",
            body);
    }

    [Theory]
    [InlineData(CallbackMode.Safe)]
    [InlineData(CallbackMode.Compatible)]
    public void Round_trips_a_json_envelope_reply_as_wechat_would_open_it(CallbackMode mode)
    {
        var encrypt = Crypto.Encrypt(TextJson);
        var body = mode == CallbackMode.Safe
            ? SafeJson(encrypt)
            : TextJson.Trim()[..^1] + $",\"Encrypt\":\"{encrypt}\"}}";
        var accepted = AssertAccepted(CallbackEnvelope.Open(EncryptedQuery(encrypt), body, Encrypted, Now));
        Assert.Equal(mode, accepted.Mode);
        var reply = WechatXml.WriteReply(PassiveReply.Text(accepted.Message, Now, "收到 ]]> ok"));

        var sealedBody = CallbackEnvelope.SealReply(reply, accepted, Encrypted, Now);

        using var envelope = JsonDocument.Parse(sealedBody);
        var e = envelope.RootElement;
        Assert.Equal(["Encrypt", "MsgSignature", "TimeStamp", "Nonce"], e.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Number, e.GetProperty("TimeStamp").ValueKind);
        var (enc, sig, ts, nonce) = (e.GetProperty("Encrypt").GetString()!, e.GetProperty("MsgSignature").GetString()!,
            e.GetProperty("TimeStamp").GetRawText(), e.GetProperty("Nonce").GetString()!);
        Assert.Equal(Now.ToUnixTimeSeconds().ToString(), ts);
        Assert.True(WechatSignature.Verify(sig, Vector.Token, ts, nonce, enc));
        Assert.Equal(reply, Crypto.Decrypt(enc).Message);
        Assert.Equal("application/json; charset=utf-8", new CallbackAnswer(200, sealedBody).ContentType);
    }

    [Theory]
    [InlineData("success")]
    [InlineData("")]
    public void Sends_no_reply_markers_to_an_encrypted_json_push_unencrypted(string marker)
    {
        var encrypt = Crypto.Encrypt(TextJson);
        var accepted = AssertAccepted(CallbackEnvelope.Open(EncryptedQuery(encrypt), SafeJson(encrypt), Encrypted, Now));

        Assert.Equal(marker, CallbackEnvelope.SealReply(marker, accepted, Encrypted, Now));
    }

    [Fact]
    public void Leaves_the_reply_to_a_plaintext_json_push_as_it_is()
    {
        var accepted = AssertAccepted(CallbackEnvelope.Open(PlainQuery(), TextJson, Plain, Now));

        Assert.Equal(Vector.ReplyXml, CallbackEnvelope.SealReply(Vector.ReplyXml, accepted, Plain, Now));
    }

    [Fact]
    public void Seals_an_xml_push_in_the_xml_envelope_through_the_request_overload()
    {
        var accepted = AssertAccepted(CallbackEnvelope.Open(EncryptedQuery(), SafeModeBody(Vector.InboundEncrypt), Encrypted, Now));

        var body = CallbackEnvelope.SealReply(Vector.ReplyXml, accepted, Encrypted,
            DateTimeOffset.FromUnixTimeSeconds(1700000001), nonce: Vector.ReplyNonce, random16: Vector.ReplyRandom);

        Assert.Equal(
            WechatXml.WriteEncryptedEnvelope(Vector.ReplyEncrypt, Vector.ReplyMsgSignature, Vector.ReplyTimeStamp, Vector.ReplyNonce),
            body);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("0170")]
    [InlineData("soon")]
    public void Refuses_to_write_a_timestamp_that_would_not_print_back_as_signed(string timeStamp)
    {
        Assert.Throws<ArgumentException>(() => WechatPushJson.WriteEncryptedEnvelope("e", "s", timeStamp, "n"));
    }

    private static string SafeJson(string encrypt) => $$"""{"ToUserName":"{{OaId}}","Encrypt":"{{encrypt}}"}""";
}
