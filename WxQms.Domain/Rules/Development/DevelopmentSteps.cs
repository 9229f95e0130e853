namespace WxQms.Domain.Rules.Development;

/// <summary>The five stages of member development (发展党员), as the 细则's chapters give them.</summary>
public enum DevStage
{
    Application = 1,
    Activist = 2,
    Candidate = 3,
    Admission = 4,
    Probation = 5,
}

/// <summary>Who records a step: the branch (its secretary or worker) or the higher committee (the community committee).</summary>
public enum DevRecorder
{
    Branch,
    Committee,
}

/// <summary>What a step's record must carry besides its date.</summary>
[Flags]
public enum DevEvidence
{
    None = 0,
    /// <summary>The two introducers (入党介绍人), full members.</summary>
    Introducers = 1,
    /// <summary>One or two cultivation contacts (培养联系人), full members.</summary>
    Contacts = 2,
    /// <summary>A member meeting's vote: full members with a vote, present, in favour.</summary>
    Vote = 4,
    /// <summary>The short concentrated training: days and class hours.</summary>
    Training = 8,
    /// <summary>A written conclusion (the political review's).</summary>
    Conclusion = 16,
    /// <summary>A document or photo (the application, the 志愿书, the meeting).</summary>
    Document = 32,
}

/// <param name="Repeatable">May be recorded again before the next step (the half-yearly assessments).</param>
public sealed record DevStep(int Number, DevStage Stage, string Name, DevRecorder Recorder, DevEvidence Evidence, bool Repeatable = false);

/// <summary>
/// The 25 steps in their five stages (DUTIES.md §A.4: the common official summary of the 细则's chapters), what each
/// records and who records it.
/// </summary>
public static class DevelopmentSteps
{
    public const int Count = 25;
    public const int Talk = 2, Activist = 3, Assessment = 6, Candidate = 7, Introducers = 9, PoliticalReview = 10, Training = 11,
        PreReview = 13, AdmissionMeeting = 15, AdmissionApproval = 17, ProbationAssessment = 21, FullMembershipMeeting = 23,
        FullMembershipApproval = 24, Archive = 25;

    public static IReadOnlyList<DevStep> All { get; } =
    [
        new(1, DevStage.Application, "递交入党申请书", DevRecorder.Branch, DevEvidence.Document),
        new(2, DevStage.Application, "党组织派人谈话", DevRecorder.Branch, DevEvidence.None),
        new(3, DevStage.Activist, "推荐和确定入党积极分子", DevRecorder.Branch, DevEvidence.None),
        new(4, DevStage.Activist, "报上级党委备案（积极分子）", DevRecorder.Committee, DevEvidence.None),
        new(5, DevStage.Activist, "指定培养联系人", DevRecorder.Branch, DevEvidence.Contacts),
        new(6, DevStage.Activist, "培养教育考察（每半年考察一次）", DevRecorder.Branch, DevEvidence.None, Repeatable: true),
        new(7, DevStage.Candidate, "确定发展对象", DevRecorder.Branch, DevEvidence.None),
        new(8, DevStage.Candidate, "报上级党委备案（发展对象）", DevRecorder.Committee, DevEvidence.None),
        new(9, DevStage.Candidate, "确定入党介绍人", DevRecorder.Branch, DevEvidence.Introducers),
        new(10, DevStage.Candidate, "进行政治审查", DevRecorder.Branch, DevEvidence.Conclusion),
        new(11, DevStage.Candidate, "开展集中培训", DevRecorder.Branch, DevEvidence.Training),
        new(12, DevStage.Admission, "支部委员会审查", DevRecorder.Branch, DevEvidence.None),
        new(13, DevStage.Admission, "上级党委预审", DevRecorder.Committee, DevEvidence.None),
        new(14, DevStage.Admission, "填写入党志愿书", DevRecorder.Branch, DevEvidence.Document),
        new(15, DevStage.Admission, "支部党员大会讨论", DevRecorder.Branch, DevEvidence.Vote),
        new(16, DevStage.Admission, "上级党委派人谈话", DevRecorder.Committee, DevEvidence.None),
        new(17, DevStage.Admission, "上级党委审批", DevRecorder.Committee, DevEvidence.None),
        new(18, DevStage.Admission, "再上一级党委组织部门备案", DevRecorder.Committee, DevEvidence.None),
        new(19, DevStage.Probation, "编入党支部和党小组", DevRecorder.Branch, DevEvidence.None),
        new(20, DevStage.Probation, "入党宣誓", DevRecorder.Branch, DevEvidence.Document),
        new(21, DevStage.Probation, "继续教育考察", DevRecorder.Branch, DevEvidence.None, Repeatable: true),
        new(22, DevStage.Probation, "提出转正申请", DevRecorder.Branch, DevEvidence.Document),
        new(23, DevStage.Probation, "支部党员大会讨论转正", DevRecorder.Branch, DevEvidence.Vote),
        new(24, DevStage.Probation, "上级党委审批转正", DevRecorder.Committee, DevEvidence.None),
        new(25, DevStage.Probation, "材料归档", DevRecorder.Committee, DevEvidence.None),
    ];

    public static DevStep? Get(int number) => number is >= 1 and <= Count ? All[number - 1] : null;

    public static string StageName(DevStage stage) => stage switch
    {
        DevStage.Application => "入党申请",
        DevStage.Activist => "入党积极分子的确定和培养教育",
        DevStage.Candidate => "发展对象的确定和考察",
        DevStage.Admission => "预备党员的接收",
        _ => "预备党员的教育考察和转正",
    };
}
