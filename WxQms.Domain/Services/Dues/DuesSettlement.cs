using System.Data.Common;
using WxQms.Domain.Rules.Dues;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Dues;

/// <summary>
/// A payment against a member's months: WeChat Pay (reference: the order's out_trade_no) or cash (the receipt number).
/// AmountFen is all that was paid; VoluntaryFen of it is 自愿多交 above the months' dues (then the months are paid in full).
/// </summary>
public sealed record DuesPayment(long MemberId, IReadOnlyList<DuesMonth> Months, int AmountFen, string Via, string Reference, string Actor,
    long? ActorMemberId, DateTimeOffset At, int VoluntaryFen = 0);

/// <summary>
/// Settles dues in the caller's transaction, whoever took the money: the months get what was paid (in order; the last one
/// may stay partly paid), the branch ledger one collected line, the trail one entry; a month paid on time (in its month or
/// ahead) books the member's points; and when a month's last open row in the branch is settled, the branch's 党费收缴 task
/// of that month completes itself, judged on time against its due date like any other task.
/// </summary>
public sealed class DuesSettlement(ITaskCatalogueSource catalogue)
{
    /// <summary>The ledger source of a member's points for a month paid on time (ref: the month's row).</summary>
    public const string OnTimeSource = LedgerSources.DuesOnTime;

    /// <summary>Points a member earns for a month paid on time.</summary>
    public const decimal OnTimePoints = 0.2m;

    public const string ViaWechat = "wechat";
    public const string ViaCash = "cash";

    /// <summary>
    /// Pays the months; false (nothing written) when any of them is not open any more or the amount is more than they ask
    /// (another payment settled them first), unless the excess is the declared voluntary part over months paid in full.
    /// </summary>
    public async Task<bool> SettleAsync(DbConnection conn, DbTransaction tx, DuesPayment p, CancellationToken ct)
    {
        var keys = p.Months.Select(m => m.Key).Distinct().ToList();
        var rows = await DuesStore.LockMonthsAsync(conn, tx, p.MemberId, keys, ct);
        if (rows.Count != keys.Count || rows.Any(r => !IsOpen(r.State)))
            return false;
        var asked = rows.Sum(r => r.AmountFen - r.PaidFen);
        var duesFen = p.AmountFen - p.VoluntaryFen;
        if (VoluntaryDues.Refusal(p.VoluntaryFen) is not null || duesFen <= 0 || duesFen > asked || (p.VoluntaryFen > 0 && duesFen != asked))
            return false;
        var voluntary = VoluntaryDues.Split(p.AmountFen, asked);
        var voluntaryKind = voluntary.Kind == VoluntaryKind.None ? null : DbNames.Of(voluntary.Kind);
        var branchId = rows[0].OrgId;
        var entryId = await DuesStore.AddLedgerAsync(conn, tx, new NewLedgerEntry(branchId, DuesStore.LedgerCollected, p.Via, p.AmountFen,
            p.MemberId, string.Join(",", keys), p.Reference, p.Actor, p.At, voluntary.ExtraFen, voluntaryKind), ct);
        if (entryId is null)
            return false;

        var current = DuesMonth.Of(Periods.LocalDate(p.At));
        var left = duesFen;
        var points = new List<LedgerEntry>();
        var settled = new List<string>();
        foreach (var row in rows)
        {
            var pay = Math.Min(left, row.AmountFen - row.PaidFen);
            if (pay == 0)
                break;
            left -= pay;
            var state = Arrears.StateOf(row.AmountFen, row.PaidFen + pay);
            await DuesStore.PayMonthAsync(conn, tx, row.Id, row.PaidFen + pay, DbNames.Of(state), entryId.Value, p.At, ct);
            if (state != DuesState.Paid)
                continue;
            settled.Add(row.Month);
            if (DuesMonth.Parse(row.Month) >= current)
                points.Add(new LedgerEntry(LedgerSubjects.Member, p.MemberId, row.Month, OnTimePoints, OnTimeSource,
                    $"按时交纳{DuesMonth.Parse(row.Month).Chinese}党费", p.At, RefId: row.Id));
        }
        await LedgerStore.BookOnceAsync(conn, tx, points, ct);
        await AuditLog.AppendAsync(conn, tx, new AuditEntry(p.At, p.Actor, "dues.paid", "member", p.MemberId, branchId, p.ActorMemberId,
            new { p.Via, p.Reference, p.AmountFen, p.VoluntaryFen, VoluntaryKind = voluntaryKind, Months = keys, Settled = settled, EntryId = entryId }), ct);
        foreach (var month in settled)
            await CompleteTaskIfSettledAsync(conn, tx, branchId, month, p.At, ct);
        return true;
    }

    /// <summary>
    /// Completes the branch's 党费收缴 task of <paramref name="month"/> when every row of that month is settled (paid, waived,
    /// or still owed with a reason the branch recorded): on time before its due date with its points, else late with the late deduction, an overdue deduction reversed.
    /// </summary>
    public async Task<bool> CompleteTaskIfSettledAsync(DbConnection conn, DbTransaction tx, long branchId, string month, DateTimeOffset now,
        CancellationToken ct)
    {
        var (open, all) = await DuesStore.BranchMonthCountsAsync(conn, tx, branchId, month, ct);
        if (open > 0 || all == 0)
            return false;
        if (await DuesStore.OpenDuesTaskAsync(conn, tx, branchId, TaskCodes.PartyDues, month, ct) is not { } task)
            return false;
        var template = (await catalogue.GetAsync(ct)).Resolve(TaskCodes.PartyDues, DuesMonth.Parse(month).FirstDay);
        var onTime = now < DbTime.Utc(task.DueAt);
        var earned = onTime ? task.PossiblePoints : Math.Max(0m, task.PossiblePoints - template.LateDeduction);
        if (!await TaskStore.JudgeAsync(conn, tx, task.Id, task.RowVersion, Model.Tasks.TaskState.Completed, null, now, ct))
            return false;
        var evidenceId = await EvidenceStore.AddAsync(conn, tx, new NewEvidence(task.Id, now, null, null,
            $"党费收缴台账：{month}全部{all}名党员已结清或已记录未交原因（据台账自动完成）", 0, 0, 0, 0, now, "system", null, true, null, onTime, earned), [], [], ct);
        var name = $"{template.Name}（{month}）";
        await LedgerStore.BookAsync(conn, tx, [new LedgerEntry(LedgerSubjects.Org, branchId, month, earned,
            onTime ? LedgerSources.Completed : LedgerSources.CompletedLate, name + (onTime ? "按时完成" : "逾期完成"), now, task.Id, evidenceId)], ct);
        await LedgerStore.ReverseAsync(conn, tx, task.Id, LedgerSources.Overdue, LedgerSources.OverdueReversed, "（已逾期完成，撤销逾期扣分）", now, ct);
        await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, "system", "task.completed", "task", task.Id, branchId, null,
            new { From = task.State, To = "completed", OnTime = onTime, PointsEarned = earned, EvidenceId = evidenceId, DuesMonth = month }), ct);
        return true;
    }

    public static bool IsOpen(string state) => state is "owed" or "partly_paid";
}
