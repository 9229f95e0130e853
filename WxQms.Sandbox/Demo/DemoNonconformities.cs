using Dapper;
using MySqlConnector;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Nonconformities;

namespace WxQms.Sandbox.Demo;

/// <summary>What the demo's nonconformities are: how many the rules raised, and the inspectors' ones in each state.</summary>
public sealed record DemoNonconformityResult(int RaisedByRule, int Inspected);

/// <summary>
/// Demo only (<c>WxQms.Jobs simulate</c>): the rules run over the simulated year (branches with two warned or overdue tasks
/// in a quarter get their nonconformity), one of them past due; and six findings of an inspection, one per branch, carried
/// through the corrective action by the branch's secretary and the community's committee so that every state shows: open,
/// action recorded, awaiting check, reopened after a failed check, closed after a second check. The effectiveness check's
/// wait is shortened by moving its day to today (the demo has no month to wait). Keyed by source ref: running it again adds
/// nothing.
/// </summary>
public sealed class DemoNonconformities(MySqlDataSource db, NonconformityService service, NonconformityScan scan, TimeProvider clock)
{
    private sealed record Branch(long Id, string Path, long CommunityId, string CommunityPath, long Secretary, long Checker);

    private static readonly (string Clause, NonconformitySeverity Severity, string Text)[] Findings =
    [
        ("DFL-QP-03 §4.1", NonconformitySeverity.Minor, "支部委员会会议记录未写明议题和表决结果。"),
        ("DFL-WI-02 §3", NonconformitySeverity.Minor, "主题党日活动照片未体现活动内容，签到表缺失。"),
        ("DFL-QP-04 §2.3", NonconformitySeverity.Major, "党员发展档案缺少政治审查材料。"),
        ("DFL-WI-05 §4", NonconformitySeverity.Minor, "党务公开栏内容超过三个月未更新。"),
        ("DFL-QP-03 §4.3", NonconformitySeverity.Minor, "党员大会出席人数未达到应到党员半数仍作出决议。"),
        ("DFL-WI-01 §2", NonconformitySeverity.Minor, "三会一课计划未按季度报社区党委备案。"),
    ];

    public async Task<DemoNonconformityResult> PostAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var today = Periods.LocalDate(now);
        var byRule = await scan.RaiseByRulesAsync(now, ct);
        await using var conn = await db.OpenConnectionAsync(ct);
        var branches = (await conn.QueryAsync<Branch>(new CommandDefinition("""
            SELECT b.id AS Id, b.path AS Path, c.id AS CommunityId, c.path AS CommunityPath,
                   (SELECT MIN(r.member_id) FROM member_roles r WHERE r.role = 'secretary' AND r.org_id = b.id) AS Secretary,
                   (SELECT MIN(r.member_id) FROM member_roles r WHERE r.role IN ('committee', 'secretary') AND r.org_id = c.id) AS Checker
            FROM orgs b JOIN orgs c ON c.id = b.parent_id
            WHERE b.kind = 'branch' AND c.depth = 1
              AND EXISTS (SELECT 1 FROM member_roles r WHERE r.role = 'secretary' AND r.org_id = b.id)
              AND EXISTS (SELECT 1 FROM member_roles r WHERE r.role IN ('committee', 'secretary') AND r.org_id = c.id)
            ORDER BY c.id, b.id
            """, cancellationToken: ct))).GroupBy(b => b.CommunityId).SelectMany(g => g.Take(2)).Take(Findings.Length).ToList();
        var inspected = 0;
        for (var i = 0; i < branches.Count; i++)
        {
            var b = branches[i];
            var (clause, severity, text) = Findings[i];
            var (id, created) = await service.RaiseAsync(new NewNonconformity(b.Id, NonconformitySource.Inspection, $"demo-inspection:{i + 1}", clause,
                severity, text), new NcActor([], "demo:inspector", null, null), ct);
            if (!created)
                continue;
            inspected++;
            var secretary = new NcActor([new Grant(Roles.Secretary, b.Id, b.Path, OrgKind.Branch)], $"member:{b.Secretary}", b.Secretary, null);
            var checker = new NcActor([new Grant(Roles.Committee, b.CommunityId, b.CommunityPath, OrgKind.CommunityCommittee)], $"member:{b.Checker}",
                b.Checker, null);
            // 0 open; 1 action recorded; 2 awaiting check; 3 reopened; 4 and 5 closed (5 after a failed check first).
            if (i == 0)
                continue;
            var v = await service.RecordActionAsync(id, "支部对相关制度学习不够，责任人未落实。", "组织支委学习相关程序文件，明确责任人，按要求补齐材料。",
                today.AddDays(10 + i), 1, secretary, ct);
            if (i == 1)
                continue;
            v = await service.CompleteAsync(id, "已组织学习并补齐材料，见附件记录。", [], v.Item.Version, secretary, ct);
            if (i == 2)
                continue;
            v = await CheckNowAsync(conn, id, v.Item.Version, i != 4, i == 4 ? "抽查近两次会议记录，问题未再发生。" : "抽查发现同类问题再次发生。", checker, ct);
            if (i == 3 || i == 4)
                continue;
            v = await service.RecordActionAsync(id, "上次整改只补了材料，未建立复核机制。", "建立会后由组织委员复核、书记签字的制度。", today.AddDays(7), v.Item.Version,
                secretary, ct);
            v = await service.CompleteAsync(id, "复核制度已执行两次会议。", [], v.Item.Version, secretary, ct);
            await CheckNowAsync(conn, id, v.Item.Version, false, "抽查两次会议，复核签字齐全。", checker, ct);
        }
        // One raised by rule is past its countermeasure's due date: it shows in the register and costs its branch in the assessment.
        var ruleId = await conn.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT MIN(id) FROM nonconformities WHERE source = 'rule' AND state = 'open'", cancellationToken: ct));
        if (ruleId is { } rid && byRule > 0)
        {
            var n = await conn.QuerySingleAsync<(long OrgId, string Path, int Version)>(new CommandDefinition(
                "SELECT n.org_id, o.path, n.row_version FROM nonconformities n JOIN orgs o ON o.id = n.org_id WHERE n.id = @rid", new { rid },
                cancellationToken: ct));
            await service.RecordActionAsync(rid, "支部书记工作繁忙，任务未及时分派。", "明确组织委员负责任务提醒，每周检查一次任务进度。", today, n.Version,
                new NcActor([new Grant(Roles.Staff, n.OrgId, n.Path, OrgKind.Branch)], "demo:office", null, null), ct);
            await conn.ExecuteAsync(new CommandDefinition("UPDATE nonconformities SET action_due_on = @due WHERE id = @rid",
                new { rid, due = today.AddDays(-5).ToDateTime(TimeOnly.MinValue) }, cancellationToken: ct));
        }
        return new DemoNonconformityResult(byRule, inspected);
    }

    /// <summary>The check made today: its day is moved to today first (the demo does not wait the configured days).</summary>
    private async Task<NonconformityView> CheckNowAsync(MySqlConnection conn, long id, int version, bool failed, string note, NcActor checker,
        CancellationToken ct)
    {
        await conn.ExecuteAsync(new CommandDefinition("UPDATE nonconformities SET check_due_on = @today WHERE id = @id",
            new { id, today = Periods.LocalDate(clock.GetUtcNow()).ToDateTime(TimeOnly.MinValue) }, cancellationToken: ct));
        return await service.CheckAsync(id, !failed, note, version, checker, ct);
    }
}
