using Dapper;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.ManagementReview;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Sandbox.Demo;

/// <summary>
/// Demo only (<c>WxQms.Jobs simulate</c>): the management review (管理评审) in use — this year's targets (every branch
/// holds all its monthly 支委会, completes 80 % on time and owes no dues; every community scores 85, 东风路's first
/// community 90), and last quarter's review of the subdistrict with four decisions, each an ad-hoc task of its community:
/// two done, one overdue, one still open. So this quarter's pack has something in every section. Runs once: nothing
/// happens when a review exists.
/// </summary>
public sealed class DemoReview(MySqlDataSource db, ReviewStore store, TimeProvider clock, ILogger<DemoReview> log)
{
    private static readonly (string Text, int DueDays, string State)[] Decisions =
    [
        ("支委会连续两月未按期召开的支部，由社区党委书记约谈支部书记并报送整改报告", 21, "completed"),
        ("主题党日照片和签到不全的支部，组织党务工作者培训一次", 35, "completed"),
        ("党费欠缴三个月以上的党员，由支部书记逐一谈话并登记原因", 50, "overdue"),
        ("微心愿认领后长期未办结的，社区每月通报一次进展", 90, "pending"),
    ];

    public async Task<int> PostAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync(ct);
        if (await conn.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM management_reviews", cancellationToken: ct)) > 0)
            return 0;
        var communities = (await conn.QueryAsync<long>(new CommandDefinition(
            "SELECT id FROM orgs WHERE depth = 1 AND dissolved_on IS NULL ORDER BY path", cancellationToken: ct))).ToList();
        var root = await conn.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT id FROM orgs WHERE parent_id IS NULL AND dissolved_on IS NULL ORDER BY id LIMIT 1", cancellationToken: ct));
        if (root is null || communities.Count == 0)
            return 0;

        var year = Periods.LocalDate(now).Year;
        ReviewTarget[] targets =
        [
            new(0, year, null, TargetLevel.Branch, TargetKind.DutyAllDone, TaskCodes.CommitteeMeeting, null),
            new(0, year, null, TargetLevel.Branch, TargetKind.OnTimeRate, null, 80),
            new(0, year, null, TargetLevel.Branch, TargetKind.NoDuesArrears, null, null),
            new(0, year, null, TargetLevel.Community, TargetKind.MinScore, null, 85),
            new(0, year, communities[0], null, TargetKind.MinScore, null, 90),
        ];
        foreach (var t in targets)
            await store.SetTargetAsync(t, DemoSeeder.Actor, now, id => new AuditEntry(now, DemoSeeder.Actor, "review.target_set", "review_target", id,
                t.OrgId, null, new { t.Year, t.Kind, t.DutyCode, t.Threshold }), ct);

        // Last quarter's review, held ten days after it ended.
        var quarter = Periods.Containing(Recurrence.Quarterly, now);
        var last = Periods.Containing(Recurrence.Quarterly, quarter.StartsAt.AddDays(-1));
        var held = last.EndsAt.AddDays(9);
        var heldOn = Periods.LocalDate(held);
        for (var i = 0; i < Decisions.Length; i++)
        {
            var (text, days, state) = Decisions[i];
            var owner = communities[i % communities.Count];
            var due = heldOn.AddDays(days);
            var dueAt = Periods.StartOf(due.AddDays(1));
            // Done and overdue ones are due by now; an open one is due later (the story bends to the clock it runs on).
            if (state != "pending" && dueAt > now)
                (due, dueAt) = (Periods.LocalDate(now).AddDays(-1), Periods.StartOf(Periods.LocalDate(now)));
            if (state == "pending" && dueAt <= now)
                (due, dueAt) = (Periods.LocalDate(now).AddDays(20), Periods.StartOf(Periods.LocalDate(now).AddDays(21)));
            var title = "评审整改：" + text;
            if (title.Length > AdhocRules.MaxTitleLength)
                title = title[..(AdhocRules.MaxTitleLength - 1)] + "…";
            var task = new AdhocRules.Issuable(title, $"{last.Label}管理评审决定：{text}", held, dueAt,
                Periods.Containing(Recurrence.Monthly, Periods.StartOf(due)).Key, 1m, 0.5m, 0m,
                new EvidenceRule(0, false, Quorum.None, true, false, false, "工作记录"));
            var (_, adhoc) = await store.RecordDecisionAsync(new NewReviewDecision(last.Key, last.EndsAt, root.Value, text, owner, due, task,
                DemoSeeder.Actor, null, held), (decision, adhocId) =>
                [
                    new AuditEntry(held, DemoSeeder.Actor, "review.decided", "review_decision", decision, owner),
                    new AuditEntry(held, DemoSeeder.Actor, "adhoc.issued", "adhoc_task", adhocId, owner),
                ], ct);
            if (state != "pending")
                await conn.ExecuteAsync(new CommandDefinition("""
                    UPDATE tasks SET state = @state, next_reminder_at = NULL, row_version = row_version + 1, updated_at = @at
                    WHERE adhoc_task_id = @adhoc
                    """, new { state, adhoc, at = (state == "completed" ? dueAt.AddDays(-3) : dueAt).UtcDateTime }, cancellationToken: ct));
        }
        log.LogInformation("Demo management review: {Targets} targets for {Year}, {Decisions} decisions of {Review}", targets.Length, year,
            Decisions.Length, last.Key);
        return Decisions.Length;
    }
}
