using WxQms.Domain.Sms;

namespace WxQms.Tests.Sms;

/// <summary>
/// The signer against Tencent Cloud's published worked example (签名方法 v3 / "Signature v3": cvm DescribeInstances in
/// ap-guangzhou at X-TC-Timestamp 1551113065, SecretId AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE, SecretKey
/// Gu5t9xGARNpq86cd98joQYCN3EXAMPLE), every intermediate value the document prints, byte for byte.
/// </summary>
public sealed class Tc3SignerTests
{
    private const string Payload = """{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}""";

    private static Tc3Signer.Signed DocumentExample() => Tc3Signer.Sign("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", "cvm", 1551113065, Payload, new Dictionary<string, string>
        {
            ["Host"] = "cvm.tencentcloudapi.com",
            ["Content-Type"] = "application/json; charset=utf-8",
        });

    [Fact]
    public void The_payload_hash_and_the_canonical_request_are_the_documents()
    {
        Assert.Equal("35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064", Tc3Signer.Sha256Hex(Payload));
        Assert.Equal("POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n"
            + "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064", DocumentExample().CanonicalRequest);
    }

    [Fact]
    public void The_string_to_sign_uses_the_utc_date_of_the_timestamp()
    {
        // 1551113065 is 2019-02-26 00:44:25 in Beijing: the scope's date is still the 25th.
        Assert.Equal("TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n"
            + "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031", DocumentExample().StringToSign);
    }

    [Fact]
    public void The_signature_and_the_authorization_are_the_documents()
    {
        var signed = DocumentExample();
        Assert.Equal("72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168", signed.Signature);
        Assert.Equal("TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, "
            + "SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168",
            signed.Authorization);
    }

    [Fact]
    public void An_authorization_header_parses_back_into_its_parts()
    {
        var parsed = Tc3Signer.Parse(DocumentExample().Authorization);
        Assert.NotNull(parsed);
        Assert.Equal(("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "2019-02-25", "cvm"), (parsed.SecretId, parsed.Date, parsed.Service));
        Assert.Equal(["content-type", "host"], parsed.SignedHeaders);
        Assert.Null(Tc3Signer.Parse("HMAC-SHA1 Credential=x"));
        Assert.Null(Tc3Signer.Parse("TC3-HMAC-SHA256 Credential=a/b, Signature=c"));
    }
}
