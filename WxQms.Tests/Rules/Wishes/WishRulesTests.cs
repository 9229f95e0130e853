using WxQms.Domain.Model.Wishes;
using WxQms.Domain.Rules.Wishes;

namespace WxQms.Tests.Rules.Wishes;

/// <summary>The micro-wish state machine, the masking of names and the checks of a post, without a database.</summary>
public sealed class WishRulesTests
{
    [Theory]
    [InlineData(WishStatus.Reviewing, WishAction.Approve, WishStatus.Published)]
    [InlineData(WishStatus.Reviewing, WishAction.Refuse, WishStatus.Refused)]
    [InlineData(WishStatus.Reviewing, WishAction.Cancel, WishStatus.Cancelled)]
    [InlineData(WishStatus.Published, WishAction.Cancel, WishStatus.Cancelled)]
    [InlineData(WishStatus.Claimed, WishAction.Cancel, WishStatus.Cancelled)]
    [InlineData(WishStatus.Published, WishAction.Claim, WishStatus.Claimed)]
    [InlineData(WishStatus.Claimed, WishAction.Release, WishStatus.Published)]
    [InlineData(WishStatus.Claimed, WishAction.Fulfil, WishStatus.Fulfilled)]
    [InlineData(WishStatus.Fulfilled, WishAction.Confirm, WishStatus.Lit)]
    [InlineData(WishStatus.Fulfilled, WishAction.AutoConfirm, WishStatus.Lit)]
    public void Allowed_transitions_lead_where_the_flow_says(WishStatus from, WishAction action, WishStatus to) =>
        Assert.Equal(to, WishRules.Next(from, action));

    [Fact]
    public void Every_other_transition_is_refused_with_a_chinese_reason()
    {
        var allowed = 0;
        foreach (var from in Enum.GetValues<WishStatus>())
        foreach (var action in Enum.GetValues<WishAction>())
        {
            if (WishRules.Next(from, action) is not null)
            {
                allowed++;
                continue;
            }
            Assert.Contains("该心愿", WishRules.Refusal(from, action));
        }
        Assert.Equal(10, allowed);
        // Lit, refused and cancelled wishes are final.
        foreach (var final in new[] { WishStatus.Lit, WishStatus.Refused, WishStatus.Cancelled })
            Assert.All(Enum.GetValues<WishAction>(), a => Assert.Null(WishRules.Next(final, a)));
    }

    [Theory]
    [InlineData("张三", "张*")]
    [InlineData("李", "李*")]
    [InlineData("欧阳娜娜", "欧***")]
    [InlineData(" 王阿姨 ", "王**")]
    [InlineData("", "居民")]
    [InlineData(null, "居民")]
    public void The_wishers_name_shows_only_its_first_character(string? name, string shown) =>
        Assert.Equal(shown, WishRules.Mask(name));

    [Theory]
    [InlineData("", "说明", null, "请填写心愿标题")]
    [InlineData("标题", " ", null, "请描述您的心愿")]
    [InlineData("标题", "说明", "一二三四五六七八九十一", "称呼不超过 10 个字")]
    [InlineData("标题", "说明", null, null)]
    public void A_post_needs_a_title_and_a_description_within_their_lengths(string title, string description, string? name, string? refusal) =>
        Assert.Equal(refusal, WishRules.PostRefusal(title, description, name));

    [Fact]
    public void Thirty_characters_of_title_and_three_hundred_of_description_are_the_limits()
    {
        Assert.Null(WishRules.PostRefusal(new string('愿', 30), new string('字', 300), null));
        Assert.NotNull(WishRules.PostRefusal(new string('愿', 31), "说明", null));
        Assert.NotNull(WishRules.PostRefusal("标题", new string('字', 301), null));
    }

    [Theory]
    [InlineData(null, null, PhotoCheck.Unchecked)]
    [InlineData("t1", null, PhotoCheck.Pending)]
    [InlineData("t1", "pass", PhotoCheck.Pass)]
    [InlineData("t1", "review", PhotoCheck.Review)]
    [InlineData("t1", "risky", PhotoCheck.Risky)]
    public void A_photo_is_public_only_once_wechat_passed_it(string? trace, string? suggest, PhotoCheck check)
    {
        Assert.Equal(check, WishRules.CheckOf(trace, suggest));
        Assert.Equal(check == PhotoCheck.Pass, WishRules.IsShownPublicly(check));
    }

    [Fact]
    public void Reasons_are_required_and_bounded()
    {
        Assert.Equal("释放认领须填写原因", WishRules.ReasonRefusal("  ", "释放认领"));
        Assert.NotNull(WishRules.ReasonRefusal(new string('因', 201), "撤销心愿"));
        Assert.Null(WishRules.ReasonRefusal("临时出差", "释放认领"));
    }
}
