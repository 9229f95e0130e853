using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace WxQms.Bench;

/// <summary>
/// A mini-program bearer token minted as TokenIssuer mints them (HS256), for wrk's Authorization header:
///   WxQms.Bench token &lt;jwt signing key&gt; &lt;issuer&gt; &lt;member id&gt; &lt;org id&gt; &lt;org path&gt; [role kind]
/// (a plain member of a branch unless a role and the org's kind are given: <c>staff subdistrict</c>).
/// </summary>
public static class BenchToken
{
    public static string Mint(string key, string issuer, string memberId, string orgId, string orgPath, string role = "member",
        string kind = "branch")
    {
        // BENCH_CLOCK: the instant an Api started with Clock:Now sees (its tokens are judged by its clock).
        var now = (DateTimeOffset.TryParse(Environment.GetEnvironmentVariable("BENCH_CLOCK"), System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.None, out var clock) ? clock : DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        var header = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new { alg = "HS256", typ = "JWT" }));
        var payload = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = issuer, ["aud"] = "wxqms-mp", ["sub"] = "1", ["mid"] = memberId, ["oid"] = orgId,
            ["role"] = new[] { $"{role}|{orgId}|{kind}|{orgPath}" }, ["iat"] = now, ["nbf"] = now, ["exp"] = now + 3600,
        }));
        var signature = Base64Url.EncodeToString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.ASCII.GetBytes($"{header}.{payload}")));
        return $"{header}.{payload}.{signature}";
    }
}
