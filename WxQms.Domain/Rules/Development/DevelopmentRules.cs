namespace WxQms.Domain.Rules.Development;

/// <summary>A step as recorded: which one and on what day (recording order is the list's order).</summary>
public sealed record DevRecord(int Step, DateOnly OccurredOn);

/// <summary>What the rules need to know about an applicant: her birth date, her steps so far, a probation extension.</summary>
public sealed record DevFacts(DateOnly? BirthDate, IReadOnlyList<DevRecord> Records, int ExtensionMonths = 0);

/// <summary>A member meeting's vote: full members with a vote (应到), those present (实到), those in favour.</summary>
public sealed record DevVote(int Eligible, int Present, int InFavour);

/// <summary>The short concentrated training: days and class hours.</summary>
public sealed record DevTraining(int Days, int Hours);

/// <param name="People">The introducers (step 9) or the cultivation contacts (step 5): members' ids.</param>
/// <param name="Photos">How many documents or photos come with it.</param>
public sealed record DevStepInput(int Step, DateOnly OccurredOn, IReadOnlyList<long>? People = null, DevVote? Vote = null,
    DevTraining? Training = null, string? Conclusion = null, int Photos = 0);

public enum DevSeverity
{
    /// <summary>The step is refused.</summary>
    Block,
    /// <summary>The step is recorded and the warning kept with it.</summary>
    Warn,
}

/// <summary>One check's outcome, with the rule's text (and its article where the source is sure).</summary>
public sealed record DevFinding(DevSeverity Severity, string Code, string Text);

/// <summary>A rule with a time limit, as the applicant's timetable shows it.</summary>
public sealed record DevTimeRule(string Code, string Text);

/// <summary>
/// When a step may be recorded: not before <see cref="Earliest"/> (blocked), by <see cref="Due"/> (later: a warning),
/// never after <see cref="Limit"/> (blocked). Each bound names its rule.
/// </summary>
public sealed record StepWindow(int Step, DateOnly? Earliest, DevTimeRule? EarliestRule, DateOnly? Due, DevTimeRule? DueRule,
    DateOnly? Limit, DevTimeRule? LimitRule);

/// <summary>
/// The time rules of member development (DUTIES.md §A.4) as pure checks: each step recorded in order, on a day not in
/// the future and not before the step before it, with its evidence, within its window. Blocking checks refuse the
/// step; warnings are kept with it. Articles are cited only where the source is sure (党章, 细则 arts. 8, 13, 17).
/// </summary>
public static class DevelopmentRules
{
    public const int MinimumAge = 18;
    public const int ProbationMonths = 12;

    public static readonly DevTimeRule MinimumAgeRule = new("development.too_young",
        "年满十八岁方可申请入党（《中国共产党章程》第一条）");
    public static readonly DevTimeRule TalkRule = new("development.talk_late",
        "党组织收到入党申请书后，应当在一个月内派人同入党申请人谈话（《中国共产党发展党员工作细则》第八条）");
    public static readonly DevTimeRule ActivistYearRule = new("development.activist_year",
        "入党积极分子经过一年以上培养教育和考察、基本具备党员条件的，方可列为发展对象（《中国共产党发展党员工作细则》第十三条）");
    public static readonly DevTimeRule AssessmentRule = new("development.assessment_due",
        "党支部每半年对入党积极分子进行一次考察");
    public static readonly DevTimeRule ContactsRule = new("development.contacts",
        "党组织应当指定一至两名正式党员作入党积极分子的培养联系人");
    public static readonly DevTimeRule IntroducersRule = new("development.introducers",
        "发展对象应当有两名正式党员作入党介绍人");
    public static readonly DevTimeRule ConclusionRule = new("development.review_conclusion",
        "政治审查应当形成结论性材料");
    public static readonly DevTimeRule TrainingRule = new("development.training_short",
        "发展对象应当参加集中培训，时间一般不少于三天或不少于二十四个学时（《中国共产党发展党员工作细则》第十七条）");
    public static readonly DevTimeRule ReviewValidityRule = new("development.review_expired",
        "政治审查结论有效期一年（本地规定），超过的应当重新审查");
    public static readonly DevTimeRule MeetingRule = new("development.meeting_late",
        "上级党委预审后，支部一般应在一个月内召开党员大会讨论（本地做法）");
    public static readonly DevTimeRule QuorumRule = new("development.quorum",
        "支部党员大会表决时，有表决权的到会人数须超过应到会有表决权人数的半数");
    public static readonly DevTimeRule MajorityRule = new("development.majority",
        "赞成人数须超过应到会有表决权的正式党员的半数，方能通过决议");
    public static readonly DevTimeRule ApprovalRule = new("development.approval_late",
        "上级党委应当在三个月内审批，特殊情况可适当延长，但不得超过六个月");
    public static readonly DevTimeRule ApprovalLimitRule = new("development.approval_expired",
        "超过六个月未经上级党委审批的，须由支部党员大会重新讨论");
    public static readonly DevTimeRule ProbationRule = new("development.probation_not_over",
        "预备期为一年，从支部大会通过为预备党员之日算起，预备期满方可讨论转正（《中国共产党章程》第七条）");
    public static readonly DevTimeRule ExtensionRule = new("development.extension",
        "延长预备期只能一次，时间不能少于半年，最长不超过一年（《中国共产党章程》第七条）");
    public static readonly DevTimeRule FullMeetingRule = new("development.full_meeting_late",
        "预备期满后，党支部应当及时讨论其能否转为正式党员");

    /// <summary>Everything that speaks against recording <paramref name="input"/> on <paramref name="today"/>; empty when it may be recorded silently.</summary>
    public static IReadOnlyList<DevFinding> Check(DevFacts facts, DevStepInput input, DateOnly today)
    {
        var findings = new List<DevFinding>();
        if (DevelopmentSteps.Get(input.Step) is not { } step)
            return [Block("development.step_unknown", $"没有第{input.Step}步（发展党员共{DevelopmentSteps.Count}步）")];
        if (OrderRefusal(facts, input) is { } order)
            return [order];
        if (input.OccurredOn > today)
            findings.Add(Block("development.future_date", $"“{step.Name}”的日期不能晚于今天"));
        if (facts.Records.Count > 0 && input.OccurredOn < facts.Records[^1].OccurredOn)
            findings.Add(Block("development.before_previous",
                $"“{step.Name}”的日期不能早于上一步“{DevelopmentSteps.Get(facts.Records[^1].Step)!.Name}”（{facts.Records[^1].OccurredOn:yyyy-MM-dd}）"));

        var window = Window(facts, input.Step);
        if (window.Earliest is { } earliest && input.OccurredOn < earliest)
            findings.Add(Block(window.EarliestRule!.Code, $"{window.EarliestRule.Text}；最早可于{earliest:yyyy-MM-dd}记录“{step.Name}”"));
        if (window.Limit is { } limit && input.OccurredOn > limit)
            findings.Add(Block(window.LimitRule!.Code, $"{window.LimitRule.Text}（期限{limit:yyyy-MM-dd}）"));
        else if (window.Due is { } due && input.OccurredOn > due)
            findings.Add(Warn(window.DueRule!.Code, $"{window.DueRule.Text}（应于{due:yyyy-MM-dd}前，已逾期）"));

        findings.AddRange(EvidenceFindings(facts, step, input));
        return findings;
    }

    /// <summary>The step that comes next (null when all 25 are done): the last recorded step's successor.</summary>
    public static int? NextStep(DevFacts facts) => facts.Records.Count == 0 ? 1
        : facts.Records[^1].Step >= DevelopmentSteps.Count ? null : facts.Records[^1].Step + 1;

    /// <summary>The latest record of a step, or null.</summary>
    public static DevRecord? Latest(DevFacts facts, int step) => facts.Records.LastOrDefault(r => r.Step == step);

    /// <summary>The day the admission meeting adopted the resolution (probation starts), or null.</summary>
    public static DateOnly? AdmittedOn(DevFacts facts) => Latest(facts, DevelopmentSteps.AdmissionMeeting)?.OccurredOn;

    /// <summary>The day probation ends: a year after the admission meeting, plus an extension.</summary>
    public static DateOnly? ProbationEndsOn(DevFacts facts) =>
        AdmittedOn(facts)?.AddMonths(ProbationMonths + facts.ExtensionMonths);

    /// <summary>
    /// The day someone becomes a full member, from which party standing (党龄) counts: the day probation ends
    /// (《中国共产党章程》第七条: 党龄从预备期满转为正式党员之日算起).
    /// </summary>
    public static DateOnly? PartyStandingOn(DevFacts facts) => ProbationEndsOn(facts);

    /// <summary>When <paramref name="step"/> may (and should) be recorded, given the steps so far.</summary>
    public static StepWindow Window(DevFacts facts, int step)
    {
        DateOnly? On(int s) => Latest(facts, s)?.OccurredOn;
        StepWindow W(DateOnly? earliest = null, DevTimeRule? er = null, DateOnly? due = null, DevTimeRule? dr = null,
            DateOnly? limit = null, DevTimeRule? lr = null) => new(step, earliest, er, due, dr, limit, lr);
        switch (step)
        {
            case DevelopmentSteps.Talk when On(1) is { } applied:
                return W(due: applied.AddMonths(1), dr: TalkRule);
            case DevelopmentSteps.Assessment when (On(DevelopmentSteps.Assessment) ?? On(DevelopmentSteps.Activist)) is { } last:
                return W(due: last.AddMonths(6), dr: AssessmentRule);
            case DevelopmentSteps.Candidate when On(DevelopmentSteps.Activist) is { } activist:
                return W(earliest: activist.AddYears(1), er: ActivistYearRule);
            case DevelopmentSteps.AdmissionMeeting when On(DevelopmentSteps.PreReview) is { } preReview:
                return W(due: preReview.AddMonths(1), dr: MeetingRule);
            case DevelopmentSteps.AdmissionApproval when On(DevelopmentSteps.AdmissionMeeting) is { } meeting:
                return W(due: meeting.AddMonths(3), dr: ApprovalRule, limit: meeting.AddMonths(6), lr: ApprovalLimitRule);
            case DevelopmentSteps.ProbationAssessment when (On(DevelopmentSteps.ProbationAssessment) ?? On(20)) is { } last:
                return W(due: last.AddMonths(6), dr: AssessmentRule with { Text = "党支部每半年对预备党员进行一次考察" });
            case 22 or DevelopmentSteps.FullMembershipMeeting when ProbationEndsOn(facts) is { } ends:
                return step == 22 ? W(due: ends, dr: FullMeetingRule)
                    : W(earliest: ends, er: ProbationRule, due: ends.AddMonths(3), dr: FullMeetingRule);
            case DevelopmentSteps.FullMembershipApproval when On(DevelopmentSteps.FullMembershipMeeting) is { } meeting:
                return W(due: meeting.AddMonths(3), dr: ApprovalRule, limit: meeting.AddMonths(6), lr: ApprovalLimitRule);
            default:
                return W();
        }
    }

    /// <summary>A probation extension (延长预备期) of <paramref name="months"/>: once, 6–12 months, while on probation. Null when allowed.</summary>
    public static DevFinding? ExtensionRefusal(DevFacts facts, int months)
    {
        if (Latest(facts, DevelopmentSteps.AdmissionApproval) is null || Latest(facts, DevelopmentSteps.FullMembershipApproval) is not null)
            return Block(ExtensionRule.Code, "只有已批准接收、尚未转正的预备党员可以延长预备期");
        if (facts.ExtensionMonths > 0)
            return Block(ExtensionRule.Code, $"{ExtensionRule.Text}；已延长过{facts.ExtensionMonths}个月");
        if (months is < 6 or > 12)
            return Block(ExtensionRule.Code, ExtensionRule.Text);
        return null;
    }

    /// <summary>Age in whole years on a day.</summary>
    public static int AgeOn(DateOnly birth, DateOnly day) =>
        day.Year - birth.Year - (day.Month < birth.Month || (day.Month == birth.Month && day.Day < birth.Day) ? 1 : 0);

    private static DevFinding? OrderRefusal(DevFacts facts, DevStepInput input)
    {
        var step = DevelopmentSteps.Get(input.Step)!;
        var next = NextStep(facts);
        if (input.Step == next)
            return null;
        var last = facts.Records.Count > 0 ? facts.Records[^1] : null;
        if (last is not null && last.Step == input.Step && step.Repeatable)
            return null;
        if (IsRedeliberation(facts, input))
            return null;
        if (next is null)
            return Block("development.finished", "25个步骤已全部完成");
        return Block("development.out_of_order", $"须先完成第{next}步“{DevelopmentSteps.Get(next.Value)!.Name}”，才能记录第{input.Step}步“{step.Name}”");
    }

    /// <summary>
    /// The branch discusses the admission again (重新讨论) when the higher committee has not approved it within three
    /// months of the meeting: step 15 again, after 15 or 16 and before 17.
    /// </summary>
    private static bool IsRedeliberation(DevFacts facts, DevStepInput input) =>
        input.Step is DevelopmentSteps.AdmissionMeeting or DevelopmentSteps.FullMembershipMeeting
        && facts.Records.Count > 0 && facts.Records[^1].Step is var last && (last == input.Step || last == input.Step + 1)
        && Latest(facts, input.Step) is { } meeting && input.OccurredOn > meeting.OccurredOn.AddMonths(3);

    private static IEnumerable<DevFinding> EvidenceFindings(DevFacts facts, DevStep step, DevStepInput input)
    {
        var people = (input.People ?? []).Distinct().Count();
        if (step.Number == 1)
        {
            if (facts.BirthDate is not { } birth)
                yield return Block("development.birth_date", "请先登记申请人的出生日期");
            else if (AgeOn(birth, input.OccurredOn) < MinimumAge)
                yield return Block(MinimumAgeRule.Code, $"{MinimumAgeRule.Text}；申请人{input.OccurredOn:yyyy-MM-dd}时{AgeOn(birth, input.OccurredOn)}岁");
        }
        if (step.Evidence.HasFlag(DevEvidence.Contacts) && people is < 1 or > 2)
            yield return Block(ContactsRule.Code, $"{ContactsRule.Text}；本次填写了{people}名");
        if (step.Evidence.HasFlag(DevEvidence.Introducers) && people != 2)
            yield return Block(IntroducersRule.Code, $"{IntroducersRule.Text}；本次填写了{people}名");
        if (step.Evidence.HasFlag(DevEvidence.Conclusion) && string.IsNullOrWhiteSpace(input.Conclusion))
            yield return Block(ConclusionRule.Code, ConclusionRule.Text);
        if (step.Evidence.HasFlag(DevEvidence.Training) && (input.Training is not { } t || (t.Days < 3 && t.Hours < 24)))
            yield return Block(TrainingRule.Code, $"{TrainingRule.Text}；本次{input.Training?.Days ?? 0}天、{input.Training?.Hours ?? 0}学时");
        if (step.Evidence.HasFlag(DevEvidence.Document) && input.Photos == 0)
            yield return Warn("development.document_missing", $"“{step.Name}”应留存书面材料，请拍照上传");
        if (step.Evidence.HasFlag(DevEvidence.Vote))
        {
            foreach (var f in VoteFindings(input.Vote))
                yield return f;
        }
        if (step.Number == DevelopmentSteps.Candidate)
        {
            var activist = Latest(facts, DevelopmentSteps.Activist)!.OccurredOn;
            var expected = MonthsBetween(activist, input.OccurredOn) / 6;
            var held = facts.Records.Count(r => r.Step == DevelopmentSteps.Assessment);
            if (held < expected)
                yield return Warn(AssessmentRule.Code, $"{AssessmentRule.Text}；确定为积极分子以来应考察{expected}次，已记录{held}次");
        }
        if (step.Number == DevelopmentSteps.AdmissionMeeting && Latest(facts, DevelopmentSteps.PoliticalReview) is { } review
            && input.OccurredOn > review.OccurredOn.AddYears(1))
            yield return Warn(ReviewValidityRule.Code, $"{ReviewValidityRule.Text}；政治审查于{review.OccurredOn:yyyy-MM-dd}");
    }

    /// <summary>The member meeting's quorum and majority (both counted against the full members with a vote).</summary>
    public static IEnumerable<DevFinding> VoteFindings(DevVote? vote)
    {
        if (vote is not { } v || v.Eligible <= 0 || v.Present < 0 || v.InFavour < 0 || v.Present > v.Eligible || v.InFavour > v.Present)
        {
            yield return Block("development.vote_invalid", "请填写表决情况：应到会有表决权的正式党员人数、实到人数、赞成人数（赞成≤实到≤应到）");
            yield break;
        }
        if (v.Present * 2 <= v.Eligible)
            yield return Block(QuorumRule.Code, $"{QuorumRule.Text}；应到{v.Eligible}人，实到{v.Present}人");
        if (v.InFavour * 2 <= v.Eligible)
            yield return Block(MajorityRule.Code, $"{MajorityRule.Text}；应到{v.Eligible}人，赞成{v.InFavour}人");
    }

    private static int MonthsBetween(DateOnly from, DateOnly to)
    {
        var months = (to.Year - from.Year) * 12 + to.Month - from.Month;
        return from.AddMonths(months) > to ? months - 1 : months;
    }

    private static DevFinding Block(string code, string text) => new(DevSeverity.Block, code, text);

    private static DevFinding Warn(string code, string text) => new(DevSeverity.Warn, code, text);
}
