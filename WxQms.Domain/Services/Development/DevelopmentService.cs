using System.Text.Json;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Development;
using WxQms.Domain.Rules.Reminders;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Development;

/// <summary>Who acts: their grants, the audit's actor, their member and WeChat user.</summary>
public sealed record DevActor(IReadOnlyList<Grant> Grants, string Actor, long? MemberId, long? WechatUserId);

public sealed record ApplicantRequest(long OrgId, string? Name, Sex Sex, DateOnly? BirthDate, string? Phone);

/// <param name="People">Introducers (step 9) or cultivation contacts (step 5), members' ids.</param>
/// <param name="PhotoTokens">Documents or photos uploaded before through <c>/api/mp/uploads</c>.</param>
public sealed record StepRequest(int Step, DateOnly OccurredOn, IReadOnlyList<long>? People, DevVote? Vote, DevTraining? Training,
    string? Conclusion, string? Note, IReadOnlyList<string>? PhotoTokens, int Version);

/// <summary>What a step's record keeps besides its date (stored as JSON).</summary>
public sealed record StepEvidence(IReadOnlyList<long> People, DevVote? Vote, DevTraining? Training, string? Conclusion, string? Note,
    IReadOnlyList<DevFinding> Warnings);

/// <summary>An applicant with her steps, what comes next and by when.</summary>
public sealed record ApplicantView(DevApplicant Applicant, IReadOnlyList<(DevStepRow Row, StepEvidence Evidence)> Steps, DevStep? Next,
    StepWindow? Window, DateOnly? AdmittedOn, DateOnly? ProbationEndsOn, DateOnly? PartyStandingOn, int Version);

/// <summary>
/// Member development (发展党员) as a workflow: applicants registered by their branch (or by themselves in the mini
/// program), the 25 steps recorded one at a time by who may record each (the branch's secretary or worker; the
/// community's secretary or committee, or the office, as the higher committee), checked by <see cref="DevelopmentRules"/>
/// (a blocking finding refuses the step with the rule's text, warnings are kept with it). Admission creates the
/// probationary member; full membership sets the status and the party standing date. A step that leaves an approval to
/// the higher committee queues a notice to the community's secretary and committee.
/// </summary>
public sealed class DevelopmentService(TimeProvider clock, DevelopmentStore store, OrgStore orgs, UploadStore uploads,
    DevelopmentDutyService duties)
{
    public const int MaxNote = 500;

    /// <summary>The outbox's subject type of development notices.</summary>
    public const string Subject = "dev_step";

    public async Task<ApplicantView> AddAsync(ApplicantRequest r, DevActor who, CancellationToken ct)
    {
        var org = await orgs.GetAsync(r.OrgId, ct) ?? throw new NotFoundException($"组织 {r.OrgId} 不存在");
        if (!Access.CanActOn(who.Grants, org.Path))
            throw new ForbiddenException("auth.forbidden", "只有本支部书记、组织委员或街道党建办可以登记入党申请人");
        return await AddCheckedAsync(r, org, null, who, ct);
    }

    /// <summary>A WeChat user without a member record registers herself as applying to a branch (her progress is then hers to see).</summary>
    public async Task<ApplicantView> ApplyAsync(ApplicantRequest r, DevActor who, CancellationToken ct)
    {
        if (who.WechatUserId is null || who.MemberId is not null)
            throw new ForbiddenException("auth.forbidden", "已是党员，无需申请入党");
        if ((await store.OfUserAsync(who.WechatUserId, null, ct)).Count > 0)
            throw new RuleViolationException("development.already_applied", "您已登记过入党申请");
        var org = await orgs.GetAsync(r.OrgId, ct) ?? throw new NotFoundException($"组织 {r.OrgId} 不存在");
        return await AddCheckedAsync(r, org, who.WechatUserId, who, ct);
    }

    /// <summary>The branches a resident may apply to herself (names only: they are public on the community pages too).</summary>
    public Task<IReadOnlyList<DevBranch>> BranchesAsync(CancellationToken ct) => store.BranchesAsync(ct);

    private async Task<ApplicantView> AddCheckedAsync(ApplicantRequest r, Org org, long? wechatUserId, DevActor who, CancellationToken ct)
    {
        if (org.Kind != OrgKind.Branch)
            throw new RuleViolationException("development.not_a_branch", "入党申请人应登记在党支部");
        var name = r.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 50)
            throw new RuleViolationException("request.invalid", "请填写姓名（不超过50字）");
        if (r.BirthDate is not { } birth)
            throw new RuleViolationException("request.invalid", "请填写出生日期");
        var phone = string.IsNullOrWhiteSpace(r.Phone) ? null : r.Phone.Trim();
        if (phone is not null && (phone.Length != 11 || !phone.All(char.IsAsciiDigit)))
            throw new RuleViolationException("request.invalid", "手机号应为11位数字");
        var now = clock.GetUtcNow();
        var id = await store.AddApplicantAsync(new NewApplicant(org.Id, name, r.Sex, birth, phone, wechatUserId), who.Actor, now,
            added => new AuditEntry(now, who.Actor, "development.applicant_added", "dev_applicant", added, org.Id, who.MemberId,
                new { Name = name, Self = wechatUserId is not null }), ct);
        return await ViewAsync((await store.GetAsync(id, ct))!, ct);
    }

    /// <summary>One applicant, for whoever may read her branch, the community's committee, or herself: 404 or 403 otherwise.</summary>
    public async Task<ApplicantView> GetAsync(long id, DevActor who, CancellationToken ct)
    {
        var a = await store.GetAsync(id, ct) ?? throw new NotFoundException($"申请人 {id} 不存在", "development.not_found");
        var herself = (a.WechatUserId is { } u && u == who.WechatUserId) || (a.MemberId is { } m && m == who.MemberId);
        if (!herself && !CanWatch(who.Grants, a.OrgPath))
            throw new ForbiddenException("auth.forbidden", "您无权查看该申请人");
        return await ViewAsync(a, ct);
    }

    /// <summary>The pipeline under an org (default: the widest the caller watches), the furthest along first.</summary>
    public async Task<IReadOnlyList<ApplicantView>> ListAsync(long? orgId, bool withFinished, DevActor who, CancellationToken ct)
    {
        string path;
        if (orgId is { } id)
        {
            var org = await orgs.GetAsync(id, ct) ?? throw new NotFoundException($"组织 {id} 不存在");
            if (!CanWatch(who.Grants, org.Path))
                throw new ForbiddenException("auth.forbidden", "您无权查看该组织的发展党员工作");
            path = org.Path;
        }
        else
            path = WatchScope(who.Grants) ?? throw new ForbiddenException("auth.forbidden", "您无权查看发展党员工作");
        var list = await store.ListAsync(path, withFinished, 500, ct);
        var views = new List<ApplicantView>();
        foreach (var a in list)
            views.Add(await ViewAsync(a, ct));
        return views;
    }

    /// <summary>The approvals waiting for the caller as the higher committee: applicants whose next step is the committee's.</summary>
    public async Task<IReadOnlyList<ApplicantView>> ApprovalsAsync(DevActor who, CancellationToken ct)
    {
        var scope = who.Grants.Select(Access.IssueScope).OfType<string>().OrderBy(p => p.Length).FirstOrDefault()
            ?? throw new ForbiddenException("auth.forbidden", "只有社区党委或街道党建办审批发展党员");
        var list = await ListAsync(null, false, who with { Grants = who.Grants.Where(g => Access.IssueScope(g) == scope).ToList() }, ct);
        return list.Where(v => v.Next?.Recorder == DevRecorder.Committee).OrderBy(v => v.Window?.Limit ?? v.Window?.Due ?? DateOnly.MaxValue)
            .ToList();
    }

    /// <summary>The caller's own development (as an applicant, or as the member admission made of her).</summary>
    public async Task<IReadOnlyList<ApplicantView>> MineAsync(DevActor who, CancellationToken ct)
    {
        var views = new List<ApplicantView>();
        foreach (var a in await store.OfUserAsync(who.WechatUserId, who.MemberId, ct))
            views.Add(await ViewAsync(a, ct));
        return views;
    }

    /// <summary>
    /// Records the next step (or a repeatable one again). Who may: the branch's steps its secretary, worker or the office;
    /// the committee's the community's secretary or committee or the office. Blocking findings refuse it (409 with the rule's
    /// code and text); warnings are kept with it and returned.
    /// </summary>
    public async Task<ApplicantView> RecordAsync(long id, StepRequest r, DevActor who, CancellationToken ct)
    {
        var a = await store.GetAsync(id, ct) ?? throw new NotFoundException($"申请人 {id} 不存在", "development.not_found");
        if (!Access.CanActOn(who.Grants, a.OrgPath) && !Access.CanIssue(who.Grants, a.OrgPath))
            throw new ForbiddenException("auth.forbidden", "只有本支部书记、组织委员、社区党委或街道党建办可以记录发展党员的步骤");
        if (DevelopmentSteps.Get(r.Step) is not { } step)
            throw new RuleViolationException("development.step_unknown", $"没有第{r.Step}步（发展党员共{DevelopmentSteps.Count}步）");
        if (!MayRecord(who.Grants, step, a.OrgPath))
            throw new ForbiddenException("auth.forbidden", step.Recorder == DevRecorder.Committee
                ? $"“{step.Name}”由上级党委（社区党委）记录"
                : $"“{step.Name}”由本支部书记或组织委员记录");
        var note = r.Note?.Trim();
        if (note?.Length > MaxNote || r.Conclusion?.Length > MaxNote)
            throw new RuleViolationException("request.invalid", $"说明和结论不超过{MaxNote}字");
        var rows = await store.StepsAsync(id, ct);
        if (r.Version != rows.Count)
            throw new ConflictException("development.version_conflict", "该申请人的记录刚被他人更新，请刷新后重试");
        var facts = Facts(a, rows);
        var tokens = (r.PhotoTokens ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (tokens.Count > 9)
            throw new RuleViolationException("request.invalid", "每一步最多上传9张照片");
        var people = (r.People ?? []).Distinct().ToList();
        var input = new DevStepInput(r.Step, r.OccurredOn, people, r.Vote, r.Training, r.Conclusion?.Trim(), tokens.Count);
        var now = clock.GetUtcNow();
        var findings = DevelopmentRules.Check(facts, input, Periods.LocalDate(now));
        if (findings.FirstOrDefault(f => f.Severity == DevSeverity.Block) is { } block)
            throw new RuleViolationException(block.Code, block.Text);
        if (people.Count > 0 && (step.Evidence & (DevEvidence.Introducers | DevEvidence.Contacts)) != 0)
        {
            var full = await store.FullMembersAsync(people, ct);
            if (people.Except(full).Any())
                throw new RuleViolationException(step.Evidence.HasFlag(DevEvidence.Introducers) ? DevelopmentRules.IntroducersRule.Code
                    : DevelopmentRules.ContactsRule.Code, "入党介绍人和培养联系人须为在册的正式党员");
        }
        var photos = tokens.Count == 0 ? [] : await uploads.ResolveAsync(who.WechatUserId ?? 0, tokens, ct);
        var warnings = findings.Where(f => f.Severity == DevSeverity.Warn).ToList();
        var evidence = new StepEvidence(step.Evidence.HasFlag(DevEvidence.Introducers) || step.Evidence.HasFlag(DevEvidence.Contacts) ? people : [],
            step.Evidence.HasFlag(DevEvidence.Vote) ? r.Vote : null, step.Evidence.HasFlag(DevEvidence.Training) ? r.Training : null,
            step.Evidence.HasFlag(DevEvidence.Conclusion) ? input.Conclusion : null, note, warnings);
        var (effect, effectOn) = r.Step switch
        {
            DevelopmentSteps.AdmissionApproval => (DevEffect.Admit, DevelopmentRules.AdmittedOn(facts)),
            DevelopmentSteps.FullMembershipApproval => (DevEffect.MakeFull, DevelopmentRules.PartyStandingOn(facts)),
            _ => (DevEffect.None, (DateOnly?)null),
        };
        var notices = new List<Notice>();
        if (DevelopmentSteps.Get(r.Step + 1) is { Recorder: DevRecorder.Committee } waiting && step.Recorder == DevRecorder.Branch)
        {
            var after = facts with { Records = [.. facts.Records, new DevRecord(r.Step, r.OccurredOn)] };
            var due = DevelopmentRules.Window(after, waiting.Number).Due ?? r.OccurredOn.AddMonths(1);
            foreach (var approver in await store.ApproversAsync(a.OrgPath, ct))
                notices.Add(ApprovalNotice(a, waiting, due, approver, OrgPath.IdAt(a.OrgPath, 1) ?? a.OrgId));
        }
        await store.RecordStepAsync(new DevStepWrite(id, rows.Count, r.Step, r.OccurredOn, JsonSerializer.Serialize(evidence, JsonDefaults.Storage),
                photos, who.WechatUserId, tokens, effect, effectOn, who.Actor, who.MemberId), now,
            (stepId, memberId) => new AuditEntry(now, who.Actor, "development.step_recorded", "dev_applicant", id, a.OrgId, who.MemberId,
                new { StepId = stepId, r.Step, step.Name, r.OccurredOn, Photos = photos.Count, Warnings = warnings.Select(w => w.Code),
                    MemberId = effect == DevEffect.None ? null : memberId, Effect = effect.ToString() }),
            notices, ct);
        var recorded = (await store.GetAsync(id, ct))!;
        await duties.SyncAsync(recorded, who.Actor, who.MemberId, ct); // the branch's task for this step done, the next one issued
        return await ViewAsync(recorded, ct);
    }

    /// <summary>Extends the probation once by 6–12 months (the branch's member meeting decided it).</summary>
    public async Task<ApplicantView> ExtendAsync(long id, int months, DevActor who, CancellationToken ct)
    {
        var a = await store.GetAsync(id, ct) ?? throw new NotFoundException($"申请人 {id} 不存在", "development.not_found");
        if (!Access.CanActOn(who.Grants, a.OrgPath))
            throw new ForbiddenException("auth.forbidden", "只有本支部书记、组织委员或街道党建办可以延长预备期");
        var facts = Facts(a, await store.StepsAsync(id, ct));
        if (DevelopmentRules.ExtensionRefusal(facts, months) is { } refusal)
            throw new RuleViolationException(refusal.Code, refusal.Text);
        var now = clock.GetUtcNow();
        await store.ExtendAsync(id, months, now, new AuditEntry(now, who.Actor, "development.probation_extended", "dev_applicant", id, a.OrgId,
            who.MemberId, new { Months = months }), ct);
        return await ViewAsync((await store.GetAsync(id, ct))!, ct);
    }

    /// <summary>The year's numbers per community; the office's (staff) only.</summary>
    public Task<IReadOnlyList<DevYearRow>> YearAsync(int year, IReadOnlyList<Grant> grants, CancellationToken ct)
    {
        if (!grants.Any(g => g.Role == Roles.Staff))
            throw new ForbiddenException("auth.forbidden", "只有街道党建办可以查看全街道的发展党员统计");
        return store.YearAsync(year, ct);
    }

    public static bool MayRecord(IReadOnlyList<Grant> grants, DevStep step, string orgPath) => step.Recorder == DevRecorder.Committee
        ? Access.CanIssue(grants, orgPath)
        : Access.CanActOn(grants, orgPath);

    /// <summary>Who watches an applicant: whoever may monitor her branch (not plain members), or the community's committee.</summary>
    public static bool CanWatch(IReadOnlyList<Grant> grants, string orgPath) => Access.CanMonitor(grants, orgPath) || Access.CanIssue(grants, orgPath);

    private static string? WatchScope(IReadOnlyList<Grant> grants) =>
        grants.Select(Access.IssueScope).Concat(grants.Where(g => g.Role != Roles.Member).Select(Access.ReadScope)).OfType<string>()
            .OrderBy(p => p.Length).FirstOrDefault();

    public static DevFacts Facts(DevApplicant a, IReadOnlyList<DevStepRow> rows) =>
        new(a.BirthDate, rows.Select(r => new DevRecord(r.Step, r.OccurredOn)).ToList(), a.ExtensionMonths);

    private async Task<ApplicantView> ViewAsync(DevApplicant a, CancellationToken ct)
    {
        var rows = await store.StepsAsync(a.Id, ct);
        var facts = Facts(a, rows);
        var next = DevelopmentRules.NextStep(facts) is { } n ? DevelopmentSteps.Get(n) : null;
        return new ApplicantView(a, rows.Select(r => (r, JsonSerializer.Deserialize<StepEvidence>(r.Evidence, JsonDefaults.Storage)!)).ToList(),
            next, next is null ? null : DevelopmentRules.Window(facts, next.Number), DevelopmentRules.AdmittedOn(facts),
            DevelopmentRules.ProbationEndsOn(facts), rows.Any(r => r.Step == DevelopmentSteps.FullMembershipApproval)
                ? DevelopmentRules.PartyStandingOn(facts) : null, rows.Count);
    }

    /// <summary>An approval waits (审批待办) under the <c>taskWarning</c> template, to one of the community's secretary or committee.</summary>
    public static Notice ApprovalNotice(DevApplicant a, DevStep waiting, DateOnly due, long memberId, long communityId)
    {
        var what = ReminderContent.Thing($"{a.Name}·{waiting.Name}");
        var date = Periods.Describe(due);
        var data = new Dictionary<string, string> { ["thing1"] = what, ["date2"] = date, ["phrase3"] = "待审批", ["thing4"] = ReminderContent.Thing(a.OrgName) };
        var mp = new Dictionary<string, string> { ["thing1"] = what, ["date2"] = date, ["phrase3"] = "待审批", ["character_string4"] = $"DEV{a.Id}" };
        return new Notice(Subject, 0, $"approve-{waiting.Number}", communityId, memberId, null, "taskWarning", data, mp,
            "pages/development-approvals/index");
    }
}
