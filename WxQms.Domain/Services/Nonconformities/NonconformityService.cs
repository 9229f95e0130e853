using Microsoft.Extensions.Options;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Nonconformities;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Nonconformities;

/// <summary>
/// A nonconformity to raise: from an inspection, a self-inspection, the internal audit or a rule, for a branch
/// (<see cref="OrgId"/>), once per (<see cref="Source"/>, <see cref="SourceRef"/>). <see cref="Clause"/> is free text for
/// now (document number and section, e.g. "DFL-QP-03 §4.2"); <see cref="EvidencePhotos"/> are photos already stored
/// (an inspection resolves its upload tokens first).
/// </summary>
public sealed record NewNonconformity(long OrgId, NonconformitySource Source, string SourceRef, string? Clause, NonconformitySeverity Severity,
    string Description, IReadOnlyList<StoredPhoto>? EvidencePhotos = null);

/// <summary>Who acts: the grants, the audit's actor, the member and the WeChat user (whose upload tokens are spent).</summary>
public sealed record NcActor(IReadOnlyList<Grant> Grants, string Actor, long? MemberId, long? WechatUserId)
{
    /// <summary>The system itself (the rule scan).</summary>
    public static readonly NcActor System = new([], "system:nonconformities", null, null);
}

/// <summary>A nonconformity with its trail and what the viewer may do with it.</summary>
public sealed record NonconformityView(Nonconformity Item, IReadOnlyList<NonconformityStep> Trail, bool PastDue, bool MayAct, bool MayCheck,
    bool CheckDueNow);

/// <summary>
/// Nonconformities (不符合项) and their corrective action (CAPA, issue #19 items 4 and 5). One register for every source:
/// <see cref="RaiseAsync"/> is the one way in (idempotent per source and source ref). Each is assigned to its branch's
/// secretary, who records the cause and countermeasure with a due date and then its completion with evidence; after
/// <see cref="NonconformityOptions.CheckAfterDays"/> the community's secretary or committee (or the office) checks its
/// effectiveness: closed on a pass, reopened to the secretary on a fail. Every step is one audit entry and one row of the
/// trail in its transaction; a step names the version the user saw and is refused (409) when it is stale.
/// </summary>
public sealed class NonconformityService(NonconformityStore store, UploadStore uploads, IOptions<NonconformityOptions> options, TimeProvider clock)
{
    public const int ListLimit = 500;
    private const int MaxPhotos = 9;

    /// <summary>Raises a nonconformity once; its id and whether this call created it (false: it was raised before).</summary>
    public async Task<(long Id, bool Created)> RaiseAsync(NewNonconformity n, NcActor who, CancellationToken ct)
    {
        var description = n.Description.Trim();
        if (description.Length is 0 or > CapaRules.MaxText || n.SourceRef.Length is 0 or > 64 || n.Clause?.Length > 100)
            throw new RuleViolationException("request.invalid", "不符合项的描述、来源或条款不完整或过长");
        var now = clock.GetUtcNow();
        var created = await Deadlocks.RetryAsync(() => store.InTransactionAsync(async (conn, tx) =>
        {
            var id = await NonconformityStore.InsertAsync(conn, tx, new NonconformityInsert(n.OrgId, n.Source, n.SourceRef, n.Clause?.Trim(),
                n.Severity, description, who.Actor, who.MemberId), now, ct);
            if (id is not { } raised)
                return (long?)null;
            await NonconformityStore.AddStepAsync(conn, tx, new NonconformityStepInsert(raised, NonconformityStepKind.Raised, 1, null, description, null,
                who.Actor, who.MemberId, n.EvidencePhotos ?? []), now, ct);
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, who.Actor, "nonconformity.raised", "nonconformity", raised, n.OrgId, who.MemberId,
                new { Source = DbNames.Of(n.Source), n.SourceRef, n.Clause, Severity = DbNames.Of(n.Severity) }), ct);
            var item = (await NonconformityStore.LockAsync(conn, tx, raised, ct))!;
            foreach (var secretary in await NonconformityStore.SecretariesAsync(conn, tx, n.OrgId, ct))
                await OutboxStore.EnqueueAsync(conn, tx, NonconformityNotices.Assigned(item, secretary, Periods.LocalDate(now)), now, ct);
            return raised;
        }, ct), ct);
        if (created is { } newId)
            return (newId, true);
        return (await store.IdOfAsync(n.Source, n.SourceRef, ct) ?? throw new NotFoundException("不符合项不存在", "nonconformity.not_found"), false);
    }

    /// <summary>The secretary records the cause (原因分析), the countermeasure (纠正措施) and its due date.</summary>
    public Task<NonconformityView> RecordActionAsync(long id, string? cause, string? action, DateOnly? dueOn, int version, NcActor who,
        CancellationToken ct) =>
        StepAsync(id, version, who, CapaAction.RecordAction, async (n, today) =>
        {
            if (CapaRules.CheckAction(cause, action, dueOn, today) is { } bad)
                throw new RuleViolationException(bad.Refusal.Code, bad.Refusal.Message);
            return (new NonconformityChange(NonconformityState.ActionRecorded, n.Cycle, cause!.Trim(), action!.Trim(), dueOn, null, null, false, false),
                new NonconformityStepInsert(id, NonconformityStepKind.ActionRecorded, n.Cycle, cause.Trim(), action.Trim(), dueOn, who.Actor, who.MemberId,
                    []), (IReadOnlyList<string>)[]);
        }, "nonconformity.action_recorded", ct);

    /// <summary>The secretary reports the countermeasure done, with a note and photos (upload tokens).</summary>
    public async Task<NonconformityView> CompleteAsync(long id, string? note, IReadOnlyList<string>? photoTokens, int version, NcActor who,
        CancellationToken ct)
    {
        var tokens = (photoTokens ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (tokens.Count > MaxPhotos)
            throw new RuleViolationException("request.invalid", $"最多上传{MaxPhotos}张照片");
        return await StepAsync(id, version, who, CapaAction.Complete, async (n, today) =>
        {
            if (CapaRules.CheckCompletion(note, tokens.Count) is { } bad)
                throw new RuleViolationException(bad.Code, bad.Message);
            var photos = tokens.Count == 0 ? [] : await uploads.ResolveAsync(who.WechatUserId ?? 0, tokens, ct);
            var checkDue = CapaRules.CheckDue(today, options.Value.CheckAfterDays);
            return (new NonconformityChange(NonconformityState.AwaitingCheck, n.Cycle, null, null, null, today, checkDue, false, false),
                new NonconformityStepInsert(id, NonconformityStepKind.Completed, n.Cycle, null, note?.Trim(), checkDue, who.Actor, who.MemberId, photos),
                (IReadOnlyList<string>)tokens);
        }, "nonconformity.completed", ct);
    }

    /// <summary>The effectiveness check (有效性验证): passed closes it; failed reopens it to the secretary for a new cycle.</summary>
    public Task<NonconformityView> CheckAsync(long id, bool? passed, string? note, int version, NcActor who, CancellationToken ct) =>
        StepAsync(id, version, who, passed == false ? CapaAction.FailCheck : CapaAction.PassCheck, (n, _) =>
        {
            // Checked after who may and the version: a caller who may not check learns nothing of the body's faults.
            if (passed is null)
                throw new RuleViolationException("request.invalid", "请选择验证结果（通过或不通过）");
            if (note?.Trim().Length > CapaRules.MaxText)
                throw new RuleViolationException("nonconformity.too_long", $"不能超过 {CapaRules.MaxText} 个字");
            if (passed == false && string.IsNullOrWhiteSpace(note))
                throw new RuleViolationException("nonconformity.note_required", "验证不通过时请说明原因（问题是否再次发生）");
            return Task.FromResult(passed.Value
                ? (new NonconformityChange(NonconformityState.Closed, n.Cycle, null, null, null, null, null, false, true),
                    new NonconformityStepInsert(id, NonconformityStepKind.CheckPassed, n.Cycle, null, note?.Trim(), null, who.Actor, who.MemberId, []),
                    (IReadOnlyList<string>)[])
                : (new NonconformityChange(NonconformityState.Reopened, n.Cycle + 1, null, null, null, null, null, true, false),
                    new NonconformityStepInsert(id, NonconformityStepKind.CheckFailed, n.Cycle, null, note!.Trim(), null, who.Actor, who.MemberId, []),
                    (IReadOnlyList<string>)[]));
        }, passed == false ? "nonconformity.check_failed" : "nonconformity.check_passed", ct);

    private async Task<NonconformityView> StepAsync(long id, int version, NcActor who, CapaAction action,
        Func<Nonconformity, DateOnly, Task<(NonconformityChange Change, NonconformityStepInsert Step, IReadOnlyList<string> Tokens)>> build,
        string auditAction, CancellationToken ct)
    {
        var n = await FindOrThrowAsync(id, ct);
        var checking = action is CapaAction.PassCheck or CapaAction.FailCheck;
        if (!Access.CanMonitor(who.Grants, n.OrgPath))
            throw Forbidden("您无权处理该不符合项");
        if (checking ? !MayCheck(who.Grants, n.OrgPath) : !Access.CanActOn(who.Grants, n.OrgPath))
            throw Forbidden(checking ? "有效性验证由社区党委（书记、委员）或街道党建办进行" : "整改由本支部书记或党务工作者填写");
        if (version != n.Version)
            throw Stale();
        var now = clock.GetUtcNow();
        var today = Periods.LocalDate(now);
        if (CapaRules.Apply(n.State, action, today, n.CheckDueOn).Refusal is { } refused)
            throw new RuleViolationException(refused.Code, refused.Message);
        var (change, step, tokens) = await build(n, today);
        await store.InTransactionAsync(async (conn, tx) =>
        {
            if (!await NonconformityStore.UpdateAsync(conn, tx, id, version, change, now, ct))
                throw Stale();
            if (tokens.Count > 0)
                await UploadStore.ClaimAsync(conn, tx, who.WechatUserId ?? 0, tokens, now, ct);
            await NonconformityStore.AddStepAsync(conn, tx, step, now, ct);
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, who.Actor, auditAction, "nonconformity", id, n.OrgId, who.MemberId,
                new { Cycle = step.Cycle, State = DbNames.Of(change.State), step.Cause, step.Note, step.DueOn, Photos = step.Photos.Count }), ct);
            if (change.State == NonconformityState.Reopened)
            {
                var reopened = (await NonconformityStore.LockAsync(conn, tx, id, ct))!;
                foreach (var secretary in await NonconformityStore.SecretariesAsync(conn, tx, n.OrgId, ct))
                    await OutboxStore.EnqueueAsync(conn, tx, NonconformityNotices.Assigned(reopened, secretary, today), now, ct);
            }
            return 0;
        }, ct);
        return await GetAsync(id, who, ct);
    }

    /// <summary>One nonconformity with its trail: the branch's people and those above (not plain members).</summary>
    public async Task<NonconformityView> GetAsync(long id, NcActor who, CancellationToken ct)
    {
        var n = await FindOrThrowAsync(id, ct);
        if (!Access.CanMonitor(who.Grants, n.OrgPath))
            throw Forbidden("您无权查看该不符合项");
        return View(n, await store.StepsAsync(id, ct), who.Grants);
    }

    /// <summary>A branch's (or community's) nonconformities, newest first.</summary>
    public async Task<IReadOnlyList<NonconformityView>> ForOrgAsync(string orgPath, NcActor who, CancellationToken ct)
    {
        if (!Access.CanMonitor(who.Grants, orgPath))
            throw Forbidden("您无权查看该组织的不符合项");
        return (await store.ListAsync(new NonconformityQuery(orgPath, null, null, ListLimit), ct)).Select(n => View(n, [], who.Grants)).ToList();
    }

    /// <summary>The effectiveness checks the viewer may make (awaiting check in her community, or anywhere for the office), due first.</summary>
    public async Task<IReadOnlyList<NonconformityView>> ChecksAsync(NcActor who, CancellationToken ct)
    {
        var all = new List<NonconformityView>();
        foreach (var scope in who.Grants.Select(Access.IssueScope).OfType<string>().Distinct())
            all.AddRange((await store.ListAsync(new NonconformityQuery(scope, NonconformityState.AwaitingCheck, null, ListLimit), ct))
                .Select(n => View(n, [], who.Grants)));
        return all.DistinctBy(v => v.Item.Id).OrderBy(v => v.Item.CheckDueOn).ThenBy(v => v.Item.Id).ToList();
    }

    /// <summary>The office's register: every nonconformity, filtered by community (an org's subtree), state and source.</summary>
    public async Task<IReadOnlyList<NonconformityView>> RegisterAsync(string? orgPath, NonconformityState? state, NonconformitySource? source,
        NcActor who, CancellationToken ct)
    {
        if (!who.Grants.Any(g => g.Role == Roles.Staff))
            throw Forbidden("不符合项台账由街道党建办查看");
        return (await store.ListAsync(new NonconformityQuery(orgPath, state, source, ListLimit), ct)).Select(n => View(n, [], who.Grants)).ToList();
    }

    /// <summary>Per branch, how many nonconformities are past due today (the assessment's deduction counts them).</summary>
    public Task<IReadOnlyDictionary<long, int>> PastDueByOrgAsync(CancellationToken ct) =>
        store.PastDueByOrgAsync(Periods.LocalDate(clock.GetUtcNow()), ct);

    private async Task<Nonconformity> FindOrThrowAsync(long id, CancellationToken ct) =>
        await store.GetAsync(id, ct) ?? throw new NotFoundException($"不符合项 {id} 不存在", "nonconformity.not_found");

    private NonconformityView View(Nonconformity n, IReadOnlyList<NonconformityStep> trail, IReadOnlyList<Grant> grants)
    {
        var today = Periods.LocalDate(clock.GetUtcNow());
        return new NonconformityView(n, trail, CapaRules.PastDue(n.State, n.ActionDueOn, today),
            Access.CanActOn(grants, n.OrgPath) && CapaRules.Apply(n.State, CapaAction.RecordAction, today, null).Refusal is null
                || Access.CanActOn(grants, n.OrgPath) && n.State == NonconformityState.ActionRecorded,
            MayCheck(grants, n.OrgPath) && n.State == NonconformityState.AwaitingCheck,
            n.State == NonconformityState.AwaitingCheck && n.CheckDueOn is { } due && today >= due);
    }

    /// <summary>Who checks effectiveness: the community's secretary or committee, or the office (those who issue the community's tasks).</summary>
    public static bool MayCheck(IReadOnlyList<Grant> grants, string orgPath) => Access.CanIssue(grants, orgPath);

    private static ConflictException Stale() => new("nonconformity.version_conflict", "该不符合项刚被他人更新，请刷新后重试");

    private static ForbiddenException Forbidden(string message) => new("auth.forbidden", message);
}
