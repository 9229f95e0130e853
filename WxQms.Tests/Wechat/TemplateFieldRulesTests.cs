using WxQms.Domain.Wechat;

namespace WxQms.Tests.Wechat;

public sealed class TemplateFieldRulesTests
{
    [Theory]
    [InlineData("thing1", TemplateFieldType.Thing)]
    [InlineData("thing01", TemplateFieldType.Thing)]
    [InlineData("character_string21", TemplateFieldType.CharacterString)]
    [InlineData("time2", TemplateFieldType.Time)]
    [InlineData("date3", TemplateFieldType.Date)]
    [InlineData("amount4", TemplateFieldType.Amount)]
    [InlineData("phone_number5", TemplateFieldType.PhoneNumber)]
    [InlineData("car_number6", TemplateFieldType.CarNumber)]
    [InlineData("name7", TemplateFieldType.Name)]
    [InlineData("phrase8", TemplateFieldType.Phrase)]
    [InlineData("number9", TemplateFieldType.Number)]
    [InlineData("letter10", TemplateFieldType.Letter)]
    [InlineData("symbol11", TemplateFieldType.Symbol)]
    [InlineData("short_thing12", TemplateFieldType.ShortThing)]
    [InlineData("const13", TemplateFieldType.Const)]
    [InlineData("enum14", TemplateFieldType.Enum)]
    [InlineData("keyword1", TemplateFieldType.Untyped)]
    [InlineData("first", TemplateFieldType.Untyped)]
    [InlineData("remark", TemplateFieldType.Untyped)]
    [InlineData("thing", TemplateFieldType.Untyped)]
    [InlineData("things1", TemplateFieldType.Untyped)]
    public void The_type_is_read_from_the_key_prefix(string key, TemplateFieldType expected) =>
        Assert.Equal(expected, TemplateFieldRules.TypeOf(key));

    [Theory]
    [InlineData("thing1", "支部委员会会议")]
    [InlineData("thing1", "第三季度主题党日活动（线上）")]
    [InlineData("thing1", "一二三四五六七八九十一二三四五六七八九十")] // exactly 20
    [InlineData("thing1", "Meeting room 3, 2F!")]
    [InlineData("thing1", "表扬👍")]
    [InlineData("short_thing1", "短事项")]
    [InlineData("number9", "0")]
    [InlineData("number9", "12345678901234567890123456789012")] // 32 digits
    [InlineData("number9", "98.5")]
    [InlineData("letter10", "ABCdef")]
    [InlineData("symbol11", "★")]
    [InlineData("symbol11", "+-*/%")]
    [InlineData("symbol11", "、。！")]
    [InlineData("character_string21", "WX-2026-0001")]
    [InlineData("character_string21", "No. 42_a/b")]
    [InlineData("character_string21", "abcdefghijklmnopqrstuvwxyz012345")] // 32
    [InlineData("time2", "15:01")]
    [InlineData("time2", "9:05")]
    [InlineData("time2", "23:59:59")]
    [InlineData("time2", "2019年10月1日 15:01")]
    [InlineData("time2", "2026-11-25 09:30")]
    [InlineData("time2", "2026/11/25 09:30")]
    [InlineData("time2", "2026.11.25 09:30")]
    [InlineData("time2", "11月25日 09:30")]
    [InlineData("time2", "15:01~17:00")]
    [InlineData("time2", "2026年11月25日 08:00~12:00")]
    [InlineData("time2", "2026-11-25 08:00 ~ 2026-11-26 12:00")]
    [InlineData("date3", "2019年10月1日")]
    [InlineData("date3", "2019年10月")]
    [InlineData("date3", "10月1日")]
    [InlineData("date3", "2018-01-01")]
    [InlineData("date3", "2018/1/1")]
    [InlineData("date3", "2018.01.01")]
    [InlineData("date3", "2018-01")]
    [InlineData("date3", "01-01")]
    [InlineData("date3", "02-29")]
    [InlineData("date3", "2024-02-29")]
    [InlineData("date3", "2026-11-25 18:00")]
    [InlineData("date3", "2026年11月1日~2026年11月30日")]
    [InlineData("date3", "2026-11-25 08:00~12:00")]
    [InlineData("amount4", "¥100.00")]
    [InlineData("amount4", "￥5")]
    [InlineData("amount4", "$1234567890")] // 10 digits
    [InlineData("amount4", "100元")]
    [InlineData("amount4", "¥99.5元")]
    [InlineData("phone_number5", "+86-0766-66888866")] // 17
    [InlineData("phone_number5", "13800138000")]
    [InlineData("phone_number5", "(0371) 6588 0000")]
    [InlineData("car_number6", "豫A12345")]
    [InlineData("car_number6", "豫AD12345")] // 8, new-energy plate
    [InlineData("car_number6", "豫A1234学")]
    [InlineData("car_number6", "WJ12345")]
    [InlineData("name7", "张三")]
    [InlineData("name7", "欧阳建国")]
    [InlineData("name7", "阿依古丽·买买提")]
    [InlineData("name7", "John Smith")]
    [InlineData("name7", "Maximilian-Alexander")] // 20 letters/symbols
    [InlineData("phrase8", "已完成")]
    [InlineData("phrase8", "审核未通过")] // 5
    [InlineData("keyword1", "这是一条超过二十个字的旧模板通知内容，微信会折叠而不会报错")]
    [InlineData("first", "您好")]
    [InlineData("remark", "请准时参加")]
    [InlineData("enum1", "任意值")]
    [InlineData("const1", "固定值")]
    public void Accepts_values_that_follow_the_type_rule(string key, string value) =>
        Assert.Null(TemplateFieldRules.Check(key, value));

    [Theory]
    [InlineData("thing1", "一二三四五六七八九十一二三四五六七八九十一")] // 21
    [InlineData("thing1", " 一二三四五六七八九十一二三四五六七八九十")] // a leading space counts
    [InlineData("short_thing1", "一二三四五六七八九十一二三四五六七八九十一")]
    [InlineData("number9", "123456789012345678901234567890123")] // 33
    [InlineData("number9", "12a")]
    [InlineData("number9", "-5")]
    [InlineData("number9", "1.")]
    [InlineData("number9", "１２")] // full-width digits
    [InlineData("letter10", "abc1")]
    [InlineData("letter10", "abc def")]
    [InlineData("letter10", "abcdefghijklmnopqrstuvwxyzabcdefg")] // 33
    [InlineData("symbol11", "★★★★★★")] // 6
    [InlineData("symbol11", "a!")]
    [InlineData("character_string21", "订单123")]
    [InlineData("character_string21", "abcdefghijklmnopqrstuvwxyz0123456")] // 33
    [InlineData("time2", "25:00")]
    [InlineData("time2", "15:60")]
    [InlineData("time2", "下午三点")]
    [InlineData("time2", "2019年10月1日")] // a date without a time
    [InlineData("time2", "15:01~17:00~18:00")]
    [InlineData("time2", "2026-02-30 10:00")]
    [InlineData("date3", "2026-13-01")]
    [InlineData("date3", "2026-02-30")]
    [InlineData("date3", "2025-02-29")]
    [InlineData("date3", "明天")]
    [InlineData("date3", "15:01")]
    [InlineData("date3", "10月")]
    [InlineData("date3", "2026-11-25 25:00")]
    [InlineData("amount4", "¥12345678901")] // 11 digits
    [InlineData("amount4", "¥$5")]
    [InlineData("amount4", "一百元")]
    [InlineData("amount4", "¥")]
    [InlineData("phone_number5", "+86-0766-668888661")] // 18
    [InlineData("phone_number5", "电话13800138000")]
    [InlineData("phone_number5", "---")]
    [InlineData("car_number6", "豫A123456学")] // 9
    [InlineData("car_number6", "豫京12345")]
    [InlineData("car_number6", "豫A-12345")]
    [InlineData("name7", "一二三四五六七八九十一")] // 11 Chinese
    [InlineData("name7", "张三abcdefghi")] // mixed text counts as Chinese: 11 > 10
    [InlineData("name7", "Maximilian-Alexander1")]
    [InlineData("name7", "Maximilian-Alexander-X")] // 22 letters/symbols
    [InlineData("phrase8", "审核未通过了")] // 6
    [InlineData("phrase8", "OK")]
    [InlineData("phrase8", "已 完成")]
    public void Refuses_values_that_break_the_type_rule(string key, string value) =>
        Assert.NotNull(TemplateFieldRules.Check(key, value));

    [Theory]
    [InlineData("thing1", "")]
    [InlineData("thing1", "   ")]
    [InlineData("keyword1", "")]
    [InlineData("remark", " ")]
    [InlineData("thing1", "第一行\n第二行")]
    [InlineData("thing1", "回车\r")]
    [InlineData("keyword1", "旧模板\n也不能换行")]
    [InlineData("first", "制表\t符")]
    [InlineData("character_string21", "A\u0000B")]
    [InlineData("thing1", "段落\u2029分隔")]
    [InlineData("time2", "15:01\n")]
    public void Refuses_empty_values_and_control_characters_in_any_field(string key, string value) =>
        Assert.NotNull(TemplateFieldRules.Check(key, value));

    [Fact]
    public void A_violation_names_the_field_as_wechats_47003_does()
    {
        var violation = TemplateFieldRules.Check("character_string21", "订单一");

        Assert.NotNull(violation);
        Assert.Equal("character_string21", violation.Field);
        Assert.Equal("argument invalid! data.character_string21.value invalid", violation.ErrMsg);
        Assert.StartsWith(violation.ErrMsg, violation.ToString());
        Assert.Contains("中文", violation.Reason);
    }

    [Fact]
    public void Validate_lists_every_bad_field_in_order_and_nothing_for_good_data()
    {
        var data = new Dictionary<string, string>
        {
            ["thing1"] = "支部委员会会议",
            ["time2"] = "明天下午",
            ["thing3"] = "",
            ["phrase4"] = "已通知",
        };

        var violations = TemplateFieldRules.Validate(data);

        Assert.Equal(["time2", "thing3"], violations.Select(v => v.Field));
        Assert.Empty(TemplateFieldRules.Validate(new Dictionary<string, string>
        {
            ["thing1"] = "支部委员会会议",
            ["time2"] = "2026年11月26日 15:00",
            ["thing3"] = "社区党群服务中心",
        }));
    }

    [Fact]
    public void Characters_are_counted_as_code_points()
    {
        var twentyEmoji = string.Concat(Enumerable.Repeat("😀", 20));

        Assert.Null(TemplateFieldRules.Check("thing1", twentyEmoji));
        Assert.NotNull(TemplateFieldRules.Check("thing1", twentyEmoji + "😀"));
        Assert.Null(TemplateFieldRules.Check("phrase1", "𠀀𠀁𠀂𠀃𠀄")); // 5 ideographs outside the BMP
    }
}
