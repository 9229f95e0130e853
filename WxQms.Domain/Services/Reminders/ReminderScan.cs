using System.Data.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WxQms.Domain.Caching;
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
public sealed class ReminderScan(ReminderScanStore store, TaskCache cache, ITaskCatalogueSource duties, ILogger<ReminderScan> log)
{
    public const int BatchSize = 200;

    /// <summary>A task the scan failed on this often is no longer looked at (its error is in the log).</summary>
    public const int MaxFailures = 5;

    /// <summary>Scans batch after batch until nothing more is due.</summary>
    public async Task ScanDueAsync(DateTimeOffset now, CancellationToken ct)
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
        var catalogue = await duties.GetAsync(ct);
        var (tasks, reminders, warned) = await store.InTransactionAsync(batch => ScanAsync(batch, now, catalogue), ct);
        if (warned)
            await cache.InvalidateAsync();
        return (tasks, reminders);
    }

    /// <summary>The batch's work inside its transaction; whether a task was marked warned (the task lists change then).</summary>
    private async Task<(int Tasks, int Reminders, bool Warned)> ScanAsync(ReminderScanBatch batch, DateTimeOffset now,
        TaskCatalogue catalogue)
    {
        var due = await batch.DueTasksAsync(now, BatchSize, MaxFailures);
        if (due.Count == 0)
            return (0, 0, false);

        var orgIds = due.Select(d => d.OrgId).Distinct().ToArray();
        var orgs = await batch.OrgsAsync(orgIds);
        // Everyone holding a role in these orgs or their superiors, in one query for the batch.
        var roleOrgIds = orgIds.Concat(orgs.Values.Where(o => o.ParentId is not null).Select(o => o.ParentId!.Value)).Distinct().ToArray();
        var holders = await batch.RoleHoldersAsync(roleOrgIds, SuperiorRoles, OnTheRoll);
        IEnumerable<long> WithRoles(long orgId, string[] roles) =>
            holders[orgId].Where(h => roles.Contains(h.Role)).Select(h => h.MemberId);

        var rows = new List<ScannedReminder>();
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
            var template = task.AdhocTaskId is null ? catalogue.Get(task.TemplateCode, task.TemplateVersion) : null;
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
                        : await AttendeesAsync(batch, task));
                rows.AddRange(recipients.Select(m => new ScannedReminder(task.Id, reminder.Kind, m, task.OrgId)));
                if (reminder.Kind == ReminderKind.Warning && task.WarnedAt is null)
                    warned.Add(task);
            }
            next[task.Id] = ReminderSchedule.Next(facts, now);
        }

        var written = await batch.InsertAsync(rows, QuietHours.Defer(now), now);
        foreach (var task in warned)
            await batch.MarkWarnedAsync(task, now);
        if (next.Count > 0)
            await batch.SetNextAsync(next);
        if (failed.Count > 0)
            await batch.CountFailuresAsync(failed);
        return (due.Count, written, warned.Count > 0);
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
    private static async Task<IEnumerable<long>> AttendeesAsync(ReminderScanBatch batch, DueTask task) =>
        (await batch.RosterAsync(task.PartyGroupId ?? task.OrgId, new RosterScope(Subtree: task.PartyGroupId is null, OnTheRollOnly: true)))
            .Select(m => m.Id);
}
