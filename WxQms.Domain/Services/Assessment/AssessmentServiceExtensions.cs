using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WxQms.Domain.Caching;
using WxQms.Domain.Rules.Assessment;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Assessment;

public static class AssessmentServiceExtensions
{
    /// <summary>Period results, rankings, stars and the monthly close (issue #6).</summary>
    public static IServiceCollection AddAssessment(this IServiceCollection services)
    {
        services.AddOptions<AssessmentOptions>().BindConfiguration(AssessmentOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AssessmentStore>();
        services.TryAddSingleton<IAppraisalGrades, NoAppraisalGrades>();
        services.AddSingleton<AssessmentService>();
        services.AddSingleton<AssessedPeriods>();
        services.AddSingleton<RankingQueries>();
        services.AddSingleton<RankingCache>();
        services.AddSingleton<MonthlyClose>();
        services.AddSingleton<AssessmentExports>();
        services.AddSingleton<DashboardStore>(); // #20: the office dashboard
        services.AddSingleton<Dashboard.DashboardService>();
        services.AddSingleton<TrendCache>(); // the dashboard's monthly trend, under the tasks' and rankings' generations
        return services;
    }
}
