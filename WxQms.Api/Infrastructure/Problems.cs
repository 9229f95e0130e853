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

    /// <summary>
    /// Bad fields, the one shape every area answers them in: the <c>code</c>, and <c>errors</c> mapping each field (as the
    /// request names it) to its message in Chinese, as ASP.NET Core's ValidationProblemDetails maps fields; the detail
    /// joins the messages. <paramref name="more"/> adds extensions (a refusal's <c>regulation</c>).
    /// </summary>
    public static ProblemHttpResult Invalid(int status, string title, string code, IReadOnlyDictionary<string, string> errors,
        IReadOnlyDictionary<string, object?>? more = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code, ["errors"] = errors };
        foreach (var (key, value) in more ?? new Dictionary<string, object?>())
            extensions[key] = value;
        return TypedResults.Problem(statusCode: status, title: title, detail: string.Join("；", errors.Values), extensions: extensions);
    }
}
