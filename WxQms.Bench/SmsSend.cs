using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Hosting;
using WxQms.Domain.Rules.Sms;

namespace WxQms.Bench;

/// <summary>
/// SMS throughput against the configured rate (issue #21 item 7): <c>count</c> task warnings are due at once for members
/// with a mobile number, their kind set to go by SMS only; two real <c>WxQms.Jobs run</c> processes share them under one
/// Redis rate limit and send them to the SMS sandbox of the Api. Each number gets at most <c>perNumber</c> of them, from
/// different tasks (within the provider's limits: no identical text in 30 s, five an hour). Throughput is measured between
/// the first and the last send recorded; none may go twice (one accepted record per reminder, one sandbox message per
/// SessionContext) and none over a number's limit (the sandbox refused none for it, and no inbox holds more than the hour's
/// limit or the same text twice within 30 s). Goal: throughput ÷ rate ≥ 0.95.
///
///   WxQms.Bench sms-send &lt;apiBase&gt; &lt;mysql&gt; &lt;redis&gt; &lt;WxQms.Jobs.dll&gt; &lt;rate/s&gt; &lt;count&gt;
/// </summary>
public static class SmsSend
{
    private const int PerNumber = 4;

    public static async Task<int> RunAsync(string[] args)
    {
        var (apiBase, mysql, redis, jobsDll) = (args[1].TrimEnd('/'), args[2], args[3], args[4]);
        var rate = int.Parse(args[5], CultureInfo.InvariantCulture);
        var count = int.Parse(args[6], CultureInfo.InvariantCulture);
        await using var db = new MySqlDataSource(WxQmsCoreExtensions.MySqlConnectionString(mysql));
        using var http = new HttpClient { BaseAddress = new Uri(apiBase + "/") };

        List<string> phones;
        await using (var conn = await db.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("DELETE FROM reminders");
            await conn.ExecuteAsync("DELETE FROM sms_messages");
            // Open tasks of different duties: one warning each per number, so no two texts to a number are the same.
            var tasks = (await conn.QueryAsync<(long Id, long OrgId)>("""
                SELECT MIN(id), MIN(org_id) FROM tasks WHERE state IN ('pending', 'overdue') AND adhoc = FALSE
                GROUP BY template_code ORDER BY MIN(id) LIMIT @PerNumber
                """, new { PerNumber })).ToList();
            var members = (await conn.QueryAsync<(long Id, string Phone)>("""
                SELECT id, phone FROM members WHERE phone IS NOT NULL AND status IN ('full', 'probationary') ORDER BY id
                """)).Where(m => SmsRules.ToE164(m.Phone) is not null).DistinctBy(m => SmsRules.ToE164(m.Phone))
                .Take((count + tasks.Count - 1) / Math.Max(1, tasks.Count)).ToList();
            var due = DateTime.UtcNow.AddMinutes(-1);
            var rows = (from m in members from t in tasks select new DueReminder(t.Id, "warning", m.Id, t.OrgId, due)).Take(count).ToList();
            if (rows.Count < count)
            {
                Console.Error.WriteLine($"only {rows.Count} (task, member with a phone) combinations for {count} SMS");
                return 1;
            }
            await DueReminders.InsertAsync(conn, rows);
            phones = members.Select(m => SmsRules.ToE164(m.Phone)!).ToList();
        }

        var workers = SenderProcesses.StartTwo(jobsDll, apiBase, mysql, redis, rate, $"--Sms:ApiBase={apiBase}/sandbox/sms/api", "--Reminders:ChannelOrder:warning:0=sms");
        await SenderProcesses.WaitUntilSentAsync(db, count, rate);
        await SenderProcesses.StopAsync(workers);

        await using var check = await db.OpenConnectionAsync();
        var (sent, first, last) = await check.QuerySingleAsync<(long, DateTime?, DateTime?)>(
            "SELECT COUNT(*), MIN(sent_at), MAX(sent_at) FROM reminders WHERE status = 'sent' AND channel = 'sms'");
        var twiceOurs = await check.ExecuteScalarAsync<long>("""
            SELECT COUNT(*) FROM (SELECT reminder_id FROM sms_messages WHERE code = 'Ok' GROUP BY reminder_id HAVING COUNT(*) > 1) t
            """);
        var refusedForLimits = await check.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sms_messages WHERE code LIKE 'LimitExceeded%'");

        // The sandbox's inboxes: each SessionContext (our reminder-{id}-sms) once; within the hour's limit and 30 s rule.
        var sessions = new List<string>();
        var overLimit = 0;
        foreach (var phone in phones)
        {
            var inbox = await http.GetFromJsonAsync<JsonElement>($"sandbox/sms/{Uri.EscapeDataString(phone)}/inbox");
            var messages = inbox.GetProperty("messages").EnumerateArray()
                .Select(m => (At: m.GetProperty("at").GetDateTimeOffset(), Content: m.GetProperty("content").GetString()!,
                    Session: m.GetProperty("sessionContext").GetString() ?? ""))
                .OrderBy(m => m.At).ToList();
            sessions.AddRange(messages.Select(m => m.Session));
            for (var i = 0; i < messages.Count; i++)
            {
                if (messages.Count(m => m.At >= messages[i].At && m.At < messages[i].At.AddHours(1)) > SmsLimits.PerHour
                    || messages.Skip(i + 1).Any(m => m.Content == messages[i].Content && m.At - messages[i].At < TimeSpan.FromSeconds(30)))
                {
                    overLimit++;
                    break;
                }
            }
        }
        var twiceSandbox = sessions.GroupBy(s => s, StringComparer.Ordinal).Count(g => g.Count() > 1);
        var seconds = (last - first)?.TotalSeconds ?? 0;
        var throughput = seconds > 0 ? (sent - 1) / seconds : 0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sms-send reminders={count} sent={sent} numbers={phones.Count} workers=2 rate={rate}/s elapsed={seconds:0.0}s " +
            $"throughput={throughput:0.0}/s ratio={throughput / rate:0.00} (goal >= 0.95) in-sandbox={sessions.Count} " +
            $"twice={twiceOurs + twiceSandbox} refused-for-limits={refusedForLimits} numbers-over-limit={overLimit}"));
        return sent == count && sessions.Count == count && twiceOurs + twiceSandbox == 0 && refusedForLimits == 0 && overLimit == 0 ? 0 : 1;
    }

    /// <summary>The provider's hourly limit per number, as the sandbox and the Sms:PerHour default keep it.</summary>
    private static class SmsLimits
    {
        public const int PerHour = 5;
    }}
