using Dapper;
using MySqlConnector;

// Violations planted for LayeringTests, which must catch each of them (and pass the store that keeps the rules).

namespace WxQms.Tests.Architecture.Planted.Services
{
    /// <summary>A service that opens a connection and runs its own SQL.</summary>
    internal sealed class LeakyService
    {
        public async Task<long> CountAsync(string connectionString)
        {
            await using var conn = new MySqlConnection(connectionString);
            await conn.OpenAsync();
            return await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM tasks");
        }
    }

    /// <summary>A service that opens a connection through ADO.NET's own types, no driver named.</summary>
    internal sealed class AdoService(System.Data.Common.DbDataSource db)
    {
        public async Task<object?> CountAsync()
        {
            await using var conn = await db.OpenConnectionAsync();
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = "SELECT COUNT(*) FROM tasks";
            return await cmd.ExecuteScalarAsync();
        }
    }

    /// <summary>A service as it should be: it hands the transaction a store opened to the store's own statements.</summary>
    internal sealed class TransactionalService
    {
        public Task<long> CountAsync(System.Data.Common.DbConnection conn, System.Data.Common.DbTransaction tx) =>
            Planted.Storage.PlantedStore.CountInAsync(conn, tx);
    }

    internal sealed class Helper
    {
        public static int Twice(int x) => 2 * x;
    }

    internal static class DemoThing
    {
        public static int Seed => 42;
    }
}

namespace WxQms.Tests.Architecture.Planted.Storage
{
    /// <summary>A store as it should be: its SQL through Dapper.</summary>
    internal sealed class PlantedStore
    {
        public async Task<long> CountAsync(MySqlConnection conn) => await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM tasks");

        public static async Task<long> CountInAsync(System.Data.Common.DbConnection conn, System.Data.Common.DbTransaction tx) =>
            await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM tasks", transaction: tx);
    }

    /// <summary>A store that calls up into Services.</summary>
    internal sealed class ServiceCallingStore
    {
        public int Twice(int x) => Planted.Services.Helper.Twice(x);
    }
}

namespace WxQms.Tests.Architecture.Planted.Seeding
{
    internal static class PlantedSeed
    {
        public static string Name => "demo";
    }
}
