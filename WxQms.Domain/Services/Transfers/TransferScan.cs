using Microsoft.Extensions.Logging;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Reminders;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Rules.Transfers;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Transfers;

/// <summary>
/// Watches the letters out of the subdistrict: a week before a letter's validity ends (nobody has accepted her yet) or
/// a receipt falls due, the sending branch's secretary and workers are reminded; when the letter has expired or the
/// receipt is late (a month after acceptance) the office staff are warned as well. Through the outbox, whose unique key
/// (transfer, kind, recipient) makes a second scan a no-op; the letters are locked SKIP LOCKED so several Jobs
/// processes share them.
/// </summary>
public sealed class TransferScan(TransferStore store, ILogger<TransferScan> log)
{
    /// <summary>The outbox's subject type of a transfer notice (its subject id is the transfer's).</summary>
    public const string Subject = "transfer";

    /// <summary>Queues the notices due now; how many it queued.</summary>
    public async Task<int> ScanAsync(DateTimeOffset now, CancellationToken ct)
    {
        var today = Periods.LocalDate(now);
        var queued = await Deadlocks.RetryAsync(() => store.InTransactionAsync(async (conn, tx) =>
        {
            var written = 0;
            foreach (var letter in await TransferStore.LettersOutAsync(conn, tx, ct))
            {
                if (TransferRules.Due(letter.Kind, letter.State, letter.ValidUntil, letter.ReceiptDueOn, today) is not { } alert)
                    continue;
                foreach (var member in await TransferStore.AlertRecipientsAsync(conn, tx, letter.FromOrgId!.Value, TransferRules.WarnsOffice(alert), ct))
                {
                    if (await OutboxStore.EnqueueAsync(conn, tx, Notice(letter, alert, member), now, ct))
                        written++;
                }
            }
            return written;
        }, ct), ct);
        if (queued > 0)
            log.LogInformation("Transfer scan queued {Notices} notices", queued);
        return queued;
    }

    /// <summary>The notice under the <c>taskWarning</c> template (任务预警: thing1 事项, date2 截止日期, phrase3 状态, thing4 组织).</summary>
    public static Notice Notice(Transfer letter, TransferAlert alert, long memberId)
    {
        var what = ReminderContent.Thing(letter.MemberName, "组织关系转出");
        var day = alert is TransferAlert.LetterExpiring or TransferAlert.LetterExpired ? letter.ValidUntil!.Value : letter.ReceiptDueOn!.Value;
        var date = Periods.Describe(day);
        var phrase = alert switch
        {
            TransferAlert.LetterExpiring => "信将到期",
            TransferAlert.LetterExpired => "信已过期",
            TransferAlert.ReceiptDueSoon => "回执将到期",
            _ => "回执逾期",
        };
        var org = ReminderContent.Thing(letter.FromOrgName);
        return new Notice(Subject, letter.Id, TransferRules.Kind(alert), letter.FromOrgId!.Value, memberId, null, "taskWarning",
            new Dictionary<string, string> { ["thing1"] = what, ["date2"] = date, ["phrase3"] = phrase, ["thing4"] = org },
            new Dictionary<string, string> { ["thing1"] = what, ["date2"] = date, ["phrase3"] = phrase, ["character_string4"] = $"TR{letter.Id}" },
            "pages/transfers/index");
    }
}
