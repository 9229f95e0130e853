using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Hosting;
using WxQms.Domain.Wechat;

namespace WxQms.Chaos;

/// <summary>
/// The fault suite's steady mixed load through the proxy, then its checks from the database and the sandbox.
/// scripts/chaos.sh injects the faults meanwhile and writes each moment to CHAOS_EVENTS ("redis-up 1765140000123").
/// Settings: CHAOS_PROXY, CHAOS_SANDBOX (base urls), CHAOS_MYSQL, CHAOS_STORAGE (the photo store), CHAOS_SECONDS,
/// CHAOS_EVENTS (the load stops at load-end), CHAOS_STARTED (a file written once the load runs), CHAOS_JWT_KEY, CHAOS_JWT_ISSUER.
/// Prints the figures; exit 1 when a claim fails.
/// </summary>
public static class ChaosLoad
{
    // appsettings.Sandbox.json's demo values (not secrets), as scripts/bench.sh uses them.
    private const string CallbackToken = "sandboxtoken";
    private const string AesKey = "SandboxDemoKeyNotASecret0123456789abcdefghi";
    private const string OaAppId = "wx5a4db0c0a0000001";
    private static readonly string[] ReminderKinds = ["organiser", "warning", "escalation1", "escalation2"];

    /// <summary>One request: when it left and when its answer came (ms since the epoch), its status (0: none), X-Cache, the error.</summary>
    private sealed record Outcome(string Kind, long AtMs, int Status, string? Cache, string? Error, long StartMs = 0);

    private static readonly ConcurrentQueue<Outcome> Outcomes = new();
    private static readonly ConcurrentBag<(long TaskId, string Sha256)> AckedPhotos = [];
    private static readonly ConcurrentBag<long> AckedCallbacks = [];
    private static readonly ConcurrentBag<long> RemindersMade = [];
    private static readonly List<string> Failures = [];
    private static readonly ConcurrentBag<long> PassedTasks = [];
    private static readonly ConcurrentDictionary<long, List<long>> Rosters = new();
    private static int passedSubmissions, returnedSubmissions, twinPairs, twinsBothAcked;
    private static DateTime runStartedUtc;

    private static string Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v
        : throw new InvalidOperationException($"{name} is not set");

    private static long NowMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public static async Task<int> RunAsync()
    {
        var proxy = Env("CHAOS_PROXY").TrimEnd('/') + "/";
        var sandboxBase = Env("CHAOS_SANDBOX").TrimEnd('/') + "/";
        var seconds = int.Parse(Env("CHAOS_SECONDS"), CultureInfo.InvariantCulture);
        await using var db = new MySqlDataSource(WxQmsCoreExtensions.MySqlConnectionString(Env("CHAOS_MYSQL")));
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(5) })
        {
            BaseAddress = new Uri(proxy), Timeout = TimeSpan.FromSeconds(15),
        };
        // The sandbox is only read (its followers, its counts): a slow answer on a loaded machine is waited for, not a failure.
        using var sandbox = new HttpClient { BaseAddress = new Uri(sandboxBase), Timeout = TimeSpan.FromSeconds(90) };

        // ----------------------------------------------------------- set-up (before any fault) ---
        string token;
        List<long> evidenceTasks;
        List<(long TaskId, long OrgId)> reminderTasks;
        await using (var conn = await db.OpenConnectionAsync())
        {
            var (mid, oid, opath) = await conn.QuerySingleAsync<(long, long, string)>("""
                SELECT r.member_id, o.id, o.path FROM member_roles r JOIN orgs o ON o.id = r.org_id
                WHERE r.role = 'staff' ORDER BY r.member_id LIMIT 1
                """);
            token = Mint(Env("CHAOS_JWT_KEY"), Env("CHAOS_JWT_ISSUER"), mid, oid, opath);
            evidenceTasks = (await conn.QueryAsync<long>("""
                SELECT t.id FROM tasks t JOIN orgs o ON o.id = t.org_id
                JOIN duty_versions d ON d.code = t.template_code AND d.version = t.template_version
                WHERE t.state IN ('pending', 'planned', 'overdue') AND o.kind = 'branch' AND t.opens_at <= UTC_TIMESTAMP()
                  AND (NOT d.plan_required OR t.planned_for IS NOT NULL)
                ORDER BY t.due_at, t.id LIMIT 2000
                """)).ToList();
            reminderTasks = (await conn.QueryAsync<(long, long)>(
                "SELECT id, org_id FROM tasks WHERE state IN ('pending', 'planned', 'overdue') ORDER BY id DESC LIMIT 8")).ToList();
            await conn.ExecuteAsync("DELETE FROM reminders");
            runStartedUtc = await conn.ExecuteScalarAsync<DateTime>("SELECT UTC_TIMESTAMP(6)");
        }
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var followers = new List<(string OpenId, long MemberId)>();
        var page = await sandbox.GetFromJsonAsync<JsonElement>("sandbox/wechat/users?follows=true&limit=500");
        followers.AddRange(page.GetProperty("users").EnumerateArray()
            .Where(u => u.GetProperty("memberId").ValueKind == JsonValueKind.Number)
            .Select(u => (u.GetProperty("openid").GetString()!, u.GetProperty("memberId").GetInt64())));
        await using (var conn = await db.OpenConnectionAsync())
            await conn.ExecuteAsync("""
                INSERT INTO wechat_users (app_id, openid, member_id, subscribed, created_at, updated_at)
                VALUES (@OaAppId, @OpenId, @MemberId, TRUE, NOW(6), NOW(6))
                ON DUPLICATE KEY UPDATE member_id = VALUES(member_id), subscribed = TRUE
                """, followers.Select(f => new { OaAppId, f.OpenId, f.MemberId }));
        var reminderSlots = new Queue<(long TaskId, long OrgId, string Kind, long MemberId)>(
            from t in reminderTasks from k in ReminderKinds from f in followers select (t.TaskId, t.OrgId, k, f.MemberId));
        var statsBefore = await sandbox.GetFromJsonAsync<JsonElement>("sandbox/wechat/messages/stats");
        Console.Error.WriteLine($"[chaos] load: {evidenceTasks.Count} open branch tasks for evidence, {followers.Count} followers, " +
            $"{reminderSlots.Count} reminder slots, {seconds} s");

        // ------------------------------------------------------------------------------ load ---
        var runId = NowMs * 1000;
        var taskQueue = new ConcurrentQueue<long>(evidenceTasks);
        // The load runs until chaos.sh writes load-end (after the last fault and a steady stretch), at most CHAOS_SECONDS.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        _ = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && !ReadEvents(Env("CHAOS_EVENTS")).ContainsKey("load-end"))
                await Task.Delay(250, CancellationToken.None);
            await stop.CancelAsync();
        }, CancellationToken.None);
        var started = NowMs;
        await File.WriteAllTextAsync(Env("CHAOS_STARTED"), started.ToString(CultureInfo.InvariantCulture));
        var crypto = new WechatCrypto(AesKey, OaAppId);
        var reads = new ConcurrentBag<Task>();
        var loops = new List<Task>
        {
            Loop(stop.Token, 150, i => CallbackAsync(http, crypto, runId + i, safe: i % 2 == 1)),
            // Reads leave on their schedule whatever the answers take (a slow one does not hold the next back).
            Loop(stop.Token, 200, i =>
            {
                reads.Add(ReadAsync(http, i % 2 == 0 ? "rankings" : "tasks", i % 2 == 0 ? "api/rankings?level=branch" : "api/mp/tasks?limit=20"));
                return Task.CompletedTask;
            }),
            Loop(stop.Token, 250, _ => EvidenceAsync(http, taskQueue)),
            Loop(stop.Token, 250, _ => EvidenceAsync(http, taskQueue)),
            Loop(stop.Token, 500, _ => ReminderAsync(db, reminderSlots)),
        };
        await Task.WhenAll(loops);
        await Task.WhenAll(reads);
        var loadEnded = NowMs;

        // Every reminder made is due: the Jobs must finish each (sent, or failed with its reason) within 90 s (their lease is 10 s here).
        var settleBy = NowMs + 90_000;
        long open;
        do
        {
            await Task.Delay(1000);
            try
            {
                await using var conn = await db.OpenConnectionAsync();
                open = await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM reminders WHERE status IN ('pending', 'sending')");
            }
            catch (MySqlException)
            {
                open = -1;
            }
        }
        while (open != 0 && NowMs < settleBy);
        var settled = NowMs;

        // ---------------------------------------------------------------------------- checks ---
        var events = ReadEvents(Env("CHAOS_EVENTS"));
        var outcomes = Outcomes.ToList();
        Console.WriteLine($"chaos: load {(loadEnded - started) / 1000.0:0.0} s, reminders settled {(settled - loadEnded) / 1000.0:0.0} s after it");
        foreach (var group in outcomes.GroupBy(o => o.Kind).OrderBy(g => g.Key))
        {
            var errors = group.Where(o => o.Status is < 200 or > 299)
                .GroupBy(o => o.Error ?? o.Status.ToString(CultureInfo.InvariantCulture)).OrderByDescending(g => g.Count())
                .Select(g => $"{g.Key}×{g.Count()}");
            Console.WriteLine($"chaos: {group.Key,-9} requests={group.Count()} ok={group.Count(o => o.Status is >= 200 and <= 299)} " +
                $"errors: {string.Join(", ", errors).OrDash()}");
        }
        foreach (var (name, at) in events.OrderBy(e => e.Value))
            Console.WriteLine($"chaos: event {name,-14} at +{(at - started) / 1000.0:0.0} s");

        await using (var conn = await db.OpenConnectionAsync())
        {
            await CheckEvidenceAsync(conn);
            await CheckCallbacksAsync(conn);
            await CheckLedgerAsync(conn);
            await CheckRemindersAsync(conn, sandbox, statsBefore);
        }
        CheckReadsDuringRedisOutage(outcomes, events);
        CheckRecovery(outcomes, events);

        foreach (var failure in Failures)
            Console.WriteLine($"chaos: FAILED {failure}");
        Console.WriteLine(Failures.Count == 0 ? "chaos: passed" : $"chaos: FAILED ({Failures.Count} claims)");
        return Failures.Count == 0 ? 0 : 1;
    }

    private static string OrDash(this string s) => s.Length == 0 ? "none" : s;

    private static async Task Loop(CancellationToken stop, int everyMs, Func<int, Task> step)
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var next = Task.Delay(everyMs, CancellationToken.None);
            try
            {
                await step(i);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                Outcomes.Enqueue(new Outcome("driver", NowMs, 0, null, e.GetType().Name)); // an answer the load did not expect
            }
            await next;
        }
    }

    private static async Task<HttpResponseMessage?> SendAsync(HttpClient http, string kind, HttpRequestMessage request)
    {
        var startMs = NowMs;
        try
        {
            var response = await http.SendAsync(request);
            await response.Content.LoadIntoBufferAsync();
            var cache = response.Headers.TryGetValues("X-Cache", out var v) ? v.FirstOrDefault() : null;
            string? code = null;
            if (!response.IsSuccessStatusCode && response.Content.Headers.ContentType?.MediaType == "application/problem+json")
            {
                var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
                code = problem.TryGetProperty("code", out var c) ? $"{(int)response.StatusCode} {c.GetString()}" : null;
            }
            Outcomes.Enqueue(new Outcome(kind, NowMs, (int)response.StatusCode, cache, code, startMs));
            return response;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Outcomes.Enqueue(new Outcome(kind, NowMs, 0, null, e is TaskCanceledException ? "timeout" : "connection", startMs));
            return null;
        }
    }

    // ---------------------------------------------------------------------------- the load ---

    /// <summary>
    /// A text message pushed twice with one MsgId (WeChat retries when the first answer is slow), signed as WeChat signs,
    /// in plaintext or in safe mode (the Apis take both: Wechat:Callback:AcceptPlaintext, as while switching modes).
    /// </summary>
    private static async Task CallbackAsync(HttpClient http, WechatCrypto crypto, long msgId, bool safe)
    {
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var nonce = Random.Shared.Next(100_000_000, 999_999_999).ToString(CultureInfo.InvariantCulture);
        var openid = $"o-chaos-{msgId % 50}";
        var xml = $"<xml><ToUserName><![CDATA[gh_chaos]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{ts}</CreateTime>" +
            $"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[故障演练 {msgId}]]></Content><MsgId>{msgId}</MsgId></xml>";
        var query = $"wechat/callback?signature={WechatSignature.Sign(CallbackToken, ts, nonce)}&timestamp={ts}&nonce={nonce}&openid={openid}";
        var body = xml;
        if (safe)
        {
            var encrypt = crypto.Encrypt(xml);
            query += $"&encrypt_type=aes&msg_signature={WechatSignature.Sign(CallbackToken, ts, nonce, encrypt)}";
            body = $"<xml><ToUserName><![CDATA[gh_chaos]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>";
        }
        var kind = safe ? "cb-safe" : "cb-plain";
        HttpRequestMessage Push() => new(HttpMethod.Post, query) { Content = new StringContent(body, Encoding.UTF8, "text/xml") };
        var answers = await Task.WhenAll(SendAsync(http, kind, Push()), SendAsync(http, kind, Push()));
        if (answers.Any(a => a is { IsSuccessStatusCode: true }))
            AckedCallbacks.Add(msgId);
    }

    private static async Task ReadAsync(HttpClient http, string kind, string path) =>
        await SendAsync(http, kind, new HttpRequestMessage(HttpMethod.Get, path));

    /// <summary>
    /// A branch's evidence that meets its task's rules, as the secretary sends it from the mini program: the task read first
    /// (its version, period and evidence rule), everyone on the branch's roll marked present (the roster the form takes
    /// attendance from), the place, topic and minutes, as many photos as the rule asks (each of its own bytes), held within
    /// the task's period. Sent twice at once through the proxy (so to both Apis), as a double tap or the app's retry after a
    /// slow answer does: at most one may be acknowledged, the other is refused (409 or 422), and the ledger check finds a
    /// completion booked twice if both got through. A task none of the two was acknowledged for is tried again later.
    /// </summary>
    private static async Task EvidenceAsync(HttpClient http, ConcurrentQueue<long> tasks)
    {
        if (!tasks.TryDequeue(out var taskId))
            return;
        var read = await SendAsync(http, "task", new HttpRequestMessage(HttpMethod.Get, $"api/mp/tasks/{taskId}"));
        if (read is not { IsSuccessStatusCode: true })
        {
            tasks.Enqueue(taskId);
            return;
        }
        var task = await read.Content.ReadFromJsonAsync<JsonElement>();
        var orgId = task.GetProperty("orgId").GetInt64();
        if (!Rosters.TryGetValue(orgId, out var present))
        {
            var roster = await SendAsync(http, "roster", new HttpRequestMessage(HttpMethod.Get, $"api/mp/orgs/{orgId}/members"));
            if (roster is not { IsSuccessStatusCode: true })
            {
                tasks.Enqueue(taskId);
                return;
            }
            present = [.. (await roster.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(m => m.GetProperty("id").GetInt64())];
            Rosters[orgId] = present;
        }
        var opensAt = task.GetProperty("opensAt").GetDateTimeOffset();
        var end = new[] { DateTimeOffset.UtcNow, task.GetProperty("dueAt").GetDateTimeOffset() }.Min();
        var heldAt = end.AddHours(-1) >= opensAt ? end.AddHours(-1) : opensAt + (end - opensAt) / 2;
        var photos = Math.Max(1, task.GetProperty("evidenceRule").GetProperty("minPhotos").GetInt32());
        var version = task.GetProperty("version").GetInt32().ToString(CultureInfo.InvariantCulture);
        var attendance = JsonSerializer.Serialize(present.Select(id => new { memberId = id, presence = "present" }));

        async Task<(bool Acked, bool Passed, int Status)> SubmitAsync()
        {
            var jpegs = Enumerable.Range(0, photos).Select(_ => Jpeg()).ToList();
            using var form = new MultipartFormDataContent
            {
                { new StringContent(heldAt.ToString("O", CultureInfo.InvariantCulture)), "heldAt" },
                { new StringContent("党群服务中心"), "place" },
                { new StringContent("故障演练"), "topic" },
                { new StringContent("会议记录：学习并讨论。"), "minutes" },
                { new StringContent(attendance), "attendance" },
                { new StringContent(version), "version" },
            };
            foreach (var jpeg in jpegs)
            {
                var part = new ByteArrayContent(jpeg);
                part.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
                form.Add(part, "photos", "photo.jpg");
            }
            var answer = await SendAsync(http, "evidence", new HttpRequestMessage(HttpMethod.Post, $"api/mp/tasks/{taskId}/evidence") { Content = form });
            if (answer is not { IsSuccessStatusCode: true })
                return (false, false, answer is null ? 0 : (int)answer.StatusCode);
            foreach (var jpeg in jpegs)
                AckedPhotos.Add((taskId, Convert.ToHexStringLower(SHA256.HashData(jpeg))));
            return (true, (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("passed").GetBoolean(), 200);
        }

        var twins = await Task.WhenAll(SubmitAsync(), SubmitAsync());
        Interlocked.Increment(ref twinPairs);
        if (twins.All(t => t.Acked))
            Interlocked.Increment(ref twinsBothAcked);
        foreach (var twin in twins.Where(t => t.Acked))
        {
            if (twin.Passed)
            {
                Interlocked.Increment(ref passedSubmissions);
                PassedTasks.Add(taskId);
            }
            else
                Interlocked.Increment(ref returnedSubmissions);
        }
        if (!twins.Any(t => t.Acked) && twins.Any(t => t.Status is 0 or 409 or >= 500))
            tasks.Enqueue(taskId); // not acknowledged: the user tries again
    }

    /// <summary>Reminders fall due all along (as the scanner makes them); the Jobs send them through the sandbox.</summary>
    private static async Task ReminderAsync(MySqlDataSource db, Queue<(long TaskId, long OrgId, string Kind, long MemberId)> slots)
    {
        if (!slots.TryPeek(out var slot))
            return;
        try
        {
            await using var conn = await db.OpenConnectionAsync();
            var id = await conn.ExecuteScalarAsync<long>("""
                INSERT INTO reminders (subject_type, subject_id, task_id, kind, member_id, recipient, org_id, status, due_at, created_at, updated_at)
                VALUES ('task', @TaskId, @TaskId, @Kind, @MemberId, CONCAT('m:', @MemberId), @OrgId, 'pending', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), UTC_TIMESTAMP(6));
                SELECT LAST_INSERT_ID();
                """, new { slot.TaskId, slot.OrgId, slot.Kind, slot.MemberId });
            slots.Dequeue();
            RemindersMade.Add(id);
            Outcomes.Enqueue(new Outcome("reminder+", NowMs, 201, null, null));
        }
        catch (Exception e) when (e is MySqlException or InvalidOperationException)
        {
            Outcomes.Enqueue(new Outcome("reminder+", NowMs, 0, null, "mysql"));
        }
    }

    // ---------------------------------------------------------------------------- the checks ---

    private static void Claim(bool holds, string what)
    {
        Console.WriteLine($"chaos: {(holds ? "ok  " : "FAIL")} {what}");
        if (!holds)
            Failures.Add(what);
    }

    private static async Task CheckEvidenceAsync(MySqlConnection conn)
    {
        var root = Env("CHAOS_STORAGE");
        var missingRow = 0;
        var missingFile = 0;
        foreach (var (taskId, sha) in AckedPhotos)
        {
            var path = await conn.ExecuteScalarAsync<string?>("""
                SELECT p.storage_path FROM task_evidence e JOIN evidence_photos p ON p.evidence_id = e.id
                WHERE e.task_id = @taskId AND p.sha256 = @sha LIMIT 1
                """, new { taskId, sha });
            if (path is null)
                missingRow++;
            else if (!File.Exists(Path.Combine(root, path)) || Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(root, path)))) != sha)
                missingFile++;
        }
        Claim(AckedPhotos.Count > 0 && missingRow == 0 && missingFile == 0,
            $"every acknowledged evidence has its row and its photos by hash ({AckedPhotos.Count} photos of {AckedPhotos.Select(p => p.TaskId).Distinct().Count()} tasks acknowledged, " +
            $"{missingRow} without a row, {missingFile} without their file)");
    }

    private static async Task CheckCallbacksAsync(MySqlConnection conn)
    {
        var acked = AckedCallbacks.ToHashSet();
        var rows = (await conn.QueryAsync<string>("SELECT payload FROM wechat_inbound WHERE payload LIKE '%故障演练%'")).ToList();
        var byMsgId = rows.Select(p => System.Text.RegularExpressions.Regex.Match(p, @"故障演练 (\d+)"))
            .Where(m => m.Success).GroupBy(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToDictionary(g => g.Key, g => g.Count());
        var twice = byMsgId.Count(kv => kv.Value > 1);
        var lost = acked.Count(id => !byMsgId.ContainsKey(id));
        Claim(acked.Count > 0 && twice == 0 && lost == 0,
            $"every acknowledged callback was recorded once, each pushed twice ({acked.Count} acknowledged, {lost} without their record, {twice} recorded twice)");
    }

    /// <summary>
    /// Every ledger entry booked during the run, by (task, subject, source): the run neither reviews nor returns anything,
    /// so each task's completion, each member's attendance at it and each overdue reversal is booked at most once, whatever
    /// the occasion (ref) it names; and every task an acknowledged submission passed has its completion entry.
    /// </summary>
    private static async Task CheckLedgerAsync(MySqlConnection conn)
    {
        var booked = (await conn.QueryAsync<(long TaskId, string SubjectType, long SubjectId, string Source, long Rows)>("""
            SELECT task_id, subject_type, subject_id, source, COUNT(*) FROM points_ledger
            WHERE created_at >= @runStartedUtc AND task_id IS NOT NULL GROUP BY task_id, subject_type, subject_id, source
            """, new { runStartedUtc })).ToList();
        var entries = booked.Sum(b => b.Rows);
        var twice = booked.Where(b => b.Rows > 1).ToList();
        var completed = booked.Where(b => b.Source is "task.completed" or "task.completed_late").Select(b => b.TaskId).ToHashSet();
        var passed = PassedTasks.ToHashSet();
        var unbooked = passed.Count(t => !completed.Contains(t));
        Console.WriteLine($"chaos: ledger: {entries} entries booked during the run ({booked.Where(b => b.Source is "task.completed" or "task.completed_late").Sum(b => b.Rows)} completions, " +
            $"{booked.Where(b => b.Source == "task.attendance").Sum(b => b.Rows)} attendance, {booked.Where(b => b.Source is not ("task.completed" or "task.completed_late" or "task.attendance")).Sum(b => b.Rows)} other) " +
            $"for {passedSubmissions} submissions judged passed on {passed.Count} tasks ({returnedSubmissions} returned); " +
            $"evidence sent in {twinPairs} twin pairs, {twinsBothAcked} with both acknowledged");
        foreach (var t in twice.Take(5))
            Console.WriteLine($"chaos: ledger: task {t.TaskId} {t.SubjectType} {t.SubjectId} {t.Source} booked {t.Rows} times");
        Claim(entries > 0 && passed.Count > 0 && twice.Count == 0 && unbooked == 0,
            $"no ledger entry twice: each (task, subject, source) booked once ({entries} entries, {twice.Count} keys booked more than once, " +
            $"{unbooked} of {passed.Count} passed tasks without their completion)");
    }

    private static async Task CheckRemindersAsync(MySqlConnection conn, HttpClient sandbox, JsonElement before)
    {
        var made = RemindersMade.ToList();
        var byStatus = (await conn.QueryAsync<(string Status, bool Reason, long Rows)>("""
            SELECT status, last_error IS NOT NULL AND last_error <> '', COUNT(*) FROM reminders WHERE id IN @made GROUP BY 1, 2
            """, new { made })).ToList();
        var sent = byStatus.Where(s => s.Status is "sent" or "delivered").Sum(s => s.Rows);
        var failedWithReason = byStatus.Where(s => s.Status is "failed" or "refused" or "cancelled" && s.Reason).Sum(s => s.Rows);
        var stuck = made.Count - sent - failedWithReason;
        var after = await sandbox.GetFromJsonAsync<JsonElement>("sandbox/wechat/messages/stats");
        int Delta(string name) => after.GetProperty(name).GetInt32() - before.GetProperty(name).GetInt32();
        var accepted = Delta("accepted");
        var received = Delta("clientMsgIds");
        var twice = Delta("acceptedMoreThanOnce");
        Console.WriteLine($"chaos: reminders made {made.Count}: sent {sent}, failed with a reason {failedWithReason}; " +
            $"the sandbox received {received} (accepted {accepted}, repeats it dropped {Delta("repeatsDropped")})");
        Claim(made.Count > 0 && stuck == 0, $"no reminder lost: every due reminder ended sent or failed with its reason ({stuck} otherwise)");
        Claim(twice == 0 && accepted == received && received == sent,
            $"no reminder sent twice: each sent reminder reached its recipient once ({received} received for {sent} sent, {twice} twice)");
    }

    private static void CheckReadsDuringRedisOutage(List<Outcome> outcomes, Dictionary<string, long> events)
    {
        if (!events.TryGetValue("redis-down", out var down) || !events.TryGetValue("redis-up", out var up))
        {
            Claim(false, "the Redis outage happened (events redis-down and redis-up)");
            return;
        }
        var reads = outcomes.Where(o => o.Kind is "rankings" or "tasks" && o.StartMs > down && o.AtMs < up).ToList();
        var ok = reads.Count(o => o.Status == 200);
        Console.WriteLine($"chaos: Redis down {(up - down) / 1000.0:0.0} s: {reads.Count} cached reads, {ok} answered " +
            $"({reads.Count(o => o.Cache == "bypass")} straight from MariaDB)");
        Claim(reads.Count > 0 && ok == reads.Count, "cached reads kept answering while Redis was down");
    }

    private static void CheckRecovery(List<Outcome> outcomes, Dictionary<string, long> events)
    {
        // Redis is back for the Apis when a cached read is served through it again (X-Cache hit or miss, not bypass).
        if (events.TryGetValue("redis-up", out var redisUp))
        {
            var first = outcomes.Where(o => o.AtMs >= redisUp && o.Status == 200 && o.Cache is "hit" or "miss").Select(o => o.AtMs).DefaultIfEmpty(-1).Min();
            Recovery("Redis", redisUp, first);
        }
        // MariaDB is back when evidence is stored again.
        if (events.TryGetValue("mariadb-up", out var dbUp))
        {
            var first = outcomes.Where(o => o.AtMs >= dbUp && o.Kind == "evidence" && o.Status == 200).Select(o => o.AtMs).DefaultIfEmpty(-1).Min();
            Recovery("MariaDB", dbUp, first);
        }
        if (events.TryGetValue("api-restarted", out var apiUp) && events.TryGetValue("api-killed", out var apiKilled))
            Console.WriteLine($"chaos: an Api killed (SIGKILL) and ready again after {(apiUp - apiKilled) / 1000.0:0.0} s");
    }

    private static void Recovery(string store, long back, long firstSuccess)
    {
        var seconds = firstSuccess < 0 ? double.NaN : (firstSuccess - back) / 1000.0;
        Console.WriteLine($"chaos: recovery {store}: first success {seconds:0.0} s after it came back");
        Claim(firstSuccess >= 0 && seconds <= 10, $"{store} recovered within 10 s of coming back");
    }

    private static Dictionary<string, long> ReadEvents(string path) =>
        File.Exists(path)
            ? File.ReadAllLines(path).Select(l => l.Split(' ')).Where(p => p.Length == 2)
                .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => long.Parse(g.First()[1], CultureInfo.InvariantCulture))
            : [];

    // ---------------------------------------------------------------------------- helpers ---

    /// <summary>A tiny JPEG (640×480 frame header, random scan bytes): every photo distinct, so each is found by its own hash.</summary>
    private static byte[] Jpeg()
    {
        var body = new byte[64 + Random.Shared.Next(50)];
        Random.Shared.NextBytes(body);
        for (var i = 0; i < body.Length; i++)
            if (body[i] == 0xFF)
                body[i] = 0xFE;
        return
        [
            0xFF, 0xD8,
            0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0xE0, 0x02, 0x80, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01,
            0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3F, 0x00,
            .. body, 0xFF, 0xD9,
        ];
    }

    /// <summary>A mini-program bearer token for office staff, minted as TokenIssuer mints them (as WxQms.Bench does).</summary>
    private static string Mint(string key, string issuer, long memberId, long orgId, string orgPath)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new { alg = "HS256", typ = "JWT" }));
        var payload = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = issuer, ["aud"] = "wxqms-mp", ["sub"] = "1", ["mid"] = memberId.ToString(CultureInfo.InvariantCulture),
            ["oid"] = orgId.ToString(CultureInfo.InvariantCulture), ["role"] = new[] { $"staff|{orgId}|subdistrict|{orgPath}" },
            ["iat"] = now, ["nbf"] = now, ["exp"] = now + 3600,
        }));
        var signature = Base64Url.EncodeToString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.ASCII.GetBytes($"{header}.{payload}")));
        return $"{header}.{payload}.{signature}";
    }
}
