using System.Globalization;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;

namespace WxQms.Domain.Rules.Development;

/// <summary>
/// A piece of the branch's development work with a deadline (DUTIES.md §A.4): one task of the branch, open from
/// <see cref="OpensOn"/> (the day its clock starts) and due by the end of <see cref="DueOn"/>; recording its step does it.
/// </summary>
public sealed record DevDuty(int Step, DateOnly OpensOn, DateOnly DueOn, string Title)
{
    /// <summary>The task's unique key: the applicant, the step and its due day, so each deadline makes one task.</summary>
    public string Key(long applicantId) => DevelopmentDuties.KeyPrefix(applicantId) +
        string.Create(CultureInfo.InvariantCulture, $"{Step}:{DueOn:yyyyMMdd}");
}

/// <summary>
/// The branch's development work among its tasks, so it is reminded and counted like its other duties: the talk within a
/// month of the application, the half-yearly assessment of an activist and of a probationary member, the member meeting
/// within a month of the pre-review, and the full-membership meeting within three months of the probation's end. Only work
/// the branch records and may record now is a duty (a committee's step is the committee's approval, not the branch's task).
/// </summary>
public static class DevelopmentDuties
{
    /// <summary>What each development task is worth to the branch (as an ad-hoc task's points; half of it lost when late).</summary>
    public const decimal Points = 2m;

    public const int MaxNameInTitle = 10;

    public static string KeyPrefix(long applicantId) => string.Create(CultureInfo.InvariantCulture, $"dev:{applicantId}:");

    /// <summary>The step a development task's key names, or null for any other task.</summary>
    public static int? StepOf(string uniqueKey)
    {
        var parts = uniqueKey.Split(':');
        return parts.Length == 4 && parts[0] == "dev" && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var step)
            ? step : null;
    }

    /// <summary>The duties the applicant's record makes for her branch now (at most two: a next step and an assessment).</summary>
    public static IReadOnlyList<DevDuty> Due(DevFacts facts, string name)
    {
        var n = name.Length > MaxNameInTitle ? name[..MaxNameInTitle] : name;
        var next = DevelopmentRules.NextStep(facts);
        var last = facts.Records.Count > 0 ? facts.Records[^1].Step : 0;
        DateOnly? On(int s) => DevelopmentRules.Latest(facts, s)?.OccurredOn;
        var duties = new List<DevDuty>();
        void Add(int step, DateOnly? opens, string title)
        {
            if (opens is { } o && DevelopmentRules.Window(facts, step).Due is { } due)
                duties.Add(new DevDuty(step, o, due, title));
        }

        if (next == DevelopmentSteps.Talk)
            Add(DevelopmentSteps.Talk, On(1), $"与入党申请人{n}谈话");
        if (next == DevelopmentSteps.Assessment || last == DevelopmentSteps.Assessment)
            Add(DevelopmentSteps.Assessment, On(DevelopmentSteps.Assessment) ?? On(DevelopmentSteps.Activist), $"半年考察入党积极分子{n}");
        if (next is DevelopmentSteps.PreReview + 1 or DevelopmentSteps.AdmissionMeeting) // the 志愿书 is filled in meanwhile
            Add(DevelopmentSteps.AdmissionMeeting, On(DevelopmentSteps.PreReview), $"党员大会讨论接收{n}");
        if (next == DevelopmentSteps.ProbationAssessment || last == DevelopmentSteps.ProbationAssessment)
            Add(DevelopmentSteps.ProbationAssessment, On(DevelopmentSteps.ProbationAssessment) ?? On(20), $"半年考察预备党员{n}");
        if (next == DevelopmentSteps.FullMembershipMeeting)
            Add(DevelopmentSteps.FullMembershipMeeting, DevelopmentRules.ProbationEndsOn(facts), $"党员大会讨论{n}转正");
        return duties;
    }

    /// <summary>
    /// The record that does a duty: its step's first record on or after the day the duty opened (after it, for a half-yearly
    /// assessment: the one recorded that day opened the duty) and by its due day, or null (not yet done, or done too late
    /// to count: the task stays overdue, as a meeting held after its period does).
    /// </summary>
    public static DevRecord? DoneBy(int step, DateOnly opensOn, DateOnly dueOn, DevFacts facts) =>
        facts.Records.FirstOrDefault(r => r.Step == step && r.OccurredOn <= dueOn
            && (r.OccurredOn > opensOn || (r.OccurredOn == opensOn && DevelopmentSteps.Get(step)?.Repeatable != true)));

    /// <summary>
    /// The duty as an ad-hoc task of the branch: open from the start of its opening day, due at the end of its due day,
    /// counted in the month of that day, worth <see cref="Points"/> (half lost when late, nothing more when missed), done by
    /// recording its step (no photos, attendance or minutes of its own: those are the step's).
    /// </summary>
    public static AdhocRules.Issuable AsTask(DevDuty duty)
    {
        var step = DevelopmentSteps.Get(duty.Step)!;
        var rule = new EvidenceRule(0, false, Quorum.None, false, false, false, "工作记录");
        return new AdhocRules.Issuable(duty.Title, $"发展党员第{duty.Step}步“{step.Name}”：在小程序“发展党员”中记录这一步即完成本任务。",
            Periods.StartOf(duty.OpensOn), Periods.StartOf(duty.DueOn.AddDays(1)),
            Periods.Containing(Recurrence.Monthly, Periods.StartOf(duty.DueOn)).Key, Points, Points / 2, 0m, rule);
    }
}
