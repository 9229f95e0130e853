using EvolveDb;
using EvolveDb.Configuration;
using Microsoft.Extensions.Logging;
using MySqlConnector;

namespace WxQms.Domain.Storage;

/// <summary>
/// Applies the numbered .sql files under Storage/Migrations with Evolve, forward only. Run by
/// <c>WxQms.Jobs migrate</c> and once per test run; never on an ordinary instance start, since
/// several Api and Jobs processes share one database.
/// </summary>
public sealed class DbMigrator(MySqlDataSource db, ILogger<DbMigrator> log)
{
    public const string JournalTable = "changelog";

    public async Task<int> MigrateAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var evolve = new Evolve(conn, msg => log.LogInformation("{EvolveMessage}", msg))
        {
            EmbeddedResourceAssemblies = [typeof(DbMigrator).Assembly],
            EmbeddedResourceFilters = [typeof(DbMigrator).Namespace + ".Migrations"],
            MetadataTableName = JournalTable,
            IsEraseDisabled = true,
            // MariaDB commits DDL implicitly; each file holds one change so a failure is easy to resume.
            TransactionMode = TransactionKind.CommitEach,
        };
        evolve.Migrate();
        return evolve.NbMigration;
    }
}
