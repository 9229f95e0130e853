using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MySqlConnector;
using StackExchange.Redis;
using WxQms.Domain.Caching;
using WxQms.Domain.Hosting;
using WxQms.Domain.Services.Reminders;
using WxQms.Domain.Storage;

namespace WxQms.Bench;

/// <summary>
/// The reminder scanner's cost against the size of the task table (issue #5): the plan benchmark's
/// district, then <c>rows</c> tasks, four sets of 1,000 of which have a reminder due an hour apart (a
/// planned meeting three days ahead: the secretary and the worker are told); the rest are due later in
/// the year. Each set is scanned at its hour, as the job would in steady state (a scanned task's next
/// look is two days on); the first scan warms up, the median of the other three is printed. bench.sh
/// runs it at 10,000 and at 1,000,000 rows and divides (goal ≤ 1.5).
/// </summary>
public static class ReminderScan
{
    public const int Due = 1_000;

    private const int Sets = 4;

    public static async Task<int> RunAsync(string connectionString, string redis, int rows)
    {
        await using var db = new MySqlDataSource(WxQmsCoreExtensions.MySqlConnectionString(connectionString));
        await new DbMigrator(db, NullLogger<DbMigrator>.Instance).MigrateAsync();
        var setup = Stopwatch.StartNew();
        await PlanDistrict.BuildDistrictAsync(db);
        var at = new DateTimeOffset(2027, 6, 10, 2, 0, 0, TimeSpan.Zero); // 10:00 in Shanghai
        await using (var conn = await db.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("""
                INSERT INTO member_roles (member_id, role, org_id, created_at)
                SELECT id, IF(code LIKE '%-M1', 'secretary', 'worker'), org_id, NOW(6) FROM members WHERE code LIKE '%-M1' OR code LIKE '%-M2'
                """);
            // rows tasks from a 10^6 counter (no recursive CTE: MySQL stops those at 1,000 levels).
            await conn.ExecuteAsync("""
                INSERT INTO tasks (unique_key, org_id, template_code, template_version, period_key, opens_at, due_at, possible_points,
                                   state, planned_for, place, topic, planned_at, next_reminder_at, created_at, updated_at)
                SELECT CONCAT('bench:', n.i), b.id, 'theme_party_day', 1, '2027-06', '2027-05-31 16:00:00', '2027-06-30 16:00:00', 1.5,
                       'planned', IF(n.i % @step = 0 AND n.i DIV @step < @dueTotal, @meeting + INTERVAL (n.i DIV @step) % @sets HOUR, @meeting), '党群服务中心', '学习',
                       '2027-06-01 02:00:00',
                       IF(n.i % @step = 0 AND n.i DIV @step < @dueTotal, @due + INTERVAL (n.i DIV @step) % @sets HOUR, @at + INTERVAL (1 + n.i % 300) DAY), NOW(6), NOW(6)
                FROM (SELECT a.d + 10 * b.d + 100 * c.d + 1000 * d.d + 10000 * e.d + 100000 * f.d AS i
                      FROM (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5
                            UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) a,
                           (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5
                            UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) b,
                           (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5
                            UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) c,
                           (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5
                            UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) d,
                           (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5
                            UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) e,
                           (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5
                            UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) f) n
                JOIN (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k, COUNT(*) OVER () AS total FROM orgs WHERE kind = 'branch') b
                  ON b.k = n.i % b.total
                WHERE n.i < @rows
                """, new
            {
                rows, step = rows / (Due * Sets), sets = Sets, dueTotal = Due * Sets, at = at.UtcDateTime, due = at.AddMinutes(-1).UtcDateTime,
                meeting = at.AddDays(3).UtcDateTime,
            }, commandTimeout: 1800);
            await conn.ExecuteAsync("ANALYZE TABLE tasks");
        }
        setup.Stop();

        using var multiplexer = await ConnectionMultiplexer.ConnectAsync(WxQmsCoreExtensions.RedisConfiguration(redis));
        var scanner = new WxQms.Domain.Services.Reminders.ReminderScan(new ReminderScanStore(db),
            new TaskCache(multiplexer, Options.Create(new CacheOptions()), NullLogger<TaskCache>.Instance),
            new WxQms.Domain.Rules.Tasks.FixedCatalogue(), NullLogger<WxQms.Domain.Services.Reminders.ReminderScan>.Instance);
        var times = new List<double>();
        for (var run = 0; run < Sets; run++)
        {
            var clock = Stopwatch.StartNew();
            var tasks = 0;
            while ((await scanner.ScanBatchAsync(at.AddHours(run), CancellationToken.None)) is { Tasks: > 0 } batch)
                tasks += batch.Tasks;
            clock.Stop();
            if (run > 0)
                times.Add(clock.Elapsed.TotalMilliseconds);
            if (tasks != Due)
            {
                Console.Error.WriteLine($"expected {Due} due tasks at hour {run}, scanned {tasks}");
                return 1;
            }
        }
        await using var check = await db.OpenConnectionAsync();
        var reminders = await check.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM reminders");
        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reminder-scan rows={rows} due={Due} reminders={reminders} setup={setup.Elapsed.TotalSeconds:0.0}s " +
            $"scan-ms={times[1]:0} (runs {string.Join("/", times.Select(t => t.ToString("0", CultureInfo.InvariantCulture)))})"));
        return reminders == 2 * Due * Sets ? 0 : 1;
    }
}
