using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using WxQms.Domain.Caching;

namespace WxQms.Domain.Wechat.Callbacks;

/// <summary>
/// The nonces of plaintext pushes seen within the timestamp window, each with the body it came with (Redis, the
/// window twice over as TTL: a timestamp is accepted from <c>tolerance</c> before it to <c>tolerance</c> after).
/// Nothing signs a plaintext body, so a seen signature, timestamp and nonce would carry any message; a nonce therefore
/// takes one body. The same body again is WeChat's retry, which the inbox answers from its record. Encrypted pushes
/// need none of this: msg_signature covers their body. With Redis down the check lets pushes through (logged): the
/// unique record per message in MySQL still keeps a message from being handled twice.
/// </summary>
public sealed class CallbackNonces(IConnectionMultiplexer redis, ILogger<CallbackNonces> log)
{
    /// <summary>1 when the nonce is new or came with this body before, 0 when it came with another body.</summary>
    private const string Script = """
        if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
        if redis.call('GET', KEYS[1]) == ARGV[1] then return 1 end
        return 0
        """;

    /// <summary>False when <paramref name="nonce"/> was seen within the window with another body.</summary>
    public async Task<bool> TryUseAsync(string appId, string timestamp, string nonce, string body, int toleranceSeconds)
    {
        if (toleranceSeconds <= 0)
            return true; // no window: every timestamp is accepted, so there is nothing to bound a record by
        var bodyHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)));
        try
        {
            return (long)await redis.GetDatabase().ScriptEvaluateAsync(Script, [RedisKeys.CallbackNonce(appId, timestamp, nonce)],
                [bodyHash, toleranceSeconds * 2_000L]) == 1;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            log.LogWarning("Plaintext push nonce not checked: Redis is unavailable ({Error})", ex.Message);
            return true;
        }
    }
}
