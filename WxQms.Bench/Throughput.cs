using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace WxQms.Bench;

/// <summary>
/// Closed-loop throughput, wrk-style (wrk is not installed here): <c>connections</c> workers each send
/// the next request as soon as the last answer arrived, for <c>seconds</c>. Prints requests per second.
///   WxQms.Bench throughput &lt;url&gt; &lt;seconds&gt; &lt;connections&gt; [jwt signing key, issuer, member id, org id, org path]
/// With a key, every request carries a mini-program bearer token minted here (HS256, as TokenIssuer does).
/// </summary>
public static class Throughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var url = args[1];
        var seconds = int.Parse(args[2], CultureInfo.InvariantCulture);
        var connections = int.Parse(args[3], CultureInfo.InvariantCulture);
        var token = args.Length >= 9 ? Mint(args[4], args[5], args[6], args[7], args[8]) : null;
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections });
        if (token is not null)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        for (var i = 0; i < 200; i++) // warm-up: JIT and caches on both sides
            (await http.GetAsync(url)).EnsureSuccessStatusCode();
        long ok = 0, errors = 0;
        var stop = Stopwatch.StartNew();
        var until = TimeSpan.FromSeconds(seconds);
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            while (stop.Elapsed < until)
            {
                using var response = await http.GetAsync(url);
                await response.Content.ReadAsByteArrayAsync();
                if (response.IsSuccessStatusCode)
                    Interlocked.Increment(ref ok);
                else
                    Interlocked.Increment(ref errors);
            }
        }));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"throughput {new Uri(url).PathAndQuery} rps={ok / stop.Elapsed.TotalSeconds:0} ok={ok} errors={errors}"));
        return errors == 0 ? 0 : 1;
    }

    private static string Mint(string key, string issuer, string memberId, string orgId, string orgPath)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = B64(JsonSerializer.SerializeToUtf8Bytes(new { alg = "HS256", typ = "JWT" }));
        var payload = B64(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = issuer, ["aud"] = "wxqms-mp", ["sub"] = "1", ["mid"] = memberId, ["oid"] = orgId,
            ["role"] = new[] { $"member|{orgId}|branch|{orgPath}" }, ["iat"] = now, ["nbf"] = now, ["exp"] = now + 3600,
        }));
        var signature = B64(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.ASCII.GetBytes($"{header}.{payload}")));
        return $"{header}.{payload}.{signature}";
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
