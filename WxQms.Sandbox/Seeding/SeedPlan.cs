using WxQms.Domain.Model;

namespace WxQms.Sandbox.Seeding;

/// <summary>
/// The demo subdistrict as plain values, before it touches a database. Orgs and members refer to
/// each other by stable codes, so the same people carry the same codes in every run.
/// </summary>
public sealed record SeedPlan(IReadOnlyList<SeedOrg> Orgs, IReadOnlyList<SeedMember> Members);

/// <summary>An org; parents always come before their children in <see cref="SeedPlan.Orgs"/>.</summary>
public sealed record SeedOrg(string Code, string? ParentCode, OrgKind Kind, string Name, int SortOrder);

public sealed record SeedMember(
    string Code,
    string OrgCode,
    string Name,
    Sex Sex,
    DateOnly BirthDate,
    DateOnly JoinedOn,
    MemberStatus Status,
    string Phone,
    bool Retired,
    bool Mobile,
    IReadOnlyList<SeedRole> Roles);

public sealed record SeedRole(string Role, string OrgCode);
