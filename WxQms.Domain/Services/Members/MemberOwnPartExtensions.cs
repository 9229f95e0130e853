using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WxQms.Domain.Services.Assessment;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Members;

public static class MemberOwnPartExtensions
{
    /// <summary>The members' own part (issue #18 items 3, 4, 6, 7): 党性体检, 民主评议, 我的 and a branch's stars.</summary>
    public static IServiceCollection AddMembersOwnPart(this IServiceCollection services)
    {
        services.AddOptions<AppraisalOptions>().BindConfiguration(AppraisalOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<CheckupStore>();
        services.AddSingleton<AppraisalStore>();
        services.AddSingleton<MemberRecordStore>();
        services.AddSingleton<CheckupService>();
        services.AddSingleton<AppraisalService>();
        services.AddSingleton<AppraisalFollowUpScan>();
        services.Replace(ServiceDescriptor.Singleton<IAppraisalGrades, StoredAppraisalGrades>()); // the stars read the recorded grades
        services.TryAddSingleton<IDuesStatus, NoDuesStatus>(); // the dues area (#23) registers its own
        services.AddSingleton<MemberRecordService>();
        services.AddSingleton<BranchStars>();
        return services;
    }
}
