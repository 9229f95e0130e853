using Microsoft.AspNetCore.Http.HttpResults;
using WxQms.Api.Infrastructure;
using WxQms.Api.MiniProgram;
using WxQms.Domain.Model;
using WxQms.Domain.Services.Members;
using WxQms.Domain.Storage;

namespace WxQms.Api.Admin;

/// <summary>A member as /api/admin/members answers it: phone and ID-card numbers masked unless the viewer may see them.</summary>
public sealed record AdminMemberDto(long Id, string Name, string Sex, DateOnly? BirthDate, DateOnly? JoinedOn, string Status, string? Phone,
    string? IdCard, bool Retired, bool Mobile, long OrgId, string OrgName, DateOnly? DeceasedOn, bool PersonalDataInFull)
{
    public static AdminMemberDto From(MemberView m) => new(m.Id, m.Name, DbNames.Of(m.Sex), m.BirthDate, m.JoinedOn, DbNames.Of(m.Status),
        m.Phone, m.IdCard, m.Retired, m.Mobile, m.OrgId, m.OrgName, m.DeceasedOn, m.PersonalDataInFull);
}

public sealed record AdminMemberPage(IReadOnlyList<AdminMemberDto> Items, long Total, int Page, int PageSize);

public sealed record AdminMemberDetailsDto(AdminMemberDto Member, IReadOnlyList<RoleSpan> Roles);

public sealed record AdminMemberHistoryDto(IReadOnlyList<RoleSpan> Roles, IReadOnlyList<RoleSpan> PastRoles, IReadOnlyList<MemberMove> Moves,
    IReadOnlyList<MemberTrailEntry> Trail);

/// <summary>
/// A member's record as a script sends it: sex <c>male</c>/<c>female</c>; status (add only) <c>full</c>/<c>probationary</c>;
/// a blank phone or ID card keeps what is stored, <c>clearPhone</c> / <c>clearIdCard</c> (edit only) remove it.
/// </summary>
public sealed record AdminMemberBody(long? OrgId, string? Name, string? Sex, DateOnly? BirthDate, DateOnly? JoinedOn, string? Status,
    string? Phone, string? IdCard, bool? Retired, bool? Mobile, bool? ClearPhone = null, bool? ClearIdCard = null);

public sealed record AdminMoveBody(long? ToOrgId, DateOnly? MovedOn, string? Reason);

public sealed record AdminDeceasedBody(DateOnly? DeceasedOn);

public sealed record AdminRoleBody(string? Role, long? OrgId, DateOnly? StartsOn, DateOnly? EndsOn);

/// <summary>
/// The console's members as JSON (<c>/api/admin/members</c>), for scripts: the roster, one member, adding, editing,
/// moving, a death, appointing and ending roles, a member's history. Who may is decided by <see cref="MemberAdmin"/>;
/// a refused field answers 400 (or 409 when it clashes with what is stored) with its <c>code</c> and <c>errors</c> (field → message).
/// </summary>
public static class MemberAdminEndpoints
{
    public static void MapAdminMembers(this IEndpointRouteBuilder app)
    {
        var api = app.AdminApi().MapGroup("/members");
        api.MapGet("", List).WithSummary("Members the caller keeps: search by name, phone or the ID card's last four; paging; sorting; one org's subtree");
        api.MapGet("/{id:long}", Get).WithSummary("One member (phone and ID card masked unless the caller is office staff or her branch secretary) and her roles");
        api.MapPost("", Add).WithSummary("Add a member (full or probationary) to an org the caller keeps");
        api.MapPut("/{id:long}", Edit).WithSummary("Edit a member's record (not her org or status; a blank phone or ID card stays as it is, clearPhone / clearIdCard remove it)");
        api.MapPost("/{id:long}/move", Move).WithSummary("Move a member to another org of the subdistrict; her roles in the old branch end");
        api.MapPost("/{id:long}/deceased", Deceased).WithSummary("Record a member's death with the date; her roles end");
        api.MapPost("/{id:long}/roles", Appoint).WithSummary("Appoint a member to a role at an org from a date (one secretary per org)");
        api.MapPost("/{id:long}/roles/end", EndRole).WithSummary("End a role a member holds on a date");
        api.MapGet("/{id:long}/history", History).WithSummary("A member's roles now and before, her moves and her trail");
        MemberPages.Map(app.AdminPages());
    }

    internal static MemberEditor Editor(CurrentUser user) => new(user.Roles, user.MemberId, TaskEndpoints.Actor(user));

    internal static async Task<Ok<AdminMemberPage>> List(CurrentUser user, MemberAdmin members, string? q, long? org, string? sort, string? dir,
        int? page, CancellationToken ct)
    {
        var search = q?.Trim() is { Length: > 0 } s ? s[..Math.Min(s.Length, TableQuery.MaxSearchLength)] : null;
        var p = page is > 0 and < 100_000 ? page.Value : 1;
        var (items, total) = await members.ListAsync(Editor(user), search, org, sort, dir == "desc", p, ct);
        return TypedResults.Ok(new AdminMemberPage(items.Select(AdminMemberDto.From).ToList(), total, p, MemberAdmin.PageSize));
    }

    internal static async Task<Ok<AdminMemberDetailsDto>> Get(long id, CurrentUser user, MemberAdmin members, CancellationToken ct)
    {
        var details = await members.GetAsync(Editor(user), id, ct);
        return TypedResults.Ok(new AdminMemberDetailsDto(AdminMemberDto.From(details.Member), details.Roles));
    }

    internal static async Task<Ok<AdminMemberHistoryDto>> History(long id, CurrentUser user, MemberAdmin members, CancellationToken ct)
    {
        var d = await members.GetAsync(Editor(user), id, ct);
        return TypedResults.Ok(new AdminMemberHistoryDto(d.Roles, d.PastRoles, d.Moves, d.Trail));
    }

    internal static Task<IResult> Add(AdminMemberBody body, CurrentUser user, MemberAdmin members, CancellationToken ct) =>
        Refusals(async () =>
        {
            var id = await members.AddAsync(Editor(user), Input(body), ct);
            return TypedResults.Created($"/api/admin/members/{id}", AdminMemberDto.From((await members.GetAsync(Editor(user), id, ct)).Member));
        });

    internal static Task<IResult> Edit(long id, AdminMemberBody body, CurrentUser user, MemberAdmin members, CancellationToken ct) =>
        Refusals(async () =>
        {
            await members.EditAsync(Editor(user), id, Input(body), ct);
            return TypedResults.Ok(AdminMemberDto.From((await members.GetAsync(Editor(user), id, ct)).Member));
        });

    internal static Task<IResult> Move(long id, AdminMoveBody body, CurrentUser user, MemberAdmin members, CancellationToken ct) =>
        Refusals(async () =>
        {
            await members.MoveAsync(Editor(user), id, body.ToOrgId, body.MovedOn, body.Reason, ct);
            return TypedResults.NoContent();
        });

    internal static Task<IResult> Deceased(long id, AdminDeceasedBody body, CurrentUser user, MemberAdmin members, CancellationToken ct) =>
        Refusals(async () =>
        {
            await members.MarkDeceasedAsync(Editor(user), id, body.DeceasedOn, ct);
            return TypedResults.NoContent();
        });

    internal static Task<IResult> Appoint(long id, AdminRoleBody body, CurrentUser user, MemberAdmin members, CancellationToken ct) =>
        Refusals(async () =>
        {
            await members.AppointAsync(Editor(user), id, body.Role, body.OrgId, body.StartsOn, ct);
            return TypedResults.NoContent();
        });

    internal static Task<IResult> EndRole(long id, AdminRoleBody body, CurrentUser user, MemberAdmin members, CancellationToken ct) =>
        Refusals(async () =>
        {
            await members.EndRoleAsync(Editor(user), id, body.Role, body.OrgId, body.EndsOn, ct);
            return TypedResults.NoContent();
        });

    /// <summary>Sex and status as the API spells them; an unknown word is a refused field, never a 500.</summary>
    internal static MemberInput Input(AdminMemberBody b) => new(b.OrgId, b.Name,
        b.Sex switch
        {
            null or "" => null,
            "male" => Sex.Male,
            "female" => Sex.Female,
            _ => throw new MemberInputException(new FieldError("sex", "member.bad_sex", "性别应为 male 或 female。")),
        },
        b.BirthDate, b.JoinedOn,
        b.Status switch
        {
            null or "" => null,
            "full" => MemberStatus.Full,
            "probationary" => MemberStatus.Probationary,
            _ => throw new MemberInputException(new FieldError("status", "member.bad_status", "新增党员的状态只能是正式党员（full）或预备党员（probationary）。")),
        },
        b.Phone, b.IdCard, b.Retired ?? false, b.Mobile ?? false, b.ClearPhone ?? false, b.ClearIdCard ?? false);

    internal static async Task<IResult> Refusals(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (MemberInputException refused)
        {
            return Problems.Invalid(refused.Conflict ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest,
                refused.Conflict ? "操作不被允许" : "请求无效", refused.Error.Code,
                new Dictionary<string, string> { [refused.Error.Field] = refused.Error.Message },
                refused.Regulation is null ? null : new Dictionary<string, object?> { ["regulation"] = refused.Regulation });
        }
    }
}
