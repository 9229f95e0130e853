using System.Data.Common;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Assessment;

namespace WxQms.Domain.Storage;

/// <summary>A closed month as stored: when, and up to which ledger entry.</summary>
public sealed record MonthClose(string PeriodKey, long LedgerWatermark, long? PreviousWatermark, DateTimeOffset ClosedAt, string ClosedBy,
    int OrgRows, int MemberRows);

/// <summary>A member's points and stars for a month.</summary>
public sealed record MemberStars(long MemberId, long OrgId, string Name, decimal Points, decimal PointsYear, int Stars,
    AppraisalGrade? Grade);

/// <summary>A task as the office's export reads it: its org's name, the sum of its org ledger entries.</summary>
public sealed record TaskStatusRow(string Org, string TemplateCode, int TemplateVersion, string PeriodKey, DateTime DueAt, string State,
    bool AdHoc, decimal Possible, decimal Points, long FeedbackCount, decimal? FeedbackAverage);

/// <summary>Reads of the ledger for the assessment, and the append-only snapshot tables.</summary>
public sealed class AssessmentStore(MySqlDataSource db)
{
    private sealed record OrgRow(long Id, long? ParentId, string Path, int Depth, string Kind, string Name, int SortOrder, DateTime? DissolvedOn,
        DateTime? LiveOn);

    private sealed class TaskRow
    {
        public long Id { get; init; }
        public long OrgId { get; init; }
        public decimal Possible { get; init; }
        public decimal Ledger { get; init; }
        public long Missed { get; init; }
    }

    private sealed record CloseRow(string PeriodKey, long LedgerWatermark, long? PreviousWatermark, DateTime ClosedAt, string ClosedBy,
        int OrgRows, int MemberRows);

    private sealed record ResultRow(long OrgId, long? ParentId, string Path, int Depth, string Kind, string Name, int SortOrder,
        decimal Possible, decimal Earned, decimal Carried, int Tasks, int Missed, int? CommunityRank, int? BranchRank);

    private sealed class MemberRow
    {
        public long MemberId { get; init; }
        public long OrgId { get; init; }
        public string Name { get; init; } = "";
        public decimal Points { get; init; }
        public decimal PointsYear { get; init; }
        public int Stars { get; init; }
        public string? Grade { get; init; }
    }

    /// <summary>Several reads on one connection (the live results of a period).</summary>
    public Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> body, CancellationToken ct) => db.OnConnectionAsync(body, ct);

    /// <summary>The monthly close's one transaction, at READ COMMITTED: everything at or below the ledger watermark it reads
    /// first is in the snapshot, everything booked later is carried into the next one.</summary>
    public Task<T> InCloseTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> body, CancellationToken ct) =>
        db.InTransactionAsync(System.Data.IsolationLevel.ReadCommitted, body, ct);

    /// <summary>Every org with its dissolution and its own go-live (<see cref="PeriodAssessment.InPeriod"/> picks a period's).</summary>
    public static async Task<IReadOnlyList<DatedOrg>> LoadOrgsAsync(DbConnection conn, DbTransaction? tx, CancellationToken ct)
    {
        var rows = await conn.QueryAsync<OrgRow>(new CommandDefinition("""
            SELECT id AS Id, parent_id AS ParentId, path AS Path, depth AS Depth, kind AS Kind, name AS Name, sort_order AS SortOrder,
                   dissolved_on AS DissolvedOn, live_on AS LiveOn
            FROM orgs ORDER BY path
            """, transaction: tx, cancellationToken: ct));
        return rows.Select(r => new DatedOrg(
                new AssessedOrg(r.Id, r.ParentId, r.Path, r.Depth, DbNames.Parse<OrgKind>(r.Kind), r.Name, r.SortOrder),
                Day(r.DissolvedOn), Day(r.LiveOn)))
            .ToList();
    }

    private static DateOnly? Day(DateTime? d) => d is { } v ? DateOnly.FromDateTime(v) : null;

    /// <summary>
    /// The tasks due in (<paramref name="from"/>, <paramref name="to"/>] — a period's due instant is its
    /// end — with the sum of their org ledger entries up to <paramref name="watermark"/> (all when null).
    /// Cancelled tasks are not part of any result. Missed: overdue, or open past due at <paramref name="now"/>.
    /// </summary>
    public static async Task<IReadOnlyList<TaskScore>> LoadTaskScoresAsync(DbConnection conn, DbTransaction? tx, DateTimeOffset from,
        DateTimeOffset to, long? watermark, DateTimeOffset now, CancellationToken ct)
    {
        const string sql = """
            SELECT t.id AS Id, t.org_id AS OrgId, t.possible_points AS Possible,
                   COALESCE((SELECT SUM(l.points) FROM points_ledger l
                             WHERE l.task_id = t.id AND l.subject_type = 'org' AND (@watermark IS NULL OR l.id <= @watermark)), 0) AS Ledger,
                   CAST(t.state = 'overdue' OR (t.state IN ('pending', 'planned', 'returned') AND t.due_at <= @now) AS SIGNED) AS Missed
            FROM tasks t
            WHERE t.due_at > @from AND t.due_at <= @to AND t.state <> 'cancelled'
            """;
        var rows = await conn.QueryAsync<TaskRow>(new CommandDefinition(sql,
            new { from = from.UtcDateTime, to = to.UtcDateTime, watermark, now = now.UtcDateTime }, tx, cancellationToken: ct));
        return rows.Select(r => new TaskScore(r.Id, r.OrgId, r.Possible, r.Ledger, r.Missed != 0)).ToList();
    }

    /// <summary>
    /// Corrections: org entries above <paramref name="after"/> (and up to <paramref name="upTo"/>, all when
    /// null) for tasks due before <paramref name="periodStart"/>, i.e. of months already closed. Per org.
    /// </summary>
    public static async Task<IReadOnlyDictionary<long, decimal>> LoadCarriedAsync(DbConnection conn, DbTransaction? tx, long after,
        long? upTo, DateTimeOffset periodStart, CancellationToken ct)
    {
        const string sql = """
            SELECT l.subject_id, SUM(l.points)
            FROM points_ledger l JOIN tasks t ON t.id = l.task_id
            WHERE l.id > @after AND (@upTo IS NULL OR l.id <= @upTo) AND l.subject_type = 'org'
              AND t.due_at <= @periodStart AND t.state <> 'cancelled'
            GROUP BY l.subject_id
            """;
        var rows = await conn.QueryAsync<(long OrgId, decimal Points)>(new CommandDefinition(sql,
            new { after, upTo, periodStart = periodStart.UtcDateTime }, tx, cancellationToken: ct));
        return rows.ToDictionary(r => r.OrgId, r => r.Points);
    }

    /// <summary>The tasks of the subtree under <paramref name="scopePath"/> due in (<paramref name="from"/>, <paramref name="to"/>],
    /// by org and due time, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<TaskStatusRow>> LoadTaskStatusAsync(string scopePath, DateTimeOffset from, DateTimeOffset to, int limit,
        CancellationToken ct)
    {
        const string sql = """
            SELECT o.name AS Org, t.template_code AS TemplateCode, t.template_version AS TemplateVersion, t.period_key AS PeriodKey,
                   t.due_at AS DueAt, t.state AS State, t.adhoc AS AdHoc, t.possible_points AS Possible,
                   COALESCE((SELECT SUM(l.points) FROM points_ledger l WHERE l.task_id = t.id AND l.subject_type = 'org'), 0) AS Points,
                   (SELECT COUNT(*) FROM meeting_feedback f WHERE f.task_id = t.id) AS FeedbackCount,
                   (SELECT ROUND(AVG(f.rating), 1) FROM meeting_feedback f WHERE f.task_id = t.id) AS FeedbackAverage
            FROM orgs o JOIN tasks t ON t.org_id = o.id
            WHERE o.path LIKE @pattern AND t.due_at > @from AND t.due_at <= @to
            ORDER BY o.path, t.due_at, t.id
            LIMIT @limit
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<TaskStatusRow>(new CommandDefinition(sql, new
        {
            pattern = OrgPath.SubtreePattern(scopePath), from = from.UtcDateTime, to = to.UtcDateTime, limit,
        }, cancellationToken: ct));
        return rows.ToList();
    }

    public static async Task<long> LedgerWatermarkAsync(DbConnection conn, DbTransaction? tx, CancellationToken ct) =>
        await conn.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT MAX(id) FROM points_ledger", transaction: tx,
            cancellationToken: ct)) ?? 0;

    /// <summary>Member points booked in [monthStart, end) and in [yearStart, end), for every member on the roll.</summary>
    public static async Task<IReadOnlyList<(long MemberId, long OrgId, string Name, decimal Points, decimal PointsYear)>> LoadMemberPointsAsync(
        DbConnection conn, DbTransaction? tx, DateTimeOffset yearStart, DateTimeOffset monthStart, DateTimeOffset end, long? memberId,
        CancellationToken ct)
    {
        const string sql = """
            SELECT m.id, m.org_id, m.name, COALESCE(p.month_points, 0), COALESCE(p.year_points, 0)
            FROM members m
            LEFT JOIN (
                SELECT subject_id,
                       SUM(CASE WHEN created_at >= @monthStart THEN points ELSE 0 END) AS month_points,
                       SUM(points) AS year_points
                FROM points_ledger
                WHERE subject_type = 'member' AND created_at >= @yearStart AND created_at < @end
                  AND (@memberId IS NULL OR subject_id = @memberId)
                GROUP BY subject_id
            ) p ON p.subject_id = m.id
            WHERE m.status IN ('full', 'probationary') AND (@memberId IS NULL OR m.id = @memberId)
            ORDER BY m.id
            """;
        var rows = await conn.QueryAsync<(long, long, string, decimal, decimal)>(new CommandDefinition(sql, new
        {
            yearStart = yearStart.UtcDateTime, monthStart = monthStart.UtcDateTime, end = end.UtcDateTime, memberId,
        }, tx, cancellationToken: ct));
        return rows.ToList();
    }

    public async Task<MonthClose?> GetCloseAsync(string periodKey, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await GetCloseAsync(conn, null, periodKey, ct);
    }

    private const string CloseColumns = """
        period_key AS PeriodKey, ledger_watermark AS LedgerWatermark, previous_watermark AS PreviousWatermark,
        closed_at AS ClosedAt, closed_by AS ClosedBy, org_rows AS OrgRows, member_rows AS MemberRows
        """;

    public static async Task<MonthClose?> GetCloseAsync(DbConnection conn, DbTransaction? tx, string periodKey, CancellationToken ct)
    {
        var row = await conn.QuerySingleOrDefaultAsync<CloseRow>(new CommandDefinition(
            $"SELECT {CloseColumns} FROM assessment_closes WHERE period_key = @periodKey", new { periodKey }, tx, cancellationToken: ct));
        return row is null ? null : ToClose(row);
    }

    /// <summary>The most recent close whose month ended at or before <paramref name="before"/>.</summary>
    public static async Task<MonthClose?> LastCloseBeforeAsync(DbConnection conn, DbTransaction? tx, DateTimeOffset before,
        CancellationToken ct)
    {
        var row = await conn.QuerySingleOrDefaultAsync<CloseRow>(new CommandDefinition(
            $"SELECT {CloseColumns} FROM assessment_closes WHERE period_ends_at <= @before ORDER BY period_ends_at DESC LIMIT 1",
            new { before = before.UtcDateTime }, tx, cancellationToken: ct));
        return row is null ? null : ToClose(row);
    }

    private static MonthClose ToClose(CloseRow r) => new(r.PeriodKey, r.LedgerWatermark, r.PreviousWatermark,
        new DateTimeOffset(r.ClosedAt, TimeSpan.Zero), r.ClosedBy, r.OrgRows, r.MemberRows);

    public async Task<IReadOnlyList<OrgLine>> LoadOrgResultsAsync(string periodKey, CancellationToken ct)
    {
        const string sql = """
            SELECT org_id AS OrgId, parent_id AS ParentId, path AS Path, depth AS Depth, kind AS Kind, name AS Name,
                   sort_order AS SortOrder, possible AS Possible, earned AS Earned, carried AS Carried, tasks AS Tasks,
                   missed AS Missed, community_rank AS CommunityRank, branch_rank AS BranchRank
            FROM assessment_org_results WHERE period_key = @periodKey ORDER BY path
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<ResultRow>(new CommandDefinition(sql, new { periodKey }, cancellationToken: ct));
        return rows.Select(r => new OrgLine(
            new AssessedOrg(r.OrgId, r.ParentId, r.Path, r.Depth, DbNames.Parse<OrgKind>(r.Kind), r.Name, r.SortOrder),
            new OrgResult(r.OrgId, r.Possible, r.Earned, r.Carried, r.Tasks, r.Missed), r.CommunityRank, r.BranchRank)).ToList();
    }

    public async Task<MemberStars?> LoadMemberAsync(string periodKey, long memberId, CancellationToken ct)
    {
        const string sql = """
            SELECT member_id AS MemberId, org_id AS OrgId, name AS Name, points AS Points, points_year AS PointsYear,
                   stars AS Stars, grade AS Grade
            FROM assessment_member_results WHERE period_key = @periodKey AND member_id = @memberId
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var r = await conn.QuerySingleOrDefaultAsync<MemberRow>(new CommandDefinition(sql, new { periodKey, memberId }, cancellationToken: ct));
        return r is null ? null : new MemberStars(r.MemberId, r.OrgId, r.Name, r.Points, r.PointsYear, r.Stars,
            r.Grade is null ? null : DbNames.Parse<AppraisalGrade>(r.Grade));
    }

    /// <summary>Every member's row of a closed month.</summary>
    public async Task<IReadOnlyList<MemberStars>> LoadMembersAsync(string periodKey, CancellationToken ct)
    {
        const string sql = """
            SELECT member_id AS MemberId, org_id AS OrgId, name AS Name, points AS Points, points_year AS PointsYear,
                   stars AS Stars, grade AS Grade
            FROM assessment_member_results WHERE period_key = @periodKey ORDER BY member_id
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<MemberRow>(new CommandDefinition(sql, new { periodKey }, cancellationToken: ct));
        return rows.Select(r => new MemberStars(r.MemberId, r.OrgId, r.Name, r.Points, r.PointsYear, r.Stars,
            r.Grade is null ? null : DbNames.Parse<AppraisalGrade>(r.Grade))).ToList();
    }

    /// <summary>Rows per INSERT for the snapshot tables: a district's 45,000 members in 90 statements.</summary>
    public const int BatchSize = 500;

    /// <summary>
    /// Writes a closed month in one transaction, the claim row first: a second writer (another Jobs
    /// process) waits on the primary key and then fails with a duplicate key, which is false here.
    /// </summary>
    public static async Task<bool> TryWriteSnapshotAsync(DbConnection conn, DbTransaction tx, MonthClose close,
        DateTimeOffset startsAt, DateTimeOffset endsAt, IReadOnlyList<OrgLine> orgs, IReadOnlyList<MemberStars> members,
        CancellationToken ct)
    {
        try
        {
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO assessment_closes (period_key, period_starts_at, period_ends_at, ledger_watermark, previous_watermark,
                                               org_rows, member_rows, closed_at, closed_by)
                VALUES (@PeriodKey, @startsAt, @endsAt, @LedgerWatermark, @PreviousWatermark, @OrgRows, @MemberRows, @closedAt, @ClosedBy)
                """, new
            {
                close.PeriodKey, startsAt = startsAt.UtcDateTime, endsAt = endsAt.UtcDateTime, close.LedgerWatermark,
                close.PreviousWatermark, close.OrgRows, close.MemberRows, closedAt = close.ClosedAt.UtcDateTime, close.ClosedBy,
            }, tx, cancellationToken: ct));
        }
        catch (MySqlException ex) when (ex.ErrorCode == MySqlErrorCode.DuplicateKeyEntry)
        {
            return false;
        }

        foreach (var batch in orgs.Chunk(BatchSize))
        {
            var (sql, args) = MultiRow("""
                INSERT INTO assessment_org_results (period_key, org_id, parent_id, path, depth, kind, name, sort_order, possible, earned,
                                                    carried, tasks, missed, ratio, community_rank, branch_rank) VALUES
                """, batch, 16, (l, p) => [close.PeriodKey, l.Org.Id, l.Org.ParentId, l.Org.Path, l.Org.Depth, DbNames.Of(l.Org.Kind),
                l.Org.Name, l.Org.SortOrder, l.Result.Possible, l.Result.Earned, l.Result.Carried, l.Result.Tasks, l.Result.Missed,
                l.Result.Ratio, l.CommunityRank, l.BranchRank]);
            await conn.ExecuteAsync(new CommandDefinition(sql, args, tx, cancellationToken: ct));
        }
        foreach (var batch in members.Chunk(BatchSize))
        {
            var (sql, args) = MultiRow("""
                INSERT INTO assessment_member_results (period_key, member_id, org_id, name, points, points_year, stars, grade) VALUES
                """, batch, 8, (m, p) => [close.PeriodKey, m.MemberId, m.OrgId, m.Name, m.Points, m.PointsYear, m.Stars,
                m.Grade is { } g ? DbNames.Of(g) : null]);
            await conn.ExecuteAsync(new CommandDefinition(sql, args, tx, cancellationToken: ct));
        }
        return true;
    }

    /// <summary>One INSERT with numbered parameters (@p0_0 …): the text depends only on the row count, so
    /// Dapper caches two texts per table (a full batch and the last one).</summary>
    private static (string Sql, DynamicParameters Args) MultiRow<T>(string head, IReadOnlyList<T> rows, int columns,
        Func<T, int, object?[]> values)
    {
        var sb = new System.Text.StringBuilder(head);
        var args = new DynamicParameters();
        for (var i = 0; i < rows.Count; i++)
        {
            sb.Append(i == 0 ? "\n(" : ",\n(");
            var v = values(rows[i], i);
            if (v.Length != columns)
                throw new InvalidOperationException($"expected {columns} values, got {v.Length}");
            for (var c = 0; c < columns; c++)
            {
                var name = $"p{i}_{c}";
                sb.Append(c == 0 ? "@" : ", @").Append(name);
                args.Add(name, v[c]);
            }
            sb.Append(')');
        }
        return (sb.ToString(), args);
    }
}
