using Microsoft.AspNetCore.Http.HttpResults;

namespace WxQms.Api.Infrastructure;

/// <summary>
/// An endpoint's refusal: ProblemDetails with a stable <c>code</c> extension (<c>request.invalid</c>, <c>auth.forbidden</c> …)
/// and a Chinese title and detail. Endpoints take it with <c>using static</c>.
/// </summary>
public static class Problems
{
    public static ProblemHttpResult Problem(int status, string title, string detail, string code) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail,
            extensions: new Dictionary<string, object?> { ["code"] = code });
}
