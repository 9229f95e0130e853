namespace WxQms.Domain.Model;

/// <summary>What kind of check an inspection is (its findings enter the register under the matching source).</summary>
public enum InspectionKind
{
    /// <summary>巡查: an inspector visits the branch, as the quarter's plan says.</summary>
    Inspection,

    /// <summary>自查自纠: the branch runs the same checklist on itself, once a quarter.</summary>
    SelfInspection,

    /// <summary>内部审核: the yearly internal audit of the whole system, every branch.</summary>
    Audit,
}

/// <summary>Where an inspection stands.</summary>
public enum InspectionState
{
    Planned,
    Submitted,
}

/// <summary>An item's result: 符合, 不符合 (a finding), 不适用.</summary>
public enum ItemResult
{
    Pass,
    Fail,
    Na,
}

/// <summary>An inspector's term of appointment.</summary>
public sealed record InspectorTerm(long Id, long MemberId, string Name, string Unit, DateOnly From, DateOnly To, string AppointedBy);

/// <summary>An inspection as stored, with its branch and its inspector.</summary>
public sealed record Inspection(long Id, InspectionKind Kind, long OrgId, string OrgName, string OrgPath, string CommunityName, int Year, int Quarter,
    long? InspectorMemberId, string? InspectorName, InspectionState State, string? Summary, string? SubmittedBy, DateTimeOffset? SubmittedAt,
    int Version);

/// <summary>One checklist item of an inspection, with its result once submitted and the finding it raised.</summary>
public sealed record InspectionItem(int No, string? DutyCode, string Clause, string Text, ItemResult? Result, NonconformitySeverity? Severity,
    string? Note, long? NonconformityId, IReadOnlyList<StoredPhoto> Photos);
