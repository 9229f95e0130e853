using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using WxQms.Domain.Wechat;
using static WxQms.Tests.Wechat.Samples;

namespace WxQms.Tests.Wechat;

public sealed class WechatCryptoTests
{
    private static readonly WechatCrypto Crypto = new(Vector.EncodingAesKey, Vector.AppId);

    [Fact]
    public void Encrypts_the_inbound_vector_byte_for_byte()
    {
        Assert.Equal(259, Encoding.UTF8.GetByteCount(TextMessage));

        Assert.Equal(Vector.InboundEncrypt, Crypto.Encrypt(TextMessage, Vector.InboundRandom));
    }

    [Fact]
    public void Encrypts_the_reply_vector_byte_for_byte()
    {
        Assert.Equal(Vector.ReplyEncrypt, Crypto.Encrypt(Vector.ReplyXml, Vector.ReplyRandom));
    }

    [Fact]
    public void Decrypts_the_inbound_and_reply_vectors()
    {
        Assert.Equal(new DecryptResult(TextMessage, Vector.AppId), Crypto.Decrypt(Vector.InboundEncrypt));
        Assert.Equal(new DecryptResult(Vector.ReplyXml, Vector.AppId), Crypto.Decrypt(Vector.ReplyEncrypt));
    }

    [Fact]
    public void Decrypts_the_tencent_sample_whose_key_has_spare_bits_and_whose_pad_exceeds_16()
    {
        var tencent = new WechatCrypto(Tencent.EncodingAesKey, Tencent.AppId);

        Assert.Equal(Tencent.Message, tencent.Decrypt(Tencent.Encrypt).Message);
        Assert.Equal(30, RawDecrypt(Tencent.Encrypt, Tencent.EncodingAesKey)[^1]);
    }

    [Fact]
    public void Lays_out_the_plaintext_as_protocol_section_2_4_describes()
    {
        var plain = RawDecrypt(Crypto.Encrypt(TextMessage, Vector.InboundRandom), Vector.EncodingAesKey);

        Assert.Equal(320, plain.Length);
        Assert.Equal("0123456789abcdef"u8.ToArray(), plain[..16]);
        Assert.Equal(new byte[] { 0, 0, 1, 3 }, plain[16..20]);
        Assert.Equal(Encoding.UTF8.GetBytes(TextMessage), plain[20..279]);
        Assert.Equal(Encoding.UTF8.GetBytes(Vector.AppId), plain[279..297]);
        Assert.All(plain[297..], b => Assert.Equal(23, b));
    }

    [Fact]
    public void Derives_the_documented_aes_key_from_the_encoding_aes_key()
    {
        // Encrypting with a key built from §2.4's hex must give what WechatCrypto gives.
        var plain = RawDecrypt(Vector.InboundEncrypt, Vector.EncodingAesKey);
        var key = Convert.FromHexString(Vector.AesKeyHex);
        using var aes = Aes.Create();
        aes.Key = key;

        Assert.Equal(Vector.InboundEncrypt, Convert.ToBase64String(aes.EncryptCbc(plain, key[..16], PaddingMode.None)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("<xml><Content><![CDATA[你好，世界]]></Content></xml>")]
    [InlineData("emoji 😀👍🏽 and 𠮷")]
    [InlineData("26 bytes -> exactly 64 !!!")] // 16 + 4 + 26 + 18 = 64: a whole block of padding
    [InlineData("this one is fifty-eight bytes long, so it ends at 96 .....")] // 16 + 4 + 58 + 18 = 96
    public void Round_trips_edge_case_messages(string message)
    {
        var encrypted = Crypto.Encrypt(message);

        Assert.Equal(0, Convert.FromBase64String(encrypted).Length % 32);
        Assert.Equal(message, Crypto.Decrypt(encrypted).Message);
    }

    [Fact]
    public void Pads_a_block_aligned_message_with_a_full_block_of_32()
    {
        var message = new string('x', 26);

        var plain = RawDecrypt(Crypto.Encrypt(message, Vector.InboundRandom), Vector.EncodingAesKey);

        Assert.Equal(96, plain.Length);
        Assert.All(plain[64..], b => Assert.Equal(32, b));
    }

    [Fact]
    public void Round_trips_random_messages_of_every_padding_length()
    {
        var random = new Random(20261125);
        const string alphabet = "abcXYZ019<>&;]] \n\t\r中文字符测试😀🎉ñü";
        var pads = new HashSet<int>();

        for (var i = 0; i < 400; i++)
        {
            var length = random.Next(0, 300);
            var sb = new StringBuilder();
            while (sb.Length < length)
            {
                var at = random.Next(alphabet.Length);
                sb.Append(char.IsSurrogate(alphabet[at]) ? alphabet.Substring(char.IsHighSurrogate(alphabet[at]) ? at : at - 1, 2) : alphabet[at].ToString());
            }
            var message = sb.ToString();

            var encrypted = Crypto.Encrypt(message);
            pads.Add(RawDecrypt(encrypted, Vector.EncodingAesKey)[^1]);

            Assert.Equal(message, Crypto.Decrypt(encrypted).Message);
        }
        Assert.Equal(Enumerable.Range(1, 32).ToHashSet(), pads);
    }

    [Fact]
    public void Uses_a_fresh_printable_random_prefix_each_time()
    {
        var first = RawDecrypt(Crypto.Encrypt("same"), Vector.EncodingAesKey);
        var second = RawDecrypt(Crypto.Encrypt("same"), Vector.EncodingAesKey);

        Assert.NotEqual(first[..16], second[..16]);
        Assert.All(first[..16], b => Assert.True(char.IsAsciiLetterOrDigit((char)b)));
    }

    [Fact]
    public void Refuses_a_message_encrypted_for_another_appid()
    {
        var other = new WechatCrypto(Vector.EncodingAesKey, "wx0000000000000000");

        var e = Assert.Throws<WechatCryptoException>(() => other.Decrypt(Vector.InboundEncrypt));

        Assert.Equal(WechatCryptoError.ValidateAppIdError, e.Error);
        Assert.Equal(-40005, e.Code);
    }

    [Theory]
    [InlineData("wx1234567890abcde")]   // a prefix of the real appid
    [InlineData("wx1234567890abcdefg")] // the real appid plus one
    [InlineData("WX1234567890ABCDEF")]  // compared ordinally
    public void Refuses_an_appid_that_only_resembles_ours(string configured)
    {
        var e = Assert.Throws<WechatCryptoException>(() => new WechatCrypto(Vector.EncodingAesKey, configured).Decrypt(Vector.InboundEncrypt));

        Assert.Equal(WechatCryptoError.ValidateAppIdError, e.Error);
    }

    [Fact]
    public void Refuses_ciphertext_whose_tail_was_tampered()
    {
        // CBC carries no MAC: tampering early blocks can go unnoticed here, which is why
        // msg_signature is always checked first (see CallbackEnvelopeTests). The tail, though,
        // holds the appid and the padding, so every change there is caught.
        var cipher = Convert.FromBase64String(Vector.InboundEncrypt);
        for (var i = cipher.Length - 32; i < cipher.Length; i++)
        {
            var tampered = (byte[])cipher.Clone();
            tampered[i] ^= 0x01;

            var e = Assert.Throws<WechatCryptoException>(() => Crypto.Decrypt(Convert.ToBase64String(tampered)));
            Assert.Contains(e.Error, new[] { WechatCryptoError.DecryptAesError, WechatCryptoError.ValidateAppIdError, WechatCryptoError.IllegalBuffer });
        }
    }

    [Fact]
    public void Refuses_a_message_encrypted_under_another_key()
    {
        var other = new WechatCrypto(Tencent.EncodingAesKey, Vector.AppId);

        Assert.Throws<WechatCryptoException>(() => other.Decrypt(Vector.InboundEncrypt));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(33)]
    [InlineData(255)]
    public void Refuses_a_pad_value_outside_1_to_32(int pad)
    {
        var plain = Layout("<xml/>", Vector.AppId, declaredLength: null);
        var padded = PadTo32(plain, fill: (byte)pad, count: 32 - plain.Length % 32);

        var e = Assert.Throws<WechatCryptoException>(() => Crypto.Decrypt(RawEncrypt(padded)));

        Assert.Equal(WechatCryptoError.DecryptAesError, e.Error);
    }

    [Fact]
    public void Refuses_padding_whose_bytes_disagree_with_its_length()
    {
        var plain = Layout("<xml/>", Vector.AppId, declaredLength: null);
        var padded = PadTo32(plain, fill: 7, count: 32 - plain.Length % 32);
        padded[^1] = 5;
        padded[^3] = 9;

        var e = Assert.Throws<WechatCryptoException>(() => Crypto.Decrypt(RawEncrypt(padded)));

        Assert.Equal(WechatCryptoError.DecryptAesError, e.Error);
    }

    [Fact]
    public void Refuses_a_length_field_pointing_past_the_end()
    {
        var plain = Layout("<xml/>", Vector.AppId, declaredLength: 1000);
        var padded = PadTo32(plain, fill: (byte)(32 - plain.Length % 32), count: 32 - plain.Length % 32);

        var e = Assert.Throws<WechatCryptoException>(() => Crypto.Decrypt(RawEncrypt(padded)));

        Assert.Equal(WechatCryptoError.IllegalBuffer, e.Error);
        Assert.Equal(-40008, e.Code);
    }

    [Fact]
    public void Refuses_a_plaintext_shorter_than_its_header()
    {
        var padded = PadTo32(new byte[10], fill: 22, count: 22);

        var e = Assert.Throws<WechatCryptoException>(() => Crypto.Decrypt(RawEncrypt(padded)));

        Assert.Equal(WechatCryptoError.IllegalBuffer, e.Error);
    }

    [Theory]
    [InlineData("not base64!", WechatCryptoError.DecodeBase64Error)]
    [InlineData("", WechatCryptoError.DecryptAesError)]
    [InlineData("QUJDREVGR0g=", WechatCryptoError.DecryptAesError)] // 8 bytes: not whole AES blocks
    public void Refuses_input_that_is_not_a_ciphertext(string base64, WechatCryptoError expected)
    {
        Assert.Equal(expected, Assert.Throws<WechatCryptoException>(() => Crypto.Decrypt(base64)).Error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456789ABCDEF")]   // 42
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH")] // 44
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456789ABCDEF!")]  // not Base64
    [InlineData("abcdefghijklmnopqrstuvwxyz012345678 ABCDEFG")]  // whitespace, which Convert would skip
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456789ABCDEF=")]  // padding inside the key
    public void Refuses_an_encoding_aes_key_that_is_not_43_base64_characters(string key)
    {
        var e = Assert.Throws<ArgumentException>(() => new WechatCrypto(key, Vector.AppId));

        Assert.Contains("EncodingAESKey", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void Refuses_an_empty_appid(string appId)
    {
        Assert.Throws<ArgumentException>(() => new WechatCrypto(Vector.EncodingAesKey, appId));
    }

    [Theory]
    [InlineData("short")]
    [InlineData("0123456789abcdefg")]
    [InlineData("0123456789abcde中")] // 16 characters, 18 bytes
    public void Refuses_a_random_prefix_that_is_not_16_bytes(string random16)
    {
        Assert.Throws<ArgumentException>(() => Crypto.Encrypt("<xml/>", random16));
    }

    private static byte[] Layout(string message, string appId, int? declaredLength)
    {
        var body = Encoding.UTF8.GetBytes(message);
        var id = Encoding.UTF8.GetBytes(appId);
        var plain = new byte[20 + body.Length + id.Length];
        "0123456789abcdef"u8.CopyTo(plain);
        BinaryPrimitives.WriteInt32BigEndian(plain.AsSpan(16), declaredLength ?? body.Length);
        body.CopyTo(plain, 20);
        id.CopyTo(plain, 20 + body.Length);
        return plain;
    }

    private static byte[] PadTo32(byte[] plain, byte fill, int count)
    {
        var padded = new byte[plain.Length + count];
        plain.CopyTo(padded, 0);
        padded.AsSpan(plain.Length).Fill(fill);
        return padded;
    }

    private static string RawEncrypt(byte[] padded)
    {
        var key = Convert.FromHexString(Vector.AesKeyHex);
        using var aes = Aes.Create();
        aes.Key = key;
        return Convert.ToBase64String(aes.EncryptCbc(padded, key[..16], PaddingMode.None));
    }

    /// <summary>PROTOCOL §2.4's decryption steps 1–3, independent of WechatCrypto.</summary>
    private static byte[] RawDecrypt(string base64, string encodingAesKey)
    {
        var key = Convert.FromBase64String(encodingAesKey + "=");
        using var aes = Aes.Create();
        aes.Key = key;
        return aes.DecryptCbc(Convert.FromBase64String(base64), key[..16], PaddingMode.None);
    }
}
