using WxQms.Domain.Wechat;
using static WxQms.Tests.Wechat.Samples;

namespace WxQms.Tests.Wechat;

/// <summary>The §2.4 vector's query strings and the accept/reject assertions the envelope tests share.</summary>
internal static class CallbackAssertions
{
    public static CallbackQuery PlainQuery() =>
        new(Vector.InboundSignature, Vector.InboundTimestamp, Vector.InboundNonce, OpenId: OpenId);

    public static CallbackQuery EncryptedQuery(string encrypt = Vector.InboundEncrypt) =>
        PlainQuery() with
        {
            EncryptType = "aes",
            MsgSignature = WechatSignature.Sign(Vector.Token, Vector.InboundTimestamp, Vector.InboundNonce, encrypt),
        };

    public static CallbackAccepted AssertAccepted(CallbackResult result) =>
        result as CallbackAccepted ?? throw new Xunit.Sdk.XunitException($"Expected acceptance, got {result}");

    public static CallbackRejected AssertRejected(CallbackRejection reason, CallbackResult result)
    {
        var rejected = Assert.IsType<CallbackRejected>(result);
        Assert.Equal(reason, rejected.Reason);
        return rejected;
    }
}
