namespace WxQms.Domain.Model.Tasks;

/// <summary>
/// An ad-hoc task (临时性工作) as issued: what the orgs must do, by when, for how many points, and
/// what evidence counts. Every target org gets its own task row, judged and scored like a duty of the
/// catalogue through <see cref="ToTemplate"/>.
/// </summary>
public sealed record AdhocTask(
    long Id,
    string Title,
    string? Description,
    DateTimeOffset OpensAt,
    DateTimeOffset DueAt,
    string PeriodKey,
    decimal Points,
    decimal LateDeduction,
    decimal OverdueDeduction,
    EvidenceRule EvidenceRule,
    long ScopeOrgId,
    int TargetCount,
    string IssuedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CancelledAt = null,
    string? CancelReason = null)
{
    /// <summary>The template code every ad-hoc task row carries; its definition is the adhoc_tasks row.</summary>
    public const string TemplateCode = "adhoc";

    /// <summary>Every ad-hoc task is reminded like paperwork: 3 days before it is due, then warned and escalated.</summary>
    public static ReminderRule Reminders { get; } = ReminderRule.Paperwork(3);

    public bool Cancelled => CancelledAt is not null;

    public TaskTemplate ToTemplate() => new(TemplateCode, 1, DateOnly.FromDateTime(OpensAt.UtcDateTime), Title,
        "临时任务（上级交办）", Recurrence.Once, new AppliesTo(null), PlanRule.None, EvidenceRule, Points, LateDeduction,
        OverdueDeduction, Reminders);
}

/// <summary>Which orgs an ad-hoc task goes to: the listed orgs themselves, or every branch under them.</summary>
public enum AdhocTargetMode
{
    /// <summary>Every party branch in the subtrees of the listed orgs (a branch listed itself counts).</summary>
    Branches,
    /// <summary>Exactly the listed orgs (for example: each community's committee reports once).</summary>
    Orgs,
}

/// <summary>What the issuer asks for, before validation.</summary>
public sealed record AdhocTaskRequest(
    string? Title,
    string? Description,
    DateOnly DueOn,
    decimal Points,
    decimal? LateDeduction,
    decimal? OverdueDeduction,
    int MinPhotos,
    bool AttendanceRequired,
    bool MinutesRequired,
    bool PlaceRequired,
    bool TopicRequired,
    IReadOnlyList<long> OrgIds,
    AdhocTargetMode Target = AdhocTargetMode.Branches);
