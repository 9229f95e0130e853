using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using MySqlConnector;
using WxQms.Domain.Hosting;
using WxQms.Domain.Storage;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Storage;

[Collection(IntegrationCollection.Name)]
public sealed class MigrationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Migrates_an_empty_database_once_and_then_finds_nothing_to_do()
    {
        await using var scratch = await ScratchDatabase.CreateAsync();
        await using var source = new MySqlDataSource(WxQmsCoreExtensions.MySqlConnectionString(scratch.ConnectionString));
        var migrator = new DbMigrator(source, NullLogger<DbMigrator>.Instance);

        var first = await migrator.MigrateAsync(Ct);
        var second = await migrator.MigrateAsync(Ct);

        Assert.Equal(EmbeddedMigrations().Length, first);
        Assert.Equal(0, second);
        foreach (var table in new[] { "orgs", "members", "member_roles", "wechat_users", "audit_log" })
        {
            Assert.Equal(1, await scratch.ScalarAsync(
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = @table",
                new { table }));
        }
    }

    [Fact]
    public void Migration_files_are_numbered_without_gaps()
    {
        var versions = EmbeddedMigrations()
            .Select(n => int.Parse(n.Split('.')[^2].Split("__")[0].TrimStart('V')))
            .ToList();

        Assert.Equal(Enumerable.Range(1, versions.Count), versions.Order());
    }

    [Fact]
    public async Task The_audit_log_refuses_updates_and_deletes()
    {
        await using var conn = await TestDb.OpenAsync();
        var id = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO audit_log (occurred_at, actor, action, entity_type) VALUES (UTC_TIMESTAMP(6), 'test', 'test.done', 'test');
            SELECT LAST_INSERT_ID();
            """);

        var update = await Assert.ThrowsAsync<MySqlException>(() =>
            conn.ExecuteAsync("UPDATE audit_log SET actor = 'forger' WHERE id = @id", new { id }));
        var delete = await Assert.ThrowsAsync<MySqlException>(() =>
            conn.ExecuteAsync("DELETE FROM audit_log WHERE id = @id", new { id }));

        Assert.Contains("append-only", update.Message);
        Assert.Contains("append-only", delete.Message);
        Assert.Equal("test", await conn.ExecuteScalarAsync<string>("SELECT actor FROM audit_log WHERE id = @id", new { id }));
    }

    [Fact]
    public async Task Timestamps_come_back_as_utc()
    {
        await using var conn = new MySqlConnection(WxQmsCoreExtensions.MySqlConnectionString(TestEnvironment.MySql));
        var at = new DateTime(2026, 11, 25, 8, 30, 0, DateTimeKind.Utc);

        var read = await conn.ExecuteScalarAsync<DateTime>("SELECT CAST(@at AS DATETIME(6))", new { at });

        Assert.Equal(DateTimeKind.Utc, read.Kind);
        Assert.Equal(at, read);
        await Assert.ThrowsAnyAsync<Exception>(() =>
            conn.ExecuteScalarAsync<DateTime>("SELECT @at", new { at = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Local) }));
    }

    private static string[] EmbeddedMigrations() => typeof(DbMigrator).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith("WxQms.Domain.Storage.Migrations.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
        .ToArray();
}
