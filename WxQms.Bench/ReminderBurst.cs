using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Hosting;

namespace WxQms.Bench;

/// <summary>
/// The 08:00 burst (issue #25): a night's reminders due at once for official-account followers — per person a warning, a T−1
/// card and four 待报计划 that go out as one digest — sent by two real <c>WxQms.Jobs run</c> processes under one shared rate.
/// Prints the time from the first to the last send ÷ the ideal (messages ÷ rate; goal ≤ 1.05), messages against reminder rows
/// (digests), that the warnings went first, and <c>/api/mp/tasks</c>'s p99 at a fixed request rate while they send ÷ its idle
/// p99 measured first in the same run (goal ≤ 2).
///
///   WxQms.Bench reminder-burst &lt;apiBase&gt; &lt;mysql&gt; &lt;redis&gt; &lt;WxQms.Jobs.dll&gt; &lt;rate/s&gt; &lt;rows&gt; &lt;member token&gt;
/// </summary>
public static class ReminderBurst
{
    private static readonly string[] Kinds = ["warning", "members", "plan_report", "plan_report", "plan_report", "plan_report"];

    public static async Task<int> RunAsync(string[] args)
    {
        var (apiBase, mysql, redis, jobsDll) = (args[1].TrimEnd('/'), args[2], args[3], args[4]);
        var rate = int.Parse(args[5], CultureInfo.InvariantCulture);
        var wanted = int.Parse(args[6], CultureInfo.InvariantCulture);
        var token = args[7];
        await using var db = new MySqlDataSource(WxQmsCoreExtensions.MySqlConnectionString(mysql));
        using var http = new HttpClient { BaseAddress = new Uri(apiBase + "/") };

        var followers = await SandboxFollowers.LinkAsync(http, db, (int)Math.Ceiling(wanted / (double)Kinds.Length));
        int rows;
        await using (var conn = await db.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("DELETE FROM reminders");
            // Open duties that need a plan and have none: the 待报计划 reminders still apply when they are sent.
            var tasks = (await conn.QueryAsync<(long Id, long OrgId)>("""
                SELECT id, org_id FROM tasks WHERE state = 'pending' AND planned_for IS NULL AND due_at > NOW()
                  AND template_code IN ('member_meeting', 'committee_meeting', 'party_lecture', 'theme_party_day', 'org_life_meeting')
                ORDER BY id LIMIT 6
                """)).ToList();
            var due = DateTime.UtcNow.AddMinutes(-1);
            var all = (from f in followers from i in Enumerable.Range(0, Kinds.Length)
                       select new { Task = tasks[i % tasks.Count], Kind = Kinds[i], f.MemberId, due }).Take(wanted).ToList();
            rows = all.Count;
            foreach (var chunk in all.Chunk(1000))
                await conn.ExecuteAsync("""
                    INSERT INTO reminders (subject_type, subject_id, task_id, kind, member_id, recipient, org_id, status, due_at, created_at, updated_at)
                    VALUES ('task', @Id, @Id, @Kind, @MemberId, CONCAT('m:', @MemberId), @OrgId, 'pending', @due, @due, @due)
                    """, chunk.Select(c => new { c.Task.Id, c.Kind, c.MemberId, c.Task.OrgId, c.due }));
        }
        if (rows < wanted)
            Console.Error.WriteLine($"only {followers.Count} followers: {rows} reminder rows instead of {wanted}");

        using var tasksApi = new HttpClient { BaseAddress = new Uri(apiBase + "/") };
        tasksApi.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var idle = await ProbeAsync(tasksApi, TimeSpan.FromSeconds(10), () => false);

        var workers = SenderProcesses.StartTwo(jobsDll, apiBase, mysql, redis, rate);
        var finished = false;
        var busyProbe = ProbeAsync(tasksApi, TimeSpan.FromHours(1), () => Volatile.Read(ref finished));
        await SenderProcesses.WaitUntilSentAsync(db, rows, rate);
        Volatile.Write(ref finished, true);
        var busy = await busyProbe;
        await SenderProcesses.StopAsync(workers);

        await using var check = await db.OpenConnectionAsync();
        var (sent, messages, first, last) = await check.QuerySingleAsync<(long, long, DateTime?, DateTime?)>("""
            SELECT COUNT(*), COUNT(DISTINCT outbound_id), MIN(sent_at), MAX(sent_at) FROM reminders WHERE status = 'sent'
            """);
        var digests = await check.ExecuteScalarAsync<long>("SELECT COUNT(DISTINCT digest_id) FROM reminders WHERE digest_id IS NOT NULL");
        var lastWarning = await check.ExecuteScalarAsync<DateTime?>("SELECT MAX(sent_at) FROM reminders WHERE kind = 'warning' AND status = 'sent'");
        var firstRest = await check.ExecuteScalarAsync<DateTime?>("SELECT MIN(sent_at) FROM reminders WHERE kind <> 'warning' AND status = 'sent'");
        var seconds = (last - first)?.TotalSeconds ?? 0;
        var ideal = (messages - 1) / (double)rate;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reminder-burst rows={rows} sent={sent} messages={messages} digests={digests} rows/message={sent / (double)Math.Max(1, messages):0.00} " +
            $"rate={rate}/s elapsed={seconds:0.0}s ideal={ideal:0.0}s ratio={(ideal > 0 ? seconds / ideal : 0):0.00} (goal <= 1.05) " +
            $"warnings-first={(lastWarning is null || firstRest is null ? "n/a" : (lastWarning <= firstRest ? "yes" : "overlap"))}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"/api/mp/tasks p99 idle={idle.P99:0.00}ms (n={idle.Count}) while sending={busy.P99:0.00}ms (n={busy.Count}) " +
            $"ratio={(idle.P99 > 0 ? busy.P99 / idle.P99 : 0):0.00} (goal <= 2) errors={idle.Errors + busy.Errors}"));
        return sent == rows ? 0 : 1;
    }

    /// <summary>GET /api/mp/tasks at 20 requests/s (open loop) for <paramref name="length"/> or until <paramref name="stop"/>.</summary>
    private static async Task<(double P99, int Count, int Errors)> ProbeAsync(HttpClient api, TimeSpan length, Func<bool> stop)
    {
        var latencies = new List<double>();
        var errors = 0;
        var calls = new List<Task>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; clock.Elapsed < length && !stop(); i++)
        {
            var wait = TimeSpan.FromSeconds(i / 20.0) - clock.Elapsed;
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait);
            calls.Add(Task.Run(async () =>
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await api.GetAsync("api/mp/tasks");
                await response.Content.ReadAsByteArrayAsync();
                lock (latencies)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    if (!response.IsSuccessStatusCode)
                        errors++;
                }
            }));
        }
        await Task.WhenAll(calls);
        var sorted = latencies.Order().ToArray();
        return (sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(0.99 * sorted.Length))], sorted.Length, errors);
    }}
