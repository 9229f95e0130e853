using Microsoft.Extensions.DependencyInjection;
using WxQms.Domain.Services.Members;
using WxQms.Domain.Services.Pay;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Dues;

/// <summary>Party dues' services, and their handler of paid WeChat Pay orders (kind "dues").</summary>
public static class DuesServiceExtensions
{
    public static IServiceCollection AddDues(this IServiceCollection services)
    {
        services.AddSingleton<DuesStore>();
        services.AddSingleton<DuesSettlement>();
        services.AddSingleton<DuesService>();
        services.AddSingleton<DuesDeclarationStore>();
        services.AddSingleton<DuesDeclarationService>(); // a member's own base, confirmed by her secretary
        services.AddSingleton<DuesMonthMaker>();
        services.AddSingleton<DuesArrearsScan>();
        services.AddSingleton<DuesPaidOrderHandler>();
        services.AddSingleton<IPaidOrderHandler>(sp => sp.GetRequiredService<DuesPaidOrderHandler>());
        services.AddSingleton<IDuesStatus, DuesRecordStatus>(); // the dues line of 我的档案 (#18)
        return services;
    }
}
