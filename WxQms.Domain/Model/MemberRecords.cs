namespace WxQms.Domain.Model;

/// <summary>A field of a member form and what is wrong with it, in Chinese.</summary>
public sealed record FieldError(string Field, string Code, string Message);

/// <summary>
/// A member form or action the console refuses, naming the field: a bad value (hosts answer 400), or one that clashes
/// with what is stored (a phone or ID-card number already on another member, a second secretary: 409), with the
/// regulation it cites if any.
/// </summary>
public sealed class MemberInputException(FieldError error, bool conflict = false, string? regulation = null) : Exception(error.Message)
{
    public FieldError Error { get; } = error;

    public bool Conflict { get; } = conflict;

    public string? Regulation { get; } = regulation;
}

/// <summary>A role held from one date to another (<see cref="EndsOn"/> null: held now), with its org's name.</summary>
public sealed record RoleSpan(string Role, long OrgId, string OrgName, DateOnly? StartsOn, DateOnly? EndsOn);

/// <summary>A move of a member between two orgs of the subdistrict.</summary>
public sealed record MemberMove(DateOnly MovedOn, long FromOrgId, string FromOrgName, long ToOrgId, string ToOrgName, string? Reason, string Actor);

/// <summary>One entry of a member's trail: what was done, by whom, when.</summary>
public sealed record MemberTrailEntry(DateTimeOffset At, string Action, string Actor, string? Data);
