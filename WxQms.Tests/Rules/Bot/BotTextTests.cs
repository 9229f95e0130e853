using WxQms.Domain.Rules.Bot;

namespace WxQms.Tests.Rules.Bot;

public sealed class BotTextTests
{
    [Theory]
    [InlineData("帮助", BotCommand.Help)]
    [InlineData(" 任务 ", BotCommand.Tasks)]
    [InlineData("我的任务", BotCommand.Tasks)]
    [InlineData("排名", BotCommand.Ranking)]
    [InlineData("绑定", BotCommand.Bind)]
    [InlineData("解绑", BotCommand.Unbind)]
    [InlineData("取消", BotCommand.Cancel)]
    [InlineData("你好", BotCommand.None)]
    [InlineData("", BotCommand.None)]
    [InlineData(null, BotCommand.None)]
    [InlineData("0", BotCommand.None)]
    [InlineData("123", BotCommand.None)]
    public void Reads_the_chinese_commands(string? text, BotCommand expected) =>
        Assert.Equal(expected, BotText.Command(text, out _));

    [Theory]
    [InlineData("2", 2)]
    [InlineData("１２", 12)] // a Chinese keyboard's full-width digits
    [InlineData(" 9 ", 9)]
    public void Reads_a_number_to_choose(string text, int expected)
    {
        Assert.Equal(BotCommand.Number, BotText.Command(text, out var number));
        Assert.Equal(expected, number);
    }

    [Theory]
    [InlineData("张三 1234", "张三", "1234")]
    [InlineData("张三1234", "张三", "1234")]
    [InlineData("张三，1234", "张三", "1234")]
    [InlineData("张三　１２３４", "张三", "1234")]
    [InlineData("阿依古丽·买买提 0007", "阿依古丽·买买提", "0007")]
    public void Reads_a_name_and_the_last_four_phone_digits(string text, string name, string tail) =>
        Assert.Equal(new BindAnswer(name, tail), BotText.ParseBindAnswer(text));

    [Theory]
    [InlineData("张三")]
    [InlineData("1234")]
    [InlineData("张三 123")]
    [InlineData("张三 12345678")]
    [InlineData("张3 1234")]
    [InlineData("这是一个非常非常非常非常非常非常长的名字啊 1234")]
    public void Refuses_answers_of_another_shape(string text) => Assert.Null(BotText.ParseBindAnswer(text));
}
