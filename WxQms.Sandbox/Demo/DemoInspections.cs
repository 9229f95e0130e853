using Dapper;
using MySqlConnector;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Inspections;
using WxQms.Domain.Services.Inspections;
using WxQms.Domain.Services.Nonconformities;

namespace WxQms.Sandbox.Demo;

/// <summary>What the demo's inspections are: inspectors appointed, visits planned and done, self-inspections, audits.</summary>
public sealed record DemoInspectionResult(int Inspectors, int Planned, int Submitted, int SelfInspections, int Audits);

/// <summary>
/// Demo only (<c>WxQms.Jobs simulate</c>): the demo's inspectors (巡查员, the members holding the inspector role) appointed
/// for a term; this year's inspection plan covering every branch once, quarter by quarter in turn, those of past quarters
/// done (every fifth with a finding that enters the register) and half of this quarter's; six branches' self-inspection of
/// this quarter (three done, one finding); this year's internal audit planned for this quarter with ten branches audited
/// (one finding). Planned through the same service the console uses; running it again adds nothing.
/// </summary>
public sealed class DemoInspections(MySqlDataSource db, InspectionService service)
{
    public async Task<DemoInspectionResult> PostAsync(CancellationToken ct)
    {
        var (year, current) = service.CurrentQuarter();
        await using var conn = await db.OpenConnectionAsync(ct);
        var root = await conn.QuerySingleAsync<(long Id, string Path)>(new CommandDefinition(
            "SELECT id, path FROM orgs WHERE parent_id IS NULL ORDER BY id LIMIT 1", cancellationToken: ct));
        var office = new NcActor([new Grant(Roles.Staff, root.Id, root.Path, OrgKind.Subdistrict)], "demo:office", null, null);
        if (await conn.ExecuteScalarAsync<int>(new CommandDefinition("SELECT COUNT(*) FROM inspectors", cancellationToken: ct)) > 0)
            return new DemoInspectionResult(0, 0, 0, 0, 0);
        var holders = (await conn.QueryAsync<(long Id, bool Staff)>(new CommandDefinition("""
            SELECT r.member_id, EXISTS (SELECT 1 FROM member_roles s WHERE s.member_id = r.member_id AND s.role = 'staff')
            FROM member_roles r WHERE r.role = 'inspector' ORDER BY r.member_id
            """, cancellationToken: ct))).ToList();
        foreach (var (id, staff) in holders)
            await service.AppointAsync(office, id, staff ? "街道党工委" : "共建单位（社区老党员）", new DateOnly(year, 1, 1), new DateOnly(year + 1, 12, 31), ct);
        var branches = (await conn.QueryAsync<(long Id, string Path)>(new CommandDefinition(
            "SELECT id, path FROM orgs WHERE kind = 'branch' AND dissolved_on IS NULL ORDER BY path", cancellationToken: ct))).ToList();
        int planned = 0, submitted = 0;
        for (var i = 0; i < branches.Count && holders.Count > 0; i++)
        {
            var quarter = i % 4 + 1;
            var inspector = holders[i % holders.Count].Id;
            var id = await service.PlanAsync(office, branches[i].Id, year, quarter, inspector, ct);
            planned++;
            if (quarter > current || quarter == current && i % 2 == 1)
                continue;
            var who = new NcActor([new Grant(Roles.Inspector, root.Id, root.Path, OrgKind.Subdistrict)], $"member:{inspector}", inspector, null);
            await SubmitAsync(id, who, i % 5 == 0 ? "支部委员会会议记录未写明议题和表决结果，签到表缺两次。" : null, ct);
            submitted++;
        }
        var selfInspections = 0;
        foreach (var (b, i) in branches.Take(6).Select((b, i) => (b, i)))
        {
            var secretary = await conn.ExecuteScalarAsync<long?>(new CommandDefinition(
                "SELECT MIN(member_id) FROM member_roles WHERE role = 'secretary' AND org_id = @id", new { id = b.Id }, cancellationToken: ct));
            if (secretary is not { } s)
                continue;
            var who = new NcActor([new Grant(Roles.Secretary, b.Id, b.Path, OrgKind.Branch)], $"member:{s}", s, null);
            var id = await service.StartSelfInspectionAsync(who, b.Id, b.Path, OrgKind.Branch, ct);
            selfInspections++;
            if (i < 3)
                await SubmitAsync(id, who, i == 0 ? "党务公开栏本季度未更新，仍是上季度内容。" : null, ct);
        }
        var audits = holders.Count == 0 ? 0 : await service.PlanAuditAsync(office, year, current, ct);
        var (plan, _) = await service.CoverageAsync(office, year, InspectionKind.Audit, ct);
        foreach (var (a, i) in plan.Take(10).Select((a, i) => (a, i)))
        {
            var who = new NcActor([new Grant(Roles.Inspector, root.Id, root.Path, OrgKind.Subdistrict)], $"member:{a.InspectorMemberId}",
                a.InspectorMemberId, null);
            await SubmitAsync(a.Id, who, i == 0 ? "党员发展档案缺少政治审查材料。" : null, ct);
        }
        return new DemoInspectionResult(holders.Count, planned, submitted, selfInspections, audits);
    }

    /// <summary>Every item passed, but the first fails with <paramref name="finding"/> when one is given.</summary>
    private async Task SubmitAsync(long id, NcActor who, string? finding, CancellationToken ct)
    {
        var v = await service.GetAsync(id, who, ct);
        var answers = v.Items.Select(x => x.No == 1 && finding is not null
            ? new ItemAnswer(x.No, "fail", "minor", finding, null)
            : new ItemAnswer(x.No, "pass", null, null, null)).ToList();
        await service.SubmitAsync(id, answers, finding is null ? "各项工作规范，记录齐全。" : "总体较好，发现问题已列入不符合项，请支部按期整改。", v.Item.Version, who, ct);
    }
}
