using System.Diagnostics;
using System.Globalization;
using System.Text;
using WxQms.Bench;
using WxQms.Domain.Wechat;

// An open-loop load generator: requests leave on a fixed schedule whatever the server does, so a
// slow answer cannot hide by slowing the sender down (which wrk's closed loop would do).
//
//   WxQms.Bench <baseUrl> <path|callback-plain|callback-safe>[+/ping] <rate/s> <seconds> [token aesKey appId]
//   WxQms.Bench plan-district <mysql connection string of an empty database>
//   WxQms.Bench roster-import <baseUrl> <staff token> <community code> [members] [rounds]
//
// Prints one line per target: sent, ok, errors, p50, p90, p99, max (ms), answers slower than 5 s, how late the
// sender itself left (lag-max: the load generator's own stall) and its GC pauses during the run (client-gc-ms).

if (args is ["plan-district", var planDb])
    return await WxQms.Bench.PlanDistrict.RunAsync(planDb);
if (args is ["close-district", var closeDb])
    return await WxQms.Bench.CloseDistrict.RunAsync(closeDb);
if (args is ["reminder-scan", var scanDb, var scanRedis, var scanRows])
    return await WxQms.Bench.ReminderScan.RunAsync(scanDb, scanRedis, int.Parse(scanRows, CultureInfo.InvariantCulture));
if (args is ["reminder-send", ..])
    return await WxQms.Bench.ReminderSend.RunAsync(args);
if (args is ["district-reads", var readsBase, var readsRedis, var readsRate, var readsSeconds, var readsCold, .. var readList])
    return await WxQms.Bench.DistrictReads.RunAsync(readsBase, readsRedis, int.Parse(readsRate, CultureInfo.InvariantCulture),
        int.Parse(readsSeconds, CultureInfo.InvariantCulture), int.Parse(readsCold, CultureInfo.InvariantCulture), readList);
if (args is ["upload-memory", ..])
    return await WxQms.Bench.UploadMemory.RunAsync(args[1..]);
if (args is ["callback-allocs", var allocToken, var allocKey, var allocAppId])
    return WxQms.Bench.CallbackAllocations.Run(allocToken, allocKey, allocAppId);
if (args is ["reminder-burst", ..])
    return await WxQms.Bench.ReminderBurst.RunAsync(args);
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
var rate = int.Parse(args[2], CultureInfo.InvariantCulture);
var seconds = int.Parse(args[3], CultureInfo.InvariantCulture);
var token = args.Length > 4 ? args[4] : "";
// "callback-safe+/ping": the callbacks at the rate and, in the same run, /ping at a tenth of it (at least 20/s), so the
// baseline sees the same moments (a GC, a busy neighbour) as the callbacks do.
var targets = args[1].Split('+');
var crypto = args.Length > 6 && targets[0] == "callback-safe" ? new WechatCrypto(args[5], args[6]) : null;

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
{
    BaseAddress = new Uri(baseUrl),
    Timeout = TimeSpan.FromSeconds(30),
};
var runId = Random.Shared.NextInt64(1, 1_000_000) * 1_000_000;

// Warm up connections and the JIT on both sides before the clock starts.
foreach (var target in targets)
{
    for (var i = 0; i < 200; i++)
        await OpenLoop.SendAsync(http, () => Build(target, -1 - i), null, 0);
}

var gcBefore = (Pause: GC.GetTotalPauseDuration(), Gen2: GC.CollectionCount(2));
var streams = targets.Select((target, n) => new OpenLoop(target, n == 0 ? rate : Math.Max(20, rate / 10), seconds)).ToArray();
await Task.WhenAll(streams.Select(s => s.RunAsync(http, i => Build(s.Target, i))));
var clientPause = GC.GetTotalPauseDuration() - gcBefore.Pause;
foreach (var s in streams)
    Console.WriteLine(s.Summary(clientPause.TotalMilliseconds, GC.CollectionCount(2) - gcBefore.Gen2));
return streams.All(s => s.Errors == 0) ? 0 : 1;

HttpRequestMessage Build(string target, int i)
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
