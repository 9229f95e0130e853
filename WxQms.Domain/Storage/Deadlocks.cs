using MySqlConnector;

namespace WxQms.Domain.Storage;

/// <summary>
/// Workers that claim rows with SKIP LOCKED and then change an indexed column (a state, a status) can
/// still deadlock on the index entries the change moves. InnoDB rolls one transaction back whole, so
/// running it again is safe and is what the loser should do.
/// </summary>
public static class Deadlocks
{
    public static async Task<T> RetryAsync<T>(Func<Task<T>> transaction, CancellationToken ct, int attempts = 5)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await transaction();
            }
            catch (MySqlException ex) when (ex.ErrorCode is MySqlErrorCode.LockDeadlock or MySqlErrorCode.LockWaitTimeout
                                            && attempt < attempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(5 * attempt * Random.Shared.Next(1, 5)), ct);
            }
        }
    }
}
