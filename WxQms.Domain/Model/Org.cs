namespace WxQms.Domain.Model;

/// <summary>The level of a party organisation in the subdistrict tree.</summary>
public enum OrgKind
{
    /// <summary>街道党工委 — the subdistrict working committee, root of a subdistrict.</summary>
    Subdistrict,
    /// <summary>社区党委 — a community party committee.</summary>
    CommunityCommittee,
    /// <summary>党总支 — a general branch.</summary>
    GeneralBranch,
    /// <summary>党支部 — a branch.</summary>
    Branch,
    /// <summary>党小组 — a party group inside a branch.</summary>
    PartyGroup,
}

public sealed record Org(
    long Id,
    long? ParentId,
    string Path,
    int Depth,
    OrgKind Kind,
    string Name,
    string Code,
    int SortOrder);
