using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Development;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Development;

/// <summary>
/// Keeps the branch's development work among its tasks (<see cref="DevelopmentDuties"/>), so it is reminded, falls overdue
/// and is counted like its other duties: each deadline the applicant's record makes is issued to her branch as an ad-hoc
/// task once, and recording the step within the task's window completes the task through the ordinary evidence path (on
/// time or late as any task is judged). Called after a step is recorded and by the <c>development-reminders</c> scan for
/// every applicant, which also catches up on anything a failed call left. A task whose duty the record no longer makes
/// before it falls due (the activist became a candidate before her next assessment) is withdrawn as an ad-hoc task is; one
/// past due and not done in time stays overdue. A deadline that passed before this month is not issued any more (a closed
/// month's results are not rewritten); the development reminders warn of it.
/// </summary>
public sealed class DevelopmentDutyService(TimeProvider clock, DevelopmentDutyStore store, DevelopmentStore development,
    TaskCommands tasks, AdhocTaskStore adhoc, TaskCache cache)
{
    public const string SystemActor = "system:development";

    /// <summary>Completes the tasks the applicant's steps have done and issues the ones her record now makes; returns how many changed.</summary>
    public async Task<int> SyncAsync(DevApplicant a, string actor, long? actorMemberId, CancellationToken ct)
    {
        var facts = DevelopmentService.Facts(a, await development.StepsAsync(a.Id, ct));
        var now = clock.GetUtcNow();
        var owed = DevelopmentDuties.Due(facts, a.Name).ToList();
        var changed = 0;
        foreach (var t in await store.OpenAsync(a.Id, ct))
        {
            if (DevelopmentDuties.StepOf(t.UniqueKey) is not { } step)
                continue;
            var opensOn = Periods.LocalDate(DbTime.Utc(t.OpensAt));
            var dueOn = Periods.LocalDate(DbTime.Utc(t.DueAt)).AddDays(-1);
            if (DevelopmentDuties.DoneBy(step, opensOn, dueOn, facts) is not { } record)
            {
                if (DbTime.Utc(t.DueAt) > now && owed.All(d => d.Key(a.Id) != t.UniqueKey) && await adhoc.GetAsync(t.AdhocTaskId, ct) is { } issued
                    && await adhoc.CancelAsync(issued, "发展党员流程已进入下一阶段，本任务不再需要", actor, actorMemberId, now,
                        copies => new AuditEntry(now, actor, "adhoc.cancelled", "adhoc_task", issued.Id, a.OrgId, actorMemberId,
                            new { Reason = "development.moved_on", Applicant = a.Id, Step = step, Tasks = copies }), ct))
                    changed++;
                continue;
            }
            try
            {
                await tasks.SubmitEvidenceAsync(t.Id, t.RowVersion, new EvidenceSubmission(Periods.StartOf(record.OccurredOn), null,
                    DevelopmentSteps.Get(step)!.Name, null, [], []), actor, actorMemberId, ct);
                changed++;
            }
            catch (ConflictException)
            {
                // Changed at the same moment (another sync, or the branch's own submission): the next scan looks again.
            }
        }

        var today = Periods.LocalDate(now);
        var monthStart = new DateOnly(today.Year, today.Month, 1);
        foreach (var duty in owed.Where(d => d.DueOn >= monthStart))
        {
            var t = DevelopmentDuties.AsTask(duty);
            if (await store.IssueAsync(duty.Key(a.Id), a.OrgId, t, actor, id => new AuditEntry(now, actor, "adhoc.issued", "adhoc_task", id,
                    a.OrgId, actorMemberId, new { t.Title, duty.DueOn, t.Points, Applicant = a.Id, duty.Step }), ct))
                changed++;
        }
        if (changed > 0)
            await cache.InvalidateAsync();
        return changed;
    }
}
