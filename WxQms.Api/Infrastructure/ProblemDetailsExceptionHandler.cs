using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using WxQms.Domain.Model;

namespace WxQms.Api.Infrastructure;

/// <summary>
/// Turns known failures into ProblemDetails with a stable <c>code</c>. Anything unknown falls through
/// to the default handler: a 500 without details.
/// </summary>
public sealed class ProblemDetailsExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var (status, title, code) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, "请求无效", "request.invalid"),
            NotFoundException notFound => (StatusCodes.Status404NotFound, "未找到", notFound.Code),
            ForbiddenException forbidden => (StatusCodes.Status403Forbidden, "无权访问", forbidden.Code),
            RuleViolationException rule => (StatusCodes.Status409Conflict, "操作不被允许", rule.Code),
            ConflictException conflict => (StatusCodes.Status409Conflict, "数据已变更", conflict.Code),
            LimitExceededException limit => (StatusCodes.Status429TooManyRequests, "超出限制", limit.Code),
            WechatUnavailableException => (StatusCodes.Status503ServiceUnavailable, "微信暂时不可用", "wechat.unavailable"),
            _ => (0, "", ""),
        };
        if (status == 0)
            return false;

        http.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = status,
                Title = title,
                Detail = exception.Message,
                Extensions = { ["code"] = code },
            },
        });
    }
}
