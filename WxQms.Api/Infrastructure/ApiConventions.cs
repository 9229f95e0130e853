using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using WxQms.Domain.Storage;

namespace WxQms.Api.Infrastructure;

public static class ApiConventions
{
    public static IHostApplicationBuilder AddApiConventions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
        // Bad route values and bodies raise BadHttpRequestException in every environment, so the
        // handler can say what was wrong instead of an empty 400.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.Configure<JsonOptions>(o => JsonDefaults.Configure(o.SerializerOptions));
        return builder;
    }
}
