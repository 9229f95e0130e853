using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.ManagementReview;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.ManagementReview;

/// <summary>Who changes something in the management review: the console's editor name and member.</summary>
public sealed record ReviewEditor(string Actor, long? MemberId, IReadOnlyList<Grant> Grants);

/// <summary>
/// 管理评审 (issue #20 item 2), the office's changes: the year's targets per org or per level, and the review's decisions,
/// each becoming an ad-hoc task (临时任务) for its owner org, issued with the decision in one transaction. Office staff only.
/// </summary>
public sealed class ReviewService(TimeProvider clock, ReviewStore store, OrgStore orgs, ITaskCatalogueSource duties, TaskCache tasks)
{
    public const int MaxDecisionLength = 200;

    /// <summary>Points of a decision's task: it is reported on like other work, but weighs little in the ranking.</summary>
    public const decimal DecisionPoints = 1m;

    public static void EnsureStaff(IReadOnlyList<Grant> grants)
    {
        if (!grants.Any(g => g.Role == Roles.Staff))
            throw new ForbiddenException("auth.forbidden", "管理评审仅限街道党建办工作人员");
    }

    public int CurrentYear() => Periods.LocalDate(clock.GetUtcNow()).Year;

    public Task<IReadOnlyList<ReviewTarget>> TargetsAsync(int year, CancellationToken ct) => store.TargetsAsync(year, ct);

    /// <summary>
    /// Sets a target for <paramref name="year"/>: <paramref name="appliesTo"/> is "community" or "branch" (every org of that
    /// level) or an org's id. The same year, scope, kind and duty replaces the threshold. Refusals are
    /// <see cref="RuleViolationException"/> <c>review.invalid</c> with a Chinese reason.
    /// </summary>
    public async Task<long> SetTargetAsync(ReviewEditor editor, int year, string? appliesTo, TargetKind kind, string? dutyCode,
        decimal? threshold, CancellationToken ct)
    {
        EnsureStaff(editor.Grants);
        var thisYear = CurrentYear();
        if (year < thisYear - 1 || year > thisYear + 1)
            throw new RuleViolationException("review.invalid", "只能设置上一年度至下一年度的目标");
        long? orgId = null;
        TargetLevel? level = appliesTo switch { "community" => TargetLevel.Community, "branch" => TargetLevel.Branch, _ => null };
        if (level is null)
        {
            if (!long.TryParse(appliesTo, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
                || await orgs.GetAsync(id, ct) is not { Kind: OrgKind.CommunityCommittee or OrgKind.Branch or OrgKind.GeneralBranch })
                throw new RuleViolationException("review.invalid", "请选择适用的层级或组织（社区或支部）");
            orgId = id;
        }
        var duty = kind == TargetKind.DutyAllDone ? dutyCode?.Trim() : null;
        if (ReviewTargets.Check(kind, duty, threshold) is { } refusal)
            throw new RuleViolationException("review.invalid", refusal);
        if (duty is not null && !(await duties.GetAsync(ct)).Any(t => t.Code == duty))
            throw new RuleViolationException("review.invalid", "职责目录中没有该职责");
        var value = kind is TargetKind.OnTimeRate or TargetKind.MinScore ? threshold : null;
        var target = new ReviewTarget(0, year, orgId, level, kind, duty, value);
        var now = clock.GetUtcNow();
        return await store.SetTargetAsync(target, editor.Actor, now, id => new AuditEntry(now, editor.Actor, "review.target_set", "review_target",
            id, orgId, editor.MemberId, new { Year = year, AppliesTo = appliesTo, Kind = kind.ToString(), Duty = duty, Threshold = value }), ct);
    }

    public async Task RemoveTargetAsync(ReviewEditor editor, long id, CancellationToken ct)
    {
        EnsureStaff(editor.Grants);
        var now = clock.GetUtcNow();
        if (!await store.RemoveTargetAsync(id, new AuditEntry(now, editor.Actor, "review.target_removed", "review_target", id, null, editor.MemberId),
                ct))
            throw new NotFoundException($"目标 {id} 不存在", "review.target_not_found");
    }

    /// <summary>
    /// Records a decision of the review of <paramref name="period"/> over <paramref name="scopeOrgId"/>: its owner org (in the
    /// scope) gets an ad-hoc task due on <paramref name="dueOn"/> whose title is the decision's start and whose description
    /// is the decision. Returns the ad-hoc task's id.
    /// </summary>
    public async Task<long> RecordDecisionAsync(ReviewEditor editor, Period period, long scopeOrgId, string? text, long? ownerOrgId,
        DateOnly? dueOn, CancellationToken ct)
    {
        EnsureStaff(editor.Grants);
        var scope = await orgs.GetAsync(scopeOrgId, ct) ?? throw new NotFoundException($"组织 {scopeOrgId} 不存在", "org.not_found");
        var decision = text?.Trim() ?? "";
        if (decision.Length == 0)
            throw new RuleViolationException("review.invalid", "请填写评审决定");
        if (decision.Length > MaxDecisionLength)
            throw new RuleViolationException("review.invalid", $"评审决定不超过{MaxDecisionLength}字");
        if (ownerOrgId is not { } ownerId || await orgs.GetAsync(ownerId, ct) is not { } owner || !OrgPath.IsWithin(owner.Path, scope.Path))
            throw new RuleViolationException("review.invalid", "请选择评审范围内的责任组织");
        if (dueOn is not { } due)
            throw new RuleViolationException("review.invalid", "请填写完成期限");
        var now = clock.GetUtcNow();
        var title = "评审整改：" + decision;
        if (title.Length > AdhocRules.MaxTitleLength)
            title = title[..(AdhocRules.MaxTitleLength - 1)] + "…";
        var request = new AdhocTaskRequest(title, $"{period.Label}管理评审决定：{decision}", due, DecisionPoints, null, null, 0, false, true, false,
            false, [ownerId], AdhocTargetMode.Orgs);
        var (issuable, refusal) = AdhocRules.Check(request, now);
        if (issuable is null)
            throw new RuleViolationException("review.invalid", refusal!);
        var (_, adhocId) = await store.RecordDecisionAsync(
            new NewReviewDecision(period.Key, period.EndsAt, scopeOrgId, decision, ownerId, due, issuable, editor.Actor, editor.MemberId, now),
            (decisionId, adhoc) =>
            [
                new AuditEntry(now, editor.Actor, "review.decided", "review_decision", decisionId, ownerId, editor.MemberId,
                    new { Period = period.Key, Scope = scopeOrgId, Text = decision, DueOn = due, AdhocTask = adhoc }),
                new AuditEntry(now, editor.Actor, "adhoc.issued", "adhoc_task", adhoc, ownerId, editor.MemberId,
                    new { issuable.Title, issuable.DueAt, issuable.Points, Target = AdhocTargetMode.Orgs, Listed = new[] { ownerId }, Targets = 1 }),
            ], ct);
        await tasks.InvalidateAsync();
        return adhocId;
    }
}
