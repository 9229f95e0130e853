using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using WxQms.Domain.Hosting;

namespace WxQms.Domain.Sms;

public static class SmsServiceExtensions
{
    /// <summary>The SMS options (validated at start) and the provider's client; sending stays off while Sms:Provider is empty.</summary>
    public static IServiceCollection AddSms(this IServiceCollection services)
    {
        services.AddOptions<SmsOptions>().BindConfiguration(SmsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SmsOptions>, SandboxDemoSecrets>());
        services.AddHttpClient(TencentSmsProvider.HttpClientName, (sp, http) =>
        {
            var apiBase = sp.GetRequiredService<IOptions<SmsOptions>>().Value.ApiBase;
            http.BaseAddress = new Uri(apiBase.TrimEnd('/') + "/");
            http.Timeout = TimeSpan.FromSeconds(15);
        });
        services.AddSingleton<ISmsProvider, TencentSmsProvider>();
        return services;
    }
}
