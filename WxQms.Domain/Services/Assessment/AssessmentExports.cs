using Dapper;
using MySqlConnector;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Assessment;

/// <summary>A task as the office's spreadsheet lists it (Chinese labels, Shanghai times).</summary>
public sealed record TaskStatusLine(string Org, string Task, string Period, DateTime DueAt, string State, bool AdHoc, decimal Possible,
    decimal Points);

/// <summary>Rows for the office's exports (issue #6): task status of a subtree over a period.</summary>
public sealed class AssessmentExports(MySqlDataSource db)
{
    public const int MaxRows = 200_000;

    private sealed record Row(string Org, string TemplateCode, int TemplateVersion, string PeriodKey, DateTime DueAt, string State,
        bool AdHoc, decimal Possible, decimal Points);

    public async Task<IReadOnlyList<TaskStatusLine>> TaskStatusAsync(string scopePath, Period period, CancellationToken ct)
    {
        const string sql = """
            SELECT o.name AS Org, t.template_code AS TemplateCode, t.template_version AS TemplateVersion, t.period_key AS PeriodKey,
                   t.due_at AS DueAt, t.state AS State, t.adhoc AS AdHoc, t.possible_points AS Possible,
                   COALESCE((SELECT SUM(l.points) FROM points_ledger l WHERE l.task_id = t.id AND l.subject_type = 'org'), 0) AS Points
            FROM orgs o JOIN tasks t ON t.org_id = o.id
            WHERE o.path LIKE @pattern AND t.due_at > @from AND t.due_at <= @to
            ORDER BY o.path, t.due_at, t.id
            LIMIT @limit
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<Row>(new CommandDefinition(sql, new
        {
            pattern = OrgPath.SubtreePattern(scopePath), from = period.StartsAt.UtcDateTime, to = period.EndsAt.UtcDateTime,
            limit = MaxRows,
        }, cancellationToken: ct));
        return rows.Select(r => new TaskStatusLine(r.Org, Name(r.TemplateCode, r.TemplateVersion), r.PeriodKey,
            TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(r.DueAt, DateTimeKind.Utc), Periods.Shanghai),
            TaskTransitions.StatusLabel(DbNames.Parse<TaskState>(r.State)), r.AdHoc, r.Possible, r.Points)).ToList();
    }

    /// <summary>Ad-hoc tasks may carry codes outside the catalogue; they show by their code.</summary>
    private static string Name(string code, int version)
    {
        try
        {
            return TaskCatalogue.Default.Get(code, version).Name;
        }
        catch (KeyNotFoundException)
        {
            return code;
        }
    }
}
