using Dapper;
using MySqlConnector;

namespace WxQms.Tests.Infrastructure;

/// <summary>A new, empty database beside the test one (the test user may create wxqms_* databases),
/// dropped again at the end.</summary>
public sealed class ScratchDatabase : IAsyncDisposable
{
    private readonly MySqlConnectionStringBuilder server;

    private ScratchDatabase(MySqlConnectionStringBuilder server, string name)
    {
        this.server = server;
        Name = name;
        ConnectionString = new MySqlConnectionStringBuilder(server.ConnectionString) { Database = name }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<ScratchDatabase> CreateAsync()
    {
        var server = new MySqlConnectionStringBuilder(TestEnvironment.MySql);
        var name = $"{server.Database}_scratch_{Guid.NewGuid():N}"[..48];
        server.Database = "";
        await using var conn = new MySqlConnection(server.ConnectionString);
        // Identifiers cannot be parameters; the name is ours (a prefix and hex digits).
        await conn.ExecuteAsync($"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
        return new ScratchDatabase(server, name);
    }

    public async Task<long> ScalarAsync(string sql, object? param = null)
    {
        await using var conn = new MySqlConnection(ConnectionString);
        return await conn.ExecuteScalarAsync<long>(sql, param);
    }

    public async ValueTask DisposeAsync()
    {
        await using var conn = new MySqlConnection(server.ConnectionString);
        await conn.ExecuteAsync($"DROP DATABASE IF EXISTS `{Name}`");
    }
}
