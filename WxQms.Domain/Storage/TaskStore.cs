using System.Text;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Tasks;

namespace WxQms.Domain.Storage;

public sealed class TaskStore(MySqlDataSource db)
{
    /// <summary>Rows per INSERT: few statements for a district's 77,000 tasks, and only two SQL texts
    /// for Dapper to cache (a full batch and the last one).</summary>
    public const int BatchSize = 500;

    private sealed record OrgRow(long Id, long? ParentId, string Kind, int Depth, DateTime CreatedOn);

    /// <summary>
    /// Every org as plan generation needs it: branches (with their full members, committee members
    /// and party groups) and the community-level orgs. Three grouped reads, joined in memory.
    /// </summary>
    public async Task<IReadOnlyList<OrgForPlanning>> LoadOrgsForPlanningAsync(CancellationToken ct)
    {
        const string sql = """
            SELECT id AS Id, parent_id AS ParentId, kind AS Kind, depth AS Depth,
                   COALESCE(established_on, DATE(created_at)) AS CreatedOn
            FROM orgs;

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

        return orgs
            .Where(o => o.Kind == DbNames.Of(OrgKind.Branch) || o.Depth == 1)
            .Select(o =>
            {
                var groups = groupsByBranch.GetValueOrDefault(o.Id) ?? [];
                var full = fullMembers.GetValueOrDefault(o.Id) + groups.Sum(g => fullMembers.GetValueOrDefault(g));
                return new OrgForPlanning(o.Id, DbNames.Parse<OrgKind>(o.Kind), DateOnly.FromDateTime(o.CreatedOn), full,
                    committee.GetValueOrDefault(o.Id), groups, CommunityLevel: o.Depth == 1);
            })
            .ToList();
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
}
