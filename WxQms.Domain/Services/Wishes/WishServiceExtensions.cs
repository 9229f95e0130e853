using Microsoft.Extensions.DependencyInjection;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat.Callbacks;

namespace WxQms.Domain.Services.Wishes;

/// <summary>The wish services an endpoint takes as one parameter (<c>[AsParameters]</c>).</summary>
public sealed record WishServices(WishReads Reads, WishTransitions Transitions, WishSubmissions Submissions, WishPhotoLinks Links);

public static class WishServiceExtensions
{
    /// <summary>The micro-wishes: their store, reads, transitions, submissions, content checks, photo links and the worker.</summary>
    public static IServiceCollection AddWishes(this IServiceCollection services)
    {
        services.AddOptions<WishOptions>().BindConfiguration(WishOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<WishStore>();
        services.AddSingleton<WishReads>();
        services.AddSingleton<WishPhotoLinks>();
        services.AddSingleton<WishTransitions>();
        services.AddSingleton<WishMediaVerdicts>();
        services.AddSingleton<IMediaCheckListener>(sp => sp.GetRequiredService<WishMediaVerdicts>());
        services.AddSingleton<WishContentChecks>();
        services.AddSingleton<WishSubmissions>();
        services.AddSingleton<WishAutoConfirmation>();
        return services;
    }
}
