using Microsoft.Extensions.DependencyInjection;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Documents;

public static class DocumentServiceExtensions
{
    /// <summary>Controlled documents (#19 item 1): the register, its versions and the clauses duties cite.</summary>
    public static IServiceCollection AddDocuments(this IServiceCollection services)
    {
        services.AddSingleton<DocumentStore>();
        services.AddSingleton<DocumentService>();
        return services;
    }
}
