using Microsoft.Extensions.DependencyInjection;
using WxQms.Domain.Caching;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat.Callbacks;

namespace WxQms.Domain.Services.Bot;

public static class BotServiceExtensions
{
    /// <summary>The official-account bot: binding, dialogues, chat photos, menus, and its callback handlers.</summary>
    public static IServiceCollection AddBot(this IServiceCollection services)
    {
        services.AddOptions<BotOptions>().BindConfiguration(BotOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<BotStore>();
        services.AddSingleton<ChatPhotoStore>();
        services.AddSingleton<AttemptLimiter>();
        services.AddSingleton<BotLinks>();
        services.AddSingleton<BindingService>();
        services.AddSingleton<BindCodeService>();
        services.AddSingleton<ConsoleSignInStore>();
        services.AddSingleton<ConsoleSignInService>();
        services.AddSingleton<ChatPhotoService>();
        services.AddSingleton<BotService>();
        services.AddSingleton<MenuPublisher>();
        services.AddSingleton<BotScope>();
        services.AddSingleton<ICallbackHandler, BotFollowHandler>();
        services.AddSingleton<ICallbackHandler, BotTextHandler>();
        services.AddSingleton<ICallbackHandler, BotImageHandler>();
        services.AddSingleton<ICallbackHandler, BotClickHandler>();
        return services;
    }
}
