using System.Data.Common;
using Dapper;

namespace WxQms.Domain.Storage;

/// <summary>Whose points a ledger entry moves (points_ledger.subject_type).</summary>
public static class LedgerSubjects
{
    public const string Org = "org";
    public const string Member = "member";
}

/// <summary>
/// One booking in the points ledger: <paramref name="Points"/> (negative for a deduction) for an org or a member
/// (<see cref="LedgerSubjects"/>) in a period, from a source (<c>LedgerSources</c>), about a task or not. An entry is
/// unique per (source, task, subject, ref): <paramref name="RefId"/> names the occasion (an evidence submission, the
/// task's row version when it was marked overdue, a wish), 0 when there is none. The reason is clipped to the column.
/// </summary>
public sealed record LedgerEntry(string SubjectType, long SubjectId, string PeriodKey, decimal Points, string Source,
    string Reason, DateTimeOffset At, long? TaskId = null, long RefId = 0);

/// <summary>
/// What <see cref="LedgerStore.NetOutAsync"/> nets to zero: everything booked on <paramref name="TaskIds"/>, or only the
/// entries of one occasion (<paramref name="RefId"/>, kept on the netting entries) and of some sources.
/// </summary>
public sealed record LedgerNetting(IReadOnlyCollection<long> TaskIds, string Source, string Reason, DateTimeOffset At,
    long? RefId = null, IReadOnlyCollection<string>? OfSources = null);

/// <summary>
/// The points ledger (points_ledger), append-only: the one place that books points. Every method writes inside the
/// caller's transaction, so the points and the change that earned them commit together; corrections are new entries.
/// </summary>
public static class LedgerStore
{
    /// <summary>The width of points_ledger.reason.</summary>
    public const int ReasonLength = 200;

    private const string Insert = """
        INSERT INTO points_ledger (subject_type, subject_id, period_key, points, source, task_id, ref_id, reason, created_at)
        VALUES (@SubjectType, @SubjectId, @PeriodKey, @Points, @Source, @TaskId, @RefId, @Reason, @At)
        """;

    /// <summary>The reason as it fits the column: a longer one ends in "…".</summary>
    public static string Clip(string reason) => reason.Length <= ReasonLength ? reason : reason[..(ReasonLength - 1)] + "…";

    /// <summary>Books the entries. One that repeats an entry already booked (same source, task, subject and ref) fails the transaction.</summary>
    public static Task<int> BookAsync(DbConnection conn, DbTransaction? tx, IEnumerable<LedgerEntry> entries, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition(Insert, entries.Select(Args), tx, cancellationToken: ct));

    /// <summary>Books the entries not booked yet (by source, task, subject and ref): for work that may run again.</summary>
    public static Task<int> BookOnceAsync(DbConnection conn, DbTransaction? tx, IEnumerable<LedgerEntry> entries, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition(Insert + "\nON DUPLICATE KEY UPDATE id = id", entries.Select(Args), tx,
            cancellationToken: ct));

    /// <summary>
    /// <see cref="BookOnceAsync"/> for many entries: multi-row statements of at most <paramref name="rowsPerStatement"/>
    /// rows instead of one round trip per entry (a simulated history books hundreds of thousands).
    /// </summary>
    public static async Task<int> BookManyOnceAsync(DbConnection conn, DbTransaction? tx, IReadOnlyList<LedgerEntry> entries,
        CancellationToken ct, int rowsPerStatement = 1000)
    {
        var booked = 0;
        foreach (var chunk in entries.Chunk(rowsPerStatement))
        {
            var sql = new System.Text.StringBuilder(
                "INSERT INTO points_ledger (subject_type, subject_id, period_key, points, source, task_id, ref_id, reason, created_at) VALUES ");
            var args = new DynamicParameters();
            for (var i = 0; i < chunk.Length; i++)
            {
                var e = chunk[i];
                sql.Append(i == 0 ? "" : ",").Append($"(@t{i},@s{i},@k{i},@p{i},@o{i},@x{i},@r{i},@n{i},@a{i})");
                args.Add($"t{i}", e.SubjectType); args.Add($"s{i}", e.SubjectId); args.Add($"k{i}", e.PeriodKey);
                args.Add($"p{i}", e.Points); args.Add($"o{i}", e.Source); args.Add($"x{i}", e.TaskId); args.Add($"r{i}", e.RefId);
                args.Add($"n{i}", Clip(e.Reason)); args.Add($"a{i}", e.At.UtcDateTime);
            }
            sql.Append("\nON DUPLICATE KEY UPDATE id = id");
            booked += await conn.ExecuteAsync(new CommandDefinition(sql.ToString(), args, tx, cancellationToken: ct));
        }
        return booked;
    }

    /// <summary>
    /// Nets to zero, per task and subject, what the ledger holds for the tasks (all of it, or one occasion's entries of
    /// some sources): one entry each whose sum is not zero already, in the earliest period it was booked in.
    /// </summary>
    public static Task<int> NetOutAsync(DbConnection conn, DbTransaction? tx, LedgerNetting n, CancellationToken ct)
    {
        if (n.TaskIds.Count == 0)
            return Task.FromResult(0);
        var sql = $"""
            INSERT INTO points_ledger (subject_type, subject_id, period_key, points, source, task_id, ref_id, reason, created_at)
            SELECT subject_type, subject_id, MIN(period_key), -SUM(points), @source, task_id, @refId, @reason, @at
            FROM points_ledger
            WHERE task_id IN @taskIds{(n.RefId is null ? "" : " AND ref_id = @refId")}{(n.OfSources is null ? "" : " AND source IN @ofSources")}
            GROUP BY task_id, subject_type, subject_id
            HAVING SUM(points) <> 0
            """;
        return conn.ExecuteAsync(new CommandDefinition(sql, new
        {
            taskIds = n.TaskIds, refId = n.RefId ?? 0, ofSources = n.OfSources, source = n.Source, reason = Clip(n.Reason),
            at = n.At.UtcDateTime,
        }, tx, cancellationToken: ct));
    }

    /// <summary>
    /// Books the reversal of each entry of <paramref name="source"/> on the task that has none yet (under
    /// <paramref name="reversal"/>, with the same subject, period and ref), its reason followed by <paramref name="suffix"/>.
    /// </summary>
    public static Task<int> ReverseAsync(DbConnection conn, DbTransaction? tx, long taskId, string source, string reversal,
        string suffix, DateTimeOffset at, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO points_ledger (subject_type, subject_id, period_key, points, source, task_id, ref_id, reason, created_at)
            SELECT o.subject_type, o.subject_id, o.period_key, -o.points, @reversal, o.task_id, o.ref_id,
                   LEFT(CONCAT(o.reason, @suffix), @width), @at
            FROM points_ledger o
            WHERE o.task_id = @taskId AND o.source = @source
              AND NOT EXISTS (SELECT 1 FROM points_ledger r
                              WHERE r.task_id = o.task_id AND r.source = @reversal AND r.ref_id = o.ref_id)
            """, new { taskId, source, reversal, suffix, width = ReasonLength, at = at.UtcDateTime }, tx, cancellationToken: ct));

    private static object Args(LedgerEntry e) => new
    {
        e.SubjectType, e.SubjectId, e.PeriodKey, e.Points, e.Source, e.TaskId, e.RefId, Reason = Clip(e.Reason), At = e.At.UtcDateTime,
    };
}
