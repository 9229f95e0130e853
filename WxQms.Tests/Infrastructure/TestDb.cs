using Dapper;
using MySqlConnector;

namespace WxQms.Tests.Infrastructure;

/// <summary>
/// One-off reads and writes on the test database, each on its own connection, for arranging and checking; and an open
/// connection for the few tests that need one of their own (a transaction, a statement and its EXPLAIN on one session).
/// </summary>
public static class TestDb
{
    public static async Task<MySqlConnection> OpenAsync()
    {
        var conn = new MySqlConnection(TestEnvironment.MySql);
        await conn.OpenAsync(TestContext.Current.CancellationToken);
        return conn;
    }

    public static async Task<long> ScalarAsync(string sql, object? args = null)
    {
        await using var conn = new MySqlConnection(TestEnvironment.MySql);
        return await conn.ExecuteScalarAsync<long>(sql, args);
    }

    public static async Task<T> QuerySingleAsync<T>(string sql, object? args = null)
    {
        await using var conn = new MySqlConnection(TestEnvironment.MySql);
        return await conn.QuerySingleAsync<T>(sql, args);
    }

    public static async Task<IEnumerable<T>> QueryAsync<T>(string sql, object? args = null)
    {
        await using var conn = new MySqlConnection(TestEnvironment.MySql);
        return await conn.QueryAsync<T>(sql, args);
    }

    public static async Task ExecuteAsync(string sql, object? args = null)
    {
        await using var conn = new MySqlConnection(TestEnvironment.MySql);
        await conn.ExecuteAsync(sql, args);
    }
}
