using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services;

/// <summary>One version of a duty as the console lists it: the template, who added it and when, and its standing today.</summary>
public sealed record DutyVersionInfo(TaskTemplate Template, string AddedBy, DateTimeOffset AddedAt, bool InForce, bool Scheduled);

/// <summary>A duty of the catalogue: its versions (oldest first), the one in force today and the next one if scheduled.</summary>
public sealed record DutyOverview(string Code, IReadOnlyList<DutyVersionInfo> Versions)
{
    public DutyVersionInfo? InForce => Versions.FirstOrDefault(v => v.InForce);

    public DutyVersionInfo? Next => Versions.FirstOrDefault(v => v.Scheduled);

    public DutyVersionInfo Latest => Versions[^1];
}

/// <summary>
/// What a new version does to the coming plan: <see cref="Affected"/> tasks are made under it, of which
/// <see cref="Moved"/> already stored and not started (待办) move to it and <see cref="Created"/> are not generated yet;
/// <see cref="Kept"/> already started (a plan reported) keep their version; <see cref="Withdrawn"/> not started that
/// the new version no longer makes (a changed frequency) are removed. Counted over the years from the effective date's
/// to the last one planned.
/// </summary>
public sealed record DutyImpact(DateOnly EffectiveFrom, int Affected, int Moved, int Created, int Kept, int Withdrawn,
    IReadOnlyList<int> Years);

/// <summary>A checked request: the version it makes and its impact, or the errors by field (Chinese).</summary>
public sealed record DutyDraft(TaskTemplate? Template, IReadOnlyDictionary<string, string> Errors, DutyImpact? Impact)
{
    public bool Valid => Errors.Count == 0;
}

/// <summary>
/// The duty catalogue as data (issue #16 item 6). Everyone with a console role reads it; only office staff add a
/// version (or rewrite the newest one while no task uses it). A new version takes effect from the first day of a
/// future period: the periods that start then or later are made under it. Tasks already stored for those periods and
/// not started (待办) move to it when it is saved; anything already started keeps the version it was made under, and so
/// is judged and scored as it was made. Periods not generated yet are made under it when their plan is generated
/// (at once for a year already planned).
/// </summary>
public sealed class DutyService(DutyCatalogueCache catalogue, DutyStore store, TaskStore tasks, PlanService plans,
    TaskCache taskCache, TimeProvider clock)
{
    public static void EnsureStaff(IReadOnlyList<Grant> grants)
    {
        if (!grants.Any(g => g.Role == Roles.Staff))
            throw new ForbiddenException("auth.forbidden", "只有街道党建办可以修改职责目录");
    }

    /// <summary>Every duty with its versions, in catalogue order.</summary>
    public async Task<IReadOnlyList<DutyOverview>> ListAsync(CancellationToken ct)
    {
        var rows = await catalogue.RowsAsync(ct);
        var today = Periods.LocalDate(clock.GetUtcNow());
        return rows.GroupBy(r => r.Code, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Overview(g.Key, g.OrderBy(r => r.Version).ToList(), today)).ToList();
    }

    /// <summary>One duty with every version; 404 <c>duty.not_found</c> for an unknown code.</summary>
    public async Task<DutyOverview> GetAsync(string code, CancellationToken ct) =>
        (await ListAsync(ct)).FirstOrDefault(d => d.Code == code) ?? throw NotFound(code);

    /// <summary>Checks a new version of <paramref name="code"/> and counts what it would do to the plan; saves nothing.</summary>
    public async Task<DutyDraft> PreviewAsync(string code, DutyVersionRequest request, IReadOnlyList<Grant> grants,
        CancellationToken ct)
    {
        EnsureStaff(grants);
        return (await DraftAsync(code, request, null, ct)).Draft;
    }

    /// <summary>
    /// Adds the version (when valid) with its audit entry, moves and removes the stored tasks its preview names in the
    /// same transaction, retires the catalogue and task caches, and completes the plans of the years already planned.
    /// </summary>
    public Task<DutyDraft> AddAsync(string code, DutyVersionRequest request, IReadOnlyList<Grant> grants, string actor,
        long? actorMemberId, CancellationToken ct) => SaveAsync(code, request, null, grants, actor, actorMemberId, ct);

    /// <summary>Rewrites the newest version while no task uses it; 409 <c>duty.version_in_use</c> once one does.</summary>
    public Task<DutyDraft> ReplaceAsync(string code, int version, DutyVersionRequest request, IReadOnlyList<Grant> grants,
        string actor, long? actorMemberId, CancellationToken ct) =>
        SaveAsync(code, request, version, grants, actor, actorMemberId, ct);

    private async Task<DutyDraft> SaveAsync(string code, DutyVersionRequest request, int? replacing, IReadOnlyList<Grant> grants,
        string actor, long? actorMemberId, CancellationToken ct)
    {
        EnsureStaff(grants);
        var (draft, changes) = await DraftAsync(code, request, replacing, ct);
        if (!draft.Valid)
            return draft;
        var t = draft.Template!;
        var impact = draft.Impact!;
        var now = clock.GetUtcNow();
        var saved = await store.SaveAsync(DutyVersionRow.From(t, actor, actorMemberId, now), replacing is not null, changes!,
            (moved, withdrawn) => new AuditEntry(now, actor, replacing is null ? "duty.version_added" : "duty.version_replaced",
                "duty_version", null, ActorMemberId: actorMemberId, Data: new
                {
                    t.Code, t.Version, t.EffectiveFrom, t.Name, t.Source, Frequency = DutyRules.FrequencyKey(t.Recurrence), t.Points,
                    t.LateDeduction, t.OverdueDeduction, t.EvidenceRule, t.PlanRule, t.ReminderRule, Moved = moved,
                    Withdrawn = withdrawn, impact.Created, impact.Kept,
                }), ct);
        switch (saved.Outcome)
        {
            case DutySaveOutcome.InUse:
                throw InUse(code, replacing!.Value);
            case DutySaveOutcome.Conflict:
                throw new ConflictException("duty.changed", "该职责刚被他人修改，请重新预览后再保存");
        }
        await catalogue.RetireAsync();
        await taskCache.InvalidateAsync();
        foreach (var year in impact.Years)
        {
            if (await store.YearPlannedAsync(year, ct))
                await plans.GenerateYearAsync(year, ct);
        }
        return draft;
    }

    private async Task<(DutyDraft Draft, DutyTaskChanges? Changes)> DraftAsync(string code, DutyVersionRequest request,
        int? replacing, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = clock.GetUtcNow();
        var today = Periods.LocalDate(now);
        // Straight from MySQL: a save must see a version another instance added a moment ago.
        var all = new TaskCatalogue((await store.LoadAsync(now, ct)).Select(r => r.ToTemplate()));
        var versions = all.Versions(code);
        if (versions.Count == 0)
            throw NotFound(code);
        TaskTemplate? basis = null;
        if (replacing is { } v)
        {
            basis = versions.FirstOrDefault(x => x.Version == v) ?? throw new NotFoundException($"职责“{code}”没有第{v}版", "duty.not_found");
            if (await store.TasksUsingAsync(code, v, ct) > 0)
                throw InUse(code, v);
            if (v != versions[^1].Version || v == 1)
                throw new RuleViolationException("duty.version_in_use", $"只能修改尚无任务使用的最新版本，第{v}版不能修改；请新增一个版本");
            all = new TaskCatalogue(all.Where(x => !(x.Code == code && x.Version == v)));
            versions = all.Versions(code);
        }

        var previous = versions[^1];
        var (template, errors) = DutyRules.Check(request, previous, replacing ?? previous.Version + 1, today, basis);
        if (template is null)
            return (new DutyDraft(null, errors, null), null);
        var next = all.With(template);

        var from = template.EffectiveFrom;
        var stored = (await store.TasksDueAfterAsync(code, Periods.StartOf(from), ct))
            .Where(s => Periods.TryParse(s.PeriodKey, out var p) && p.FirstDay >= from).ToList();
        var lastYear = stored.Select(s => Periods.Parse(s.PeriodKey).Year).Append(from.Year).Max();
        var years = Enumerable.Range(from.Year, lastYear - from.Year + 1).ToList();
        var orgs = await tasks.LoadOrgsForPlanningAsync(ct);
        var planned = years.SelectMany(y => PlanGenerator.ForYear(y, orgs, next))
            .Where(p => p.TemplateCode == code && p.TemplateVersion == template.Version).ToList();

        var byKey = stored.ToDictionary(s => s.UniqueKey, StringComparer.Ordinal);
        var pending = DbNames.Of(TaskState.Pending);
        var move = planned.Where(p => byKey.TryGetValue(p.UniqueKey, out var s) && s.State == pending).ToList();
        var kept = planned.Count(p => byKey.TryGetValue(p.UniqueKey, out var s) && s.State != pending);
        var plannedKeys = planned.Select(p => p.UniqueKey).ToHashSet(StringComparer.Ordinal);
        var withdraw = stored.Where(s => !plannedKeys.Contains(s.UniqueKey) && s.State == pending).Select(s => s.Id).ToList();
        var created = planned.Count - move.Count - kept;
        var impact = new DutyImpact(from, move.Count + created, move.Count, created, kept, withdraw.Count, years);
        return (new DutyDraft(template, errors, impact), new DutyTaskChanges(move, withdraw));
    }

    private static DutyOverview Overview(string code, IReadOnlyList<DutyVersionRow> rows, DateOnly today)
    {
        var inForce = rows.LastOrDefault(r => DateOnly.FromDateTime(r.EffectiveFrom) <= today);
        return new DutyOverview(code, rows.Select(r => new DutyVersionInfo(r.ToTemplate(), r.AddedBy,
            new DateTimeOffset(DateTime.SpecifyKind(r.AddedAt, DateTimeKind.Utc)), r == inForce,
            DateOnly.FromDateTime(r.EffectiveFrom) > today)).ToList());
    }

    private static NotFoundException NotFound(string code) => new($"职责“{code}”不存在", "duty.not_found");

    private static RuleViolationException InUse(string code, int version) =>
        new("duty.version_in_use", $"职责“{code}”第{version}版已有任务在用，不能修改；请新增一个版本");
}
