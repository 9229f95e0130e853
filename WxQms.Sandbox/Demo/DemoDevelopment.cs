using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Development;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Development;
using WxQms.Domain.Storage;

namespace WxQms.Sandbox.Demo;

/// <summary>
/// The demo's member development (<c>WxQms.Jobs simulate</c>): in the first branch of every community, three people who
/// applied between four months and three years ago, their steps recorded as the timetable allows up to today (each
/// checked by <see cref="DevelopmentRules"/>), so the pipeline shows applicants, activists, candidates, probationary and
/// new full members, some of them with a deadline close or passed, and the branch's tasks for the deadlines of this month
/// on. Runs once: nothing happens if the demo's applicants exist.
/// </summary>
public sealed class DemoDevelopment(MySqlDataSource db, DevelopmentStore store, DevelopmentDutyService duties, TimeProvider clock,
    ILogger<DemoDevelopment> log)
{
    private static readonly string[] Names =
    [
        "王思远", "李佳怡", "张浩然", "刘雨桐", "陈子涵", "杨欣然", "赵一鸣", "黄梓萱", "周俊杰", "吴若曦", "徐晨阳", "孙雅琪",
        "马天宇", "朱诗涵", "胡家豪", "郭婉清", "何志强", "高梦瑶", "林泽宇", "罗静怡", "梁文博", "宋可欣", "郑凯文", "谢语嫣",
    ];

    /// <summary>How long ago each of a community's three applicants applied, in days (by the community's place).</summary>
    private static readonly int[][] Ages = [[120, 540, 1000], [40, 420, 800], [200, 700, 1100], [15, 380, 900]];

    /// <summary>Days from one step to the next, in the demo's story (step n's gap before it).</summary>
    private static int Gap(int step) => step switch
    {
        2 => 20, 3 => 45, 4 => 7, 5 => 2, 6 => 180, 7 => 190, 8 => 7, 9 => 2, 10 => 6, 11 => 12, 12 => 8, 13 => 6, 14 => 5, 15 => 14,
        16 => 8, 17 => 40, 18 => 7, 19 => 5, 20 => 10, 21 => 150, 22 => 150, 23 => 20, 24 => 25, 25 => 5, _ => 0,
    };

    public async Task<int> PostAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var today = Periods.LocalDate(now);
        await using var conn = await db.OpenConnectionAsync(ct);
        if (await conn.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM dev_applicants WHERE actor = @Actor",
                new { DemoSeeder.Actor }, cancellationToken: ct)) > 0)
            return 0;
        var branches = (await conn.QueryAsync<(long Community, long Branch)>(new CommandDefinition("""
            SELECT c.id, MIN(b.id) FROM orgs c JOIN orgs b ON b.path LIKE CONCAT(c.path, '%') AND b.kind = 'branch'
            WHERE c.depth = 1 AND c.dissolved_on IS NULL GROUP BY c.id ORDER BY c.id
            """, cancellationToken: ct))).ToList();
        var added = 0;
        for (var c = 0; c < branches.Count; c++)
        {
            var branch = branches[c].Branch;
            var full = (await conn.QueryAsync<long>(new CommandDefinition("""
                SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id
                WHERE o.path LIKE (SELECT CONCAT(path, '%') FROM orgs WHERE id = @branch) AND m.status = 'full' ORDER BY m.id
                """, new { branch }, cancellationToken: ct))).ToList();
            if (full.Count < 3)
                continue;
            for (var i = 0; i < 3; i++)
            {
                var name = Names[(c * 3 + i) % Names.Length];
                var applied = today.AddDays(-Ages[c % Ages.Length][i]);
                var birth = applied.AddYears(-(20 + (c * 7 + i * 5) % 25)).AddDays(-(c * 31 % 300));
                var id = await store.AddApplicantAsync(new NewApplicant(branch, name, i % 2 == 0 ? Sex.Female : Sex.Male, birth, null, null),
                    DemoSeeder.Actor, now, a => new AuditEntry(now, DemoSeeder.Actor, "development.applicant_added", "dev_applicant", a, branch), ct);
                await WalkAsync(id, birth, applied, today, full, now, ct);
                await duties.SyncAsync((await store.GetAsync(id, ct))!, DemoSeeder.Actor, null, ct); // the branch's development tasks
                added++;
            }
        }
        log.LogInformation("Demo development: {Count} applicants at several stages", added);
        return added;
    }

    /// <summary>Records the steps one by one on the story's days while the rules allow them and the day has come.</summary>
    private async Task WalkAsync(long id, DateOnly birth, DateOnly applied, DateOnly today, IReadOnlyList<long> full, DateTimeOffset now,
        CancellationToken ct)
    {
        var records = new List<DevRecord>();
        var day = applied;
        for (var step = 1; step <= DevelopmentSteps.Count; step++)
        {
            day = step == 1 ? applied : day.AddDays(Gap(step));
            var facts = new DevFacts(birth, records);
            if (DevelopmentRules.Window(facts, step).Earliest is { } earliest && day < earliest)
                day = earliest;
            if (day > today)
                return;
            var s = DevelopmentSteps.Get(step)!;
            var vote = s.Evidence.HasFlag(DevEvidence.Vote) ? new DevVote(full.Count, full.Count - 1, full.Count - 2) : null;
            var people = s.Evidence.HasFlag(DevEvidence.Introducers) ? full.Take(2).ToList()
                : s.Evidence.HasFlag(DevEvidence.Contacts) ? full.Skip(1).Take(1).ToList() : [];
            var training = s.Evidence.HasFlag(DevEvidence.Training) ? new DevTraining(3, 24) : null;
            var conclusion = s.Evidence.HasFlag(DevEvidence.Conclusion) ? "政治历史清白，现实表现良好，同意列为发展对象" : null;
            var findings = DevelopmentRules.Check(facts, new DevStepInput(step, day, people, vote, training, conclusion, 1), today);
            if (findings.Any(f => f.Severity == DevSeverity.Block))
                return;
            var evidence = new StepEvidence(people, vote, training, conclusion, null, findings.ToList());
            var (effect, effectOn) = step switch
            {
                DevelopmentSteps.AdmissionApproval => (DevEffect.Admit, DevelopmentRules.AdmittedOn(facts)),
                DevelopmentSteps.FullMembershipApproval => (DevEffect.MakeFull, DevelopmentRules.PartyStandingOn(facts)),
                _ => (DevEffect.None, (DateOnly?)null),
            };
            await store.RecordStepAsync(new DevStepWrite(id, records.Count, step, day, JsonSerializer.Serialize(evidence, JsonDefaults.Storage), [],
                    null, [], effect, effectOn, DemoSeeder.Actor, null), now,
                (stepId, _) => new AuditEntry(now, DemoSeeder.Actor, "development.step_recorded", "dev_applicant", id, Data: new { step, day }), [], ct);
            records.Add(new DevRecord(step, day));
        }
    }
}
