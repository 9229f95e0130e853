using WxQms.Domain.Rules.Dues;

namespace WxQms.Tests.Dues;

/// <summary>Farmers' amounts and voluntary payments above the dues (DUTIES.md §A.3), one case per edge, in fen.</summary>
public sealed class DuesRemainderRulesTests
{
    [Theory]
    [InlineData(20, 20)] // the province's lowest: 0.20 yuan
    [InlineData(50, 50)]
    [InlineData(100, 100)] // the highest: 1 yuan
    public void A_farmer_pays_what_the_province_sets(int baseFen, int expected)
    {
        Assert.Equal(expected, DuesRules.StandardFen(DuesCategory.Farmer, baseFen));
        Assert.Null(DuesRules.Refusal(new DuesBasis(DuesCategory.Farmer, baseFen)));
        Assert.Equal($"农民党员按省级党委规定（每月0.20元至1.00元）每月交纳{DuesRules.Yuan(expected)}元",
            DuesRules.Amount(new DuesBasis(DuesCategory.Farmer, baseFen)).Explanation);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(19)]
    [InlineData(101)]
    [InlineData(300_000)] // a salary typed for a farmer
    public void A_farmers_amount_outside_the_provinces_range_is_refused(int baseFen) =>
        Assert.Equal("农民党员每月交纳0.20元至1.00元，请填写本省规定的金额", DuesRules.Refusal(new DuesBasis(DuesCategory.Farmer, baseFen)));

    [Fact]
    public void A_farmer_is_named_as_such() => Assert.Equal("农民", DuesRules.CategoryName(DuesCategory.Farmer));

    [Theory]
    [InlineData(0, 4500, 0, 0, VoluntaryKind.None)]
    [InlineData(4500, 4500, 4500, 0, VoluntaryKind.None)] // exactly the dues
    [InlineData(4501, 4500, 4500, 1, VoluntaryKind.Voluntary)]
    [InlineData(104_499, 4500, 4500, 99_999, VoluntaryKind.Voluntary)] // 999.99 yuan above: kept with the branch's dues
    [InlineData(104_500, 4500, 4500, 100_000, VoluntaryKind.ForwardInFull)] // 1,000 yuan above: handed up in full
    [InlineData(100_000, 0, 0, 100_000, VoluntaryKind.ForwardInFull)] // a voluntary payment with nothing owed
    public void A_payment_above_the_dues_is_voluntary_and_from_1000_yuan_forwarded_in_full(int paid, int due, int dues, int extra,
        VoluntaryKind kind)
    {
        var part = VoluntaryDues.Split(paid, due);
        Assert.Equal((dues, extra, kind), (part.DuesFen, part.ExtraFen, part.Kind));
        Assert.Equal(kind == VoluntaryKind.None, part.Label is null);
    }

    [Fact]
    public void The_label_says_where_a_large_voluntary_payment_goes() =>
        Assert.Equal("自愿多交党费1,000.00元（单笔1000元以上，全额上缴中央）", VoluntaryDues.Split(104_500, 4500).Label);

    [Theory]
    [InlineData(0, null)] // nothing extra
    [InlineData(1, null)]
    [InlineData(100_000_000, null)] // one million yuan, the most one payment takes
    [InlineData(-1, "自愿多交金额应在0至1,000,000.00元之间")]
    [InlineData(100_000_001, "自愿多交金额应在0至1,000,000.00元之间")]
    public void A_voluntary_amount_is_refused_only_below_nothing_or_above_a_million_yuan(int voluntaryFen, string? refusal) =>
        Assert.Equal(refusal, VoluntaryDues.Refusal(voluntaryFen));
}
