using WxQms.Domain.Model.Reminders;
using WxQms.Domain.Rules.Reminders;
using WxQms.Domain.Rules.Sms;
using WxQms.Domain.Wechat;

namespace WxQms.Tests.Rules.Reminders;

public sealed class ReminderDigestRuleTests
{
    private static readonly DateTimeOffset Due = new(2027, 1, 1, 0, 0, 0, TimeSpan.FromHours(8));

    private static ReminderFacts Item(long id, string name, string org = "第一党支部") =>
        new(ReminderKind.PlanReport, id, name, org, Due, null, null);

    [Theory]
    [InlineData(new[] { "主题党日", "支委会" }, 20, "主题党日、支委会")]                    // all fit: no 「等」
    [InlineData(new[] { "主题党日", "支委会", "党课", "组织生活会" }, 13, "主题党日、支委会等 4 项")] // two fit, the rest counted
    [InlineData(new[] { "主题党日", "支委会", "党课" }, 9, "主题党日等 3 项")]
    [InlineData(new[] { "一个非常非常长的任务名称", "党课" }, 10, "一个非常…等 2 项")]         // even one is too long: shortened
    [InlineData(new[] { "主题党日", "党课" }, 5, "2 项")]                                  // no room for a name at all
    public void The_list_keeps_the_names_that_fit_and_counts_all_of_them(string[] names, int max, string expected)
    {
        var list = ReminderDigest.List(names, max);

        Assert.Equal(expected, list);
        Assert.InRange(list.EnumerateRunes().Count(), 1, max);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(40)]
    public void A_digest_fits_the_templates_fields_and_the_sms_parameters(int count)
    {
        var items = Enumerable.Range(1, count).Select(i => Item(i, $"第{i}项很长很长的任务名称", i % 2 == 0 ? "第二党支部" : "第一党支部")).ToList();

        var message = ReminderDigest.For(ReminderKind.PlanReport, items);
        var sms = SmsRules.ParamsFor(message, ReminderDigest.SmsFacts(ReminderKind.PlanReport, items, 12), 12);

        Assert.Empty(TemplateFieldRules.Validate(message.OaData));
        Assert.Empty(TemplateFieldRules.Validate(message.MpData));
        Assert.Empty(SmsRules.Validate(sms, SmsRules.ParamCount, 12));
        Assert.StartsWith($"{count} 项任务待报计划：", message.OaData["thing1"]);
        Assert.Contains($"等 {count} 项", sms[0]);
        Assert.Equal("待报计划", message.OaData["phrase3"]);
        Assert.Equal("2 个组织", message.OaData["thing4"]);
        Assert.Equal("pages/tasks/index", message.Page);
    }

    [Theory]
    [InlineData(ReminderKind.PlanReport, true)]
    [InlineData(ReminderKind.Escalation1, true)]
    [InlineData(ReminderKind.Escalation2, true)]
    [InlineData(ReminderKind.Warning, false)]      // about one task that needs attention now
    [InlineData(ReminderKind.Organiser, false)]    // a meeting card: its own time and place
    [InlineData(ReminderKind.Members, false)]
    public void Routine_kinds_digest_and_warnings_and_meeting_cards_stay_single(ReminderKind kind, bool digests) =>
        Assert.Equal(digests, ReminderDigest.Digests(kind));
}
