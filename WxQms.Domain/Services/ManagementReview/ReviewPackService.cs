using System.Globalization;
using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Assessment;
using WxQms.Domain.Rules.ManagementReview;
using WxQms.Domain.Rules.Nonconformities;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Assessment;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.ManagementReview;

/// <summary>A target judged for an org: in words, its outcome and what the org did.</summary>
public sealed record PackTarget(string Label, TargetOutcome Outcome, string Actual);

/// <summary>A ranked org of the pack with its targets judged.</summary>
public sealed record PackOrg(RankingRow Row, IReadOnlyList<PackTarget> Targets)
{
    public int Met => Targets.Count(t => t.Outcome == TargetOutcome.Met);

    public int NotMet => Targets.Count(t => t.Outcome == TargetOutcome.NotMet);
}

/// <summary>A duty across the scope: tasks due so far, done on time, late, missed, warned.</summary>
public sealed record PackDuty(string Code, string Name, int Due, int OnTime, int Late, int Missed, int Warned)
{
    public decimal? OnTimeRate => Due == 0 ? null : (decimal)OnTime / Due;
}

public sealed record PackRepeated(string Duty, int Orgs, int Periods, int Times, int Missed, IReadOnlyList<string> OrgNames);

public sealed record PackCount(string Label, int Count);

/// <summary>A decision of a review and whether it was done, read from its ad-hoc task.</summary>
public sealed record PackDecision(string Text, string Owner, DateOnly DueOn, string Status, bool Done, bool Overdue);

/// <summary>
/// The management review pack (管理评审) of a period and scope: everything a printed page or a workbook shows, computed
/// from what exists — the ranking of the period (the same as the ranking page's), the tasks behind it, reminders, wishes,
/// dues arrears, the year's targets, the register of nonconformities and corrective actions (<see cref="Nonconformities"/>:
/// raised in the period by source and by state, and countermeasures past due) and the review decisions.
/// </summary>
public sealed record ReviewPack(Period Period, RankingView Ranking, RankingLevel Level, IReadOnlyList<PackOrg> Orgs, IReadOnlyList<string> Targets,
    IReadOnlyList<PackDuty> WeakestDuties, IReadOnlyList<RankingRow> WeakestOrgs, IReadOnlyList<PackRepeated> Repeated,
    IReadOnlyList<PackCount> Reminders, IReadOnlyList<PackCount> ReminderChannels, IReadOnlyList<PackCount> Wishes,
    IReadOnlyList<PackCount>? Arrears, IReadOnlyList<PackCount>? Nonconformities, string? LastReview, IReadOnlyList<PackDecision> LastDecisions,
    IReadOnlyList<PackDecision> Decisions, DateTimeOffset GeneratedAt);

/// <summary>Builds the management review pack for office staff (issue #20 item 2).</summary>
public sealed class ReviewPackService(TimeProvider clock, ReviewStore store, OrgStore orgs, RankingCache rankings, RankingQueries queries,
    ITaskCatalogueSource duties)
{
    public const int Weakest = 5;

    /// <summary>The scope a pack may cover: the subdistrict (communities ranked) or one community (its branches ranked).</summary>
    public async Task<(Org Scope, RankingLevel Level)> ScopeAsync(long? orgId, IReadOnlyList<Grant> grants, CancellationToken ct)
    {
        ReviewService.EnsureStaff(grants);
        var id = orgId ?? grants.Where(g => g.Role == Roles.Staff).OrderBy(g => g.OrgPath.Length).First().OrgId;
        var org = await orgs.GetAsync(id, ct) ?? throw new NotFoundException($"组织 {id} 不存在", "org.not_found");
        return org.Depth switch
        {
            0 => (org, RankingLevel.Community),
            1 => (org, RankingLevel.Branch),
            _ => throw new RuleViolationException("request.invalid", "管理评审的范围是街道或一个社区"),
        };
    }

    /// <summary>The orgs a review names (scopes, owners, targets): the subdistrict's communities and their branches, in tree order.</summary>
    public async Task<IReadOnlyList<Org>> OrgsAsync(IReadOnlyList<Grant> grants, CancellationToken ct)
    {
        var (root, _) = await ScopeAsync(null, grants, ct);
        var subtree = await orgs.GetSubtreeAsync(root.Id, ct);
        return subtree is null ? [] : subtree.Value.Orgs
            .Where(o => o.Id == root.Id || o.Kind is OrgKind.CommunityCommittee or OrgKind.GeneralBranch or OrgKind.Branch)
            .OrderBy(o => o.Path, StringComparer.Ordinal).ToList();
    }

    public async Task<ReviewPack> BuildAsync(Period period, long? orgId, IReadOnlyList<Grant> grants, CancellationToken ct)
    {
        var (scope, level) = await ScopeAsync(orgId, grants, ct);
        var now = clock.GetUtcNow();
        var (cached, _) = await rankings.GetOrLoadAsync(period.Key, scope.Id, level, c => queries.BuildAsync(period, scope.Id, level, c), ct);
        var ranking = cached?.View ?? throw new NotFoundException($"组织 {scope.Id} 不存在", "org.not_found");
        var catalogue = await duties.GetAsync(ct);
        string DutyName(string code) => catalogue.FirstOrDefault(t => t.Code == code)?.Name ?? code;

        // What was due so far: a live period's later tasks are nobody's problem yet.
        var to = now < period.EndsAt ? now : period.EndsAt;
        var facts = await store.TaskFactsAsync(scope.Path, period.StartsAt, to, now, ct);
        var lastMonth = Periods.Containing(Recurrence.Monthly, (to < now ? to : now).AddDays(-1)).Key;
        if (string.CompareOrdinal(lastMonth, Periods.Containing(Recurrence.Monthly, period.StartsAt).Key) < 0)
            lastMonth = Periods.Containing(Recurrence.Monthly, period.StartsAt).Key;
        var arrears = await store.ArrearsAsync(scope.Path, lastMonth, ct);
        var targets = await store.TargetsAsync(period.Year, ct);
        var targetLevel = level == RankingLevel.Community ? TargetLevel.Community : TargetLevel.Branch;

        var packOrgs = ranking.Rows.Select(row =>
        {
            var mine = facts.Where(f => OrgPath.IsWithin(f.Path, row.Path)).ToList();
            var byDuty = mine.GroupBy(f => f.TemplateCode).ToDictionary(g => g.Key, g => (g.Count(), g.Count(f => f.State == "completed")),
                StringComparer.Ordinal);
            int? owing = arrears is null ? null : (int)arrears.Where(a => OrgPath.IsWithin(a.Path, row.Path)).Sum(a => a.Members);
            var orgFacts = new OrgFacts(row.OrgId, targetLevel, row.Ratio, mine.Count, mine.Count(f => f.OnTime), byDuty, owing);
            return new PackOrg(row, ReviewTargets.For(targets, period.Year, row.OrgId, targetLevel)
                .Select(t => ReviewTargets.Evaluate(t, orgFacts))
                .Select(r => new PackTarget(ReviewTargets.Describe(r.Target, DutyName), r.Outcome, r.Actual)).ToList());
        }).ToList();
        var targetLabels = packOrgs.SelectMany(o => o.Targets).Select(t => t.Label).Distinct().ToList();

        var dutyFacts = facts.Where(f => f.AdhocTitle is null).ToList();
        var weakestDuties = dutyFacts.GroupBy(f => f.TemplateCode)
            .Select(g => new PackDuty(g.Key, DutyName(g.Key), g.Count(), g.Count(f => f.OnTime), g.Count(f => f.State == "completed" && !f.OnTime),
                g.Count(f => f.Missed), g.Count(f => f.Warned)))
            .OrderBy(d => d.OnTimeRate).ThenByDescending(d => d.Missed).ThenBy(d => d.Code, StringComparer.Ordinal).Take(Weakest).ToList();
        var weakestOrgs = ranking.Rows.Where(r => r.Ratio is not null).OrderBy(r => r.Ratio).ThenByDescending(r => r.Missed)
            .ThenBy(r => r.Path, StringComparer.Ordinal).Take(Weakest).ToList();
        var names = facts.GroupBy(f => f.OrgId).ToDictionary(g => g.Key, g => g.First().OrgName);
        var repeated = RepeatedProblems.Find(dutyFacts.Where(f => f.Missed || f.Warned)
                .Select(f => new DutyProblem(f.OrgId, f.TemplateCode, f.PeriodKey, f.Missed)))
            .Select(r => new PackRepeated(DutyName(r.DutyCode), r.Orgs, r.Periods, r.Times, r.Missed, r.OrgIds.Select(id => names[id]).ToList()))
            .ToList();

        var reminderRows = await store.ReminderOutcomesAsync(scope.Path, period.StartsAt, period.EndsAt, ct);
        var reminders = reminderRows.GroupBy(r => ReminderOutcome(r.Status)).OrderBy(g => g.Key.Order)
            .Select(g => new PackCount(g.Key.Label, (int)g.Sum(r => r.Count))).ToList();
        var channels = reminderRows.Where(r => r.Channel is not null).GroupBy(r => ChannelLabel(r.Channel!))
            .Select(g => new PackCount(g.Key, (int)g.Sum(r => r.Count))).OrderByDescending(c => c.Count).ToList();
        var wishes = (await store.WishStatusesAsync(scope.Path, period.StartsAt, period.EndsAt, ct))
            .OrderBy(w => WishOrder(w.Status)).Select(w => new PackCount(WishLabel(w.Status), (int)w.Count)).ToList();
        var arrearsRows = arrears?.Select(a => new PackCount(a.Name, (int)a.Members)).OrderByDescending(a => a.Count).ToList();
        var nonconformities = await NonconformitiesAsync(scope.Path, period, now, ct);

        var last = await store.LastReviewBeforeAsync(scope.Id, period.EndsAt, ct);
        var today = Periods.LocalDate(now);
        var lastDecisions = last is null ? [] : (await store.DecisionsAsync(scope.Id, last, ct)).Select(d => Decision(d, today)).ToList();
        var decisions = (await store.DecisionsAsync(scope.Id, period.Key, ct)).Select(d => Decision(d, today)).ToList();
        return new ReviewPack(period, ranking, level, packOrgs, targetLabels, weakestDuties, weakestOrgs, repeated, reminders, channels, wishes,
            arrearsRows, nonconformities, last is null ? null : Periods.Parse(last).Label, lastDecisions, decisions, now);
    }

    /// <summary>
    /// The register in the pack: how many were raised in the period, per source and per state now, and the countermeasures past
    /// due; empty (暂无) when the period raised none and none is past due.
    /// </summary>
    private async Task<IReadOnlyList<PackCount>> NonconformitiesAsync(string scopePath, Period period, DateTimeOffset now, CancellationToken ct)
    {
        var (raised, pastDue) = await store.NonconformitiesAsync(scopePath, period.StartsAt, period.EndsAt, period.FirstDay, period.LastDay,
            Periods.LocalDate(now), ct);
        if (raised.Count == 0 && pastDue == 0)
            return [];
        var counts = new List<PackCount> { new("本期提出", (int)raised.Sum(r => r.Count)) };
        counts.AddRange(raised.GroupBy(r => DbNames.Parse<NonconformitySource>(r.Source)).OrderBy(g => g.Key)
            .Select(g => new PackCount($"来源：{CapaRules.Describe(g.Key)}", (int)g.Sum(r => r.Count))));
        counts.AddRange(raised.GroupBy(r => DbNames.Parse<NonconformityState>(r.State)).OrderBy(g => g.Key)
            .Select(g => new PackCount($"现状：{CapaRules.Describe(g.Key)}", (int)g.Sum(r => r.Count))));
        counts.Add(new PackCount("纠正措施逾期未完成", (int)pastDue));
        return counts;
    }

    private static PackDecision Decision(ReviewDecisionRow d, DateOnly today)
    {
        var state = d.TaskState is { } s ? DbNames.Parse<TaskState>(s) : TaskState.Cancelled;
        var done = state == TaskState.Completed;
        var overdue = !done && state != TaskState.Cancelled && today > d.DueOn;
        var status = done ? "已完成" : overdue ? "逾期未完成" : TaskTransitions.StatusLabel(state);
        return new PackDecision(d.Text, d.OwnerName, d.DueOn, status, done, overdue);
    }

    private static (int Order, string Label) ReminderOutcome(string status) => status switch
    {
        "sent" => (0, "已送达"),
        "failed" => (1, "被拒收"),
        "unreachable" => (2, "无法触达"),
        "pending" or "sending" => (3, "待发送"),
        _ => (4, "已取消"),
    };

    private static string ChannelLabel(string channel) => channel switch
    {
        "oa" => "公众号",
        "mp" => "小程序",
        "sms" => "短信",
        _ => channel,
    };

    private static int WishOrder(string status) => Array.IndexOf(WishStatuses, status) is var i and >= 0 ? i : 99;

    private static readonly string[] WishStatuses = ["reviewing", "published", "claimed", "fulfilled", "lit", "refused", "cancelled"];

    private static string WishLabel(string status) => status switch
    {
        "reviewing" => "待审核",
        "published" => "待认领",
        "claimed" => "已认领",
        "fulfilled" => "待确认",
        "lit" => "已点亮",
        "refused" => "未通过",
        "cancelled" => "已撤回",
        _ => status,
    };
}
