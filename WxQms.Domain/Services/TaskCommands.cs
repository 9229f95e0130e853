using Dapper;
using MySqlConnector;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services;

public sealed record PlanReport(DateTimeOffset PlannedFor, string Place, string Topic);

public sealed record TaskSnapshot(long Id, long OrgId, string TemplateCode, int TemplateVersion, string PeriodKey,
    DateTimeOffset OpensAt, DateTimeOffset DueAt, TaskState State, bool AdHoc, int RowVersion,
    DateTimeOffset? PlannedFor, string? Place, string? Topic);

/// <summary>
/// Changes to one task. Each change is checked by the pure rules, written with the row version the
/// caller read (a concurrent change makes it fail with 409 instead of overwriting), and leaves an
/// audit entry with who, when, from, to and why in the same transaction.
/// </summary>
public sealed class TaskCommands(MySqlDataSource db, TimeProvider clock)
{
    public const int MaxTextLength = 200;

    private sealed record Row(long Id, long OrgId, string TemplateCode, int TemplateVersion, string PeriodKey, DateTime OpensAt,
        DateTime DueAt, string State, bool AdHoc, int RowVersion, DateTime? PlannedFor, string? Place, string? Topic);

    public async Task<TaskSnapshot?> GetAsync(long id, CancellationToken ct)
    {
        const string sql = """
            SELECT id AS Id, org_id AS OrgId, template_code AS TemplateCode, template_version AS TemplateVersion,
                   period_key AS PeriodKey, opens_at AS OpensAt, due_at AS DueAt, state AS State, adhoc AS AdHoc,
                   row_version AS RowVersion, planned_for AS PlannedFor, place AS Place, topic AS Topic
            FROM tasks WHERE id = @id
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var r = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(sql, new { id }, cancellationToken: ct));
        return r is null ? null : new TaskSnapshot(r.Id, r.OrgId, r.TemplateCode, r.TemplateVersion, r.PeriodKey,
            Utc(r.OpensAt), Utc(r.DueAt), DbNames.Parse<TaskState>(r.State), r.AdHoc, r.RowVersion,
            r.PlannedFor is { } p ? Utc(p) : null, r.Place, r.Topic);
    }

    /// <summary>预先报备: date, place and topic, the required days ahead, inside the task's period.</summary>
    public async Task<TaskSnapshot> ReportPlanAsync(long taskId, int expectedVersion, PlanReport plan, string actor,
        long? actorMemberId, CancellationToken ct)
    {
        var place = Required(plan.Place, "地点");
        var topic = Required(plan.Topic, "主题");
        var task = await GetAsync(taskId, ct) ?? throw new NotFoundException($"任务 {taskId} 不存在");
        var template = TaskCatalogue.Default.Get(task.TemplateCode, task.TemplateVersion);
        var now = clock.GetUtcNow();

        var transition = TaskTransitions.Apply(task.State, TaskAction.ReportPlan, new TaskFacts(
            PlanRequired: template.PlanRule.Required, HasPlan: task.PlannedFor is not null, AdHoc: task.AdHoc,
            PastDue: now >= task.DueAt));
        if (!transition.Allowed)
            throw new RuleViolationException("task.transition_refused", transition.Refusal!);
        if (PlanCheck.Refusal(template, plan.PlannedFor, now, task.OpensAt, task.DueAt) is { } refusal)
            throw new RuleViolationException("task.plan_refused", refusal);

        const string update = """
            UPDATE tasks
            SET state = @to, planned_for = @plannedFor, place = @place, topic = @topic, planned_at = @now,
                row_version = row_version + 1, updated_at = @now
            WHERE id = @id AND row_version = @expectedVersion
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var changed = await conn.ExecuteAsync(new CommandDefinition(update, new
        {
            id = taskId,
            expectedVersion,
            to = DbNames.Of(transition.To!.Value),
            plannedFor = plan.PlannedFor.UtcDateTime,
            place,
            topic,
            now = now.UtcDateTime,
        }, tx, cancellationToken: ct));
        if (changed == 0)
            throw new ConflictException("task.version_conflict", "任务已被他人修改，请刷新后重试");
        await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, actor, "task.planned", "task", taskId, task.OrgId, actorMemberId,
            new { From = task.State, To = transition.To, PlannedFor = plan.PlannedFor, Place = place, Topic = topic }), ct);
        await tx.CommitAsync(ct);
        return (await GetAsync(taskId, ct))!;
    }

    private static string Required(string? value, string what)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
            throw new RuleViolationException("task.plan_incomplete", $"请填写{what}");
        if (trimmed.Length > MaxTextLength)
            throw new RuleViolationException("task.plan_incomplete", $"{what}不超过{MaxTextLength}字");
        return trimmed;
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
