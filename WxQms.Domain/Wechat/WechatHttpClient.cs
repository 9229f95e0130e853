using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace WxQms.Domain.Wechat;

public static class WechatHttpClient
{
    /// <summary>
    /// A named client for one of WeChat's APIs (the platform, WeChat Pay) at the API base its options name (the sandbox's
    /// in development): 30 s in all, 10 s an attempt. A retried POST could send a message, an order or a refund twice, so
    /// only reads are retried on transient faults.
    /// </summary>
    public static void AddWechatHttpClient<TOptions>(this IServiceCollection services, string name, Func<TOptions, string> apiBase)
        where TOptions : class =>
        services.AddHttpClient(name, (sp, http) =>
            {
                var uri = apiBase(sp.GetRequiredService<IOptions<TOptions>>().Value);
                http.BaseAddress = new Uri(uri.EndsWith('/') ? uri : uri + "/");
                http.Timeout = TimeSpan.FromSeconds(30);
            })
            .AddStandardResilienceHandler(o =>
            {
                o.Retry.DisableForUnsafeHttpMethods();
                o.AttemptTimeout.Timeout = TimeSpan.FromSeconds(10);
            });
}
