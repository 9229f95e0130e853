using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MySqlConnector;
using WxQms.Domain.Hosting;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Assessment;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Assessment;
using WxQms.Domain.Storage;

namespace WxQms.Bench;

/// <summary>
/// The monthly close of a district (issue #6): the plan benchmark's 1,020 branches and their 2027 plan,
/// 44 members per branch (44,880), a year of ledger (each task due by June completed or overdue, twelve
/// member entries per member), then the close of June 2027 — org results, ranks, member points and stars
/// for everyone — timed. Goal: under 5 s.
/// </summary>
public static class CloseDistrict
{
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    public static async Task<int> RunAsync(string connectionString)
    {
        if (await PlanDistrict.RunAsync(connectionString) != 0)
            return 1;
        await using var db = new MySqlDataSource(WxQmsCoreExtensions.MySqlConnectionString(connectionString));
        var setup = Stopwatch.StartNew();
        await using (var conn = await db.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("""
                INSERT INTO members (org_id, name, sex, status, code, created_at, updated_at)
                WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 44)
                SELECT b.id, CONCAT('党员', b.id, '-', n.i), 'male', 'full', CONCAT('B', b.id, '-M', n.i), NOW(6), NOW(6)
                FROM orgs b CROSS JOIN n WHERE b.kind = 'branch'
                """, commandTimeout: 300);
            await conn.ExecuteAsync("""
                INSERT INTO points_ledger (subject_type, subject_id, period_key, points, source, task_id, reason, created_at)
                SELECT 'org', org_id, period_key, IF(id % 10 = 0, -1, possible_points), IF(id % 10 = 0, 'task.overdue', 'task.completed'),
                       id, 'bench', due_at - INTERVAL 3 DAY
                FROM tasks WHERE due_at <= '2027-07-01'
                """, commandTimeout: 300);
            await conn.ExecuteAsync("""
                INSERT INTO points_ledger (subject_type, subject_id, period_key, points, source, task_id, reason, created_at)
                WITH RECURSIVE k (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 11)
                SELECT 'member', m.id, '2027', 1, 'task.attendance', NULL, 'bench',
                       '2027-01-03' + INTERVAL (k.i DIV 2) MONTH + INTERVAL (k.i % 2) * 10 DAY
                FROM members m CROSS JOIN k
                """, commandTimeout: 600);
        }
        setup.Stop();

        var june = Periods.For(RecurrenceKind.Monthly, 2027, 6);
        var service = new AssessmentService(new AssessmentStore(db), new NoAppraisalGrades(), Options.Create(new AssessmentOptions()),
            new FixedClock(june.EndsAt.AddHours(1)), NullLogger<AssessmentService>.Instance);
        var live = Stopwatch.StartNew();
        var results = await service.GetResultsAsync(june, CancellationToken.None);
        live.Stop();
        var close = Stopwatch.StartNew();
        var closed = await service.CloseMonthAsync(june, CancellationToken.None);
        close.Stop();
        var year = Stopwatch.StartNew();
        await service.GetResultsAsync(Periods.For(RecurrenceKind.Yearly, 2027, 1), CancellationToken.None);
        year.Stop();

        await using var check = await db.OpenConnectionAsync();
        var (orgRows, memberRows) = await check.QuerySingleAsync<(int, int)>(
            "SELECT org_rows, member_rows FROM assessment_closes WHERE period_key = '2027-06'");
        var ledger = await check.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM points_ledger");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"close-district orgs={results.Lines.Count} org-rows={orgRows} members={memberRows} ledger={ledger} " +
            $"setup={setup.Elapsed.TotalSeconds:0.0}s live-month={live.Elapsed.TotalSeconds:0.00}s close={close.Elapsed.TotalSeconds:0.00}s " +
            $"live-year={year.Elapsed.TotalSeconds:0.00}s goal=5s {(close.Elapsed.TotalSeconds < 5 ? "ok" : "SLOW")}"));
        return closed && close.Elapsed.TotalSeconds < 5 ? 0 : 1;
    }
}
