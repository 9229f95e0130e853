using System.Data.Common;
using System.Text;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Tasks;

namespace WxQms.Domain.Storage;

/// <summary>A task as stored (tasks), without its template.</summary>
public sealed record TaskRow(long Id, long OrgId, string TemplateCode, int TemplateVersion, string PeriodKey, DateTime OpensAt,
    DateTime DueAt, string State, bool AdHoc, long? AdhocTaskId, int RowVersion, DateTime? PlannedFor, string? Place, string? Topic,
    string? ReviewStatus, decimal PossiblePoints, DateTime? WarnedAt);

/// <summary>A task of a list, with its org's name and, for an ad-hoc task, its title.</summary>
public sealed record TaskListRow(long Id, long OrgId, string OrgName, string TemplateCode, int TemplateVersion, string PeriodKey,
    DateTime DueAt, string State, decimal PossiblePoints, string? AdhocTitle, string? ReviewStatus, DateTime? WarnedAt);

/// <summary>A task waiting for the branch's work, with the count of all such tasks of the list.</summary>
public sealed record OpenTaskRow(long Id, string TemplateCode, int TemplateVersion, string? AdhocTitle, string PeriodKey, DateTime DueAt,
    DateTime? PlannedFor, string State, long Total);

/// <summary>A task past its due time, locked for marking overdue.</summary>
public sealed record DueTaskRow(long Id, long OrgId, string TemplateCode, int TemplateVersion, string PeriodKey, string State,
    DateTime DueAt, int RowVersion, long? AdhocTaskId);

/// <summary>One due task the overdue job may mark: its new state, its trail entry and its deduction.</summary>
public sealed record OverdueMarking(long TaskId, TaskState To, AuditEntry Audit, LedgerEntry Deduction);

/// <summary>An ad-hoc task's name and overdue deduction.</summary>
public sealed record AdhocDeduction(string Title, decimal Deduction);

/// <summary>The instants a subtree's monitoring summary counts against.</summary>
public sealed record SummaryWindow(DateTimeOffset Now, DateTimeOffset MonthEnd, DateTimeOffset QuarterEnd, DateTimeOffset WarnUntil,
    DateTimeOffset YearStart, DateTimeOffset YearEnd);

public sealed record SummaryCounts(int InProgress, int DueThisMonth, int DueThisQuarter, int Overdue, int Warned, int CompletedThisYear,
    int AwaitingReview);

/// <summary>
/// The tasks table: the yearly plan's rows, one task, a subtree's lists and counts, and the changes of the state machine
/// (those inside the caller's transaction). States are parameters taken from <see cref="TaskTransitions"/>.
/// </summary>
public sealed class TaskStore(MySqlDataSource db)
{
    private const string RowColumns = """
        id AS Id, org_id AS OrgId, template_code AS TemplateCode, template_version AS TemplateVersion,
        period_key AS PeriodKey, opens_at AS OpensAt, due_at AS DueAt, state AS State, adhoc AS AdHoc,
        adhoc_task_id AS AdhocTaskId, row_version AS RowVersion, planned_for AS PlannedFor, place AS Place,
        topic AS Topic, review_status AS ReviewStatus, possible_points AS PossiblePoints, warned_at AS WarnedAt
        """;

    private static string[] Names(IEnumerable<TaskState> states) => states.Select(DbNames.Of).ToArray();

    /// <summary>Open and not submitted: the states that wait for the branch's work.</summary>
    private static string[] AwaitingWork => Names(TaskTransitions.From(TaskAction.Submit));

    /// <summary>Rows per INSERT: few statements for a district's 77,000 tasks, and only two SQL texts
    /// for Dapper to cache (a full batch and the last one).</summary>
    public const int BatchSize = 500;

    private sealed record OrgRow(long Id, long? ParentId, string Kind, int Depth, DateTime CreatedOn, DateTime? LiveOn);

    /// <summary>
    /// Every org as plan generation needs it: branches (with their full members, committee members
    /// and party groups) and the community-level orgs, each with its go-live (its own, else its nearest ancestor's).
    /// Three grouped reads, joined in memory.
    /// </summary>
    public async Task<IReadOnlyList<OrgForPlanning>> LoadOrgsForPlanningAsync(CancellationToken ct)
    {
        const string sql = """
            SELECT id AS Id, parent_id AS ParentId, kind AS Kind, depth AS Depth,
                   COALESCE(established_on, DATE(created_at)) AS CreatedOn, live_on AS LiveOn
            FROM orgs WHERE dissolved_on IS NULL;

            SELECT org_id, COUNT(*) FROM members WHERE status = 'full' GROUP BY org_id;

            SELECT org_id, COUNT(*) FROM member_roles WHERE role = 'committee' GROUP BY org_id;
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var grid = await conn.QueryMultipleAsync(new CommandDefinition(sql, cancellationToken: ct));
        var orgs = (await grid.ReadAsync<OrgRow>()).ToList();
        var fullMembers = (await grid.ReadAsync<(long OrgId, long Count)>()).ToDictionary(r => r.OrgId, r => (int)r.Count);
        var committee = (await grid.ReadAsync<(long OrgId, long Count)>()).ToDictionary(r => r.OrgId, r => (int)r.Count);

        var groupsByBranch = orgs.Where(o => o.Kind == DbNames.Of(OrgKind.PartyGroup) && o.ParentId is not null)
            .GroupBy(o => o.ParentId!.Value)
            .ToDictionary(g => g.Key, g => g.Select(o => o.Id).Order().ToList());
        var byId = orgs.ToDictionary(o => o.Id);

        return orgs
            .Where(o => o.Kind == DbNames.Of(OrgKind.Branch) || o.Depth == 1)
            .Select(o =>
            {
                var groups = groupsByBranch.GetValueOrDefault(o.Id) ?? [];
                var full = fullMembers.GetValueOrDefault(o.Id) + groups.Sum(g => fullMembers.GetValueOrDefault(g));
                return new OrgForPlanning(o.Id, DbNames.Parse<OrgKind>(o.Kind), DateOnly.FromDateTime(o.CreatedOn), full,
                    committee.GetValueOrDefault(o.Id), groups, CommunityLevel: o.Depth == 1, LiveOn: LiveOn(o, byId));
            })
            .ToList();
    }

    /// <summary>An org's go-live: its own, else its nearest ancestor's (null when none has one).</summary>
    private static DateOnly? LiveOn(OrgRow org, IReadOnlyDictionary<long, OrgRow> byId)
    {
        for (OrgRow? o = org; o is not null; o = o.ParentId is { } p ? byId.GetValueOrDefault(p) : null)
            if (o.LiveOn is { } day)
                return DateOnly.FromDateTime(day);
        return null;
    }

    /// <summary>Inserts the tasks that do not exist yet (by unique key); existing ones are left as they are.</summary>
    public async Task InsertMissingAsync(IReadOnlyList<PlannedTask> tasks, DateTimeOffset now, IProgress<int>? progress,
        CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        for (var start = 0; start < tasks.Count; start += BatchSize)
        {
            var batch = tasks.Skip(start).Take(BatchSize).ToList();
            var (sql, args) = InsertSql(batch, now);
            await conn.ExecuteAsync(new CommandDefinition(sql, args, cancellationToken: ct));
            progress?.Report(start + batch.Count);
        }
    }

    public async Task<long> CountAsync(string periodPrefix, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM tasks WHERE period_key LIKE @pattern", new { pattern = periodPrefix + "%" },
            cancellationToken: ct));
    }

    /// <summary>
    /// Runs one task change in one transaction, committed when <paramref name="body"/> returns and rolled back when it
    /// throws; the body writes through this folder's stores (their static methods take the connection and transaction).
    /// </summary>
    public Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> body, CancellationToken ct) =>
        db.InTransactionAsync(body, ct);

    /// <summary>An audit entry about the plan or the tasks as a whole, outside any task's own transaction.</summary>
    public async Task AuditAsync(AuditEntry entry, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await AuditLog.AppendAsync(conn, null, entry, ct);
    }

    /// <summary>One multi-row INSERT with a parameter per value; the text depends only on the row count.</summary>
    private static (string Sql, DynamicParameters Args) InsertSql(IReadOnlyList<PlannedTask> batch, DateTimeOffset now)
    {
        var sql = new StringBuilder("""
            INSERT INTO tasks (unique_key, org_id, party_group_id, template_code, template_version, period_key,
                               opens_at, due_at, possible_points, state, next_reminder_at, created_at, updated_at)
            VALUES
            """);
        var args = new DynamicParameters();
        args.Add("now", now.UtcDateTime);
        for (var i = 0; i < batch.Count; i++)
        {
            var t = batch[i];
            sql.Append(i == 0 ? "\n" : ",\n")
                .Append($"(@k{i}, @o{i}, @g{i}, @c{i}, @v{i}, @p{i}, @s{i}, @d{i}, @pts{i}, 'pending', @s{i}, @now, @now)");
            args.Add($"k{i}", t.UniqueKey);
            args.Add($"o{i}", t.OrgId);
            args.Add($"g{i}", t.PartyGroupId);
            args.Add($"c{i}", t.TemplateCode);
            args.Add($"v{i}", t.TemplateVersion);
            args.Add($"p{i}", t.PeriodKey);
            args.Add($"s{i}", t.OpensAt.UtcDateTime);
            args.Add($"d{i}", t.DueAt.UtcDateTime);
            args.Add($"pts{i}", t.PossiblePoints);
        }
        // A no-op update: the existing task, its state and its template version stay as they are.
        sql.Append("\nON DUPLICATE KEY UPDATE id = id");
        return (sql.ToString(), args);
    }

    public async Task<TaskRow?> GetAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<TaskRow>(new CommandDefinition(
            $"SELECT {RowColumns} FROM tasks WHERE id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>
    /// Counts of the subtree's tasks: in progress, due by the month's and the quarter's end, overdue (marked, or open
    /// past due), warned, completed this year, awaiting review. One indexed aggregate.
    /// </summary>
    public async Task<SummaryCounts> SummaryAsync(string scopePath, SummaryWindow w, CancellationToken ct)
    {
        const string sql = """
            SELECT
              COALESCE(SUM(t.state IN @open AND t.opens_at <= @now AND t.due_at > @now), 0) AS InProgress,
              COALESCE(SUM(t.state IN @notOverdue AND t.due_at > @now AND t.due_at <= @monthEnd), 0) AS DueThisMonth,
              COALESCE(SUM(t.state IN @notOverdue AND t.due_at > @now AND t.due_at <= @quarterEnd), 0) AS DueThisQuarter,
              COALESCE(SUM(t.state = @overdue OR (t.state IN @mayGoOverdue AND t.due_at <= @now)), 0) AS Overdue,
              COALESCE(SUM(t.state IN @mayGoOverdue AND t.due_at > @now AND t.due_at <= @warnUntil), 0) AS Warned,
              COALESCE(SUM(t.state = @completed AND t.due_at >= @yearStart AND t.due_at <= @yearEnd), 0) AS CompletedThisYear,
              COALESCE(SUM(t.state = @completed AND t.review_status = @awaiting), 0) AS AwaitingReview
            FROM orgs o JOIN tasks t ON t.org_id = o.id
            WHERE o.path LIKE @pattern
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleAsync<(decimal, decimal, decimal, decimal, decimal, decimal, decimal)>(new CommandDefinition(sql, new
        {
            pattern = OrgPath.SubtreePattern(scopePath),
            open = Names(TaskTransitions.Open),
            notOverdue = Names(TaskTransitions.Open.Where(s => s != TaskState.Overdue)),
            mayGoOverdue = Names(TaskTransitions.From(TaskAction.MarkOverdue)),
            overdue = DbNames.Of(TaskState.Overdue),
            completed = DbNames.Of(TaskState.Completed),
            awaiting = ReviewStatuses.Awaiting,
            now = w.Now.UtcDateTime,
            monthEnd = w.MonthEnd.UtcDateTime,
            quarterEnd = w.QuarterEnd.UtcDateTime,
            warnUntil = w.WarnUntil.UtcDateTime,
            yearStart = w.YearStart.UtcDateTime,
            yearEnd = w.YearEnd.UtcDateTime,
        }, cancellationToken: ct));
        return new SummaryCounts((int)row.Item1, (int)row.Item2, (int)row.Item3, (int)row.Item4, (int)row.Item5, (int)row.Item6,
            (int)row.Item7);
    }

    /// <summary>Tasks of the subtree, soonest due first, optionally of one state and/or one period, or awaiting review.</summary>
    public async Task<IReadOnlyList<TaskListRow>> ListAsync(string scopePath, TaskState? state, string? periodKey, bool awaitingReview,
        int limit, CancellationToken ct)
    {
        const string sql = """
            SELECT t.id AS Id, t.org_id AS OrgId, o.name AS OrgName, t.template_code AS TemplateCode,
                   t.template_version AS TemplateVersion, t.period_key AS PeriodKey, t.due_at AS DueAt, t.state AS State,
                   t.possible_points AS PossiblePoints, a.title AS AdhocTitle, t.review_status AS ReviewStatus,
                   t.warned_at AS WarnedAt
            FROM orgs o JOIN tasks t ON t.org_id = o.id
            LEFT JOIN adhoc_tasks a ON a.id = t.adhoc_task_id
            WHERE o.path LIKE @pattern
              AND (@state IS NULL OR t.state = @state)
              AND (@periodKey IS NULL OR t.period_key = @periodKey)
              AND (@awaitingReview = FALSE OR (t.state = @completed AND t.review_status = @awaiting))
            ORDER BY t.due_at, t.id
            LIMIT @limit
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<TaskListRow>(new CommandDefinition(sql, new
        {
            pattern = OrgPath.SubtreePattern(scopePath),
            state = state is { } s ? DbNames.Of(s) : null,
            periodKey,
            awaitingReview,
            completed = DbNames.Of(TaskState.Completed),
            awaiting = ReviewStatuses.Awaiting,
            limit,
        }, cancellationToken: ct))).ToList();
    }

    /// <summary>
    /// The subtree's tasks that wait for the branch's work and have opened, soonest due first (at most
    /// <paramref name="limit"/>), each row with the count of them all.
    /// </summary>
    public async Task<IReadOnlyList<OpenTaskRow>> AwaitingWorkAsync(string scopePath, DateTimeOffset now, int limit, CancellationToken ct)
    {
        const string sql = """
            SELECT t.id AS Id, t.template_code AS TemplateCode, t.template_version AS TemplateVersion, a.title AS AdhocTitle,
                   t.period_key AS PeriodKey, t.due_at AS DueAt, t.planned_for AS PlannedFor, t.state AS State,
                   COUNT(*) OVER () AS Total
            FROM orgs o JOIN tasks t ON t.org_id = o.id
            LEFT JOIN adhoc_tasks a ON a.id = t.adhoc_task_id
            WHERE o.path LIKE @pattern AND t.state IN @states AND t.opens_at <= @now
            ORDER BY t.due_at, t.id
            LIMIT @limit
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<OpenTaskRow>(new CommandDefinition(sql,
            new { pattern = OrgPath.SubtreePattern(scopePath), states = AwaitingWork, now = now.UtcDateTime, limit },
            cancellationToken: ct))).ToList();
    }

    /// <summary>
    /// The subtree's tasks that wait for the branch's work, have opened and fell due after <paramref name="since"/>, with
    /// their party group's name and when <paramref name="memberId"/> last acted on each (by the audit trail).
    /// </summary>
    public async Task<IReadOnlyList<(long Id, string? GroupName, DateTime? LastActedAt)>> RecentWorkOfAsync(string scopePath,
        long memberId, DateTimeOffset now, DateTimeOffset since, CancellationToken ct)
    {
        const string sql = """
            SELECT t.id, g.name,
                   (SELECT MAX(a.occurred_at) FROM audit_log a
                    WHERE a.entity_type = 'task' AND a.entity_id = t.id AND a.actor_member_id = @memberId)
            FROM orgs o JOIN tasks t ON t.org_id = o.id
            LEFT JOIN orgs g ON g.id = t.party_group_id
            WHERE o.path LIKE @pattern AND t.state IN @states AND t.opens_at <= @now
              AND t.due_at > @since
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<(long, string?, DateTime?)>(new CommandDefinition(sql, new
        {
            memberId, pattern = OrgPath.SubtreePattern(scopePath), states = AwaitingWork, now = now.UtcDateTime, since = since.UtcDateTime,
        }, cancellationToken: ct))).ToList();
    }

    /// <summary>The name of the party group a task belongs to, if any.</summary>
    public static Task<string?> GroupNameAsync(DbConnection conn, DbTransaction? tx, long taskId, CancellationToken ct) =>
        conn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT g.name FROM tasks t JOIN orgs g ON g.id = t.party_group_id WHERE t.id = @taskId",
            new { taskId }, tx, cancellationToken: ct));

    /// <summary>
    /// One batch of the overdue marking, in one transaction: locks, skipping rows other workers hold, up to
    /// <paramref name="batch"/> tasks past due at <paramref name="now"/> in a state that allows marking them overdue and
    /// failed fewer than <paramref name="maxFailures"/> times, with the ad-hoc ones' deductions; asks
    /// <paramref name="decide"/> what to do with each; moves the marked ones (audit and ledger entry included) and counts a
    /// failure on the rest it names. Returns how many were marked.
    /// </summary>
    public async Task<int> MarkDueAsync(DateTimeOffset now, int batch, int maxFailures,
        Func<IReadOnlyList<DueTaskRow>, IReadOnlyDictionary<long, AdhocDeduction>, (IReadOnlyList<OverdueMarking> Marked, IReadOnlyList<long> Failed)> decide,
        CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var due = (await conn.QueryAsync<DueTaskRow>(new CommandDefinition("""
            SELECT id AS Id, org_id AS OrgId, template_code AS TemplateCode, template_version AS TemplateVersion,
                   period_key AS PeriodKey, state AS State, due_at AS DueAt, row_version AS RowVersion, adhoc_task_id AS AdhocTaskId
            FROM tasks
            WHERE state IN @states AND due_at <= @now AND overdue_failures < @maxFailures
            ORDER BY due_at, id
            LIMIT @batch
            FOR UPDATE SKIP LOCKED
            """, new { states = Names(TaskTransitions.From(TaskAction.MarkOverdue)), now = now.UtcDateTime, batch, maxFailures },
            tx, cancellationToken: ct))).ToList();
        if (due.Count == 0)
            return 0;

        // Ad-hoc tasks carry their own name and deduction (read without locking their definition).
        var adhocIds = due.Where(d => d.AdhocTaskId is not null).Select(d => d.AdhocTaskId!.Value).Distinct().ToArray();
        var adhoc = adhocIds.Length == 0
            ? new Dictionary<long, AdhocDeduction>()
            : (await conn.QueryAsync<(long Id, string Title, decimal Deduction)>(new CommandDefinition(
                "SELECT id, title, overdue_deduction FROM adhoc_tasks WHERE id IN @adhocIds", new { adhocIds }, tx,
                cancellationToken: ct))).ToDictionary(a => a.Id, a => new AdhocDeduction(a.Title, a.Deduction));
        var (marked, failed) = decide(due, adhoc);
        if (failed.Count > 0)
            await conn.ExecuteAsync(new CommandDefinition("UPDATE tasks SET overdue_failures = overdue_failures + 1 WHERE id IN @failed",
                new { failed }, tx, cancellationToken: ct));
        foreach (var move in marked.GroupBy(m => m.To))
        {
            await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE tasks SET state = @to, row_version = row_version + 1, updated_at = @now WHERE id IN @ids",
                new { ids = move.Select(m => m.TaskId).ToArray(), to = DbNames.Of(move.Key), now = now.UtcDateTime }, tx,
                cancellationToken: ct));
        }
        await AuditLog.AppendAsync(conn, tx, marked.Select(m => m.Audit), ct);
        await LedgerStore.BookOnceAsync(conn, tx, marked.Select(m => m.Deduction), ct);
        await tx.CommitAsync(ct);
        return marked.Count;
    }

    /// <summary>Records the plan and the state the state machine allowed; false when the row version moved on.</summary>
    public static async Task<bool> PlanAsync(DbConnection conn, DbTransaction tx, long id, int expectedVersion, TaskState to,
        DateTimeOffset plannedFor, string place, string topic, DateTimeOffset now, CancellationToken ct) =>
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE tasks
            SET state = @to, planned_for = @plannedFor, place = @place, topic = @topic, planned_at = @now,
                next_reminder_at = @now, warned_at = NULL, row_version = row_version + 1, updated_at = @now
            WHERE id = @id AND row_version = @expectedVersion
            """, new
        {
            id, expectedVersion, to = DbNames.Of(to), plannedFor = plannedFor.UtcDateTime, place, topic, now = now.UtcDateTime,
        }, tx, cancellationToken: ct)) > 0;

    /// <summary>
    /// Moves the task to the state the state machine allowed after a judgment or a review, with its review status; a
    /// returned task is looked at by the reminder scan at once. False when the row version moved on.
    /// </summary>
    public static async Task<bool> JudgeAsync(DbConnection conn, DbTransaction tx, long id, int expectedVersion, TaskState to,
        string? reviewStatus, DateTimeOffset now, CancellationToken ct) =>
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE tasks SET state = @to, review_status = @reviewStatus, row_version = row_version + 1, updated_at = @now,
                next_reminder_at = CASE WHEN @to = @returned THEN @now ELSE next_reminder_at END
            WHERE id = @id AND row_version = @expectedVersion
            """, new
        {
            id, expectedVersion, to = DbNames.Of(to), reviewStatus, returned = DbNames.Of(TaskState.Returned), now = now.UtcDateTime,
        }, tx, cancellationToken: ct)) > 0;
}
