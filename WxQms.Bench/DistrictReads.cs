using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using StackExchange.Redis;

namespace WxQms.Bench;

/// <summary>
/// Reads of a district (issue #25 item 3) against a running Api on the district data set: for each read, cold (every
/// cached family retired by an INCR of its generation before each request, one request at a time: what the first
/// reader after a change waits) and warm (open loop at a fixed rate with <c>/ping.json</c> beside it in the same run),
/// as p50/p99. Each read is <c>name=path@token</c>. Throughput against /ping.json is bench.sh's (wrk).
/// </summary>
public static class DistrictReads
{
    public static async Task<int> RunAsync(string baseUrl, string redis, int rate, int seconds, int coldCount, IEnumerable<string> reads)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 })
        {
            BaseAddress = new Uri(baseUrl.TrimEnd('/')),
            Timeout = TimeSpan.FromSeconds(30),
        };
        await using var cache = await ConnectionMultiplexer.ConnectAsync(redis);
        var failed = false;
        foreach (var spec in reads)
        {
            var (name, rest) = (spec[..spec.IndexOf('=')], spec[(spec.IndexOf('=') + 1)..]);
            var (path, token) = (rest[..rest.LastIndexOf('@')], rest[(rest.LastIndexOf('@') + 1)..]);
            HttpRequestMessage Read()
            {
                var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                return request;
            }

            var cold = new double[coldCount];
            var misses = 0;
            for (var i = 0; i < coldCount; i++)
            {
                await RetireAsync(cache);
                var started = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(Read());
                await response.Content.ReadAsByteArrayAsync();
                cold[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                failed |= !response.IsSuccessStatusCode;
                if (response.Headers.TryGetValues("X-Cache", out var outcome) && outcome.Contains("miss"))
                    misses++;
            }
            Array.Sort(cold);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"reads-cold {name} path={path} n={coldCount} misses={misses} p50={cold[coldCount / 2]:0.00} p99={cold[Math.Min(coldCount - 1, (int)(coldCount * 0.99))]:0.00} max={cold[^1]:0.00}"));

            for (var i = 0; i < 50; i++)
                await OpenLoop.SendAsync(http, Read, null, 0);
            var warm = new OpenLoop(name, rate, seconds);
            var ping = new OpenLoop("/ping.json", rate, seconds);
            await Task.WhenAll(warm.RunAsync(http, _ => Read()), ping.RunAsync(http, _ => new HttpRequestMessage(HttpMethod.Get, "/ping.json")));
            Console.WriteLine("reads-warm " + warm.Summary(0, 0));
            Console.WriteLine("reads-warm " + ping.Summary(0, 0));
            failed |= warm.Errors > 0;
        }
        return failed ? 1 : 0;
    }

    /// <summary>Retires every cached family at once, as a change does: one INCR of each generation counter.</summary>
    private static async Task RetireAsync(ConnectionMultiplexer cache)
    {
        var server = cache.GetServers()[0];
        var db = cache.GetDatabase();
        await foreach (var key in server.KeysAsync(pattern: "wxqms:*:gen"))
            await db.StringIncrementAsync(key);
    }
}
