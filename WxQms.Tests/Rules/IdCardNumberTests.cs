using Microsoft.Extensions.Options;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Services;

namespace WxQms.Tests.Rules;

public sealed class IdCardNumberTests
{
    // Valid numbers (check character computed per GB 11643): one ending in X, one in a digit.
    private const string WithX = "11010519491231002X";
    private const string WithDigit = "410105199003071002";

    [Theory]
    [InlineData(WithX, WithX)]
    [InlineData(" 11010519491231002x ", WithX)]
    [InlineData(WithDigit, WithDigit)]
    [InlineData("110105194912310021", null)] // wrong check character
    [InlineData("110105194913310021", null)] // right check character, month 13
    [InlineData("1101051949123100", null)]
    [InlineData("11010A19491231002X", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Normalize_accepts_only_valid_numbers(string? input, string? expected) =>
        Assert.Equal(expected, IdCardNumbers.Normalize(input));

    [Fact]
    public void A_valid_number_with_an_impossible_birth_date_is_refused()
    {
        var body = "41010519900230123"; // 30 February
        var check = CheckCharacter(body);
        Assert.Null(IdCardNumbers.Normalize(body + check));
        Assert.Null(IdCardNumbers.BirthDate(body + check));
    }

    [Fact]
    public void Masking_keeps_the_first_and_last_four() =>
        Assert.Equal("1101**********002X", IdCardNumbers.Mask(WithX));

    [Fact]
    public void Protected_numbers_round_trip_differ_at_rest_and_share_a_lookup()
    {
        var protector = new IdCardProtector(Options.Create(new MembersOptions { IdCardKey = Convert.ToBase64String(new byte[32]) }));
        var a = protector.Protect(WithX);
        var b = protector.Protect(WithX);
        Assert.NotEqual(a.Cipher, b.Cipher);
        Assert.Equal(a.Lookup, b.Lookup);
        Assert.Equal("002X", a.LastFour);
        Assert.Equal(WithX, protector.Unprotect(a.Cipher));
        Assert.Equal(-1, a.Cipher.AsSpan().IndexOf("1949"u8));
    }

    [Fact]
    public void Without_a_key_no_number_is_accepted()
    {
        var protector = new IdCardProtector(Options.Create(new MembersOptions()));
        Assert.False(protector.IsConfigured);
        var e = Assert.Throws<RuleViolationException>(() => protector.Protect(WithX));
        Assert.Equal("member.id_card_key_missing", e.Code);
    }

    private static char CheckCharacter(string body)
    {
        int[] w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        var sum = body.Select((c, i) => (c - '0') * w[i]).Sum();
        return "10X98765432"[sum % 11];
    }
}
