using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services;

/// <summary>One org's copy of an ad-hoc task.</summary>
public sealed record AdhocTarget(long TaskId, long OrgId, string OrgName, TaskState State);

public sealed record AdhocTaskDetail(AdhocTask Task, IReadOnlyList<AdhocTarget> Targets);

/// <summary>
/// Issuing and cancelling ad-hoc tasks (临时性工作). Issuing writes the definition and one task per
/// target org in one transaction; each task carries the definition's points as its possible points,
/// so only the orgs that received it have more to earn (DESIGN.md, Scoring). Cancelling closes every
/// copy, whatever its state, and nets each copy's ledger entries to zero: the assessment then reads
/// as if the task had never been issued.
/// </summary>
public sealed class AdhocTaskService(TimeProvider clock, AdhocTaskStore store, TaskCache cache)
{
    /// <summary>Only office staff and community secretaries or committees issue ad-hoc tasks (before anything they send is read).</summary>
    public static void EnsureIssuer(IReadOnlyList<Grant> grants)
    {
        if (!grants.Any(g => Access.IssueScope(g) is not null))
            throw new ForbiddenException("auth.forbidden", "只有街道党建办或社区党委可以下发临时任务");
    }

    public async Task<AdhocTaskDetail> IssueAsync(AdhocTaskRequest request, IReadOnlyList<Grant> grants, string actor,
        long? actorMemberId, CancellationToken ct)
    {
        EnsureIssuer(grants);
        var now = clock.GetUtcNow();
        // Scope first: someone who may not issue there learns nothing from the validation.
        var listedIds = (request.OrgIds ?? []).Distinct().ToArray();
        var listed = await store.OrgsAsync(listedIds, ct);
        if (listedIds.Except(listed.Select(o => o.Id)).FirstOrDefault() is var missing and > 0)
            throw new NotFoundException($"组织 {missing} 不存在");
        if (listed.FirstOrDefault(o => !Access.CanIssue(grants, o.Path)) is { } outside)
            throw new ForbiddenException("auth.forbidden", $"您无权向“{outside.Name}”下发任务");
        var (issuable, refusal) = AdhocRules.Check(request, now);
        if (issuable is null)
            throw new RuleViolationException("adhoc.invalid", refusal!);

        IReadOnlyList<AdhocOrg> targets = listed;
        if (request.Target == AdhocTargetMode.Branches)
        {
            var branches = await store.BranchesAsync(ct);
            targets = branches.Where(b => listed.Any(o => OrgPath.IsWithin(b.Path, o.Path))).OrderBy(b => b.Path, StringComparer.Ordinal)
                .ToList();
            if (targets.Count == 0)
                throw new RuleViolationException("adhoc.no_targets", "所选组织下没有党支部");
        }
        if (targets.Count > AdhocRules.MaxTargets)
            throw new RuleViolationException("adhoc.invalid", $"一次最多下发给{AdhocRules.MaxTargets}个组织");
        var scopePath = OrgPath.CommonAncestor(listed.Select(o => o.Path));
        var scopeOrgId = scopePath == OrgPath.Root ? listed[0].Id : OrgPath.Ids(scopePath)[^1];

        var t = issuable;
        var id = await store.IssueAsync(t, targets.Select(o => o.Id).ToList(), scopeOrgId, actor, actorMemberId,
            issued => new AuditEntry(now, actor, "adhoc.issued", "adhoc_task", issued, scopeOrgId, actorMemberId,
                new { t.Title, DueAt = t.DueAt, t.Points, request.Target, Listed = listedIds, Targets = targets.Count }), ct);
        await cache.InvalidateAsync();
        return (await GetAsync(id, ct))!;
    }

    /// <summary>
    /// Withdraws the task from every org it went to. Each copy becomes Cancelled (with an audit entry),
    /// and whatever the ledger holds for it — completion, attendance, review, overdue — is netted to
    /// zero by one entry per subject, so results read as if the task had never been issued.
    /// </summary>
    public async Task<AdhocTaskDetail> CancelAsync(long id, string? reason, IReadOnlyList<Grant> grants, string actor,
        long? actorMemberId, CancellationToken ct)
    {
        // Who may cancel before what they sent: a caller who may not learns nothing from the validation.
        var task = await store.GetAsync(id, ct) ?? throw new NotFoundException($"临时任务 {id} 不存在");
        await EnsureIssuerAsync(task, grants, "您无权撤销该临时任务", ct);
        var why = reason?.Trim();
        if (string.IsNullOrEmpty(why))
            throw new RuleViolationException("adhoc.reason_required", "撤销任务须填写原因");
        if (why.Length > TaskCommands.MaxTextLength)
            throw new RuleViolationException("adhoc.reason_required", $"撤销原因不超过{TaskCommands.MaxTextLength}字");
        var now = clock.GetUtcNow();

        if (!await store.CancelAsync(task, why, actor, actorMemberId, now, copies => new AuditEntry(now, actor, "adhoc.cancelled",
                "adhoc_task", id, task.ScopeOrgId, actorMemberId, new { Reason = why, Tasks = copies }), ct))
            throw new RuleViolationException("adhoc.already_cancelled", "该临时任务已撤销");
        await cache.InvalidateAsync();
        return (await GetAsync(id, ct))!;
    }

    public async Task<AdhocTaskDetail?> GetAsync(long id, CancellationToken ct)
    {
        var task = await store.GetAsync(id, ct);
        if (task is null)
            return null;
        var targets = await store.CopiesAsync(id, ct);
        return new AdhocTaskDetail(task, targets.Select(r => new AdhocTarget(r.TaskId, r.OrgId, r.OrgName, DbNames.Parse<TaskState>(r.State)))
            .ToList());
    }

    /// <summary>The ad-hoc task with every copy, for someone who may issue over its whole scope: 404 <c>adhoc.not_found</c>, else 403.</summary>
    public async Task<AdhocTaskDetail> GetForAsync(long id, IReadOnlyList<Grant> grants, CancellationToken ct)
    {
        var task = await store.GetAsync(id, ct);
        var scopePath = task is null ? null : await store.ScopePathAsync(task.ScopeOrgId, ct);
        if (task is null || scopePath is null)
            throw new NotFoundException($"临时任务 {id} 不存在", "adhoc.not_found");
        if (!Access.CanIssue(grants, scopePath))
            throw new ForbiddenException("auth.forbidden", "您无权查看该临时任务");
        return (await GetAsync(id, ct))!;
    }

    /// <summary>The ad-hoc tasks issued within the widest subtree the caller issues to, newest first; 403 for anyone who issues none.</summary>
    public async Task<IReadOnlyList<AdhocTask>> ListAsync(IReadOnlyList<Grant> grants, int limit, CancellationToken ct)
    {
        var scope = grants.Select(Access.IssueScope).OfType<string>().OrderBy(p => p.Length).FirstOrDefault()
            ?? throw new ForbiddenException("auth.forbidden", "只有街道党建办或社区党委可以查看临时任务");
        return await store.ListAsync(scope, Math.Clamp(limit, 1, 200), ct);
    }

    /// <summary>Who issued it, or anyone who may issue over its whole scope, may cancel it.</summary>
    private async Task EnsureIssuerAsync(AdhocTask task, IReadOnlyList<Grant> grants, string refusal, CancellationToken ct)
    {
        var scopePath = await store.ScopePathAsync(task.ScopeOrgId, ct);
        if (scopePath is null || !Access.CanIssue(grants, scopePath))
            throw new ForbiddenException("auth.forbidden", refusal);
    }
}
