using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Inspections;
using WxQms.Domain.Rules.Nonconformities;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Nonconformities;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Inspections;

/// <summary>An inspection with its checklist and what the viewer may do: fill it in (the inspector, or the branch for a self-inspection).</summary>
public sealed record InspectionView(Inspection Item, IReadOnlyList<InspectionItem> Items, bool MayFill);

/// <summary>
/// Inspections (巡查, issue #19 items 2, 3, 6): office staff appoint inspectors for a term and plan each quarter's
/// inspections (one branch, one inspector, the checklist built from the catalogue and the clauses duties cite); the year's
/// coverage shows every branch and the gaps. The inspector fills the checklist on site (a result per item, photos, a note
/// for each finding) and submits it once; each finding is raised into the nonconformity register
/// (<see cref="NonconformityService.RaiseAsync"/>, source by kind: inspection, self-inspection, audit) and assigned to the
/// branch's secretary. A branch runs the same checklist on itself each quarter (自查自纠); once a year the office plans the
/// internal audit of every branch. Every change is one audit entry in its transaction.
/// </summary>
public sealed class InspectionService(InspectionStore store, DocumentStore documents, ITaskCatalogueSource catalogue, UploadStore uploads,
    NonconformityService register, TimeProvider clock)
{
    private DateOnly Today => Periods.LocalDate(clock.GetUtcNow());

    /// <summary>The current year and quarter (Shanghai).</summary>
    public (int Year, int Quarter) CurrentQuarter() => (Today.Year, InspectionRules.QuarterOf(Today));

    // -- inspectors (office staff) --

    public async Task<long> AppointAsync(NcActor who, long memberId, string? unit, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        EnsureStaff(who);
        if (InspectionRules.CheckTerm(unit, from, to) is { } bad)
            throw new RuleViolationException("request.invalid", bad);
        var now = clock.GetUtcNow();
        return await store.InTransactionAsync(async (conn, tx) =>
        {
            var id = await InspectionStore.InsertTermAsync(conn, tx, memberId, unit!.Trim(), from!.Value, to!.Value, who.Actor, now, ct);
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, who.Actor, "inspector.appointed", "inspector", id, null, who.MemberId,
                new { memberId, Unit = unit.Trim(), From = from, To = to }), ct);
            return id;
        }, ct);
    }

    public Task<IReadOnlyList<InspectorTerm>> TermsAsync(NcActor who, CancellationToken ct)
    {
        EnsureStaff(who);
        return store.TermsAsync(ct);
    }

    // -- the plan (office staff) --

    /// <summary>Plans an inspection of a branch in a quarter by an inspector whose term covers the quarter's end or start.</summary>
    public async Task<long> PlanAsync(NcActor who, long orgId, int year, int quarter, long inspectorMemberId, CancellationToken ct)
    {
        EnsureStaff(who);
        if (quarter is < 1 or > 4 || year < 2000 || year > 2100)
            throw new RuleViolationException("request.invalid", "请选择年度和季度");
        var start = new DateOnly(year, quarter * 3 - 2, 1);
        var end = InspectionRules.QuarterEnd(year, quarter);
        if (await store.TermOnAsync(inspectorMemberId, end, ct) is null && await store.TermOnAsync(inspectorMemberId, start, ct) is null)
            throw new RuleViolationException("inspection.not_inspector", "该党员在这个季度不是在任巡查员");
        return await CreateAsync(who, InspectionKind.Inspection, orgId, year, quarter, inspectorMemberId, "inspection.planned", ct)
            ?? throw new ConflictException("inspection.exists", "该支部本季度已安排巡查");
    }

    /// <summary>Removes a planned inspection (not one already done).</summary>
    public async Task RemoveAsync(NcActor who, long id, CancellationToken ct)
    {
        EnsureStaff(who);
        var i = await FindOrThrowAsync(id, ct);
        var now = clock.GetUtcNow();
        await store.InTransactionAsync(async (conn, tx) =>
        {
            if (!await InspectionStore.DeletePlannedAsync(conn, tx, id, ct))
                throw new ConflictException("inspection.submitted", "该检查已完成（或是支部的自查），不能从计划中删除");
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, who.Actor, "inspection.removed", "inspection", id, i.OrgId, who.MemberId,
                new { Kind = DbNames.Of(i.Kind), i.Year, i.Quarter, i.InspectorMemberId }), ct);
            return 0;
        }, ct);
    }

    /// <summary>The year's plan (every inspection of the kind) and its coverage of the branches.</summary>
    public async Task<(IReadOnlyList<Inspection> Plan, Coverage Coverage)> CoverageAsync(NcActor who, int year, InspectionKind kind,
        CancellationToken ct)
    {
        EnsureStaff(who);
        var plan = await store.ListAsync(new InspectionQuery(kind, year, null, null, 5000), ct);
        var coverage = InspectionRules.CoverageOf(await store.BranchesAsync(ct),
            plan.Select(i => new PlannedVisit(i.Id, i.OrgId, i.Quarter, i.State == InspectionState.Submitted, i.InspectorName)).ToList());
        return (plan, coverage);
    }

    /// <summary>
    /// Plans the year's internal audit (内部审核): every branch, in the given quarter, shared among the inspectors in term at its
    /// end, in turn. Branches already planned are left as they are; the number planned now.
    /// </summary>
    public async Task<int> PlanAuditAsync(NcActor who, int year, int quarter, CancellationToken ct)
    {
        EnsureStaff(who);
        if (quarter is < 1 or > 4 || year < 2000 || year > 2100)
            throw new RuleViolationException("request.invalid", "请选择年度和季度");
        var end = InspectionRules.QuarterEnd(year, quarter);
        var auditors = (await store.TermsAsync(ct)).Where(t => InspectionRules.InTerm(t.From, t.To, end)).Select(t => t.MemberId).Distinct().ToList();
        if (auditors.Count == 0)
            throw new RuleViolationException("inspection.no_inspectors", "该季度没有在任巡查员，请先任命巡查员");
        var planned = 0;
        var branches = await store.BranchesAsync(ct);
        for (var i = 0; i < branches.Count; i++)
        {
            if (await CreateAsync(who, InspectionKind.Audit, branches[i].OrgId, year, quarter, auditors[i % auditors.Count], "audit.planned", ct) is not null)
                planned++;
        }
        return planned;
    }

    // -- the branch: self-inspection --

    /// <summary>This quarter's self-inspection of a branch (自查自纠), started by its secretary or worker; the same one if started before.</summary>
    public async Task<long> StartSelfInspectionAsync(NcActor who, long orgId, string orgPath, OrgKind kind, CancellationToken ct)
    {
        if (!Access.CanActOn(who.Grants, orgPath))
            throw Forbidden("自查自纠由本支部书记或党务工作者开展");
        if (kind != OrgKind.Branch)
            throw new RuleViolationException("inspection.not_branch", "自查自纠由支部开展");
        var (year, quarter) = CurrentQuarter();
        return await CreateAsync(who, InspectionKind.SelfInspection, orgId, year, quarter, null, "inspection.self_started", ct)
            ?? await store.IdOfAsync(InspectionKind.SelfInspection, orgId, year, quarter, ct)
            ?? throw new NotFoundException("自查不存在", "inspection.not_found");
    }

    private async Task<long?> CreateAsync(NcActor who, InspectionKind kind, long orgId, int year, int quarter, long? inspector, string auditAction,
        CancellationToken ct)
    {
        var start = new DateOnly(year, quarter * 3 - 2, 1);
        var items = InspectionRules.Checklist((await catalogue.GetAsync(ct)).InForce(start < Today ? Today : start),
            (await documents.ClausesAsync(ct)).ToDictionary(c => c.Key, c => c.Value.Label, StringComparer.Ordinal));
        var now = clock.GetUtcNow();
        return await store.InTransactionAsync(async (conn, tx) =>
        {
            var id = await InspectionStore.InsertAsync(conn, tx, kind, orgId, year, quarter, inspector, items, who.Actor, now, ct);
            if (id is { } created)
                await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, who.Actor, auditAction, "inspection", created, orgId, who.MemberId,
                    new { Kind = DbNames.Of(kind), year, quarter, inspector, Items = items.Count }), ct);
            return id;
        }, ct);
    }

    // -- reading --

    /// <summary>
    /// What the caller sees in the mini program: an inspector her inspections and audits of the year (and last year's); the
    /// branch's people and those above the inspections of the orgs they watch.
    /// </summary>
    public async Task<IReadOnlyList<Inspection>> ListForAsync(NcActor who, CancellationToken ct)
    {
        var year = Today.Year;
        var all = new List<Inspection>();
        if (who.MemberId is { } me && who.Grants.Any(g => g.Role == Roles.Inspector))
        {
            all.AddRange(await store.ListAsync(new InspectionQuery(null, year, me, null), ct));
            all.AddRange(await store.ListAsync(new InspectionQuery(null, year - 1, me, null), ct));
        }
        if (Access.DefaultMonitorScope(who.Grants) is { } scope)
            all.AddRange(await store.ListAsync(new InspectionQuery(null, null, null, scope, 200), ct));
        if (all.Count == 0 && !who.Grants.Any(g => g.Role == Roles.Inspector) && Access.DefaultMonitorScope(who.Grants) is null)
            throw Forbidden("巡查计划和检查报告由巡查员、支部和上级党组织查看");
        return all.DistinctBy(i => i.Id).OrderBy(i => i.State).ThenByDescending(i => i.Year).ThenByDescending(i => i.Quarter).ThenBy(i => i.Id)
            .ToList();
    }

    /// <summary>One inspection with its checklist: its inspector, the branch's people and those above.</summary>
    public async Task<InspectionView> GetAsync(long id, NcActor who, CancellationToken ct)
    {
        var i = await FindOrThrowAsync(id, ct);
        var isInspector = i.InspectorMemberId is { } m && m == who.MemberId;
        if (!isInspector && !Access.CanMonitor(who.Grants, i.OrgPath))
            throw Forbidden("您无权查看该检查");
        return new InspectionView(i, await store.ItemsAsync(id, ct), i.State == InspectionState.Planned && await MayFillAsync(i, who, ct));
    }

    private async Task<bool> MayFillAsync(Inspection i, NcActor who, CancellationToken ct) =>
        i.Kind == InspectionKind.SelfInspection
            ? Access.CanActOn(who.Grants, i.OrgPath)
            : i.InspectorMemberId is { } m && m == who.MemberId && await store.TermOnAsync(m, Today, ct) is not null;

    // -- submitting --

    /// <summary>
    /// The inspector (or for a self-inspection the branch) submits the filled checklist: a result for every item, a note for
    /// each finding, photos by upload token. Each finding enters the register. Sending it again after it went through (a
    /// retry when the answer was lost) returns the report as it stands and raises any finding not raised yet.
    /// </summary>
    public async Task<InspectionView> SubmitAsync(long id, IReadOnlyList<ItemAnswer>? answers, string? summary, int version, NcActor who,
        CancellationToken ct)
    {
        var i = await FindOrThrowAsync(id, ct);
        var isInspector = i.InspectorMemberId is { } m && m == who.MemberId;
        if (i.Kind == InspectionKind.SelfInspection ? !Access.CanActOn(who.Grants, i.OrgPath) : !isInspector)
            throw Forbidden(i.Kind == InspectionKind.SelfInspection ? "自查由本支部书记或党务工作者填写" : "只有安排的巡查员可以填写该检查");
        if (i.State == InspectionState.Submitted)
        {
            await RaiseFindingsAsync(i, who, ct);
            return await GetAsync(id, who, ct);
        }
        if (i.Kind != InspectionKind.SelfInspection && await store.TermOnAsync(i.InspectorMemberId!.Value, Today, ct) is null)
            throw new RuleViolationException("inspection.term_ended", "您的巡查员任期已结束或尚未开始");
        if (Today < new DateOnly(i.Year, i.Quarter * 3 - 2, 1))
            throw new RuleViolationException("inspection.not_open", $"该检查安排在{i.Year}年第{i.Quarter}季度，尚未开始");
        var items = await store.ItemsAsync(id, ct);
        if (InspectionRules.CheckAnswers(items.Select(x => x.No).ToList(), answers, summary) is { } bad)
            throw new RuleViolationException(bad.Code, bad.Message);
        var tokens = answers!.SelectMany(a => a.PhotoTokens ?? []).Distinct(StringComparer.Ordinal).ToList();
        var photos = tokens.Count == 0 ? [] : await uploads.ResolveAsync(who.WechatUserId ?? 0, tokens, ct);
        var byToken = tokens.Zip(photos).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        var results = answers!.Select(a => new ItemResultWrite(a.No, InspectionRules.ParseResult(a.Result)!.Value,
            a.Result == "fail" ? a.Severity == "major" ? NonconformitySeverity.Major : NonconformitySeverity.Minor : null,
            string.IsNullOrWhiteSpace(a.Note) ? null : a.Note.Trim(),
            (a.PhotoTokens ?? []).Distinct(StringComparer.Ordinal).Select(t => byToken[t]).ToList())).ToList();
        var now = clock.GetUtcNow();
        await store.InTransactionAsync(async (conn, tx) =>
        {
            if (!await InspectionStore.SubmitAsync(conn, tx, id, version, summary?.Trim() is { Length: > 0 } s ? s : null, who.Actor, results, now, ct))
                throw new ConflictException("inspection.version_conflict", "该检查刚被更新，请刷新后重试");
            if (tokens.Count > 0)
                await UploadStore.ClaimAsync(conn, tx, who.WechatUserId ?? 0, tokens, now, ct);
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, who.Actor, "inspection.submitted", "inspection", id, i.OrgId, who.MemberId,
                new
                {
                    Kind = DbNames.Of(i.Kind), Items = results.Count, Findings = results.Count(r => r.Result == ItemResult.Fail), Photos = tokens.Count,
                }), ct);
            return 0;
        }, ct);
        await RaiseFindingsAsync((await store.GetAsync(id, ct))!, who, ct);
        return await GetAsync(id, who, ct);
    }

    private async Task RaiseFindingsAsync(Inspection i, NcActor who, CancellationToken ct)
    {
        foreach (var item in (await store.ItemsAsync(i.Id, ct)).Where(x => x.Result == ItemResult.Fail && x.NonconformityId is null))
        {
            var description = $"{item.Note}（检查项：{item.Text}）";
            var (nc, _) = await register.RaiseAsync(new NewNonconformity(i.OrgId, InspectionRules.SourceOf(i.Kind), InspectionRules.FindingRef(i.Id, item.No),
                item.Clause, item.Severity ?? NonconformitySeverity.Minor, description.Length > CapaRules.MaxText ? description[..CapaRules.MaxText] : description,
                item.Photos), who, ct);
            await store.LinkFindingAsync(i.Id, item.No, nc, ct);
        }
    }

    /// <summary>
    /// The inspections job: within a quarter's last <see cref="InspectionRules.DueNoticeDays"/> days each inspector with a
    /// visit or audit not yet made is told through the official account, once per inspection; the number queued.
    /// </summary>
    public async Task<int> RemindAsync(DateTimeOffset now, CancellationToken ct)
    {
        var today = Periods.LocalDate(now);
        var (year, quarter) = (today.Year, InspectionRules.QuarterOf(today));
        if (!InspectionRules.DueSoon(year, quarter, today))
            return 0;
        var queued = 0;
        foreach (var i in await store.PlannedAsync(year, quarter, ct))
        {
            if (await store.InTransactionAsync((conn, tx) => OutboxStore.EnqueueAsync(conn, tx, InspectionNotices.Due(i, i.InspectorMemberId!.Value), now, ct),
                    ct))
                queued++;
        }
        return queued;
    }

    private async Task<Inspection> FindOrThrowAsync(long id, CancellationToken ct) =>
        await store.GetAsync(id, ct) ?? throw new NotFoundException($"检查 {id} 不存在", "inspection.not_found");

    private static void EnsureStaff(NcActor who)
    {
        if (!who.Grants.Any(g => g.Role == Roles.Staff))
            throw Forbidden("巡查员和检查计划由街道党建办管理");
    }

    private static ForbiddenException Forbidden(string message) => new("auth.forbidden", message);
}
