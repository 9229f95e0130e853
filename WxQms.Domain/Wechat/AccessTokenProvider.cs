using System.Collections.Concurrent;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using WxQms.Domain.Caching;
using WxQms.Domain.Hosting;

namespace WxQms.Domain.Wechat;

/// <summary>
/// access_token per appid, shared by every instance (PROTOCOL §3, §10.1): stable_token in normal
/// mode, cached in Redis until expires_in − 300 s, refreshed by one instance at a time under a Redis
/// lock with a re-check after taking it. stable_token is idempotent, so with Redis down each process
/// keeps its own copy and nobody rotates anybody else's token.
/// </summary>
public sealed class AccessTokenProvider(IHttpClientFactory httpFactory, IConnectionMultiplexer redis, TimeProvider clock,
    ILogger<AccessTokenProvider> log)
{
    /// <summary>Refresh this long before WeChat's expiry; stable_token always leaves at least 300 s.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromSeconds(300);

    private static readonly TimeSpan LockTtl = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan WaitForOtherRefresher = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private static readonly LuaScript DeleteIfEquals = LuaScript.Prepare("""
        if redis.call('GET', @key) == @value then return redis.call('DEL', @key) end
        return 0
        """);

    private readonly ConcurrentDictionary<string, LocalToken> local = new();
    private readonly ConcurrentDictionary<string, SemaphoreSlim> gates = new();

    private sealed record LocalToken(string Token, DateTimeOffset RefreshAt);

    private sealed record StableTokenResponse(
        [property: JsonPropertyName("access_token")] string AccessToken,
        [property: JsonPropertyName("expires_in")] int ExpiresIn);

    public async Task<string> GetAsync(WechatAppOptions app, CancellationToken ct)
    {
        if (await ReadSharedAsync(app.AppId) is { } shared)
            return shared.Token;
        if (FreshLocal(app.AppId) is { } copy && !RedisAvailable)
            return copy;

        var gate = gates.GetOrAdd(app.AppId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            return await RefreshAsync(app, "cache miss", ct);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Drops <paramref name="staleToken"/> after WeChat refused it (40001/40014/42001), unless another
    /// instance has already replaced it, then fetches the current one.
    /// </summary>
    public async Task<string> RenewAsync(WechatAppOptions app, string staleToken, string reason, CancellationToken ct)
    {
        if (local.TryGetValue(app.AppId, out var mine) && mine.Token == staleToken)
            local.TryRemove(KeyValuePair.Create(app.AppId, mine));
        try
        {
            await redis.GetDatabase().ScriptEvaluateAsync(DeleteIfEquals,
                new { key = RedisKeys.WxAccessToken(app.AppId), value = staleToken });
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            log.LogWarning("Redis unavailable while dropping the access token of {AppId}: {Reason}", app.AppId, ex.Message);
        }

        var gate = gates.GetOrAdd(app.AppId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            if (await ReadSharedAsync(app.AppId) is { } shared && shared.Token != staleToken)
                return shared.Token;
            return await RefreshAsync(app, reason, ct);
        }
        finally
        {
            gate.Release();
        }
    }

    private bool RedisAvailable => redis.IsConnected;

    private async Task<string> RefreshAsync(WechatAppOptions app, string reason, CancellationToken ct)
    {
        var db = redis.GetDatabase();
        var key = RedisKeys.WxAccessToken(app.AppId);
        var lockKey = RedisKeys.WxAccessTokenLock(app.AppId);
        bool locked;
        try
        {
            if (await ReadSharedAsync(app.AppId) is { } again)
                return again.Token;
            locked = await db.StringSetAsync(lockKey, InstanceId.Value, LockTtl, When.NotExists);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return FreshLocal(app.AppId) ?? (await FetchAsync(app, reason + ", Redis unavailable", ct)).Token;
        }

        if (!locked)
        {
            // Someone else is refreshing: wait for their token rather than fetch a second time. (Real
            // delays on purpose: this waits for another process, not for business time.)
            for (var i = 0; i < WaitForOtherRefresher / PollInterval; i++)
            {
                await Task.Delay(PollInterval, ct);
                if (await ReadSharedAsync(app.AppId) is { } theirs)
                    return theirs.Token;
            }
            return (await FetchAsync(app, reason + ", lock holder too slow", ct)).Token;
        }

        try
        {
            if (await ReadSharedAsync(app.AppId) is { } raced)
                return raced.Token;
            var (token, ttl) = await FetchAsync(app, reason, ct);
            await db.StringSetAsync(key, token, ttl);
            return token;
        }
        finally
        {
            try
            {
                await db.ScriptEvaluateAsync(DeleteIfEquals, new { key = lockKey, value = InstanceId.Value });
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                // The lock expires by itself within LockTtl.
            }
        }
    }

    private async Task<(string Token, TimeSpan Ttl)> FetchAsync(WechatAppOptions app, string reason, CancellationToken ct)
    {
        var http = new WechatHttp(httpFactory.CreateClient(WechatServiceExtensions.HttpClientName));
        var result = await http.PostJsonAsync<StableTokenResponse>("cgi-bin/stable_token", new
        {
            grant_type = "client_credential",
            appid = app.AppId,
            secret = app.AppSecret,
            force_refresh = false,
        }, ct);
        if (!result.IsOk || string.IsNullOrEmpty(result.Value?.AccessToken))
        {
            log.LogError("Access token for {AppId} not issued ({ErrCode}: {ErrMsg}); instance {Instance}, reason: {Reason}",
                app.AppId, result.ErrCode, result.ErrMsg, InstanceId.Value, reason);
            throw new WechatApiException(result.ErrCode, result.ErrMsg);
        }

        var ttl = TimeSpan.FromSeconds(result.Value.ExpiresIn) - Margin;
        if (ttl <= TimeSpan.Zero)
            ttl = TimeSpan.FromSeconds(Math.Max(1, result.Value.ExpiresIn / 2));
        local[app.AppId] = new LocalToken(result.Value.AccessToken, clock.GetUtcNow() + ttl);
        log.LogInformation("Access token for {AppId} refreshed by instance {Instance} ({Reason}); valid for {Ttl}",
            app.AppId, InstanceId.Value, reason, ttl);
        return (result.Value.AccessToken, ttl);
    }

    private async Task<LocalToken?> ReadSharedAsync(string appId)
    {
        try
        {
            var entry = await redis.GetDatabase().StringGetWithExpiryAsync(RedisKeys.WxAccessToken(appId));
            if (entry.Value.IsNullOrEmpty)
                return null;
            var copy = new LocalToken(entry.Value!, clock.GetUtcNow() + (entry.Expiry ?? TimeSpan.Zero));
            local[appId] = copy;
            return copy;
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return null;
        }
    }

    private string? FreshLocal(string appId) =>
        local.TryGetValue(appId, out var copy) && copy.RefreshAt > clock.GetUtcNow() ? copy.Token : null;
}
