using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using WxQms.Domain.Hosting;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat;
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
        services.AddWechatHttpClient<WechatPayOptions>(WechatPayClient.HttpClientName, o => o.ApiBase);
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
