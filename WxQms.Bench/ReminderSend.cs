using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Hosting;

namespace WxQms.Bench;

/// <summary>
/// Sender throughput against the configured rate (issue #5): rate × seconds reminders are due at once
/// for official-account followers of the demo subdistrict; two real <c>WxQms.Jobs run</c> processes
/// share them under one Redis rate limit and send them through the sandbox Api. Throughput is measured
/// between the first and the last send recorded; every reminder must be sent exactly once (our records),
/// and the sandbox must have accepted each client_msg_id once and dropped no repeat (goal ≥ 0.95, 0 duplicates).
///
///   WxQms.Bench reminder-send &lt;apiBase&gt; &lt;mysql&gt; &lt;redis&gt; &lt;WxQms.Jobs.dll&gt; &lt;rate/s&gt; &lt;seconds&gt;
/// </summary>
public static class ReminderSend
{
    private static readonly string[] Kinds = ["organiser", "warning", "escalation1", "escalation2"];

    public static async Task<int> RunAsync(string[] args)
    {
        var (apiBase, mysql, redis, jobsDll) = (args[1].TrimEnd('/'), args[2], args[3], args[4]);
        var rate = int.Parse(args[5], CultureInfo.InvariantCulture);
        var count = rate * int.Parse(args[6], CultureInfo.InvariantCulture);
        await using var db = new MySqlDataSource(WxQmsCoreExtensions.MySqlConnectionString(mysql));
        using var http = new HttpClient { BaseAddress = new Uri(apiBase + "/") };

        var followers = await SandboxFollowers.LinkAsync(http, db, (int)Math.Ceiling(count / (double)(Kinds.Length * 4)));
        await using (var conn = await db.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("DELETE FROM reminders");
            var tasks = (await conn.QueryAsync<(long Id, long OrgId)>("""
                SELECT id, org_id FROM tasks WHERE state IN ('pending', 'planned', 'overdue') ORDER BY id LIMIT 4
                """)).ToList();
            var due = DateTime.UtcNow.AddMinutes(-1);
            var rows = (from t in tasks from k in Kinds from f in followers select new DueReminder(t.Id, k, f.MemberId, t.OrgId, due))
                .Take(count).ToList();
            if (rows.Count < count)
            {
                Console.Error.WriteLine($"only {rows.Count} (task, kind, follower) combinations for {count} reminders");
                return 1;
            }
            await DueReminders.InsertAsync(conn, rows);
        }
        var before = await http.GetFromJsonAsync<JsonElement>("sandbox/wechat/messages/stats");

        var workers = SenderProcesses.StartTwo(jobsDll, apiBase, mysql, redis, rate);
        await SenderProcesses.WaitUntilSentAsync(db, count, rate);
        await SenderProcesses.StopAsync(workers);

        await using var check = await db.OpenConnectionAsync();
        var (sent, first, last) = await check.QuerySingleAsync<(long, DateTime?, DateTime?)>(
            "SELECT COUNT(*), MIN(sent_at), MAX(sent_at) FROM reminders WHERE status = 'sent'");
        var outbound = await check.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM wechat_outbound WHERE errcode = 0 AND client_msg_id LIKE 'reminder-%' AND sent_at >= @first",
            new { first });
        var after = await http.GetFromJsonAsync<JsonElement>("sandbox/wechat/messages/stats");
        int Delta(string name) => after.GetProperty(name).GetInt32() - before.GetProperty(name).GetInt32();
        var seconds = (last - first)?.TotalSeconds ?? 0;
        var throughput = seconds > 0 ? (sent - 1) / seconds : 0;
        var duplicates = Delta("accepted") - Delta("clientMsgIds") + Delta("repeatsDropped") + (outbound - sent);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reminder-send reminders={count} sent={sent} workers=2 rate={rate}/s elapsed={seconds:0.0}s throughput={throughput:0.0}/s " +
            $"ratio={throughput / rate:0.00} (goal >= 0.95) accepted={Delta("accepted")} duplicates={duplicates}"));
        return sent == count && duplicates == 0 ? 0 : 1;
    }}
