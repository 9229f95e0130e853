using Microsoft.Extensions.Logging;
using WxQms.Domain.Rules.Members;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Members;

/// <summary>
/// Reminds a branch's secretaries of a 不合格's open follow-up a week before it is due and once more when it is overdue,
/// through the outbox (the notice at its opening is <see cref="AppraisalService"/>'s). The outbox's unique key
/// (follow-up, kind, recipient) makes a notice queued twice a no-op, so every scan may look at every open follow-up due
/// within the week: they are few, and nobody is reminded twice.
/// </summary>
public sealed class AppraisalFollowUpScan(AppraisalStore store, ILogger<AppraisalFollowUpScan> log)
{
    /// <summary>Queues the reminders due on <paramref name="now"/>'s Shanghai day; returns how many notices it queued.</summary>
    public async Task<int> ScanAsync(DateTimeOffset now, CancellationToken ct)
    {
        var today = Periods.LocalDate(now);
        var queued = await Deadlocks.RetryAsync(() => store.InTransactionAsync(async (conn, tx) =>
        {
            var written = 0;
            foreach (var (followUp, orgName) in await AppraisalStore.OpenDueAsync(conn, tx, today.AddDays(Appraisals.DueSoonDays), ct))
            {
                if (Appraisals.FollowUpReminder(followUp.DueOn, today) is not { } kind)
                    continue;
                foreach (var secretary in await AppraisalFacts.SecretariesAsync(conn, tx, followUp.OrgId, ct))
                {
                    var notice = AppraisalService.FollowUpNotice(followUp.Id, followUp.OrgId, orgName, secretary, followUp.MemberName, followUp.DueOn, kind);
                    if (await OutboxStore.EnqueueAsync(conn, tx, notice, now, ct))
                        written++;
                }
            }
            return written;
        }, ct), ct);
        if (queued > 0)
            log.LogInformation("Appraisal follow-up scan queued {Notices} notices", queued);
        return queued;
    }
}
