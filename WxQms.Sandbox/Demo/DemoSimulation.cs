using Dapper;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using WxQms.Domain.Caching;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Assessment;
using WxQms.Domain.Storage;

namespace WxQms.Sandbox.Demo;

public sealed record SimulationResult(string Month, int OnTime, int Late, int LeftOpen, int Attendance, bool Closed);

/// <summary>
/// A month of work on the demo data, for demos only (<c>WxQms.Jobs simulate</c>): each branch gets a
/// steady diligence (from its id, so every run tells the same story), and each open task due in the month
/// is completed on time, completed late or left to go overdue accordingly. Completions book the ledger
/// entries the task flow books (task.completed / task.completed_late for the org, task.attendance for
/// about four in five of its members, one point each), dated inside the month. No evidence rows are made.
/// Safe to repeat: completed tasks are skipped and each ledger entry is unique per (source, task, subject).
/// A month that is over is then closed, so the ranking page has a snapshot and a live month.
/// </summary>
public sealed class DemoSimulation(MySqlDataSource db, PlanService plans, OverdueMarker overdue, AssessmentService assessment,
    RankingCache cache, ITaskCatalogueSource duties, TimeProvider clock, ILogger<DemoSimulation> log)
{
    public const string Actor = "simulate";

    private sealed record OpenTask(long Id, long OrgId, string TemplateCode, int TemplateVersion, string PeriodKey, DateTime OpensAt,
        DateTime DueAt, decimal PossiblePoints);

    public async Task<IReadOnlyList<SimulationResult>> SimulateRecentAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var current = Periods.Containing(Recurrence.Monthly, now);
        var previous = Periods.Containing(Recurrence.Monthly, current.StartsAt.AddDays(-1));
        return [await SimulateAsync(previous, ct), await SimulateAsync(current, ct)];
    }

    public async Task<SimulationResult> SimulateAsync(Period month, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await plans.GenerateYearAsync(month.Year, ct);
        var catalogue = await duties.GetAsync(ct);
        await using var conn = await db.OpenConnectionAsync(ct);
        var tasks = (await conn.QueryAsync<OpenTask>(new CommandDefinition("""
            SELECT id AS Id, org_id AS OrgId, template_code AS TemplateCode, template_version AS TemplateVersion,
                   period_key AS PeriodKey, opens_at AS OpensAt, due_at AS DueAt, possible_points AS PossiblePoints
            FROM tasks
            WHERE due_at > @from AND due_at <= @to AND state IN ('pending', 'planned', 'returned', 'overdue')
            ORDER BY id
            """, new { from = month.StartsAt.UtcDateTime, to = month.EndsAt.UtcDateTime }, cancellationToken: ct))).ToList();
        var roster = (await conn.QueryAsync<(long OrgId, long MemberId)>(new CommandDefinition("""
            SELECT COALESCE(g.parent_id, m.org_id), m.id
            FROM members m JOIN orgs o ON o.id = m.org_id LEFT JOIN orgs g ON g.id = m.org_id AND g.kind = 'party_group'
            WHERE m.status IN ('full', 'probationary')
            """, cancellationToken: ct))).ToLookup(r => r.OrgId, r => r.MemberId);

        int onTime = 0, late = 0, open = 0, attendance = 0;
        foreach (var t in tasks)
        {
            var rng = new Random(unchecked((int)(t.Id * 7919 + 17)));
            var diligence = 0.55 + new Random(unchecked((int)(t.OrgId * 104729 + 3))).NextDouble() * 0.43;
            var opens = new DateTimeOffset(t.OpensAt, TimeSpan.Zero);
            var due = new DateTimeOffset(t.DueAt, TimeSpan.Zero);
            var start = opens < month.StartsAt ? month.StartsAt : opens;
            var roll = rng.NextDouble();
            var doneAt = start + (due - start) * (0.3 + 0.65 * rng.NextDouble());
            var isLate = roll >= diligence * 0.85 && roll < diligence;
            if (isLate)
                doneAt = due + TimeSpan.FromDays(1 + rng.Next(5));
            if (roll >= diligence || doneAt > now)
            {
                open++;
                continue;
            }

            var template = catalogue.Get(t.TemplateCode, t.TemplateVersion);
            var points = isLate ? Math.Max(0, t.PossiblePoints - template.LateDeduction) : t.PossiblePoints;
            await using var tx = await conn.BeginTransactionAsync(ct);
            var changed = await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE tasks SET state = 'completed', row_version = row_version + 1, updated_at = @at
                WHERE id = @Id AND state IN ('pending', 'planned', 'returned', 'overdue')
                """, new { t.Id, at = doneAt.UtcDateTime }, tx, cancellationToken: ct));
            if (changed == 0)
            {
                await tx.RollbackAsync(ct);
                continue;
            }
            var entries = new List<LedgerEntry>
            {
                new(LedgerSubjects.Org, t.OrgId, t.PeriodKey, points, isLate ? LedgerSources.CompletedLate : LedgerSources.Completed,
                    $"{template.Name}（{t.PeriodKey}）{(isLate ? "逾期完成" : "按时完成")}（演示模拟）", doneAt, t.Id),
            };
            var present = roster[t.OrgId].Where(_ => rng.NextDouble() < 0.8).ToList();
            entries.AddRange(present.Select(m => new LedgerEntry(LedgerSubjects.Member, m, t.PeriodKey, 1, LedgerSources.Attendance,
                $"参加{template.Name}（演示模拟）", doneAt, t.Id)));
            await LedgerStore.BookOnceAsync(conn, tx, entries, ct);
            attendance += present.Count;
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, Actor, "task.completed", "task", t.Id, t.OrgId,
                Data: new { simulated = true, late = isLate }), ct);
            await tx.CommitAsync(ct);
            if (isLate)
                late++;
            else
                onTime++;
        }

        await overdue.MarkDueAsync(now, ct);
        var closed = month.EndsAt + TimeSpan.FromHours(1) <= now && await assessment.CloseMonthAsync(month, ct);
        await cache.InvalidateAsync();
        log.LogInformation("Simulated {Month}: {OnTime} on time, {Late} late, {Open} left open, {Attendance} attendance marks{Closed}",
            month.Key, onTime, late, open, attendance, closed ? "; month closed" : "");
        return new SimulationResult(month.Key, onTime, late, open, attendance, closed);
    }
}
