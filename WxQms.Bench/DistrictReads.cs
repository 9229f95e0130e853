using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using StackExchange.Redis;
using WxQms.Domain.Caching;

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

            // Cold: one read at a time, paced at ColdRate, every cache retired just before it; /ping.json right after each, so
            // both see the same moments.
            var cold = new double[coldCount];
            var coldPing = new double[coldCount];
            var misses = 0;
            var pace = Stopwatch.StartNew();
            for (var i = 0; i < coldCount; i++)
            {
                if (TimeSpan.FromSeconds(i / ColdRate) - pace.Elapsed is { Ticks: > 0 } wait)
                    await Task.Delay(wait);
                await RetireAsync(cache);
                var started = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(Read());
                await response.Content.ReadAsByteArrayAsync();
                cold[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                failed |= !response.IsSuccessStatusCode;
                if (response.Headers.TryGetValues("X-Cache", out var outcome) && outcome.Contains("miss"))
                    misses++;
                started = Stopwatch.GetTimestamp();
                using var beside = await http.GetAsync("/ping.json");
                await beside.Content.ReadAsByteArrayAsync();
                coldPing[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
            Array.Sort(cold);
            Array.Sort(coldPing);
            double P(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * q))];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"reads-cold {name} path={path} n={coldCount} rate={ColdRate} misses={misses} p50={P(cold, 0.5):0.00} p99={P(cold, 0.99):0.00} " +
                $"max={cold[^1]:0.00} ping-p50={P(coldPing, 0.5):0.00} ping-p99={P(coldPing, 0.99):0.00}"));

            for (var i = 0; i < 50; i++)
                await OpenLoop.SendAsync(http, Read, null, 0);
            var warm = new OpenLoop(name, rate, seconds);
            var ping = new OpenLoop("/ping.json", rate, seconds);
            await Task.WhenAll(warm.RunAsync(http, _ => Read()), ping.RunAsync(http, _ => new HttpRequestMessage(HttpMethod.Get, "/ping.json")));
            Console.WriteLine("reads-warm " + warm.Summary(0, 0) + $" misses={warm.Misses}");
            Console.WriteLine("reads-warm " + ping.Summary(0, 0));
            failed |= warm.Errors > 0;
        }
        return failed ? 1 : 0;
    }

    /// <summary>
    /// Retires every cached family at once, as a change does: one INCR of each generation counter — of every family
    /// (<see cref="RedisKeys"/>), not only the counters that exist: a family never bumped yet has no counter to find, and its
    /// "cold" reads would be hits under generation 0.
    /// </summary>
    private static async Task RetireAsync(ConnectionMultiplexer cache)
    {
        var db = cache.GetDatabase();
        foreach (var family in Families)
            await db.StringIncrementAsync(RedisKeys.Generation(family));
    }

    /// <summary>Cold reads per second: one at a time, each after a retirement (what the first reader after a change waits).</summary>
    private const double ColdRate = 5;

    private static readonly string[] Families = [RedisKeys.OrgTrees, RedisKeys.Tasks, RedisKeys.Rankings, RedisKeys.Records];
}
