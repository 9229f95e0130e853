using WxQms.Domain.Rules;

namespace WxQms.Tests.Rules;

/// <summary>A phone as a community secretary's export shows it outside her own branches, and the import reading it back.</summary>
public sealed class PhoneMaskTests
{
    [Theory]
    [InlineData("13812341234", "138****1234")]
    [InlineData("166000", "****")]
    public void Masking_keeps_the_first_three_and_last_four(string phone, string expected) =>
        Assert.Equal(expected, RosterSheet.MaskPhone(phone));

    [Theory]
    [InlineData("138****1234", true)]
    [InlineData("13812341234", false)] // a number, not a mask
    [InlineData("138***1234", false)]  // too short
    [InlineData("138*****234", false)] // five stars
    [InlineData("238****1234", false)] // no mobile number starts with 2
    [InlineData("13a****1234", false)]
    [InlineData("***********", false)]
    public void A_mask_is_recognised_only_in_the_exports_shape(string text, bool expected) =>
        Assert.Equal(expected, RosterSheet.IsPhoneMask(text));
}
