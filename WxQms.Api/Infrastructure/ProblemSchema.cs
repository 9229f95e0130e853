using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace WxQms.Api.Infrastructure;

/// <summary>
/// Every problem we answer carries <c>code</c> (a stable, machine-readable reason such as
/// <c>task.version_conflict</c>) and <c>traceId</c>; the OpenAPI document says so, so clients can
/// rely on them (the mini program's contract tests do).
/// </summary>
public static class ProblemSchema
{
    public static OpenApiOptions DescribeProblemExtensions(this OpenApiOptions options)
    {
        options.AddSchemaTransformer((schema, context, _) =>
        {
            if (context.JsonTypeInfo.Type == typeof(ProblemDetails) || context.JsonTypeInfo.Type == typeof(HttpValidationProblemDetails))
            {
                schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
                schema.Properties["code"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null };
                schema.Properties["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null };
            }
            return Task.CompletedTask;
        });
        return options;
    }
}
