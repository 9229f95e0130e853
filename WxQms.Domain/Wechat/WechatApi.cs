using Microsoft.Extensions.Logging;

namespace WxQms.Domain.Wechat;

/// <summary>
/// Calls a WeChat API with the app's access token. When WeChat refuses the token
/// (40001/40014/42001) it is dropped, fetched again, and the call retried exactly once; every other
/// errcode, 45009 included, goes back to the caller untouched (PROTOCOL §9 retry policy).
/// </summary>
public sealed class WechatApi(IHttpClientFactory httpFactory, AccessTokenProvider tokens, ILogger<WechatHttp> log)
{
    /// <summary>A client from the factory per use, so handlers rotate and singletons may hold this class.</summary>
    public WechatHttp Http => new(httpFactory.CreateClient(WechatServiceExtensions.HttpClientName), log);

    public async Task<WechatResult<T>> CallAsync<T>(WechatAppOptions app,
        Func<WechatHttp, string, CancellationToken, Task<WechatResult<T>>> call, CancellationToken ct)
    {
        var http = Http;
        var token = await tokens.GetAsync(app, ct);
        var result = await call(http, token, ct);
        if (!WechatErrors.IsTokenProblem(result.ErrCode))
            return result;

        token = await tokens.RenewAsync(app, token, $"errcode {result.ErrCode}", ct);
        return await call(http, token, ct);
    }

    public Task<WechatResult<T>> PostAsync<T>(WechatAppOptions app, string path, object body, CancellationToken ct) =>
        CallAsync(app, (h, token, c) => h.PostJsonAsync<T>(WithToken(path, token), body, c), ct);

    public Task<WechatResult<T>> GetAsync<T>(WechatAppOptions app, string pathAndQuery, CancellationToken ct) =>
        CallAsync(app, (h, token, c) => h.GetJsonAsync<T>(WithToken(pathAndQuery, token), c), ct);

    /// <summary>access_token always travels in the query string, even for POST (PROTOCOL §0).</summary>
    public static string WithToken(string pathAndQuery, string token) =>
        pathAndQuery + (pathAndQuery.Contains('?') ? "&" : "?") + "access_token=" + Uri.EscapeDataString(token);
}
