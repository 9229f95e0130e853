using System.Security.Cryptography;
using System.Text.Json;
using WxQms.Domain.Wechat.Pay;

namespace WxQms.Tests.Pay;

/// <summary>
/// WeChat Pay APIv3's signatures and the notification's AES-256-GCM against vectors made outside .NET (Python's
/// cryptography package, with the sandbox's demo merchant key and APIv3 key), so both sides of our code are checked
/// against a third party and not only against each other.
/// </summary>
public sealed class WechatPaySigningTests
{
    private const string ApiV3Key = "sandbox-apiv3-demo-NOT-A-SECRET!";

    private static RSA MerchantKey() => WechatPayKeys.LoadPrivateKey(Path.Combine(AppContext.BaseDirectory, "sandbox-pay", "sandbox-demo-merchant-key.pem"));

    private static RSA MerchantCertificateKey() => WechatPayKeys.LoadPlatformKey(
        Path.Combine(AppContext.BaseDirectory, "sandbox-pay", "sandbox-demo-merchant-cert.pem")).Key;

    private const string RequestSignature =
        "iOVCbByKdRW4u8rdst1PrdTsOhuqhABeNVWx7FCpf2F+fXvujtm76cYRZy3CJrHyG6wAtcAf2JCH/fN6ZFnd6Q4TbvTm5qcTxGUQwZXNl16L4wo4fohgt6+hCALsSkWl2d0r1CxTqmNuQhJh5dYN8vaebhHI4INh4KuIBpjNWxElRA1sU0okuND/N1kP8PUul+lMTI7WRvwU9TkKqyFnWaprEIpgZGd6AnL1yW4pJTUhmzX3E+Znh2g4wVTbApwQG5R7HxesExwMEpHIpuQ6zrVFH7b6VlJWp/n3iBkow7WIegIgdfjUGhXpNKu4CkAJikJmSqqGAiziunT8XM1+Lg==";

    private const string PaySign =
        "LPrUv0xD6IO/SMhn4SNyr+B2oHUz2sCSwjCDgQwFpUnCBEQpYpyV3Je9xQ5UXNDOZY2OCH/h76P64oFTIEC0NLbcw9N+XQARkUkN5aeFc8WAODH8hwW4etoUxgoOt/TDonh+V+OkyrhpbqYrtP4PLxju+fSuIVKJx8rDXLHLfIe7/y+TwVBNkD4lUaHagxkGgIfn9B+Jdp38WJyVuArABSKDIbAiJOGu3TcNcBdybiMEYxiAslKJMaCLvUUIlWtncFXCuV74GzO6UW7/f+Gal3qH5sp1pE2q3yc5UvFJx47S/qzXvoTUwsmJIPKzM1pj+bPfYVfYZfNV3Ku34QB9VQ==";

    private const string Ciphertext =
        "H1jezQivRLHnYqyny+mClLm3rbr94ANZBtqfgW/Ass5SWa7GDpGDBZNMTb33G0YoeRNq4BHf/ZRaX/zsgkQgKx6qAUl1uR8nxO5nEMBFmvpy5Ai6aPAaE6ZegB311ALvMLFq+mxZxhymO75SyTs=";

    private const string Plaintext = """{"out_trade_no":"P20261207000000ABCDEFGHJKLM","trade_state":"SUCCESS","amount":{"total":2400}}""";

    [Fact]
    public void A_request_is_signed_over_method_path_timestamp_nonce_and_body_each_ending_in_a_newline()
    {
        var message = WechatPaySigning.RequestMessage("post", "/v3/pay/transactions/jsapi", "1554208460",
            "593BEC0C930BF1AFEB40B4A08C8FB242", """{"appid":"wxd678efh567hg6787"}""");
        Assert.Equal("POST\n/v3/pay/transactions/jsapi\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n{\"appid\":\"wxd678efh567hg6787\"}\n", message);
        using var key = MerchantKey();
        Assert.Equal(RequestSignature, WechatPaySigning.Sign(key, message)); // PKCS#1 v1.5 is deterministic
        using var certificate = MerchantCertificateKey();
        Assert.True(WechatPaySigning.Verify(certificate, message, RequestSignature));
        Assert.False(WechatPaySigning.Verify(certificate, message.Replace("1554208460", "1554208461"), RequestSignature));
        Assert.False(WechatPaySigning.Verify(certificate, message, "not base64!"));
    }

    [Fact]
    public void The_pay_sign_of_wx_requestPayment_covers_appId_timeStamp_nonceStr_and_package()
    {
        var message = WechatPaySigning.PayMessage("wx5a4db0c0a0000002", "1414561699", "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
            "prepay_id=wx201410272009395522657a690389285100");
        using var key = MerchantKey();
        Assert.Equal(PaySign, WechatPaySigning.Sign(key, message));
    }

    [Fact]
    public void The_authorization_header_names_the_scheme_and_its_five_fields_and_reads_back()
    {
        var header = WechatPaySigning.Authorization("1900000109", "5A4D01", "NONCE", "1554208460", "c2lnbg==");
        Assert.Equal("""WECHATPAY2-SHA256-RSA2048 mchid="1900000109",nonce_str="NONCE",signature="c2lnbg==",timestamp="1554208460",serial_no="5A4D01" """.TrimEnd(), header);
        var fields = WechatPaySigning.ParseAuthorization(header)!;
        Assert.Equal(["1900000109", "NONCE", "c2lnbg==", "1554208460", "5A4D01"],
            [fields["mchid"], fields["nonce_str"], fields["signature"], fields["timestamp"], fields["serial_no"]]);
        Assert.Null(WechatPaySigning.ParseAuthorization("Bearer abc"));
        Assert.Null(WechatPaySigning.ParseAuthorization("WECHATPAY2-SHA256-RSA2048 mchid=1900000109"));
    }

    [Fact]
    public void A_notification_resource_opens_with_the_APIv3_key_nonce_and_associated_data()
    {
        Assert.Equal(Plaintext, WechatPaySigning.Decrypt(ApiV3Key, "fdasflkja484", "transaction", Ciphertext));
        // And our own sealing (the sandbox's side) is the same AEAD: it round-trips and matches the vector.
        Assert.Equal(Ciphertext, WechatPaySigning.Encrypt(ApiV3Key, "fdasflkja484", "transaction", Plaintext));
    }

    [Theory]
    [InlineData("tampered ciphertext")]
    [InlineData("other associated data")]
    [InlineData("other nonce")]
    [InlineData("other key")]
    [InlineData("not base64")]
    [InlineData("too short")]
    public void A_resource_that_was_changed_or_sealed_otherwise_does_not_open(string change)
    {
        var bytes = Convert.FromBase64String(Ciphertext);
        bytes[5] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => change switch
        {
            "tampered ciphertext" => WechatPaySigning.Decrypt(ApiV3Key, "fdasflkja484", "transaction", Convert.ToBase64String(bytes)),
            "other associated data" => WechatPaySigning.Decrypt(ApiV3Key, "fdasflkja484", "refund", Ciphertext),
            "other nonce" => WechatPaySigning.Decrypt(ApiV3Key, "fdasflkja485", "transaction", Ciphertext),
            "other key" => WechatPaySigning.Decrypt(ApiV3Key.Replace('!', '?'), "fdasflkja484", "transaction", Ciphertext),
            "not base64" => WechatPaySigning.Decrypt(ApiV3Key, "fdasflkja484", "transaction", "%%%"),
            _ => WechatPaySigning.Decrypt(ApiV3Key, "fdasflkja484", "transaction", "AAAA"),
        });
    }

    [Fact]
    public void The_decrypted_transaction_reads_as_a_PayTransaction()
    {
        var paid = JsonSerializer.Deserialize<PayTransaction>(Plaintext, WechatPayClient.Json)!;
        Assert.Equal(("P20261207000000ABCDEFGHJKLM", "SUCCESS", 2400), (paid.OutTradeNo, paid.TradeState, paid.Amount!.Total));
    }
}

/// <summary>Which answers and notifications count as WeChat Pay's: signed by the platform key, named by its serial, fresh.</summary>
public sealed class WechatPayVerifierTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 2, 0, 0, TimeSpan.Zero);

    private static WechatPayKeys Keys() => new(Microsoft.Extensions.Options.Options.Create(new WechatPayOptions
    {
        MchId = "1900000109",
        PrivateKeyPath = "sandbox-pay/sandbox-demo-merchant-key.pem",
        PlatformCertPath = "sandbox-pay/sandbox-demo-platform-cert.pem",
    }), new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { ContentRootPath = AppContext.BaseDirectory });

    private static (string Timestamp, string Nonce, string Signature) Signed(string body, DateTimeOffset at)
    {
        using var platform = WechatPayKeys.LoadPrivateKey(Path.Combine(AppContext.BaseDirectory, "sandbox-pay", "sandbox-demo-platform-key.pem"));
        var ts = at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        return (ts, "NONCE1", WechatPaySigning.Sign(platform, WechatPaySigning.ResponseMessage(ts, "NONCE1", body)));
    }

    [Theory]
    [InlineData("genuine", null)]
    [InlineData("body changed", "Wechatpay-Signature does not verify")]
    [InlineData("signed by the merchant", "Wechatpay-Signature does not verify")]
    [InlineData("five minutes and a second old", "Wechatpay-Timestamp is stale")]
    [InlineData("from the future", "Wechatpay-Timestamp is stale")]
    [InlineData("another serial", "Wechatpay-Serial names another platform key")]
    [InlineData("no signature", "missing Wechatpay-Timestamp, -Nonce or -Signature")]
    [InlineData("timestamp not a number", "Wechatpay-Timestamp is not a unix time")]
    public void An_answer_is_WeChat_Pays_only_when_signed_by_the_platform_named_and_fresh(string change, string? problem)
    {
        var keys = Keys();
        const string body = """{"prepay_id":"wx2016"}""";
        var at = change switch
        {
            "five minutes and a second old" => Now.AddSeconds(-301),
            "from the future" => Now.AddSeconds(301),
            _ => Now.AddSeconds(-299),
        };
        var (ts, nonce, signature) = Signed(body, at);
        if (change == "signed by the merchant")
            signature = WechatPaySigning.Sign(keys.Merchant, WechatPaySigning.ResponseMessage(ts, nonce, body));
        Assert.Equal(problem, WechatPayVerifier.Verify(keys, TimeSpan.FromMinutes(5), Now,
            change == "timestamp not a number" ? "16e9" : ts, nonce, change == "no signature" ? null : signature,
            change == "another serial" ? "5A4DB0C0A0000000000000000000000000000001" : keys.PlatformSerial,
            change == "body changed" ? body.Replace("2016", "2017") : body));
    }
}
