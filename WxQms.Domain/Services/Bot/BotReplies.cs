using System.Net;
using Microsoft.Extensions.Options;
using WxQms.Domain.Wechat;

namespace WxQms.Domain.Services.Bot;

/// <summary>What the bot says, in one place (the tests compare against these).</summary>
public static class BotReplies
{
    /// <param name="subdistrict">The subdistrict's name (<c>Subdistrict:Name</c>), as everywhere below.</param>
    public static string Help(string subdistrict) => $"""
        您好，这里是{subdistrict}党建。可以发送：
        「任务」查看本支部未完成的任务
        「排名」查看组织排名
        「绑定」绑定党员身份
        「解绑」解除绑定
        「取消」取消当前操作
        支部书记、党务工作者可以直接发送会议照片，我会把照片归入正在办理的会议任务。
        """;

    public static string WelcomeShort(string subdistrict) => $"欢迎关注{subdistrict}党建！";

    public static string Welcome(string subdistrict) => $"欢迎关注{subdistrict}党建！您可以在这里接收会议提醒、查看任务和排名、认领微心愿。党员请扫描所在支部的二维码绑定身份，发送「帮助」查看可用的指令。";

    public const string BindHowTo = "请扫描所在党支部的绑定二维码开始绑定（二维码可向支部书记或街道党建办索取）。";

    public const string CodeExpired = "这个绑定二维码已过期或已失效。请向支部书记或街道党建办索取新的二维码后重新扫码。";

    public const string DialogueTimedOut = "绑定已超时，请重新扫描支部二维码。";

    public const string AskAgainShape = "没有看懂，请按“姓名 手机号后四位”的格式回复，例如：张三 1234。发送「取消」可退出绑定。";

    public const string TooManyAttempts = "尝试次数过多。为保护党员信息，请一小时后再扫码绑定，或请支部书记协助核实。";

    /// <summary>The attempt counter (Redis) cannot be read: the answer is not checked at all (fail closed).</summary>
    public const string BindUnavailable = "绑定服务暂时繁忙，请稍后再回复姓名和手机号后四位，或稍后重新扫码。";

    /// <summary>Too many wrong answers for this member or on this code, from any WeChat user, within a day.</summary>
    public const string BindLocked = "为保护党员信息，此次绑定已暂停。请联系支部书记或街道党建办协助核实，或在小程序中用手机号绑定。";

    public const string BoundElsewhere = "该党员身份已由另一个微信号绑定。如需更换微信号，请先在原微信号发送「解绑」，或联系支部书记协助。";

    public const string NotBound = "您还没有绑定党员身份。" + BindHowTo;

    public const string Cancelled = "好的，已取消。";

    public const string NothingToCancel = "当前没有进行中的操作。发送「帮助」查看可用的指令。";

    public const string PhotoBeforeBinding = "照片已收到，但您还没有绑定党员身份，暂时无法归入任务。" + BindHowTo;

    public const string PhotoNotOrganiser = "照片已收到。目前只有支部书记和党务工作者可以通过聊天提交会议照片，如需提交请联系本支部书记。";

    public const string PhotoReceived = "照片已收到，正在整理。连续发送的照片会合为一组，稍后告诉您归入了哪个任务。";

    public const string NoPhotoTask = "照片已保存，但本支部目前没有需要照片的未完成任务，暂未归入任务。如有疑问请联系街道党建办。";

    public const string NoUsablePhoto = "这组图片无法识别为照片（只接受 JPEG、PNG、WebP，单张不超过 10MB），请重新发送。";

    public const string ChoiceExpired = "选择已超时，照片未归入任务。请重新发送照片。";

    public const string WorkbenchRefused = "抱歉，「工作台」供支部书记、党务工作者、社区党委和街道党建办使用。您可以点击「我的任务」查看本支部的任务。";

    public const string ConsoleLink = "点此打开管理后台";

    /// <summary>工作台's link to the dashboard (/h5/dashboard), for office staff and a community's secretary.</summary>
    public const string DashboardLink = "点此打开工作台看板";

    public const string ConsoleConfirm = "确认登录管理后台？回复1确认";

    public const string ConsoleConfirmed = "已确认，电脑上的管理后台正在登录。如果不是您本人操作，请立即联系街道党建办。";

    public const string ConsoleCodeExpired = "这个登录二维码已过期或已使用，请在电脑上刷新管理后台的登录页后重新扫码。";

    public const string ConsoleNotBound = "您还没有绑定党员身份，无法登录管理后台。" + BindHowTo;

    public const string ConsoleRefused = "抱歉，管理后台供街道党建办、支部书记、党务工作者和委员使用，您的账号没有登录权限。如有需要请联系街道党建办。";

    public static string BindStart(string branch) =>
        $"您正在绑定「{branch}」。请回复您的姓名和手机号后四位，例如：张三 1234（15分钟内有效，发送「取消」可退出）。";

    public static string AlreadyBound(string name, string org) =>
        $"您已绑定为「{org}」的{name}，无需重复绑定。如需更换，请先发送「解绑」。";

    public static string Mismatch(int left) =>
        $"没有找到与之相符的党员，请核对姓名和手机号后四位（登记在支部的号码）后再试，还可以尝试{left}次。";

    public static string Bound(string name, string org) =>
        $"绑定成功！{name}，您已绑定为「{org}」党员。今后会议提醒会发送到这里，也可以点击下方菜单查看任务和排名。";

    public static string Unbound(string name) => $"已解除{name}与本微信号的绑定，今后不再向这里发送提醒。如需重新绑定，请扫描支部二维码。";

    public static string AskChoice(int count, IEnumerable<string> lines) =>
        $"收到{count}张照片。请问归入哪个任务？回复序号即可：\n{string.Join("\n", lines)}\n回复「取消」则暂不归入。";

    public static string ChooseBetween(int max) => $"请回复 1 到 {max} 之间的序号，或发送「取消」。";
}

/// <summary>Links the bot puts in its messages: mini-program pages and our H5 pages (which sign the browser in themselves).</summary>
public sealed class BotLinks(IOptionsMonitor<BotOptions> bot, IOptionsMonitor<WechatOptions> wechat)
{
    /// <summary>A text-message link that opens a mini-program page (clients that cannot, open the href).</summary>
    public string MiniProgram(string path, string label) =>
        $"<a href=\"{WebUtility.HtmlEncode(Fallback)}\" data-miniprogram-appid=\"{wechat.CurrentValue.Mp.AppId}\" " +
        $"data-miniprogram-path=\"{WebUtility.HtmlEncode(path)}\">{label}</a>";

    /// <summary>
    /// An H5 page (path under PublicBase), or null without PublicBase. The link is the page itself, not WeChat's authorize
    /// URL: the page signs the browser in with a state of its own (a code that came back with the link's fixed state would
    /// not be taken, costing a second silent round), and a browser signed in within the cookie's lifetime needs none.
    /// </summary>
    public string? PageUrl(string path) =>
        bot.CurrentValue.PublicBase is { Length: > 0 } root ? root.TrimEnd('/') + path : null;

    public string? Page(string path, string label) =>
        PageUrl(path) is { } url ? $"<a href=\"{WebUtility.HtmlEncode(url)}\">{label}</a>" : null;

    private string Fallback => bot.CurrentValue.PublicBase is { Length: > 0 } root ? root : "https://weixin.qq.com";
}
