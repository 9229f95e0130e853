using Dapper;
using MySqlConnector;
using WxQms.Domain.Caching;
using WxQms.Domain.Storage;
using WxQms.Sandbox.Demo;

namespace WxQms.Tests.Infrastructure;

/// <summary>
/// The demo subdistrict for a test class without seeding it again: the first class of a test process that asks seeds it
/// with <see cref="DemoSeeder"/> (≈2,000 members inserted one by one, seconds on the shared machines) and keeps a copy of
/// the tables it filled in a template database beside the test one (<c>&lt;test database&gt;_demo</c>); every later class
/// gets the same rows copied back, table by table, in one round trip. The copy is the seeder's output, ids and all; only
/// the seeder's own "now" (every date-time within a second of the template's <c>seed.applied</c> entry) moves to the
/// asking app's clock, as if it had seeded just then. Each process builds its template afresh after its migration.
/// </summary>
public static class DemoTemplate
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<string, Template> Templates = [];

    /// <summary>What one table needs for its copy back: its name, its stored columns and their values to select.</summary>
    private sealed record Table(string Name, string Columns, string Values);

    private sealed record Template(string Database, DateTime SeededAt, SeedResult Result, IReadOnlyList<Table> Tables);

    private sealed record Column(string Table, string Name, string DataType);

    /// <summary>
    /// <see cref="WxQmsApp.ResetAsync"/> and then the demo subdistrict, exactly as <see cref="DemoSeeder.SeedAsync"/> would
    /// write it into the empty database at <paramref name="app"/>'s clock.
    /// </summary>
    public static async Task<SeedResult> ResetAndSeedDemoAsync(this WxQmsApp app)
    {
        var connectionString = app.Settings["ConnectionStrings:MySql"]!;
        await app.ResetAsync();
        SeedResult result;
        await Gate.WaitAsync();
        try
        {
            if (!Templates.TryGetValue(connectionString, out var template))
            {
                result = await app.Get<DemoSeeder>().SeedAsync(CancellationToken.None);
                Templates[connectionString] = await SaveAsync(connectionString, result);
                return result;
            }
            await RestoreAsync(connectionString, template, app.Get<TimeProvider>().GetUtcNow().UtcDateTime);
            result = template.Result;
        }
        finally
        {
            Gate.Release();
        }
        await app.Get<OrgTreeCache>().InvalidateAsync(); // as the seeder does after its commit
        return result;
    }

    private static async Task<Template> SaveAsync(string connectionString, SeedResult result)
    {
        await using var conn = new MySqlConnection(connectionString);
        await conn.OpenAsync();
        var database = $"{conn.Database}_demo";
        if (!database.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            throw new InvalidOperationException($"not a database name of ours: {database}");
        var seededAt = await conn.QuerySingleAsync<DateTime>(
            "SELECT occurred_at FROM audit_log WHERE action = 'seed.applied' AND actor = @Actor", new { DemoSeeder.Actor });
        var columns = (await conn.QueryAsync<Column>("""
            SELECT c.table_name AS `Table`, c.column_name AS Name, c.data_type AS DataType
            FROM information_schema.columns c JOIN information_schema.tables t
              ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = DATABASE() AND t.table_type = 'BASE TABLE' AND c.table_name <> @journal
              AND c.extra NOT LIKE '%VIRTUAL%' AND c.extra NOT LIKE '%STORED%' AND c.extra NOT LIKE '%PERSISTENT%'
            ORDER BY c.table_name, c.ordinal_position
            """, new { journal = DbMigrator.JournalTable })).ToList();

        // Identifiers cannot be parameters: the names come from information_schema and the database name is checked above.
        await conn.ExecuteAsync($"DROP DATABASE IF EXISTS `{database}`; CREATE DATABASE `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
        var tables = new List<Table>();
        foreach (var byTable in columns.GroupBy(c => c.Table))
        {
            var name = byTable.Key;
            if (!await conn.ExecuteScalarAsync<bool>($"SELECT EXISTS (SELECT 1 FROM `{name}`)"))
                continue;
            var names = string.Join(", ", byTable.Select(c => $"`{c.Name}`"));
            await conn.ExecuteAsync($"CREATE TABLE `{database}`.`{name}` LIKE `{name}`; INSERT INTO `{database}`.`{name}` ({names}) SELECT {names} FROM `{name}`");
            // The seeder's "now" becomes the asking app's: a date-time within a second of it moves by as much as the clock did.
            var values = string.Join(", ", byTable.Select(c => c.DataType is "datetime" or "timestamp"
                ? $"CASE WHEN `{c.Name}` BETWEEN @seededAt - INTERVAL 1 SECOND AND @seededAt + INTERVAL 1 SECOND " +
                  $"THEN TIMESTAMPADD(MICROSECOND, TIMESTAMPDIFF(MICROSECOND, @seededAt, `{c.Name}`), @now) ELSE `{c.Name}` END"
                : $"`{c.Name}`"));
            tables.Add(new Table(name, names, values));
        }
        return new Template(database, seededAt, result, tables);
    }

    private static async Task RestoreAsync(string connectionString, Template template, DateTime now)
    {
        await using var conn = new MySqlConnection(connectionString);
        var sql = "SET FOREIGN_KEY_CHECKS = 0;"
            + string.Concat(template.Tables.Select(t =>
                $"INSERT INTO `{t.Name}` ({t.Columns}) SELECT {t.Values} FROM `{template.Database}`.`{t.Name}`;"))
            + "SET FOREIGN_KEY_CHECKS = 1;";
        await conn.ExecuteAsync(sql, new { seededAt = template.SeededAt, now });
    }
}
