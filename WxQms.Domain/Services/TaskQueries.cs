using Dapper;
using MySqlConnector;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services;

/// <summary>What a superior sees of its subtree at one instant (the seed's live monitoring view).</summary>
public sealed record TaskSummary(
    int InProgress,
    int DueThisMonth,
    int DueThisQuarter,
    int Overdue,
    int Warned,
    int CompletedThisYear);

/// <summary>Reads over tasks, always scoped to a subtree of the org tree.</summary>
public sealed class TaskQueries(MySqlDataSource db)
{
    /// <summary>Open tasks due within this many days count as warned (DESIGN: early warning).</summary>
    public static readonly TimeSpan WarningWindow = TimeSpan.FromDays(3);

    /// <summary>
    /// Counts for the subtree under <paramref name="scopePath"/> at <paramref name="now"/>, periods taken
    /// in Shanghai: in progress (open and its window has opened), due by the end of this month and
    /// quarter, overdue (open past its due time), warned (open, due within <see cref="WarningWindow"/>).
    /// One indexed aggregate over the subtree's tasks.
    /// </summary>
    public async Task<TaskSummary> SummaryAsync(string scopePath, DateTimeOffset now, CancellationToken ct)
    {
        const string sql = """
            SELECT
              COALESCE(SUM(t.state IN ('pending','planned','submitted','returned','overdue') AND t.opens_at <= @now AND t.due_at > @now), 0) AS InProgress,
              COALESCE(SUM(t.state IN ('pending','planned','submitted','returned') AND t.due_at > @now AND t.due_at <= @monthEnd), 0) AS DueThisMonth,
              COALESCE(SUM(t.state IN ('pending','planned','submitted','returned') AND t.due_at > @now AND t.due_at <= @quarterEnd), 0) AS DueThisQuarter,
              COALESCE(SUM(t.state = 'overdue' OR (t.state IN ('pending','planned','returned') AND t.due_at <= @now)), 0) AS Overdue,
              COALESCE(SUM(t.state IN ('pending','planned','returned') AND t.due_at > @now AND t.due_at <= @warnUntil), 0) AS Warned,
              COALESCE(SUM(t.state = 'completed' AND t.due_at >= @yearStart AND t.due_at <= @yearEnd), 0) AS CompletedThisYear
            FROM orgs o JOIN tasks t ON t.org_id = o.id
            WHERE o.path LIKE @pattern
            """;
        var month = Periods.Containing(Recurrence.Monthly, now);
        var quarter = Periods.Containing(Recurrence.Quarterly, now);
        var year = Periods.Containing(Recurrence.Yearly, now);
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleAsync<(decimal, decimal, decimal, decimal, decimal, decimal)>(new CommandDefinition(sql, new
        {
            pattern = OrgPath.SubtreePattern(scopePath),
            now = now.UtcDateTime,
            // A period's due time is its (exclusive) end, so "due this month" includes the month's end instant.
            monthEnd = month.EndsAt.UtcDateTime,
            quarterEnd = quarter.EndsAt.UtcDateTime,
            warnUntil = (now + WarningWindow).UtcDateTime,
            yearStart = year.StartsAt.UtcDateTime,
            yearEnd = year.EndsAt.UtcDateTime,
        }, cancellationToken: ct));
        return new TaskSummary((int)row.Item1, (int)row.Item2, (int)row.Item3, (int)row.Item4, (int)row.Item5, (int)row.Item6);
    }

    public sealed record TaskListItem(
        long Id,
        long OrgId,
        string OrgName,
        string TemplateCode,
        string TemplateName,
        string PeriodKey,
        DateTimeOffset DueAt,
        TaskState State,
        decimal PossiblePoints);

    private sealed record Row(long Id, long OrgId, string OrgName, string TemplateCode, int TemplateVersion, string PeriodKey,
        DateTime DueAt, string State, decimal PossiblePoints);

    /// <summary>Tasks of the subtree, soonest due first, optionally of one state and/or one period.</summary>
    public async Task<IReadOnlyList<TaskListItem>> ListAsync(string scopePath, TaskState? state, string? periodKey, int limit,
        CancellationToken ct)
    {
        const string sql = """
            SELECT t.id AS Id, t.org_id AS OrgId, o.name AS OrgName, t.template_code AS TemplateCode,
                   t.template_version AS TemplateVersion, t.period_key AS PeriodKey, t.due_at AS DueAt, t.state AS State,
                   t.possible_points AS PossiblePoints
            FROM orgs o JOIN tasks t ON t.org_id = o.id
            WHERE o.path LIKE @pattern
              AND (@state IS NULL OR t.state = @state)
              AND (@periodKey IS NULL OR t.period_key = @periodKey)
            ORDER BY t.due_at, t.id
            LIMIT @limit
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<Row>(new CommandDefinition(sql, new
        {
            pattern = OrgPath.SubtreePattern(scopePath),
            state = state is { } s ? DbNames.Of(s) : null,
            periodKey,
            limit = Math.Clamp(limit, 1, 500),
        }, cancellationToken: ct));
        return rows.Select(r => new TaskListItem(r.Id, r.OrgId, r.OrgName, r.TemplateCode,
                TaskCatalogue.Default.Get(r.TemplateCode, r.TemplateVersion).Name, r.PeriodKey,
                new DateTimeOffset(r.DueAt, TimeSpan.Zero), DbNames.Parse<TaskState>(r.State), r.PossiblePoints))
            .ToList();
    }
}
