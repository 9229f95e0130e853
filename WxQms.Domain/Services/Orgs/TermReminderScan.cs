using Microsoft.Extensions.Logging;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Orgs;
using WxQms.Domain.Rules.Reminders;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Reminders;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Orgs;

/// <summary>
/// Reminds the office staff and an org's secretary six and three months before the org's term ends (换届), through the
/// outbox. Each batch runs in one transaction: the due terms are locked (SKIP LOCKED, so several Jobs processes share
/// them), the notices queued and the terms stamped together; and the outbox's unique key (term, kind, recipient) makes a
/// notice queued twice a no-op, so a scan that runs again, or after a worker died, sends nobody a reminder twice.
/// </summary>
public sealed class TermReminderScan(OrgTermStore store, ILogger<TermReminderScan> log)
{
    public const int BatchSize = 100;

    /// <summary>The outbox's subject type of a term reminder (its subject id is the term's).</summary>
    public const string Subject = "org_term";

    /// <summary>Scans until no term has a reminder due; returns how many notices it queued.</summary>
    public async Task<int> ScanAsync(DateTimeOffset now, CancellationToken ct)
    {
        var today = Periods.LocalDate(now);
        var queued = 0;
        while (true)
        {
            var (terms, notices) = await Deadlocks.RetryAsync(() => store.InTransactionAsync(async (conn, tx) =>
            {
                var due = await OrgTermStore.DueAsync(conn, tx, today, BatchSize, ct);
                var written = 0;
                foreach (var term in due)
                {
                    if (Terms.Due(term.Term, today) is not { } reminder)
                        continue;
                    foreach (var member in await OrgTermStore.RecipientsAsync(conn, tx, term.Term.OrgId, ct))
                    {
                        if (await OutboxStore.EnqueueAsync(conn, tx, Notice(term, reminder, member, now), now, ct))
                            written++;
                    }
                    await OrgTermStore.MarkAsync(conn, tx, term.Term.Id, reminder, now, ct);
                }
                return (due.Count, written);
            }, ct), ct);
            queued += notices;
            if (terms < BatchSize)
                break;
        }
        if (queued > 0)
            log.LogInformation("Term reminder scan queued {Notices} notices", queued);
        return queued;
    }

    /// <summary>
    /// The notice under the <c>termReminder</c> template (换届提醒: thing1 换届组织, date2 届满日期, phrase3 提醒类型,
    /// thing4 温馨提示; the same keys in both apps).
    /// </summary>
    public static Notice Notice(DueTerm term, TermReminder reminder, long memberId, DateTimeOffset now)
    {
        var data = new Dictionary<string, string>
        {
            ["thing1"] = ReminderContent.Thing(term.OrgName, "换届"),
            ["date2"] = Periods.Describe(term.Term.EndsOn),
            ["phrase3"] = reminder == TermReminder.SixMonths ? "半年到期" : "三个月到期",
            ["thing4"] = "请及时筹备换届选举",
        };
        return new Notice(Subject, term.Term.Id, Terms.Kind(reminder), term.Term.OrgId, memberId, null, ReminderOptions.TermReminderKey,
            data, data,
            "pages/tasks/index");
    }
}
