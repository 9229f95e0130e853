using System.ComponentModel.DataAnnotations;
using WxQms.Domain.Model;

namespace WxQms.Domain.Services.Orgs;

/// <summary><c>Orgs:TermYears:*</c> — how long each kind's term lasts when a term is recorded without its length.</summary>
public sealed class OrgOptions
{
    public const string Section = "Orgs";

    public TermYearsOptions TermYears { get; set; } = new();

    public int YearsOf(OrgKind kind) => kind switch
    {
        OrgKind.Subdistrict => TermYears.Subdistrict,
        OrgKind.CommunityCommittee => TermYears.CommunityCommittee,
        OrgKind.GeneralBranch => TermYears.GeneralBranch,
        _ => TermYears.Branch,
    };
}

/// <summary>Term length in years per kind (党章 art. 31: three to five years).</summary>
public sealed class TermYearsOptions
{
    [Range(1, 5)] public int Subdistrict { get; set; } = 5;
    [Range(1, 5)] public int CommunityCommittee { get; set; } = 5;
    [Range(1, 5)] public int GeneralBranch { get; set; } = 3;
    [Range(1, 5)] public int Branch { get; set; } = 3;
}
