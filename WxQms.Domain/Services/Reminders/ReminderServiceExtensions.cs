using Microsoft.Extensions.DependencyInjection;
using WxQms.Domain.Caching;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Reminders;

public static class ReminderServiceExtensions
{
    /// <summary>Reminder storage, consent, pacing and the two jobs (run by the Jobs host).</summary>
    public static IServiceCollection AddReminders(this IServiceCollection services)
    {
        // Validated when first used: the Jobs host validates at start (AddWorkers), the Api when consent is reported.
        services.AddOptions<ReminderOptions>().BindConfiguration(ReminderOptions.Section).ValidateDataAnnotations();
        services.AddSingleton<OutboxStore>();
        services.AddSingleton<SubscriptionStore>();
        services.AddSingleton<SendRateLimiter>();
        services.AddSingleton<ReminderScanStore>();
        services.AddSingleton<ReminderScan>();
        services.AddSingleton<ReminderSender>();
        services.AddSingleton<SmsStore>();
        services.AddSingleton<SmsChannel>();
        services.AddSingleton<SmsCallbacks>();
        services.AddSingleton<SmsOptOuts>();
        services.AddSingleton<SmsBudget>();
        services.AddSingleton<OutboxListing>();
        services.AddSingleton<ReminderQueries>();
        return services;
    }
}
