using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Development;
using WxQms.Domain.Rules.Reminders;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Development;

/// <summary>
/// The development timetable's reminders (the <c>development-reminders</c> job): for every applicant not yet through all
/// 25 steps, the next step's deadline (the talk within a month, the half-yearly assessment, the meeting after the
/// pre-review, the approval within three months, the full-membership meeting) is told a week before to whoever records
/// it (the branch's secretary and workers, or the community's secretary and committee), the cultivation contacts for
/// an assessment and the applicant for her request for full membership; once passed, the same people get a warning.
/// Each notice names its deadline in its kind, so the outbox's unique key sends each one once. It also keeps the branch's
/// development work among its tasks (<see cref="DevelopmentDutyService"/>): a deadline that is the branch's open task is
/// reminded, warned and escalated by the task's own reminders, so the secretary and workers are not told of it here a
/// second time (only the contacts and the applicant are).
/// </summary>
public sealed class DevelopmentReminderScan(DevelopmentStore store, DevelopmentDutyService duties, DevelopmentDutyStore dutyTasks,
    ILogger<DevelopmentReminderScan> log)
{
    public const string Subject = "dev_applicant";
    public const int Lead = 7;

    public async Task<int> ScanAsync(DateTimeOffset now, CancellationToken ct)
    {
        var today = Periods.LocalDate(now);
        var queued = 0;
        foreach (var a in await store.ListAsync(OrgPath.Root, withFinished: false, limit: 100_000, ct))
        {
            await duties.SyncAsync(a, DevelopmentDutyService.SystemActor, null, ct); // the branch's development tasks, caught up
            var rows = await store.StepsAsync(a.Id, ct);
            var facts = DevelopmentService.Facts(a, rows);
            if (DevelopmentRules.NextStep(facts) is not { } n || DevelopmentSteps.Get(n) is not { } step)
                continue;
            var window = DevelopmentRules.Window(facts, n);
            if (window.Due is not { } due || today < due.AddDays(-Lead))
                continue;
            var late = today > due;
            var recorders = step.Recorder == DevRecorder.Committee ? [] : await store.BranchRecordersAsync(a.OrgId, ct);
            var recipients = new List<long>(step.Recorder == DevRecorder.Committee ? await store.ApproversAsync(a.OrgPath, ct) : recorders);
            if (n == DevelopmentSteps.Assessment && rows.LastOrDefault(r => r.Step == 5) is { } contacts)
                recipients.AddRange(JsonSerializer.Deserialize<StepEvidence>(contacts.Evidence, JsonDefaults.Storage)!.People);
            if (n == 22 && a.MemberId is { } member)
                recipients.Add(member);
            var taskKey = new DevDuty(n, due, due, "").Key(a.Id);
            if ((await dutyTasks.OpenAsync(a.Id, ct)).Any(t => t.UniqueKey == taskKey))
                recipients.RemoveAll(recorders.Contains); // the task's reminders tell them
            var kind = string.Create(CultureInfo.InvariantCulture, $"{(late ? "late" : "due")}{n}-{due:yyyyMMdd}");
            var notices = recipients.Distinct().Select(m => Notice(a, step, due, late, kind, m)).ToList();
            queued += await store.EnqueueAsync(notices, now, ct);
        }
        if (queued > 0)
            log.LogInformation("Development reminder scan queued {Notices} notices", queued);
        return queued;
    }

    /// <summary>Under the <c>taskWarning</c> template: the step and applicant, the deadline, 即将到期 or 已逾期, the branch.</summary>
    public static Notice Notice(DevApplicant a, DevStep step, DateOnly due, bool late, string kind, long memberId)
    {
        var what = ReminderContent.Thing($"{a.Name}·{step.Name}");
        var date = Periods.Describe(due);
        var phrase = late ? "已逾期" : "即将到期";
        return new Notice(Subject, a.Id, kind, a.OrgId, memberId, null, "taskWarning",
            new Dictionary<string, string> { ["thing1"] = what, ["date2"] = date, ["phrase3"] = phrase, ["thing4"] = ReminderContent.Thing(a.OrgName) },
            new Dictionary<string, string> { ["thing1"] = what, ["date2"] = date, ["phrase3"] = phrase, ["character_string4"] = $"DEV{a.Id}" },
            "pages/development-applicant/index?id=" + a.Id.ToString(CultureInfo.InvariantCulture));
    }
}
