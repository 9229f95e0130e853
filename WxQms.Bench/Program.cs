using System.Diagnostics;
using System.Globalization;
using System.Text;
using WxQms.Domain.Wechat;

// An open-loop load generator: requests leave on a fixed schedule whatever the server does, so a
// slow answer cannot hide by slowing the sender down (which wrk's closed loop would do).
//
//   WxQms.Bench <baseUrl> <path|callback-plain|callback-safe> <rate/s> <seconds> [token aesKey appId]
//   WxQms.Bench plan-district <mysql connection string of an empty database>
//   WxQms.Bench roster-import <baseUrl> <staff token> <community code> [members] [rounds]
//
// Prints one line: target, sent, ok, errors, p50, p90, p99, max (ms), and answers slower than 5 s.

if (args is ["plan-district", var planDb])
    return await WxQms.Bench.PlanDistrict.RunAsync(planDb);
if (args is ["close-district", var closeDb])
    return await WxQms.Bench.CloseDistrict.RunAsync(closeDb);
if (args is ["reminder-scan", var scanDb, var scanRedis, var scanRows])
    return await WxQms.Bench.ReminderScan.RunAsync(scanDb, scanRedis, int.Parse(scanRows, CultureInfo.InvariantCulture));
if (args is ["reminder-send", ..])
    return await WxQms.Bench.ReminderSend.RunAsync(args);
if (args is ["sms-send", ..])
    return await WxQms.Bench.SmsSend.RunAsync(args);
if (args is ["token", var key, var issuer, var member, var org, var path])
{
    Console.WriteLine(WxQms.Bench.BenchToken.Mint(key, issuer, member, org, path));
    return 0;
}
if (args is ["token", var key2, var issuer2, var member2, var org2, var path2, var role, var kind])
{
    Console.WriteLine(WxQms.Bench.BenchToken.Mint(key2, issuer2, member2, org2, path2, role, kind));
    return 0;
}
if (args is ["roster-import", var rosterBase, var rosterToken, var community, .. var rest])
    return await WxQms.Bench.RosterImport.RunAsync(rosterBase, rosterToken, community,
        rest is [var n, ..] ? int.Parse(n, CultureInfo.InvariantCulture) : 2000,
        rest is [_, var r] ? int.Parse(r, CultureInfo.InvariantCulture) : 3);

var baseUrl = args[0].TrimEnd('/');
var target = args[1];
var rate = int.Parse(args[2], CultureInfo.InvariantCulture);
var seconds = int.Parse(args[3], CultureInfo.InvariantCulture);
var token = args.Length > 4 ? args[4] : "";
var crypto = args.Length > 6 && target == "callback-safe" ? new WechatCrypto(args[5], args[6]) : null;

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
{
    BaseAddress = new Uri(baseUrl),
    Timeout = TimeSpan.FromSeconds(30),
};

var total = rate * seconds;
var latencies = new double[total];
var ok = 0;
var errors = 0;
var runId = Random.Shared.NextInt64(1, 1_000_000) * 1_000_000;

// Warm up connections and the JIT on both sides before the clock starts.
for (var i = 0; i < 200; i++)
    await SendAsync(-1 - i, record: false);

var clock = Stopwatch.StartNew();
var tasks = new List<Task>(total);
for (var i = 0; i < total; i++)
{
    var due = TimeSpan.FromSeconds((double)i / rate);
    var wait = due - clock.Elapsed;
    if (wait > TimeSpan.FromMilliseconds(1))
        await Task.Delay(wait);
    tasks.Add(SendAsync(i, record: true));
}
await Task.WhenAll(tasks);

var sorted = latencies.Order().ToArray();
double P(double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{target,-16} sent={total} ok={ok} errors={errors} p50={P(0.50):0.00} p90={P(0.90):0.00} p99={P(0.99):0.00} max={sorted[^1]:0.00} over5s={sorted.Count(l => l > 5000)}"));
return errors == 0 ? 0 : 1;

async Task SendAsync(int i, bool record)
{
    using var request = Build(i);
    var started = Stopwatch.GetTimestamp();
    try
    {
        using var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        if (response.IsSuccessStatusCode) { if (record) Interlocked.Increment(ref ok); }
        else if (record) Interlocked.Increment(ref errors);
    }
    catch (HttpRequestException)
    {
        if (record) Interlocked.Increment(ref errors);
    }
    if (record)
        latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}

HttpRequestMessage Build(int i)
{
    if (!target.StartsWith("callback", StringComparison.Ordinal))
        return new HttpRequestMessage(HttpMethod.Get, target);

    var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
    var nonce = Random.Shared.Next(100_000_000, 999_999_999).ToString(CultureInfo.InvariantCulture);
    var msgId = runId + i + 1_000;
    var xml = $"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[o-bench-{i % 500}]]></FromUserName><CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[压测消息 {i}]]></Content><MsgId>{msgId}</MsgId></xml>";
    var query = $"/wechat/callback?signature={WechatSignature.Sign(token, ts, nonce)}&timestamp={ts}&nonce={nonce}&openid=o-bench";
    string body = xml;
    if (crypto is not null)
    {
        var encrypt = crypto.Encrypt(xml);
        query += $"&encrypt_type=aes&msg_signature={WechatSignature.Sign(token, ts, nonce, encrypt)}";
        body = $"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>";
    }
    return new HttpRequestMessage(HttpMethod.Post, query) { Content = new StringContent(body, Encoding.UTF8, "text/xml") };
}
