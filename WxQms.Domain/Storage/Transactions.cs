using System.Data;
using System.Data.Common;
using MySqlConnector;

namespace WxQms.Domain.Storage;

/// <summary>The stores' one unit of work: a connection and a transaction around a body.</summary>
public static class Transactions
{
    /// <summary>
    /// Runs <paramref name="body"/> in one transaction, committed when it returns and rolled back (by disposal) when it
    /// throws.
    /// </summary>
    public static async Task<T> InTransactionAsync<T>(this MySqlDataSource db, Func<DbConnection, DbTransaction, Task<T>> body,
        CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var result = await body(conn, tx);
        await tx.CommitAsync(ct);
        return result;
    }

    /// <summary>As <see cref="InTransactionAsync{T}(MySqlDataSource, Func{DbConnection, DbTransaction, Task{T}}, CancellationToken)"/>,
    /// at <paramref name="isolation"/> (the monthly close reads at READ COMMITTED behind its ledger watermark).</summary>
    public static async Task<T> InTransactionAsync<T>(this MySqlDataSource db, IsolationLevel isolation,
        Func<DbConnection, DbTransaction, Task<T>> body, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(isolation, ct);
        var result = await body(conn, tx);
        await tx.CommitAsync(ct);
        return result;
    }

    /// <summary>Runs <paramref name="body"/> on one connection, with no transaction: several reads that share it.</summary>
    public static async Task<T> OnConnectionAsync<T>(this MySqlDataSource db, Func<DbConnection, Task<T>> body, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await body(conn);
    }
}
