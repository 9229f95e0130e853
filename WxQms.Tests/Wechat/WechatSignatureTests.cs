using WxQms.Domain.Wechat;
using static WxQms.Tests.Wechat.Samples;

namespace WxQms.Tests.Wechat;

public sealed class WechatSignatureTests
{
    [Fact]
    public void Signs_the_url_verification_vector()
    {
        Assert.Equal(Vector.UrlSignature, WechatSignature.Sign(Vector.Token, Vector.UrlTimestamp, Vector.UrlNonce));
    }

    [Fact]
    public void Signs_the_inbound_vector_with_three_and_with_four_values()
    {
        Assert.Equal(Vector.InboundSignature,
            WechatSignature.Sign(Vector.Token, Vector.InboundTimestamp, Vector.InboundNonce));
        Assert.Equal(Vector.InboundMsgSignature,
            WechatSignature.Sign(Vector.Token, Vector.InboundTimestamp, Vector.InboundNonce, Vector.InboundEncrypt));
    }

    [Fact]
    public void Signs_the_reply_vector_and_the_tencent_sample()
    {
        Assert.Equal(Vector.ReplyMsgSignature,
            WechatSignature.Sign(Vector.Token, Vector.ReplyTimeStamp, Vector.ReplyNonce, Vector.ReplyEncrypt));
        Assert.Equal(Tencent.MsgSignature,
            WechatSignature.Sign(Tencent.Token, Tencent.Timestamp, Tencent.Nonce, Tencent.Encrypt));
    }

    [Fact]
    public void Does_not_depend_on_the_order_of_the_parts()
    {
        Assert.Equal(Vector.UrlSignature, WechatSignature.Sign(Vector.UrlNonce, Vector.Token, Vector.UrlTimestamp));
    }

    [Fact]
    public void Sorts_ordinally_not_by_culture()
    {
        // Ordinal: "B" (0x42) < "a" (0x61); a culture-aware sort puts "a" first.
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData("Ba"u8));

        Assert.Equal(expected, WechatSignature.Sign("a", "B"));
    }

    [Fact]
    public void Verifies_a_matching_signature_in_either_hex_case()
    {
        Assert.True(WechatSignature.Verify(Vector.UrlSignature, Vector.Token, Vector.UrlTimestamp, Vector.UrlNonce));
        Assert.True(WechatSignature.Verify(Vector.UrlSignature.ToUpperInvariant(), Vector.Token, Vector.UrlTimestamp, Vector.UrlNonce));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1224ee560df62329b43aeee20636a0defb583ee")]
    [InlineData("1224ee560df62329b43aeee20636a0defb583ee40")]
    [InlineData("1224ee560df62329b43aeee20636a0defb583ee5")]
    [InlineData("1224ee560df62329b43aeee20636a0defb583eeg")]
    [InlineData("0d61f6eee4cbf5ba74df4905b710280d88a498b6")]
    public void Refuses_a_missing_malformed_or_different_signature(string? candidate)
    {
        Assert.False(WechatSignature.Verify(candidate, Vector.Token, Vector.UrlTimestamp, Vector.UrlNonce));
    }

    [Fact]
    public void Refuses_the_three_value_signature_where_four_values_are_signed()
    {
        // The classic safe-mode bug (PROTOCOL §1.3): signature and msg_signature are different formulas.
        Assert.False(WechatSignature.Verify(Vector.InboundSignature,
            Vector.Token, Vector.InboundTimestamp, Vector.InboundNonce, Vector.InboundEncrypt));
    }
}
