using System.Data.Common;
using System.Globalization;
using System.Text;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MySqlConnector;
using WxQms.Domain.Caching;
using WxQms.Domain.Hosting;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Reminders;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Reminders;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;
using static WxQms.Domain.Storage.DbTime;

namespace WxQms.Domain.Services.Reminders;

/// <summary>
/// Fires the reminders that are due. It reads only the tasks whose <c>next_reminder_at</c> has come
/// (an index range, so its cost follows what is due, not how many tasks exist), locked with SKIP
/// LOCKED so several Jobs processes share the work. For each task it asks <see cref="ReminderSchedule"/>
/// what is due, resolves the recipients now (members who joined since the plan are included), writes
/// one row per (task, kind, recipient) — the unique key makes a second firing a no-op — marks the task
/// warned when the same-day warning fires, and stores when to look again.
/// </summary>
public sealed class ReminderScanJob(MySqlDataSource db, TaskCache cache, IOptionsMonitor<ReminderOptions> options,
    ILogger<ReminderScanJob> log) : IPeriodicJob
{
    public const int BatchSize = 200;

    /// <summary>A task the scan failed on this often is no longer looked at (its error is in the log).</summary>
    public const int MaxFailures = 5;

    public string Name => "reminder-scan";

    public TimeSpan Interval => options.CurrentValue.ScanInterval;

    internal sealed record DueTask(long Id, long OrgId, long? PartyGroupId, string TemplateCode, int TemplateVersion, long? AdhocTaskId,
        string State, DateTime OpensAt, DateTime DueAt, DateTime? PlannedFor, string? Place, DateTime? WarnedAt);

    public async Task RunAsync(DateTimeOffset now, CancellationToken ct)
    {
        var fired = 0;
        var tasks = 0;
        while (await ScanBatchAsync(now, ct) is { Tasks: > 0 } batch)
        {
            tasks += batch.Tasks;
            fired += batch.Reminders;
        }
        if (tasks > 0)
            log.LogInformation("Reminder scan looked at {Tasks} tasks and fired {Reminders} reminders", tasks, fired);
    }

    /// <summary>One batch in one transaction; returns how many tasks it looked at and reminders it wrote.</summary>
    public Task<(int Tasks, int Reminders)> ScanBatchAsync(DateTimeOffset now, CancellationToken ct) =>
        Deadlocks.RetryAsync(() => TryScanBatchAsync(now, ct), ct);

    private async Task<(int Tasks, int Reminders)> TryScanBatchAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // Tasks only: locking the joined org rows too would make two scanners skip each other's tasks.
        var due = (await conn.QueryAsync<DueTask>(new CommandDefinition("""
            SELECT id AS Id, org_id AS OrgId, party_group_id AS PartyGroupId, template_code AS TemplateCode,
                   template_version AS TemplateVersion, adhoc_task_id AS AdhocTaskId, state AS State, opens_at AS OpensAt,
                   due_at AS DueAt, planned_for AS PlannedFor, place AS Place, warned_at AS WarnedAt
            FROM tasks
            WHERE next_reminder_at <= @now AND reminder_failures < @maxFailures
            ORDER BY next_reminder_at
            LIMIT @batch
            FOR UPDATE SKIP LOCKED
            """, new { now = now.UtcDateTime, batch = BatchSize, maxFailures = MaxFailures }, tx, cancellationToken: ct))).ToList();
        if (due.Count == 0)
            return (0, 0);

        var orgIds = due.Select(d => d.OrgId).Distinct().ToArray();
        var orgs = (await conn.QueryAsync<(long Id, long? ParentId, string Path)>(new CommandDefinition(
            "SELECT id, parent_id, path FROM orgs WHERE id IN @orgIds", new { orgIds }, tx, cancellationToken: ct)))
            .ToDictionary(o => o.Id);
        // Everyone holding a role in these orgs or their superiors, in one query for the batch.
        var roleOrgIds = orgIds.Concat(orgs.Values.Where(o => o.ParentId is not null).Select(o => o.ParentId!.Value)).Distinct().ToArray();
        var holders = (await conn.QueryAsync<(long OrgId, string Role, long MemberId)>(new CommandDefinition("""
            SELECT r.org_id, r.role, r.member_id FROM member_roles r JOIN members m ON m.id = r.member_id
            WHERE r.org_id IN @roleOrgIds AND r.role IN @roles AND m.status IN @onTheRoll
            """, new { roleOrgIds, roles = SuperiorRoles, onTheRoll = OnTheRoll }, tx, cancellationToken: ct)))
            .ToLookup(h => h.OrgId);
        IEnumerable<long> WithRoles(long orgId, string[] roles) =>
            holders[orgId].Where(h => roles.Contains(h.Role)).Select(h => h.MemberId);

        var rows = new List<(long TaskId, ReminderKind Kind, long MemberId, long OrgId)>();
        var warned = new List<DueTask>();
        var next = new Dictionary<long, DateTimeOffset?>();
        var failed = new List<long>();
        foreach (var task in due)
        {
            var (rowsBefore, warnedBefore) = (rows.Count, warned.Count);
            try
            {
                await ScanTaskAsync(task);
            }
            catch (Exception ex) when (ex is not (DbException or OperationCanceledException))
            {
                // This task's data defeats the rules (a template version not in the catalogue …): count it, undo what
                // it added, and go on with the batch; its error is in the log.
                rows.RemoveRange(rowsBefore, rows.Count - rowsBefore);
                warned.RemoveRange(warnedBefore, warned.Count - warnedBefore);
                next.Remove(task.Id);
                failed.Add(task.Id);
                log.LogError(ex, "Reminder scan of task {TaskId} failed; skipped after {Max} failures", task.Id, MaxFailures);
            }
        }

        async Task ScanTaskAsync(DueTask task)
        {
            var template = task.AdhocTaskId is null ? TaskCatalogue.Default.Get(task.TemplateCode, task.TemplateVersion) : null;
            var facts = Facts(task, template);
            var org = orgs[task.OrgId];
            foreach (var reminder in ReminderSchedule.Due(facts, now))
            {
                var recipients = new HashSet<long>();
                if (reminder.Audience is ReminderAudience.Organisers or ReminderAudience.OrganisersAndSuperior)
                    recipients.UnionWith(WithRoles(task.OrgId, OrganiserRoles));
                if (reminder.Audience is ReminderAudience.Superior or ReminderAudience.OrganisersAndSuperior && org.ParentId is { } parent)
                    recipients.UnionWith(WithRoles(parent, SuperiorRoles));
                if (reminder.Audience == ReminderAudience.Attendees)
                    recipients.UnionWith(template?.EvidenceRule.Quorum == Quorum.MoreThanHalfOfCommittee
                        ? WithRoles(task.OrgId, CommitteeRoles)
                        : await AttendeesAsync(conn, tx, task, ct));
                rows.AddRange(recipients.Select(m => (task.Id, reminder.Kind, m, task.OrgId)));
                if (reminder.Kind == ReminderKind.Warning && task.WarnedAt is null)
                    warned.Add(task);
            }
            next[task.Id] = ReminderSchedule.Next(facts, now);
        }

        var written = await InsertAsync(conn, tx, rows, QuietHours.Defer(now), now, ct);
        foreach (var task in warned)
            await MarkWarnedAsync(conn, tx, task, now, ct);
        if (next.Count > 0)
            await SetNextAsync(conn, tx, next, ct);
        if (failed.Count > 0)
            await conn.ExecuteAsync(new CommandDefinition("UPDATE tasks SET reminder_failures = reminder_failures + 1 WHERE id IN @failed",
                new { failed }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        if (warned.Count > 0)
            await cache.InvalidateAsync();
        return (due.Count, written);
    }

    /// <summary>The reminder facts of a task; ad-hoc tasks (no catalogue template) follow <see cref="AdhocTask.Reminders"/>.</summary>
    internal static ReminderTask Facts(DueTask task, TaskTemplate? template)
    {
        var state = DbNames.Parse<TaskState>(task.State);
        return new ReminderTask(template?.ReminderRule ?? AdhocTask.Reminders, template?.PlanRule.Required ?? false,
            Utc(task.OpensAt), Utc(task.DueAt), task.PlannedFor is { } p ? Utc(p) : null,
            HasEvidence: state is TaskState.Submitted or TaskState.Completed,
            Open: state is not (TaskState.Completed or TaskState.Cancelled));
    }

    private static readonly string[] OrganiserRoles = [Roles.Secretary, Roles.Worker];
    private static readonly string[] SuperiorRoles = [Roles.Secretary, Roles.Worker, Roles.Committee, Roles.Staff];
    private static readonly string[] CommitteeRoles = [Roles.Secretary, Roles.Committee];
    private static readonly string[] OnTheRoll = [DbNames.Of(MemberStatus.Full), DbNames.Of(MemberStatus.Probationary)];

    /// <summary>The members expected at a meeting, as of now: the party group's, or the whole branch's (members on the roll).</summary>
    private static async Task<IEnumerable<long>> AttendeesAsync(DbConnection conn, DbTransaction tx, DueTask task, CancellationToken ct) =>
        (await MemberStore.RosterAsync(conn, tx, task.PartyGroupId ?? task.OrgId,
            new RosterScope(Subtree: task.PartyGroupId is null, OnTheRollOnly: true), ct)).Select(m => m.Id);

    /// <summary>
    /// One multi-row INSERT per 500 reminders. The unique (task, kind, member) key makes a reminder fired
    /// again (a reopened task, a second scanner) a no-op; the count is of rows actually written.
    /// </summary>
    private static async Task<int> InsertAsync(DbConnection conn, DbTransaction tx,
        IReadOnlyList<(long TaskId, ReminderKind Kind, long MemberId, long OrgId)> rows, DateTimeOffset dueAt, DateTimeOffset now,
        CancellationToken ct)
    {
        var written = 0;
        foreach (var chunk in rows.Chunk(500))
        {
            var sql = new StringBuilder("""
                INSERT INTO reminders (subject_type, subject_id, task_id, kind, member_id, recipient, org_id, status, due_at, created_at, updated_at)
                VALUES
                """);
            var args = new DynamicParameters(new { dueAt = dueAt.UtcDateTime, now = now.UtcDateTime });
            for (var i = 0; i < chunk.Length; i++)
            {
                sql.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $" ('task', @t{i}, @t{i}, @k{i}, @m{i}, CONCAT('m:', @m{i}), @o{i}, 'pending', @dueAt, @now, @now)");
                args.Add($"t{i}", chunk[i].TaskId);
                args.Add($"k{i}", DbNames.Of(chunk[i].Kind));
                args.Add($"m{i}", chunk[i].MemberId);
                args.Add($"o{i}", chunk[i].OrgId);
            }
            sql.Append(" ON DUPLICATE KEY UPDATE id = id");
            written += await conn.ExecuteAsync(new CommandDefinition(sql.ToString(), args, tx, cancellationToken: ct));
        }
        return written;
    }

    /// <summary>When to look at each task again, in one statement.</summary>
    private static async Task SetNextAsync(DbConnection conn, DbTransaction tx, IReadOnlyDictionary<long, DateTimeOffset?> next,
        CancellationToken ct)
    {
        var sql = new StringBuilder("UPDATE tasks SET next_reminder_at = CASE id");
        var args = new DynamicParameters();
        var i = 0;
        foreach (var (id, at) in next)
        {
            sql.Append(CultureInfo.InvariantCulture, $" WHEN @i{i} THEN @n{i}");
            args.Add($"i{i}", id);
            args.Add($"n{i}", at?.UtcDateTime);
            i++;
        }
        sql.Append(" END WHERE id IN @ids");
        args.Add("ids", next.Keys.ToArray());
        await conn.ExecuteAsync(new CommandDefinition(sql.ToString(), args, tx, cancellationToken: ct));
    }

    private static async Task MarkWarnedAsync(DbConnection conn, DbTransaction tx, DueTask task, DateTimeOffset now, CancellationToken ct)
    {
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE tasks SET warned_at = @now, updated_at = @now WHERE id = @id AND warned_at IS NULL",
            new { id = task.Id, now = now.UtcDateTime }, tx, cancellationToken: ct));
        await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, "system", "task.warned", "task", task.Id, task.OrgId,
            Data: new { task.State, PlannedFor = task.PlannedFor, Reason = "no_evidence" }), ct);
    }
}
