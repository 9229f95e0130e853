namespace WxQms.Domain.Model;

/// <summary>Where a nonconformity (不符合项) came from.</summary>
public enum NonconformitySource
{
    /// <summary>An inspector's finding (巡查).</summary>
    Inspection,

    /// <summary>The branch's own finding (自查自纠).</summary>
    SelfInspection,

    /// <summary>Raised by rule from the task data (warned or overdue tasks, meetings without quorum, dues arrears).</summary>
    Rule,

    /// <summary>The internal audit's finding (内部审核).</summary>
    Audit,
}

/// <summary>How grave a nonconformity is.</summary>
public enum NonconformitySeverity
{
    /// <summary>一般不符合.</summary>
    Minor,

    /// <summary>严重不符合.</summary>
    Major,
}

/// <summary>Where a nonconformity's corrective action (CAPA) stands (see <c>Rules/Nonconformities/CapaRules</c>).</summary>
public enum NonconformityState
{
    /// <summary>Raised and assigned to the branch secretary; no cause or countermeasure yet.</summary>
    Open,

    /// <summary>The secretary recorded the cause (原因分析), the countermeasure (纠正措施) and its due date.</summary>
    ActionRecorded,

    /// <summary>The countermeasure is done (with evidence); the effectiveness check (有效性验证) is due after a set time.</summary>
    AwaitingCheck,

    /// <summary>The check failed: back to the secretary for a new cause and countermeasure.</summary>
    Reopened,

    /// <summary>The check passed.</summary>
    Closed,
}

/// <summary>A step of a nonconformity's trail.</summary>
public enum NonconformityStepKind
{
    Raised,
    ActionRecorded,
    Completed,
    CheckPassed,
    CheckFailed,
}

/// <summary>A nonconformity as stored, with its branch and the current cycle of its corrective action.</summary>
public sealed record Nonconformity(
    long Id,
    long OrgId,
    string OrgName,
    string OrgPath,
    NonconformitySource Source,
    string SourceRef,
    string? Clause,
    NonconformitySeverity Severity,
    string Description,
    NonconformityState State,
    int Cycle,
    string? Cause,
    string? Action,
    DateOnly? ActionDueOn,
    DateOnly? CompletedOn,
    DateOnly? CheckDueOn,
    DateTimeOffset RaisedAt,
    string RaisedBy,
    DateTimeOffset? ClosedAt,
    int Version);

/// <summary>One step of the trail: who did what in which cycle, with its text and photos.</summary>
public sealed record NonconformityStep(
    long Id,
    NonconformityStepKind Kind,
    int Cycle,
    string? Cause,
    string? Note,
    DateOnly? DueOn,
    string Actor,
    long? MemberId,
    DateTimeOffset At,
    IReadOnlyList<StoredPhoto> Photos);
