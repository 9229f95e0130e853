using System.Diagnostics;
using System.Globalization;

namespace WxQms.Bench;

/// <summary>
/// One open-loop stream: request i leaves at i ÷ rate whatever the server does. Latency is timed from the moment a
/// request leaves; how late it left (the sender's own stall: its GC, a starved thread pool) is kept apart as lag, so a
/// stalled load generator shows as lag instead of passing for a slow server.
/// </summary>
public sealed class OpenLoop(string target, int rate, int seconds)
{
    private readonly double[] latencies = new double[rate * seconds];
    private double maxLag;
    private int ok;
    private int errors;
    private int misses;

    public string Target => target;

    public int Errors => errors;

    /// <summary>Answers that said <c>X-Cache: miss</c> (a cached read that had to be loaded).</summary>
    public int Misses => misses;

    public async Task RunAsync(HttpClient http, Func<int, HttpRequestMessage> build)
    {
        var clock = Stopwatch.StartNew();
        var tasks = new List<Task>(latencies.Length);
        for (var i = 0; i < latencies.Length; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
                await Task.Delay(wait);
            maxLag = Math.Max(maxLag, (clock.Elapsed - due).TotalMilliseconds);
            var n = i;
            tasks.Add(SendAsync(http, () => build(n), this, n));
        }
        await Task.WhenAll(tasks);
    }

    /// <summary>Sends one request; with a stream, records its latency and outcome under <paramref name="i"/>.</summary>
    public static async Task SendAsync(HttpClient http, Func<HttpRequestMessage> build, OpenLoop? record, int i)
    {
        using var request = build();
        var started = Stopwatch.GetTimestamp();
        var success = false;
        try
        {
            using var response = await http.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            success = response.IsSuccessStatusCode;
            if (record is not null && response.Headers.TryGetValues("X-Cache", out var cache) && cache.Contains("miss"))
                Interlocked.Increment(ref record.misses);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            // Refused, or no answer within the client's timeout: an error, timed as long as it took.
        }
        if (record is null)
            return;
        if (success)
            Interlocked.Increment(ref record.ok);
        else
            Interlocked.Increment(ref record.errors);
        record.latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    public string Summary(double clientGcMs, int clientGen2)
    {
        var sorted = latencies.Order().ToArray();
        double P(double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        return string.Create(CultureInfo.InvariantCulture,
            $"{target,-16} rate={rate} sent={sorted.Length} ok={ok} errors={errors} p50={P(0.50):0.00} p90={P(0.90):0.00} p99={P(0.99):0.00} " +
            $"max={sorted[^1]:0.00} over5s={sorted.Count(l => l > 5000)} lag-max={maxLag:0.0} client-gc-ms={clientGcMs:0.0} client-gen2={clientGen2}");
    }
}
