using Microsoft.Extensions.DependencyInjection;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Inspections;

public static class InspectionServiceExtensions
{
    /// <summary>Inspectors, the inspection plan, self-inspection and the internal audit (#19 items 2, 3, 6).</summary>
    public static IServiceCollection AddInspections(this IServiceCollection services)
    {
        services.AddSingleton<InspectionStore>();
        services.AddSingleton<InspectionService>();
        return services;
    }
}
