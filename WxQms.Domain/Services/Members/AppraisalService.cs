using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.Options;
using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Assessment;
using WxQms.Domain.Rules.Members;
using WxQms.Domain.Rules.Reminders;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Assessment;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Members;

/// <summary>民主评议 settings (section <c>Appraisals</c>).</summary>
public sealed class AppraisalOptions
{
    public const string Section = "Appraisals";

    /// <summary>The largest share of a branch's full members graded 优秀 (generally at most one third).</summary>
    [Range(typeof(decimal), "0", "1")]
    public decimal ExcellentShare { get; set; } = 1m / 3m;

    /// <summary>Days the secretary has for a 不合格's follow-up (talk, improvement plan).</summary>
    [Range(1, 366)]
    public int FollowUpDays { get; set; } = 30;
}

/// <summary>A member of the branch with her grade for the year (null: not graded yet; probationary members are not graded).</summary>
public sealed record AppraisalLine(long MemberId, string Name, MemberStatus Status, AppraisalGrade? Grade);

/// <summary>A branch's 民主评议 for a year: its members, how many may be 优秀, whether its 组织生活会 is held, the follow-ups.</summary>
public sealed record BranchAppraisal(long OrgId, string OrgName, int Year, bool OrgLifeHeld, int MaxExcellent, IReadOnlyList<AppraisalLine> Members,
    IReadOnlyList<AppraisalFollowUp> FollowUps);

/// <summary>The stars' <see cref="IAppraisalGrades"/> hook, filled from the recorded grades.</summary>
public sealed class StoredAppraisalGrades(AppraisalStore store) : IAppraisalGrades
{
    public Task<IReadOnlyDictionary<long, AppraisalGrade>> GradesAsync(int year, CancellationToken ct) => store.GradesAsync(year, ct);
}

/// <summary>
/// 民主评议党员 (issue #18 item 4): after the year's 组织生活会 the branch's secretary (or worker) records each full member's
/// grade, the 优秀 within <see cref="AppraisalOptions.ExcellentShare"/>; the grades move the stars
/// (<see cref="StoredAppraisalGrades"/>). A 不合格 opens a follow-up for the branch's secretaries with a reminder in the
/// outbox, due in <see cref="AppraisalOptions.FollowUpDays"/>; the secretary records the talk and the plan and closes it.
/// </summary>
public sealed class AppraisalService(AppraisalStore store, MemberStore members, OrgStore orgs, IOptions<AppraisalOptions> options,
    TimeProvider clock, RecordCache records)
{
    /// <summary>The outbox's subject type of a follow-up's reminder.</summary>
    public const string FollowUpSubject = "appraisal_fu"; // reminders.subject_type holds 16 characters

    public int CurrentYear() => Periods.LocalDate(clock.GetUtcNow()).Year;

    public async Task<BranchAppraisal> GetAsync(MemberEditor viewer, long orgId, int year, CancellationToken ct)
    {
        var org = await BranchAsync(orgId, ct);
        if (!Access.CanMonitor(viewer.Grants, org.Path))
            throw new ForbiddenException("auth.forbidden", "您无权查看该支部的民主评议");
        var roster = await members.RosterAsync(orgId, new RosterScope(Subtree: true, OnTheRollOnly: true), ct);
        var grades = await store.GradesAsync(org.Path, year, ct);
        var full = roster.Count(m => m.Status == MemberStatus.Full);
        var held = await store.InTransactionAsync((conn, tx) => AppraisalFacts.OrgLifeHeldAsync(conn, tx, orgId, year, ct), ct);
        return new BranchAppraisal(org.Id, org.Name, year, held, Appraisals.MaxExcellent(full, options.Value.ExcellentShare),
            roster.Select(m => new AppraisalLine(m.Id, m.Name, m.Status, grades.TryGetValue(m.Id, out var g) ? g : null)).ToList(),
            await store.FollowUpsAsync(org.Path, year, ct));
    }

    /// <summary>Records (or corrects) grades of the branch's full members for <paramref name="year"/>.</summary>
    public async Task<BranchAppraisal> RecordAsync(MemberEditor viewer, long orgId, int year, IReadOnlyDictionary<long, AppraisalGrade> grades,
        CancellationToken ct)
    {
        var org = await BranchAsync(orgId, ct);
        if (!Access.CanActOn(viewer.Grants, org.Path))
            throw new ForbiddenException("auth.forbidden", "民主评议等次由本支部书记或党务工作者录入");
        var now = clock.GetUtcNow();
        if (year > Periods.LocalDate(now).Year)
            throw new RuleViolationException("appraisal.future_year", "不能录入未来年度的民主评议");
        var roster = await members.RosterAsync(orgId, new RosterScope(Subtree: true, OnTheRollOnly: true), ct);
        var eligible = roster.Where(m => m.Status == MemberStatus.Full).Select(m => m.Id).ToHashSet();
        var share = options.Value.ExcellentShare;
        await store.InTransactionAsync(async (conn, tx) =>
        {
            if (!await AppraisalFacts.OrgLifeHeldAsync(conn, tx, orgId, year, ct))
                throw new RuleViolationException("appraisal.before_org_life", $"{org.Name}{year}年度的组织生活会完成后，才能录入民主评议等次");
            var merged = (await AppraisalStore.GradesAsync(conn, tx, org.Path, year, ct)).Where(g => eligible.Contains(g.Key))
                .ToDictionary(g => g.Key, g => g.Value);
            foreach (var (memberId, grade) in grades)
                merged[memberId] = grade;
            if (grades.Count == 0 || grades.Keys.Any(id => !eligible.Contains(id)))
                throw new RuleViolationException("appraisal.invalid", Appraisals.Check(grades, eligible, share)!);
            if (Appraisals.Check(merged, eligible, share) is { } refusal)
                throw new RuleViolationException("appraisal.too_many_excellent", refusal);
            foreach (var (memberId, grade) in grades)
            {
                var sitsIn = roster.First(m => m.Id == memberId).OrgId;
                await AppraisalStore.RecordAsync(conn, tx, year, memberId, sitsIn, grade, viewer.MemberId, now, ct);
                if (Appraisals.NeedsFollowUp(grade))
                    await OpenFollowUpAsync(conn, tx, org, year, memberId, roster.First(m => m.Id == memberId).Name, now, ct);
            }
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, viewer.Actor, "appraisal.recorded", "org", orgId, orgId, viewer.MemberId,
                new { year, grades = grades.ToDictionary(g => g.Key.ToString(CultureInfo.InvariantCulture), g => DbNames.Of(g.Value)) }), ct);
            return 0;
        }, ct);
        await records.InvalidateAsync(); // the grades show on the members' records
        return await GetAsync(viewer, orgId, year, ct);
    }

    private async Task OpenFollowUpAsync(System.Data.Common.DbConnection conn, System.Data.Common.DbTransaction tx, Org branch, int year,
        long memberId, string name, DateTimeOffset now, CancellationToken ct)
    {
        var dueOn = Periods.LocalDate(now).AddDays(options.Value.FollowUpDays);
        if (await AppraisalStore.OpenFollowUpAsync(conn, tx, year, memberId, branch.Id, dueOn, now, ct) is not { } id)
            return;
        foreach (var secretary in await AppraisalFacts.SecretariesAsync(conn, tx, branch.Id, ct))
            await OutboxStore.EnqueueAsync(conn, tx, FollowUpNotice(id, branch, secretary, name, dueOn), now, ct);
    }

    /// <summary>
    /// The reminder under the <c>taskWarning</c> template (任务预警: thing1 事项, date2 截止日期, phrase3 状态, thing4 组织;
    /// mini program: character_string4 编号).
    /// </summary>
    public static Notice FollowUpNotice(long followUpId, Org branch, long secretary, string memberName, DateOnly dueOn) =>
        FollowUpNotice(followUpId, branch.Id, branch.Name, secretary, memberName, dueOn, "opened");

    /// <summary>The same notice when the follow-up opens (<c>opened</c>), is <c>due_soon</c> or <c>overdue</c>.</summary>
    public static Notice FollowUpNotice(long followUpId, long branchId, string branchName, long secretary, string memberName, DateOnly dueOn,
        string kind)
    {
        var what = ReminderContent.Thing(memberName, "民主评议不合格跟进");
        var due = Periods.Describe(dueOn);
        var phrase = kind switch { "due_soon" => "即将到期", "overdue" => "已逾期", _ => "待谈话整改" };
        return new Notice(FollowUpSubject, followUpId, kind, branchId, secretary, null, "taskWarning",
            new Dictionary<string, string> { ["thing1"] = what, ["date2"] = due, ["phrase3"] = phrase, ["thing4"] = ReminderContent.Thing(branchName) },
            new Dictionary<string, string> { ["thing1"] = what, ["date2"] = due, ["phrase3"] = phrase,
                ["character_string4"] = string.Create(CultureInfo.InvariantCulture, $"AF{followUpId}") },
            string.Create(CultureInfo.InvariantCulture, $"pages/appraisals/index?orgId={branchId}"));
    }

    /// <summary>The secretary records the talk and the improvement plan; a follow-up closes only with both.</summary>
    public async Task<AppraisalFollowUp> UpdateFollowUpAsync(MemberEditor viewer, long id, DateOnly? talkedOn, string? plan, bool close,
        CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        plan = string.IsNullOrWhiteSpace(plan) ? null : plan.Trim();
        if (plan?.Length > 500)
            throw new RuleViolationException("request.invalid", "整改计划不超过500字");
        if (talkedOn is { } day && day > Periods.LocalDate(now))
            throw new RuleViolationException("request.invalid", "谈话日期不能晚于今天");
        if (close && (talkedOn is null || plan is null))
            throw new RuleViolationException("appraisal.followup_incomplete", "记录谈心谈话日期和整改计划后才能结束跟进");
        return await store.InTransactionAsync(async (conn, tx) =>
        {
            var f = await AppraisalStore.LockFollowUpAsync(conn, tx, id, ct) ?? throw new NotFoundException($"跟进 {id} 不存在", "appraisal.followup_not_found");
            var org = await orgs.GetAsync(f.OrgId, ct) ?? throw new NotFoundException($"跟进 {id} 不存在", "appraisal.followup_not_found");
            if (!Access.CanActOn(viewer.Grants, org.Path))
                throw new ForbiddenException("auth.forbidden", "跟进由该支部书记记录");
            await AppraisalStore.UpdateFollowUpAsync(conn, tx, id, talkedOn, plan, close, now, ct);
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, viewer.Actor, close ? "appraisal.followup_closed" : "appraisal.followup_updated",
                "appraisal_followup", id, f.OrgId, viewer.MemberId, new { talkedOn, close }), ct);
            return (await AppraisalStore.LockFollowUpAsync(conn, tx, id, ct))!;
        }, ct);
    }

    private async Task<Org> BranchAsync(long orgId, CancellationToken ct)
    {
        var org = await orgs.GetAsync(orgId, ct) ?? throw new NotFoundException($"组织 {orgId} 不存在", "org.not_found");
        if (org.Kind != OrgKind.Branch)
            throw new RuleViolationException("appraisal.not_a_branch", "民主评议按党支部录入");
        return org;
    }
}
