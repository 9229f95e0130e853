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
}
