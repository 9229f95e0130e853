using System.Text;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MySqlConnector;
using WxQms.Domain.Rules.Assessment;
using WxQms.Domain.Rules.Members;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Members;
using WxQms.Domain.Storage;

namespace WxQms.Sandbox.Demo;

/// <summary>What the demo's members' own part wrote.</summary>
public sealed record DemoMemberPartResult(int Items, int Checkups, int Appraisals, int FollowUps);

/// <summary>
/// Demo only (<c>WxQms.Jobs simulate</c>): the 党性体检 questionnaire for last year and this year; last year's check-ups
/// done by everyone (self and branch, with their results) and every branch's 民主评议 recorded (优秀 within the share, a
/// few 基本合格, one 不合格 per community with its follow-up closed); this year in progress — most members have rated
/// themselves, their secretaries have rated about half, and the branches whose 组织生活会 is held have graded their
/// members (one 不合格 with its follow-up still open). Each member's answers follow from her id, so every run tells the
/// same story; rows are keyed, so running it again adds nothing.
/// </summary>
public sealed class DemoMemberPart(MySqlDataSource db, IOptions<AppraisalOptions> appraisal, TimeProvider clock, ILogger<DemoMemberPart> log)
{
    private static readonly (string Section, string Text, int Weight)[] Questionnaire =
    [
        ("理想信念", "坚定理想信念，对党绝对忠诚", 3), ("理想信念", "认真学习党的创新理论", 2), ("理想信念", "树立正确的世界观、人生观、价值观", 1),
        ("政治纪律", "严守政治纪律和政治规矩", 3), ("政治纪律", "不传播违背党的理论和路线方针政策的言论", 2),
        ("组织观念", "按时参加组织生活，按时足额交纳党费", 3), ("组织观念", "如实向党组织汇报思想和工作", 1),
        ("作风纪律", "廉洁自律，遵守中央八项规定精神", 2), ("作风纪律", "密切联系群众，热心为群众办实事", 2),
        ("发挥作用", "在社区治理和志愿服务中发挥先锋模范作用", 3), ("发挥作用", "带头认领微心愿、参与结对帮扶", 1),
    ];

    private sealed record Person(long Id, long OrgId, long BranchId, string Status, long? Secretary);

    public async Task<DemoMemberPartResult> PostAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var year = Periods.LocalDate(now).Year;
        await using var conn = await db.OpenConnectionAsync(ct);
        var items = 0;
        foreach (var y in new[] { year - 1, year })
            items += await QuestionnaireAsync(conn, y, now, ct);
        var people = (await conn.QueryAsync<Person>(new CommandDefinition("""
            SELECT m.id AS Id, m.org_id AS OrgId, COALESCE(g.parent_id, m.org_id) AS BranchId, m.status AS Status,
                   (SELECT MIN(r.member_id) FROM member_roles r WHERE r.role = 'secretary' AND r.org_id = COALESCE(g.parent_id, m.org_id)) AS Secretary
            FROM members m LEFT JOIN orgs g ON g.id = m.org_id AND g.kind = 'party_group'
            WHERE m.status IN ('full', 'probationary')
            ORDER BY m.id
            """, cancellationToken: ct))).ToList();

        var checkups = await CheckupsAsync(conn, year - 1, people, everyone: true, now, ct)
                       + await CheckupsAsync(conn, year, people, everyone: false, now, ct);
        var held = (await conn.QueryAsync<long>(new CommandDefinition("""
            SELECT org_id FROM tasks WHERE template_code = @code AND period_key = @key AND state = 'completed'
            """, new { code = TaskCodes.OrgLifeMeeting, key = year.ToString("D4", System.Globalization.CultureInfo.InvariantCulture) },
            cancellationToken: ct))).ToHashSet();
        var (graded, followUps) = await AppraisalsAsync(conn, year - 1, people, _ => true, closeFollowUps: true, now, ct);
        var (gradedNow, followUpsNow) = await AppraisalsAsync(conn, year, people, held.Contains, closeFollowUps: false, now, ct);
        var result = new DemoMemberPartResult(items, checkups, graded + gradedNow, followUps + followUpsNow);
        log.LogInformation("Demo members' own part: {Items} questionnaire items, {Checkups} check-ups, {Appraisals} grades, {FollowUps} follow-ups",
            result.Items, result.Checkups, result.Appraisals, result.FollowUps);
        return result;
    }

    private static async Task<int> QuestionnaireAsync(MySqlConnection conn, int year, DateTimeOffset now, CancellationToken ct)
    {
        if (await conn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM checkup_items WHERE year = @year)",
                new { year }, cancellationToken: ct)))
            return 0;
        var order = 0;
        foreach (var (section, text, weight) in Questionnaire)
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO checkup_items (year, section, text, weight, sort_order, created_at) VALUES (@year, @section, @text, @weight, @order, @now)
                """, new { year, section, text, weight, order = ++order, now = now.UtcDateTime }, cancellationToken: ct));
        return Questionnaire.Length;
    }

    /// <summary>A rating from 2 to 5 that follows from the member, the item and who rates (most 4 and 5, some 3, a few 2).</summary>
    private static int Rating(long member, long item, int side)
    {
        var h = (int)((member * 7919 + item * 104_729 + side * 1_299_709) % 20);
        return h switch { 0 => 2, < 4 => 3, < 11 => 4, _ => 5 };
    }

    private static async Task<int> CheckupsAsync(MySqlConnection conn, int year, IReadOnlyList<Person> people, bool everyone, DateTimeOffset now,
        CancellationToken ct)
    {
        var items = await CheckupStore.ItemsAsync(conn, null, year, ct);
        var rows = new List<object?[]>();
        foreach (var p in people)
        {
            var selfDone = everyone || p.Id % 10 < 7;
            var branchDone = everyone || (selfDone && p.Id % 2 == 0);
            if (!selfDone)
                continue;
            var self = items.ToDictionary(i => i.Id, i => Rating(p.Id, i.Id, 1));
            var branch = branchDone ? items.ToDictionary(i => i.Id, i => Rating(p.Id, i.Id, 2)) : null;
            var result = branch is null ? null : Checkups.Result(items, self, branch);
            var at = everyone ? new DateTime(year, 11, 20, 2, 0, 0, DateTimeKind.Utc) : now.UtcDateTime.AddDays(-(p.Id % 20));
            rows.Add([year, p.Id, p.OrgId, CheckupStore.Json(self), at, branch is null ? null : CheckupStore.Json(branch),
                branch is null ? null : at.AddDays(3), branch is null ? null : p.Secretary, result?.Score,
                result is null ? null : DbNames.Of(result.Grade),
                result is null ? null : System.Text.Json.JsonSerializer.Serialize(result.ToImprove.Select(i => i.Id)), at, at]);
        }
        return await InsertIgnoreAsync(conn, """
            INSERT IGNORE INTO checkups (year, member_id, org_id, self_ratings, self_at, branch_ratings, branch_at, branch_by_member_id,
                                         score, grade, improve, created_at, updated_at) VALUES
            """, rows, ct);
    }

    private async Task<(int Grades, int FollowUps)> AppraisalsAsync(MySqlConnection conn, int year, IReadOnlyList<Person> people,
        Func<long, bool> branchHeld, bool closeFollowUps, DateTimeOffset now, CancellationToken ct)
    {
        var rows = new List<object?[]>();
        var followUps = new List<object?[]>();
        var at = closeFollowUps ? new DateTime(year, 12, 20, 2, 0, 0, DateTimeKind.Utc) : now.UtcDateTime.AddDays(-1);
        var unqualifiedGiven = new HashSet<long>();
        foreach (var branch in people.Where(p => p.Status == "full" && branchHeld(p.BranchId)).GroupBy(p => p.BranchId))
        {
            var members = branch.OrderBy(p => p.Id).ToList();
            var excellent = Appraisals.MaxExcellent(members.Count, appraisal.Value.ExcellentShare);
            for (var i = 0; i < members.Count; i++)
            {
                var p = members[i];
                var grade = i % 3 == 1 && excellent-- > 0 ? AppraisalGrade.Excellent
                    : i % 11 == 5 ? AppraisalGrade.BasicallyQualified
                    : i == 7 && unqualifiedGiven.Count < 6 && unqualifiedGiven.Add(branch.Key) ? AppraisalGrade.Unqualified
                    : AppraisalGrade.Qualified;
                rows.Add([year, p.Id, p.OrgId, DbNames.Of(grade), at, p.Secretary]);
                if (grade == AppraisalGrade.Unqualified)
                {
                    var due = DateOnly.FromDateTime(at).AddDays(appraisal.Value.FollowUpDays);
                    followUps.Add([year, p.Id, branch.Key, at, due.ToDateTime(TimeOnly.MinValue),
                        closeFollowUps ? at.AddDays(10).Date : null, closeFollowUps ? "每月参加主题党日并向支部书记汇报思想，季度内完成一次志愿服务" : null,
                        closeFollowUps ? at.AddDays(25) : null]);
                }
            }
        }
        var graded = await InsertIgnoreAsync(conn, """
            INSERT IGNORE INTO appraisals (year, member_id, org_id, grade, recorded_at, recorded_by_member_id) VALUES
            """, rows, ct);
        var opened = await InsertIgnoreAsync(conn, """
            INSERT IGNORE INTO appraisal_followups (year, member_id, org_id, opened_at, due_on, talked_on, plan, closed_at) VALUES
            """, followUps, ct);
        return (graded, opened);
    }

    private static async Task<int> InsertIgnoreAsync(MySqlConnection conn, string head, IReadOnlyList<object?[]> rows, CancellationToken ct)
    {
        var written = 0;
        foreach (var chunk in rows.Chunk(500))
        {
            var sql = new StringBuilder(head);
            var args = new DynamicParameters();
            for (var r = 0; r < chunk.Length; r++)
            {
                sql.Append(r == 0 ? "\n(" : ",\n(");
                for (var c = 0; c < chunk[r].Length; c++)
                {
                    sql.Append(c == 0 ? "" : ", ").Append($"@p{r}_{c}");
                    args.Add($"p{r}_{c}", chunk[r][c]);
                }
                sql.Append(')');
            }
            written += await conn.ExecuteAsync(new CommandDefinition(sql.ToString(), args, cancellationToken: ct));
        }
        return written;
    }
}
