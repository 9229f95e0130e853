using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WxQms.Domain.Hosting;
using WxQms.Domain.Wechat.Callbacks;

namespace WxQms.Domain.Wechat;

public static class WechatServiceExtensions
{
    public const string HttpClientName = "wechat";

    public static IServiceCollection AddWechat(this IServiceCollection services)
    {
        services.AddOptions<WechatOptions>().BindConfiguration(WechatOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WechatOptions>, WechatOptionsValidator>();
        services.AddSingleton<IValidateOptions<WechatOptions>, SandboxDemoSecrets>();

        services.AddWechatHttpClient<WechatOptions>(HttpClientName, o => o.ApiBase);
        services.AddSingleton<AccessTokenProvider>();
        services.AddSingleton<WechatApi>();
        services.AddSingleton<OfficialAccountClient>();
        services.AddSingleton<MiniProgramClient>();

        // Callbacks: the handler table and its default, and the inbox that records and answers pushes.
        services.AddSingleton<DefaultReplyHandler>();
        // Following, scanning, text, photos and menu clicks are the bot's (Services/Bot, AddBot).
        services.AddSingleton<ICallbackHandler, TemplateSendJobFinishHandler>();
        services.AddSingleton<ICallbackHandler, SubscribeMessageEventHandler>();
        services.AddSingleton<ICallbackHandler, MediaCheckHandler>();
        services.AddSingleton<CallbackDispatcher>();
        services.AddSingleton<CallbackNonces>();
        services.AddSingleton<CallbackInbox>();
        services.AddSingleton<InboundMediaDownloader>();
        return services;
    }
}
