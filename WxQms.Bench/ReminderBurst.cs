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
/// The 08:00 burst (issue #25): on the district data set (close-district's members, each branch with its 2027 plan), a
/// night's reminders held by quiet hours and due at once at 08:00 for official-account followers, each about a task of her
/// own branch — per person a warning, the T−1 card of her branch's meeting planned for that day (a meeting task with
/// planned_for set, as the plan report of a real night leaves it), and four 待报计划 of duties with no plan yet, which go
/// out as one digest — sent by two real <c>WxQms.Jobs run</c> processes under one shared rate, their clock (and the Api's)
/// at that morning's 08:00. Prints the time from the first to the last send ÷ the ideal (messages ÷ rate; goal ≤ 1.05),
/// messages against reminder rows (digests), that the most urgent went first (warnings, then the T−1 cards, then the
/// rest), and <c>/api/mp/tasks</c>'s p99 at a fixed request rate while they send ÷ its idle p99 measured first in the same
/// run (goal ≤ 2). Exits 0 only when every row was sent and every goal holds.
///
///   WxQms.Bench reminder-burst &lt;apiBase&gt; &lt;mysql&gt; &lt;redis&gt; &lt;WxQms.Jobs.dll&gt; &lt;rate/s&gt; &lt;rows&gt; &lt;member token&gt; &lt;08:00 instant&gt;
/// </summary>
public static class ReminderBurst
{
    /// <summary>A person's rows: the warning, her branch meeting's T−1, four 待报计划 (one digest).</summary>
    private static readonly string[] Kinds = ["warning", "members", "plan_report", "plan_report", "plan_report", "plan_report"];

    private static readonly string[] MeetingDuties = ["member_meeting", "committee_meeting", "party_lecture", "theme_party_day", "org_life_meeting"];

    public static async Task<int> RunAsync(string[] args)
    {
        var (apiBase, mysql, redis, jobsDll) = (args[1].TrimEnd('/'), args[2], args[3], args[4]);
        var rate = int.Parse(args[5], CultureInfo.InvariantCulture);
        var wanted = int.Parse(args[6], CultureInfo.InvariantCulture);
        var token = args[7];
        var morning = DateTimeOffset.Parse(args[8], CultureInfo.InvariantCulture);
        await using var db = new MySqlDataSource(WxQmsCoreExtensions.MySqlConnectionString(mysql));
        using var http = new HttpClient { BaseAddress = new Uri(apiBase + "/") };

        var followers = await SandboxFollowers.LinkAsync(http, db, (int)Math.Ceiling(wanted / (double)Kinds.Length));
        int rows;
        long lastRow;
        await using (var conn = await db.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("DELETE FROM reminders");
            var memberIds = followers.Select(f => f.MemberId).ToArray();
            var branchOf = (await conn.QueryAsync<(long Id, long OrgId)>("SELECT id, org_id FROM members WHERE id IN @memberIds", new { memberIds }))
                .ToDictionary(m => m.Id, m => m.OrgId);
            var orgIds = branchOf.Values.Distinct().ToArray();
            // Per branch, six open meeting duties due after that morning with no plan yet: the first becomes the meeting
            // planned for that evening (its T−1 card), the second the warning's, the other four the 待报计划 of the digest.
            var tasksOf = (await conn.QueryAsync<(long Id, long OrgId)>("""
                SELECT id, org_id FROM (
                  SELECT id, org_id, ROW_NUMBER() OVER (PARTITION BY org_id ORDER BY due_at, id) AS n FROM tasks
                  WHERE org_id IN @orgIds AND state = 'pending' AND planned_for IS NULL AND due_at > @after AND template_code IN @MeetingDuties
                ) x WHERE n <= 6 ORDER BY org_id, n
                """, new { orgIds, after = morning.UtcDateTime, MeetingDuties }))
                .GroupBy(t => t.OrgId).Where(g => g.Count() == Kinds.Length).ToDictionary(g => g.Key, g => g.Select(t => t.Id).ToArray());
            var meeting = morning.AddHours(11); // 19:00 that day
            await conn.ExecuteAsync("UPDATE tasks SET planned_for = @meeting, place = '党员活动室', topic = '主题党日' WHERE id IN @ids",
                new { meeting = meeting.UtcDateTime, ids = tasksOf.Values.Select(t => t[0]).ToArray() });
            var taskIndex = new[] { 1, 0, 2, 3, 4, 5 }; // the row's task among the branch's six, by kind
            var due = morning.UtcDateTime;
            var all = (from f in followers
                       where branchOf.TryGetValue(f.MemberId, out var b) && tasksOf.ContainsKey(b)
                       let orgId = branchOf[f.MemberId]
                       from i in Enumerable.Range(0, Kinds.Length)
                       select new DueReminder(tasksOf[orgId][taskIndex[i]], Kinds[i], f.MemberId, orgId, due)).Take(wanted).ToList();
            rows = all.Count;
            await DueReminders.InsertAsync(conn, all);
            lastRow = await conn.ExecuteScalarAsync<long>("SELECT COALESCE(MAX(id), 0) FROM reminders");
            Console.Error.WriteLine($"reminder-burst setup: {followers.Count} followers in {orgIds.Length} branches, {tasksOf.Count} meetings planned for {meeting:yyyy-MM-dd HH:mm zzz}, {rows} rows due at {morning:yyyy-MM-dd HH:mm zzz}");
        }
        if (rows < wanted)
            Console.Error.WriteLine($"only {followers.Count} followers: {rows} reminder rows instead of {wanted}");

        using var tasksApi = new HttpClient { BaseAddress = new Uri(apiBase + "/") };
        tasksApi.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        // A fresh Api's first requests pay for JIT and an empty cache: warm it before the idle figure, or "idle" is a cold start.
        await ProbeAsync(tasksApi, TimeSpan.FromSeconds(3), () => false);
        var idle = await ProbeAsync(tasksApi, TimeSpan.FromSeconds(10), () => false);

        var workers = SenderProcesses.StartTwo(jobsDll, apiBase, mysql, redis, rate, $"--Clock:Now={morning:O}");
        var finished = false;
        var busyProbe = ProbeAsync(tasksApi, TimeSpan.FromHours(1), () => Volatile.Read(ref finished));
        await SenderProcesses.WaitUntilSentAsync(db, rows, rate);
        Volatile.Write(ref finished, true);
        var busy = await busyProbe;
        await SenderProcesses.StopAsync(workers);

        await using var check = await db.OpenConnectionAsync();
        var (sent, messages, first, last) = await check.QuerySingleAsync<(long, long, DateTime?, DateTime?)>("""
            SELECT COUNT(*), COUNT(DISTINCT outbound_id), MIN(sent_at), MAX(sent_at) FROM reminders WHERE status = 'sent' AND id <= @lastRow
            """, new { lastRow });
        var unsent = (await check.QueryAsync<(string Kind, string Status, long N)>("""
            SELECT kind, status, COUNT(*) FROM reminders WHERE status <> 'sent' AND id <= @lastRow GROUP BY kind, status ORDER BY kind, status
            """, new { lastRow })).ToList();
        var digests = await check.ExecuteScalarAsync<long>("SELECT COUNT(DISTINCT digest_id) FROM reminders WHERE digest_id IS NOT NULL");
        // The most urgent first: rows sent before the last send of a more urgent kind (warnings, then T−1, then the rest).
        var overtaken = await check.ExecuteScalarAsync<long>("""
            SELECT COUNT(*) FROM reminders r
            WHERE r.status = 'sent' AND r.id <= @lastRow
              AND r.sent_at < (SELECT MAX(u.sent_at) FROM reminders u WHERE u.status = 'sent' AND u.id <= @lastRow AND u.urgency < r.urgency)
            """, new { lastRow });
        var byKind = (await check.QueryAsync<(string Kind, DateTime First, DateTime Last)>("""
            SELECT kind, MIN(sent_at), MAX(sent_at) FROM reminders WHERE status = 'sent' AND id <= @lastRow GROUP BY kind ORDER BY MIN(sent_at)
            """, new { lastRow })).ToList();
        var seconds = (last - first)?.TotalSeconds ?? 0;
        var ideal = (messages - 1) / (double)rate;
        var ratio = ideal > 0 ? seconds / ideal : 0;
        var p99Ratio = idle.P99 > 0 ? busy.P99 / idle.P99 : 0;
        // Two senders each have a claimed batch in flight when the kinds change over: up to a second's sends may overtake.
        var urgentFirst = overtaken <= rate;
        string Verdict(bool ok) => ok ? "ok" : "MISSED";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reminder-burst rows={rows} sent={sent} messages={messages} digests={digests} rows/message={sent / (double)Math.Max(1, messages):0.00} " +
            $"rate={rate}/s elapsed={seconds:0.0}s ideal={ideal:0.0}s ratio={ratio:0.00} (goal <= 1.05) {Verdict(ratio is > 0 and <= 1.05)}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reminder-burst order {string.Join(", ", byKind.Select(k => $"{k.Kind} {(k.First - first!.Value).TotalSeconds:0.0}–{(k.Last - first!.Value).TotalSeconds:0.0}s"))}; " +
            $"sent before a more urgent kind's last: {overtaken} (goal: warnings, then T−1, then the rest; at most a second's sends, {rate}) {Verdict(urgentFirst)}"));
        Console.WriteLine($"reminder-burst unsent {(unsent.Count == 0 ? "none" : string.Join(", ", unsent.Select(u => $"{u.Kind} {u.Status} {u.N}")))} " +
            $"(goal: every row sent) {Verdict(sent == rows)}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"/api/mp/tasks p99 idle={idle.P99:0.00}ms (n={idle.Count}) while sending={busy.P99:0.00}ms (n={busy.Count}) " +
            $"ratio={p99Ratio:0.00} (goal <= 2) errors={idle.Errors + busy.Errors} {Verdict(p99Ratio <= 2 && idle.Errors + busy.Errors == 0)}"));
        return sent == rows && rows >= wanted && ratio is > 0 and <= 1.05 && urgentFirst && p99Ratio <= 2 && idle.Errors + busy.Errors == 0 ? 0 : 1;
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
