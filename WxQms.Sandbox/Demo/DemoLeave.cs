using Dapper;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using WxQms.Domain.Services.Meetings;

namespace WxQms.Sandbox.Demo;

/// <summary>
/// Leave requests waiting (<c>WxQms.Jobs simulate</c>, after the reminder scenario planned the coming meetings): for each
/// branch meeting planned in the next week, two plain members ask leave through <see cref="LeaveService"/> as the mini
/// program does, so the secretary has them pending on 签到与请假 and her notice in the outbox. A meeting that already has
/// a request waiting is left alone, so running it again adds nothing.
/// </summary>
public sealed class DemoLeave(MySqlDataSource db, LeaveService leave, TimeProvider clock, ILogger<DemoLeave> log)
{
    private static readonly string[] Reasons = ["出差在外地", "家中老人住院陪护", "单位值班"];

    public async Task<int> PostAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync(ct);
        var meetings = (await conn.QueryAsync<(long TaskId, long OrgId)>(new CommandDefinition("""
            SELECT t.id, t.org_id FROM tasks t JOIN orgs o ON o.id = t.org_id
            WHERE t.state = 'planned' AND t.planned_for > @now AND t.planned_for <= @until AND o.kind = 'branch'
              AND NOT EXISTS (SELECT 1 FROM leave_requests l WHERE l.task_id = t.id AND l.state = 'pending')
            ORDER BY t.planned_for LIMIT 10
            """, new { now = now.UtcDateTime, until = now.AddDays(7).UtcDateTime }, cancellationToken: ct))).ToList();
        var asked = 0;
        foreach (var (taskId, orgId) in meetings)
        {
            var members = await conn.QueryAsync<long>(new CommandDefinition("""
                SELECT m.id FROM members m WHERE m.org_id = @orgId AND m.status IN ('full', 'probationary')
                  AND NOT EXISTS (SELECT 1 FROM member_roles r WHERE r.member_id = m.id AND r.role <> 'member')
                ORDER BY m.id DESC LIMIT 2
                """, new { orgId }, cancellationToken: ct));
            foreach (var member in members)
            {
                try
                {
                    await leave.AskAsync(member, taskId, Reasons[(asked + (int)(member % 3)) % Reasons.Length], ct);
                    asked++;
                }
                catch (Exception e) when (e is Domain.Model.RuleViolationException or Domain.Model.ForbiddenException)
                {
                    log.LogInformation("Demo leave: member {Member} could not ask leave from task {Task}: {Reason}", member, taskId, e.Message);
                }
            }
        }
        log.LogInformation("Demo leave: {Count} requests waiting for their secretaries", asked);
        return asked;
    }
}
