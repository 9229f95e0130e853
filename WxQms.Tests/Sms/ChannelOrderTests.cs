using WxQms.Domain.Model.Reminders;
using WxQms.Domain.Rules.Reminders;

namespace WxQms.Tests.Sms;

public sealed class ChannelOrderTests
{
    private static readonly Dictionary<string, List<string>> Configured = new(StringComparer.Ordinal)
    {
        ["organiser"] = ["sms", "oa", "mp"],
        ["members"] = ["OA", " mp "],
        ["warning"] = ["oa", "fax"],
        ["escalation1"] = [],
        ["escalation2"] = ["sms", "sms"],
    };

    public static TheoryData<string, ReminderChannel[]> Orders => new()
    {
        { "organiser", [ReminderChannel.Sms, ReminderChannel.Oa, ReminderChannel.Mp] }, // the T−3 by SMS first
        { "members", [ReminderChannel.Oa, ReminderChannel.Mp] },                        // never by SMS; names in any case
        { "plan_report", [ReminderChannel.Oa, ReminderChannel.Mp, ReminderChannel.Sms] }, // not configured: the default
        { "warning", [ReminderChannel.Oa, ReminderChannel.Mp, ReminderChannel.Sms] },     // an unknown name: the default
        { "escalation1", [ReminderChannel.Oa, ReminderChannel.Mp, ReminderChannel.Sms] }, // empty: the default
        { "escalation2", [ReminderChannel.Oa, ReminderChannel.Mp, ReminderChannel.Sms] }, // a channel twice: the default
    };

    [Theory]
    [MemberData(nameof(Orders))]
    public void A_kind_tries_its_configured_channels_in_order_else_all_three(string kind, ReminderChannel[] expected) =>
        Assert.Equal(expected, ChannelOrder.For(Configured, kind));

    [Theory]
    [InlineData(new[] { "oa", "mp", "sms" }, null)]
    [InlineData(new[] { "sms" }, null)]
    [InlineData(new string[0], "至少一个渠道")]
    [InlineData(new[] { "oa", "fax" }, "未知渠道 fax（oa、mp、sms）")]
    [InlineData(new[] { "oa", "OA" }, "渠道重复")]
    public void A_configured_order_is_checked_at_start(string[] names, string? problem) =>
        Assert.Equal(problem, ChannelOrder.Problem(names));
}
