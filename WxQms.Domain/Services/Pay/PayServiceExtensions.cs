using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using WxQms.Domain.Hosting;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat.Pay;

namespace WxQms.Domain.Services.Pay;

public static class PayServiceExtensions
{
    /// <summary>WeChat Pay: options (checked at start when configured), the v3 client, orders, notifications, the job's reconciler.</summary>
    public static IServiceCollection AddPay(this IServiceCollection services)
    {
        services.AddOptions<WechatPayOptions>().BindConfiguration(WechatPayOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<WechatPayOptions>, WechatPayOptionsValidator>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WechatPayOptions>, SandboxDemoSecrets>());
        services.AddHttpClient(WechatPayClient.HttpClientName, (sp, http) =>
            {
                var apiBase = sp.GetRequiredService<IOptions<WechatPayOptions>>().Value.ApiBase;
                http.BaseAddress = new Uri(apiBase.EndsWith('/') ? apiBase : apiBase + "/");
                http.Timeout = TimeSpan.FromSeconds(30);
            })
            .AddStandardResilienceHandler(o =>
            {
                // An order or a refund is not posted twice by the pipeline; queries are retried on transient faults.
                o.Retry.DisableForUnsafeHttpMethods();
                o.AttemptTimeout.Timeout = TimeSpan.FromSeconds(10);
            });
        services.AddSingleton<WechatPayKeys>();
        services.AddSingleton<WechatPayClient>();
        services.AddSingleton<PayStore>();
        services.AddSingleton<PaidOrderHandlers>();
        services.AddSingleton<IPayOrders, PayOrders>();
        services.AddSingleton<PaySettlement>();
        services.AddSingleton<PayNotifications>();
        services.AddSingleton<PayReconciler>();
        return services;
    }
}
