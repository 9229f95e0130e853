namespace WxQms.Domain.Model;

/// <summary>正式党员 / 预备党员, and the ways a member leaves the roll.</summary>
public enum MemberStatus
{
    Full,
    Probationary,
    TransferredOut,
    Deceased,
}

public enum Sex
{
    Male,
    Female,
}

/// <summary>What a member may do, scoped to an org (a secretary is secretary of one branch).</summary>
public static class Roles
{
    public const string Member = "member";
    public const string Secretary = "secretary";
    public const string Worker = "worker";
    public const string Committee = "committee";
    public const string Staff = "staff";
    public const string Inspector = "inspector";

    public static readonly IReadOnlyList<string> All = [Member, Secretary, Worker, Committee, Staff, Inspector];
}

public sealed record Member(
    long Id,
    long OrgId,
    string Name,
    Sex Sex,
    DateOnly? BirthDate,
    DateOnly? JoinedOn,
    MemberStatus Status,
    string? Phone,
    bool Retired,
    bool Mobile,
    string Code);

public sealed record MemberRole(long MemberId, string Role, long OrgId);
