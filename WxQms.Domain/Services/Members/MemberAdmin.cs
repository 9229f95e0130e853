using WxQms.Domain.Caching;
using WxQms.Domain.Logging;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Members;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Members;

/// <summary>Who acts in the console: their grants, their member id and how the trail names them.</summary>
public sealed record MemberEditor(IReadOnlyList<Grant> Grants, long? MemberId, string Actor);

/// <summary>
/// A member form as posted: add (all fields) or edit (no org, no status; a blank phone or ID card stays as it is, unless
/// <see cref="ClearPhone"/> / <see cref="ClearIdCard"/> ask to remove it).
/// </summary>
public sealed record MemberInput(long? OrgId, string? Name, Sex? Sex, DateOnly? BirthDate, DateOnly? JoinedOn, MemberStatus? Status,
    string? Phone, string? IdCard, bool Retired, bool Mobile, bool ClearPhone = false, bool ClearIdCard = false);

/// <summary>
/// A member as the viewer may see her: phone and ID-card numbers in full only when <see cref="PersonalDataInFull"/>
/// (office staff, her own branch secretary), masked otherwise.
/// </summary>
public sealed record MemberView(long Id, string Name, Sex Sex, DateOnly? BirthDate, DateOnly? JoinedOn, MemberStatus Status, string? Phone,
    string? IdCard, bool Retired, bool Mobile, long OrgId, string OrgName, DateOnly? DeceasedOn, bool PersonalDataInFull);

/// <summary>A member's page: her record, her roles now and before, her moves and her trail.</summary>
public sealed record MemberDetails(MemberView Member, IReadOnlyList<RoleSpan> Roles, IReadOnlyList<RoleSpan> PastRoles,
    IReadOnlyList<MemberMove> Moves, IReadOnlyList<MemberTrailEntry> Trail);

/// <summary>
/// The console's members and roles (issue #16 item 4): the roster, a member's record, adding and editing, moving within
/// the subdistrict, a death, appointing and ending roles. Who may is decided here (<see cref="MemberAccess"/>): office
/// staff anywhere, a community's secretary or committee within the community, a branch's secretary or worker within
/// the branch. Status changes otherwise only through the workflows that own them. Each change is one audit entry in the
/// change's transaction; the org tree and task caches are retired after the commit, and a member whose roles or org
/// changed has her mini-program tokens refused.
/// </summary>
public sealed class MemberAdmin(MemberAdminStore store, OrgStore orgs, IdCardProtector idCards, OrgTreeCache orgTree, TaskCache tasks,
    TokenVersions tokenVersions, TimeProvider clock)
{
    public const int PageSize = 20;

    /// <summary>A page of the members the editor keeps, optionally within one org's subtree.</summary>
    public async Task<(IReadOnlyList<MemberView> Members, long Total)> ListAsync(MemberEditor editor, string? search, long? orgId,
        string? sort, bool descending, int page, CancellationToken ct)
    {
        string? within = null;
        if (orgId is { } o)
        {
            var org = await orgs.GetAsync(o, ct) ?? throw new NotFoundException($"组织 {o} 不存在", "org.not_found");
            if (!MemberAccess.CanKeep(editor.Grants, org.Path))
                throw Forbidden();
            within = org.Path;
        }
        var (rows, total) = await store.ListAsync(new MemberListQuery(MemberAccess.KeptTops(editor.Grants), within, search, sort, descending,
            (Math.Max(page, 1) - 1) * PageSize, PageSize), ct);
        return (rows.Select(r => View(editor, r)).ToList(), total);
    }

    /// <summary>The orgs the editor keeps members in, in tree order.</summary>
    public Task<IReadOnlyList<Org>> OrgsAsync(MemberEditor editor, CancellationToken ct) =>
        store.OrgsAsync(MemberAccess.KeptTops(editor.Grants), ct);

    /// <summary>A member's record, roles, moves and trail.</summary>
    public async Task<MemberDetails> GetAsync(MemberEditor editor, long id, CancellationToken ct)
    {
        var record = await KeptAsync(editor, id, ct);
        var (current, past, moves, trail) = await store.HistoryAsync(id, ct);
        return new MemberDetails(View(editor, record), current, past, moves, trail);
    }

    /// <summary>Adds a member (正式 or 预备) to an org the editor keeps; her id.</summary>
    public async Task<long> AddAsync(MemberEditor editor, MemberInput input, CancellationToken ct)
    {
        if (input.OrgId is not { } orgId)
            throw Invalid("orgId", "member.org_required", "请选择所在组织。");
        var org = await orgs.GetAsync(orgId, ct) ?? throw Invalid("orgId", "member.org_not_found", "所选组织不存在。");
        if (!MemberAccess.CanKeep(editor.Grants, org.Path))
            throw Forbidden();
        Check(input);
        if (input.Status is not (MemberStatus.Full or MemberStatus.Probationary))
            throw Invalid("status", "member.bad_status", "新增党员的状态只能是正式党员或预备党员。");
        var now = clock.GetUtcNow();
        var record = Record(input, orgId, input.Status.Value);
        var id = await store.AddAsync(record, $"A{Guid.NewGuid():N}"[..17], now, added => new AuditEntry(now, editor.Actor, "member.added", "member",
            added, orgId, editor.MemberId, new { Name = record.Name, Status = record.Status, OrgId = orgId }), ct);
        await RetireCachesAsync(null, ct);
        return id;
    }

    /// <summary>Edits a member's record; her org and status are changed by their own actions.</summary>
    public async Task EditAsync(MemberEditor editor, long id, MemberInput input, CancellationToken ct)
    {
        var current = await KeptAsync(editor, id, ct);
        Check(input);
        if (input.ClearPhone && !string.IsNullOrWhiteSpace(input.Phone))
            throw Invalid("phone", "member.clear_and_set", "不能同时填写并清除手机号。");
        if (input.ClearIdCard && !string.IsNullOrWhiteSpace(input.IdCard))
            throw Invalid("idCard", "member.clear_and_set", "不能同时填写并清除身份证号。");
        var record = Record(input, current.OrgId, current.Status);
        var changed = new List<string>();
        if (record.Name != current.Name) changed.Add("name");
        if (record.Sex != current.Sex) changed.Add("sex");
        if (record.BirthDate != current.BirthDate) changed.Add("birthDate");
        if (record.JoinedOn != current.JoinedOn) changed.Add("joinedOn");
        if ((record.Phone is not null && record.Phone != current.Phone) || (input.ClearPhone && current.Phone is not null)) changed.Add("phone");
        if (record.IdCardEnc is not null || (input.ClearIdCard && current.IdCardEnc is not null)) changed.Add("idCard");
        if (record.Retired != current.Retired) changed.Add("retired");
        if (record.Mobile != current.Mobile) changed.Add("mobile");
        var now = clock.GetUtcNow();
        await store.EditAsync(id, record, new MemberClears(input.ClearPhone, input.ClearIdCard), new AuditEntry(now, editor.Actor, "member.edited", "member", id, current.OrgId, editor.MemberId,
            new { Changed = changed }), ct);
        await RetireCachesAsync(null, ct);
    }

    /// <summary>
    /// Moves a member to another org of the subdistrict on a date, with the reason: her roles in the old branch end
    /// that day (unless she stays inside it), the plain member role follows her.
    /// </summary>
    public async Task MoveAsync(MemberEditor editor, long id, long? toOrgId, DateOnly? movedOn, string? reason, CancellationToken ct)
    {
        var member = await KeptAsync(editor, id, ct);
        OnTheRoll(member);
        if (toOrgId is not { } to)
            throw Invalid("toOrgId", "member.org_required", "请选择转入的组织。");
        var target = await orgs.GetAsync(to, ct) ?? throw Invalid("toOrgId", "member.org_not_found", "所选组织不存在。");
        if (!MemberAccess.CanKeep(editor.Grants, target.Path))
            throw Forbidden("您无权把党员转入该组织。");
        if (target.Id == member.OrgId)
            throw Invalid("toOrgId", "member.move_same", "党员已在该组织。");
        if (OrgPath.IdAt(target.Path, 0) != OrgPath.IdAt(member.OrgPath, 0))
            throw Invalid("toOrgId", "member.move_outside", "只能在本街道内转移；转出本街道请走组织关系转接。");
        var today = Today();
        if (MemberRules.CheckDate("movedOn", movedOn, today, member.JoinedOn, "入党日期") is { } bad)
            throw new MemberInputException(bad);
        var why = reason?.Trim();
        if (why is { Length: > MemberRules.MaxReasonLength })
            throw Invalid("reason", "member.reason_too_long", $"原因不能超过 {MemberRules.MaxReasonLength} 个字。");
        var endRolesUnder = RolesEndingUnder(member, target.Path);
        var now = clock.GetUtcNow();
        await store.MoveAsync(id, member.OrgId, to, endRolesUnder, movedOn!.Value, string.IsNullOrEmpty(why) ? null : why,
            new AuditEntry(now, editor.Actor, "member.moved", "member", id, to, editor.MemberId,
                new { From = member.OrgId, To = to, MovedOn = movedOn, Reason = why }), ct);
        await RetireCachesAsync(id, ct);
    }

    /// <summary>Records a member's death on a date: status deceased, her roles end that day.</summary>
    public async Task MarkDeceasedAsync(MemberEditor editor, long id, DateOnly? deceasedOn, CancellationToken ct)
    {
        var member = await KeptAsync(editor, id, ct);
        OnTheRoll(member);
        if (MemberRules.CheckDate("deceasedOn", deceasedOn, Today(), member.BirthDate, "出生日期") is { } bad)
            throw new MemberInputException(bad);
        var now = clock.GetUtcNow();
        await store.MarkDeceasedAsync(id, deceasedOn!.Value, new AuditEntry(now, editor.Actor, "member.deceased", "member", id, member.OrgId,
            editor.MemberId, new { From = member.Status, DeceasedOn = deceasedOn }), ct);
        await RetireCachesAsync(id, ct);
    }

    /// <summary>Appoints a member to a role at an org from a date (one secretary per org).</summary>
    public async Task AppointAsync(MemberEditor editor, long id, string? role, long? orgId, DateOnly? startsOn, CancellationToken ct)
    {
        var member = await KeptAsync(editor, id, ct);
        OnTheRoll(member);
        var org = await RoleOrgAsync(editor, role, orgId, ct);
        if (MemberRules.CheckDate("startsOn", startsOn, Today()) is { } bad)
            throw new MemberInputException(bad);
        var now = clock.GetUtcNow();
        await store.AppointAsync(new MemberRole(id, role!, org.Id), startsOn!.Value, new AuditEntry(now, editor.Actor, "member.role_appointed",
            "member", id, org.Id, editor.MemberId, new { Role = role, OrgId = org.Id, StartsOn = startsOn }), ct);
        await RetireCachesAsync(id, ct);
    }

    /// <summary>Ends a role a member holds on a date; it moves to her past roles.</summary>
    public async Task EndRoleAsync(MemberEditor editor, long id, string? role, long? orgId, DateOnly? endsOn, CancellationToken ct)
    {
        _ = await KeptAsync(editor, id, ct);
        var org = await RoleOrgAsync(editor, role, orgId, ct);
        var held = new MemberRole(id, role!, org.Id);
        var (holds, startsOn) = await store.HeldAsync(held, ct);
        if (!holds)
            throw Invalid("role", "member.role_not_held", "该党员没有担任此职务。");
        if (MemberRules.CheckDate("endsOn", endsOn, Today(), startsOn, "任职日期") is { } bad)
            throw new MemberInputException(bad);
        var now = clock.GetUtcNow();
        if (!await store.EndRoleAsync(held, endsOn!.Value, new AuditEntry(now, editor.Actor, "member.role_ended", "member", id, org.Id,
                editor.MemberId, new { Role = role, OrgId = org.Id, EndsOn = endsOn }), ct))
            throw Invalid("role", "member.role_not_held", "该党员没有担任此职务。");
        await RetireCachesAsync(id, ct);
    }

    private async Task<Org> RoleOrgAsync(MemberEditor editor, string? role, long? orgId, CancellationToken ct)
    {
        if (role is null || !MemberRules.AppointableRoles.Contains(role))
            throw Invalid("role", "member.bad_role", "请选择职务：书记、党务工作者、委员、街道党建办或督查员。");
        if (orgId is not { } o)
            throw Invalid("orgId", "member.org_required", "请选择任职的组织。");
        var org = await orgs.GetAsync(o, ct) ?? throw Invalid("orgId", "member.org_not_found", "所选组织不存在。");
        if (!MemberAccess.CanAppoint(editor.Grants, role, org.Path))
            throw Forbidden("您无权任免该组织的这一职务。");
        if (role is Roles.Staff or Roles.Inspector && org.ParentId is not null)
            throw Invalid("orgId", "member.role_org", "街道党建办、督查员职务只能设在街道党工委。");
        return org;
    }

    private async Task<MemberRecord> KeptAsync(MemberEditor editor, long id, CancellationToken ct)
    {
        var record = await store.GetAsync(id, ct) ?? throw new NotFoundException($"党员 {id} 不存在", "member.not_found");
        return MemberAccess.CanKeep(editor.Grants, record.OrgPath) ? record : throw Forbidden();
    }

    private void Check(MemberInput input)
    {
        if (MemberRules.CheckRecord(input.Name, input.BirthDate, input.JoinedOn, input.Phone, input.IdCard, Today()).FirstOrDefault() is { } bad)
            throw new MemberInputException(bad);
        if (input.Sex is null)
            throw Invalid("sex", "member.sex_required", "请选择性别。");
    }

    private MemberRecordInput Record(MemberInput input, long orgId, MemberStatus status)
    {
        var number = string.IsNullOrWhiteSpace(input.IdCard) ? null : IdCardNumbers.Normalize(input.IdCard);
        var card = number is null ? null : idCards.Protect(number);
        return new MemberRecordInput(orgId, input.Name!.Trim(), input.Sex!.Value, input.BirthDate, input.JoinedOn, status,
            MemberRules.NormalizePhone(input.Phone), card?.Cipher, card?.LastFour, card?.Lookup, input.Retired, input.Mobile);
    }

    private MemberView View(MemberEditor editor, MemberRecord r)
    {
        var full = MemberAccess.SeesPersonalData(editor.Grants, r.OrgPath);
        string? idCard = null;
        if (r.IdCardEnc is { } enc && idCards.IsConfigured)
        {
            var number = idCards.Unprotect(enc);
            idCard = full ? number : IdCardNumbers.Mask(number);
        }
        var phone = r.Phone is null ? null : full ? r.Phone : LogMask.Phone(r.Phone);
        return new MemberView(r.Id, r.Name, r.Sex, r.BirthDate, r.JoinedOn, r.Status, phone, idCard, r.Retired, r.Mobile, r.OrgId, r.OrgName,
            r.DeceasedOn, full);
    }

    private async Task RetireCachesAsync(long? tokensOf, CancellationToken ct)
    {
        await orgTree.InvalidateAsync();
        await tasks.InvalidateAsync();
        if (tokensOf is { } id)
            await tokenVersions.PublishAsync(id, ct);
    }

    private static void OnTheRoll(MemberRecord m)
    {
        if (m.Status is not (MemberStatus.Full or MemberStatus.Probationary))
            throw new RuleViolationException("member.not_on_roll", "该党员已不在册（已转出或已去世），不能再办理此项。");
    }

    /// <summary>Where a member's roles end when she moves to <paramref name="targetPath"/>: her old branch, unless she stays inside it.</summary>
    internal static string? RolesEndingUnder(MemberRecord member, string targetPath)
    {
        var oldBranch = member.OrgKind == OrgKind.PartyGroup ? Parent(member.OrgPath) : member.OrgPath;
        return OrgPath.IsWithin(targetPath, oldBranch) ? null : oldBranch;
    }

    private static string Parent(string path) => path[..(path.LastIndexOf('/', path.Length - 2) + 1)];

    private DateOnly Today() => Periods.LocalDate(clock.GetUtcNow());

    private static MemberInputException Invalid(string field, string code, string message) => new(new FieldError(field, code, message));

    private static ForbiddenException Forbidden(string message = "您无权管理该党员。") => new("auth.forbidden", message);
}
