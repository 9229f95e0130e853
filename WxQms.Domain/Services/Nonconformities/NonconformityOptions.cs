using System.ComponentModel.DataAnnotations;

namespace WxQms.Domain.Services.Nonconformities;

/// <summary><c>Nonconformities:*</c> — when the effectiveness check falls due, and what a nonconformity past due costs in the assessment.</summary>
public sealed class NonconformityOptions
{
    public const string Section = "Nonconformities";

    /// <summary>Days after the countermeasure is done before its effectiveness is checked (did it recur?).</summary>
    [Range(0, 365)] public int CheckAfterDays { get; set; } = 30;

    /// <summary>Points a branch loses in the period's result for each nonconformity whose countermeasure is past due.</summary>
    [Range(0, 100)] public decimal DeductionPerItem { get; set; } = 0.5m;

    /// <summary>At most this many points in all.</summary>
    [Range(0, 100)] public decimal DeductionCap { get; set; } = 2m;
}
