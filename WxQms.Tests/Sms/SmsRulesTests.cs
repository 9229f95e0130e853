using WxQms.Domain.Rules.Sms;

namespace WxQms.Tests.Sms;

public sealed class SmsRulesTests
{
    [Theory]
    [InlineData("13800001234", "+8613800001234")]
    [InlineData("+86 138-0000-1234", "+8613800001234")]
    [InlineData("008613800001234", "+8613800001234")]
    [InlineData("12800001234", null)]   // no mainland mobile starts 12
    [InlineData("1380000123", null)]    // ten digits
    [InlineData("+85261234567", null)]  // Hong Kong: not a mainland number
    [InlineData("", null)]
    [InlineData(null, null)]
    public void A_number_is_taken_in_the_providers_form_only_when_it_is_a_mainland_mobile(string? phone, string? expected) =>
        Assert.Equal(expected, SmsRules.ToE164(phone));

    public static TheoryData<string[], int, string?> Parameters => new()
    {
        { ["支部委员会", "12月20日14:30", "党群服务中心"], 3, null },
        { ["支部委员会", "12月20日14:30"], 3, "模板需要 3 个参数" },
        { ["支部委员会", "", "党群服务中心"], 3, "参数{2}为空" },
        { ["一二三四五六七八九十一二三", "12月20日", "x"], 3, "参数{1}超过 12 个字符（13）" },
        { ["一二三四五六七八九十一二", "12月20日", "x"], 3, null }, // exactly 12
        { ["见 http://x.cn", "12月20日", "x"], 3, "参数{1}含链接" },
        { ["两行\n文字", "12月20日", "x"], 3, "参数{1}含换行" },
    };

    [Theory]
    [MemberData(nameof(Parameters))]
    public void Template_parameters_are_checked_against_the_providers_rules_before_a_send(string[] values, int count, string? error)
    {
        var errors = SmsRules.Validate(values, count, 12);
        if (error is null)
            Assert.Empty(errors);
        else
            Assert.Contains(errors, e => e.StartsWith(error, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("短文字", "短文字")]
    [InlineData("一二三四五六七八九十一二三四", "一二三四五六七八九十一…")]
    [InlineData(" 两行\n文字 ", "两行 文字")]
    public void A_long_value_is_shortened_to_fit(string text, string expected) => Assert.Equal(expected, SmsRules.Param(text, 12));

    [Theory]
    [InlineData("TD", true)]
    [InlineData(" td ", true)]
    [InlineData("退订", true)]
    [InlineData("T D", true)]
    [InlineData("收到", false)]
    [InlineData("TD谢谢", false)]
    [InlineData("", false)]
    public void Only_TD_or_退订_opts_a_number_out(string reply, bool optOut) => Assert.Equal(optOut, SmsRules.IsOptOut(reply));

    [Theory]
    [InlineData(1, 1)]
    [InlineData(70, 1)]
    [InlineData(71, 2)]
    [InlineData(134, 2)]
    [InlineData(135, 3)]
    public void A_message_is_billed_per_70_characters_or_per_67_when_long(int length, int units) =>
        Assert.Equal(units, SmsRules.BillingUnits(new string('党', length)));
}
