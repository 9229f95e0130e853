using Microsoft.Extensions.Logging;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Dues;
using WxQms.Domain.Rules.Reminders;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Dues;

/// <summary>
/// Arrears at the end of each month (the dues-arrears job; it looks at the last month that has ended, so running it again
/// changes nothing): every member who still owes that month gets a reminder through the outbox; after three months in a row
/// the branch gets a task for its secretary to talk with her; after six, the case goes to the community committee as
/// 「连续六个月不交纳党费」 (its secretary and committee are told) for a decision it records. Nobody's status changes here.
/// Each notice, case and task is made once: the outbox's key (row, kind, recipient) and the case's (member, kind, first month).
/// </summary>
public sealed class DuesArrearsScan(DuesStore store, ILogger<DuesArrearsScan> log)
{
    public const string Subject = "dues_month";
    public const string CaseSubject = "dues_case";

    public sealed record Outcome(string Month, int Reminded, int Talks, int CommitteeCases);

    public async Task<Outcome> ScanAsync(DateTimeOffset now, CancellationToken ct)
    {
        var closing = DuesMonth.Of(Periods.LocalDate(now)).Previous;
        var open = await store.OpenRowsThroughAsync(closing.Key, ct);
        int reminded = 0, talks = 0, cases = 0;
        foreach (var member in open.GroupBy(r => r.MemberId))
        {
            // A month with the branch's recorded reason is not one "without a proper reason": it breaks the run.
            var byMonth = member.ToDictionary(r => DuesMonth.Parse(r.Month), r => r.Reason is null);
            var run = Arrears.RunOwed(byMonth, closing);
            if (run == 0)
                continue;
            var first = closing;
            for (var i = 1; i < run; i++)
                first = first.Previous;
            var last = member.First(r => r.Month == closing.Key);
            var step = Arrears.Step(run);
            var (r, t, c) = await store.InTransactionAsync(async (conn, tx) =>
            {
                int rr = 0, tt = 0, cc = 0;
                if (await OutboxStore.EnqueueAsync(conn, tx, Reminder(last, closing, run), now, ct))
                    rr++;
                if (step >= ArrearsStep.Talk && await DuesStore.OpenCaseAsync(conn, tx, member.Key, last.OrgId, "talk", first.Key, run, now, ct) is { } talk)
                {
                    var due = Periods.StartOf(closing.Next.Next.FirstDay);
                    var taskId = await DuesStore.AddTalkTaskAsync(conn, tx, last.OrgId, "与欠交党费党员谈心谈话",
                        $"党员（编号{member.Key}）已连续{run}个月未交纳党费（自{first.Chinese}起），请支部书记与其谈心谈话，了解原因并记录。",
                        now, due, closing.Next.Key, ct);
                    await DuesStore.SetCaseTaskAsync(conn, tx, talk, taskId, ct);
                    await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, "system", "dues.talk_requested", "dues_case", talk, last.OrgId, null,
                        new { MemberId = member.Key, MonthsOwed = run, From = first.Key, TaskId = taskId }), ct);
                    tt++;
                }
                if (step == ArrearsStep.Committee
                    && await DuesStore.OpenCaseAsync(conn, tx, member.Key, last.OrgId, "committee", first.Key, run, now, ct) is { } caseId)
                {
                    var community = await DuesStore.CommunityOfAsync(conn, tx, last.OrgId, ct);
                    foreach (var holder in await DuesStore.HoldersAsync(conn, tx, community.Id, [Roles.Secretary, Roles.Committee], ct))
                        await OutboxStore.EnqueueAsync(conn, tx, CaseNotice(caseId, community, holder, first), now, ct);
                    await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, "system", "dues.case_opened", "dues_case", caseId, last.OrgId, null,
                        new { MemberId = member.Key, MonthsOwed = run, From = first.Key, Title = Arrears.CaseTitle, CommunityId = community.Id }), ct);
                    cc++;
                }
                return (rr, tt, cc);
            }, ct);
            reminded += r; talks += t; cases += c;
        }
        if (reminded + talks + cases > 0)
            log.LogInformation("Dues arrears of {Month}: {Reminded} reminded, {Talks} talks, {Cases} committee cases", closing.Key, reminded, talks, cases);
        return new Outcome(closing.Key, reminded, talks, cases);
    }

    /// <summary>The reminder under the <c>taskWarning</c> template (thing1 事项, date2 截止日期, phrase3 状态, thing4 组织).</summary>
    public static Notice Reminder(OpenMonthRow row, DuesMonth month, int run)
    {
        var what = ReminderContent.Thing($"{month.Chinese}党费（欠交{run}个月）");
        const string phrase = "待交纳";
        var date = Periods.Describe(month.Next.FirstDay);
        return new Notice(Subject, row.RowId, "dues_owed", row.OrgId, row.MemberId, null, "taskWarning",
            new Dictionary<string, string> { ["thing1"] = what, ["date2"] = date, ["phrase3"] = phrase, ["thing4"] = ReminderContent.Thing("请在小程序中交纳") },
            new Dictionary<string, string> { ["thing1"] = what, ["date2"] = date, ["phrase3"] = phrase, ["character_string4"] = $"DUES{row.RowId}" },
            "pages/dues/index");
    }

    private static Notice CaseNotice(long caseId, (long Id, string Name) community, long memberId, DuesMonth from)
    {
        var what = ReminderContent.Thing(Arrears.CaseTitle);
        var date = Periods.Describe(from.FirstDay);
        return new Notice(CaseSubject, caseId, "dues_case", community.Id, memberId, null, "taskWarning",
            new Dictionary<string, string> { ["thing1"] = what, ["date2"] = date, ["phrase3"] = "待决定", ["thing4"] = ReminderContent.Thing(community.Name) },
            new Dictionary<string, string> { ["thing1"] = what, ["date2"] = date, ["phrase3"] = "待决定", ["character_string4"] = $"DUESCASE{caseId}" },
            "pages/tasks/index");
    }
}
