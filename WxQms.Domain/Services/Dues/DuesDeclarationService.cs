using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Dues;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Dues;

/// <summary>A declaration as the member and her secretary read it: what it would cost a month and how that is worked out.</summary>
public sealed record DuesDeclarationView(long MemberId, string Name, int Year, string Category, int BaseFen, int MonthlyFen, string Explanation,
    string State, string? Refusal, DateTimeOffset DeclaredAt, DateTimeOffset? DecidedAt);

/// <summary>
/// A member declares her own base for a year from the mini program (DUTIES.md §A.3: "declared or recorded each January");
/// her branch's secretary (or office staff) confirms it, and it becomes her base from then on exactly as if the branch had
/// recorded it (a special lower amount the branch approved for that year stays while it is still lower), or refuses it with
/// a reason she reads. Each step is one audit entry in its transaction.
/// </summary>
public sealed class DuesDeclarationService(DuesStore dues, DuesDeclarationStore store, DuesService service, TimeProvider clock,
    RecordCache records)
{
    public async Task<DuesDeclarationView> DeclareAsync(long memberId, int? year, string? category, int baseFen, string actor, CancellationToken ct)
    {
        var member = await dues.MemberAsync(memberId, ct) ?? throw new NotFoundException("您不在任何党支部的党员名单中", "dues.no_branch");
        var current = service.CurrentMonth;
        var y = year ?? current.Year;
        if (y < current.Year || y > current.Year + 1)
            throw new RuleViolationException("dues.year_invalid", "只能申报今年或明年的交纳基数");
        var basis = new DuesBasis(DuesService.CategoryOf(category), baseFen);
        if (DuesRules.Refusal(basis) is { } refusal)
            throw new RuleViolationException("dues.base_invalid", refusal);
        var now = clock.GetUtcNow();
        await dues.InTransactionAsync(async (conn, tx) =>
        {
            await DuesDeclarationStore.DeclareAsync(conn, tx, memberId, y, DbNames.Of(basis.Category), baseFen, now, ct);
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, actor, "dues.base_declared", "member", memberId, member.BranchId, memberId,
                new { Year = y, Category = DbNames.Of(basis.Category), BaseFen = baseFen }), ct);
            return true;
        }, ct);
        return (await MineAsync(memberId, ct)).First(d => d.Year == y);
    }

    /// <summary>The member's declarations of this year and the next.</summary>
    public async Task<IReadOnlyList<DuesDeclarationView>> MineAsync(long memberId, CancellationToken ct)
    {
        _ = await dues.MemberAsync(memberId, ct) ?? throw new NotFoundException("您不在任何党支部的党员名单中", "dues.no_branch");
        return (await store.MineAsync(memberId, service.CurrentMonth.Year, ct)).Select(View).ToList();
    }

    /// <summary>The declarations of this year and the next in a branch the caller keeps, those waiting first.</summary>
    public async Task<IReadOnlyList<DuesDeclarationView>> BranchAsync(long orgId, IReadOnlyList<Grant> grants, CancellationToken ct)
    {
        var branch = await service.KeptBranchAsync(orgId, grants, ct);
        return (await store.BranchAsync(branch.Path, service.CurrentMonth.Year, ct)).Select(View).ToList();
    }

    /// <summary>The secretary confirms: the declared base becomes the member's base of that year.</summary>
    public async Task<DuesAmount> ConfirmAsync(long memberId, int? year, IReadOnlyList<Grant> grants, string actor, long? actorMemberId,
        CancellationToken ct)
    {
        var (member, y) = await DecidingAsync(memberId, year, grants, ct);
        var kept = (await dues.BasesAsync([memberId], y, ct)).FirstOrDefault(b => b.Year == y);
        var current = service.CurrentMonth;
        var now = clock.GetUtcNow();
        var confirmed = await dues.InTransactionAsync(async (conn, tx) =>
        {
            var pending = await DuesDeclarationStore.LockPendingAsync(conn, tx, memberId, y, ct) ?? throw NotPending(y);
            var basis = new DuesBasis(DbNames.Parse<DuesCategory>(pending.Category), pending.BaseFen);
            if (kept?.SpecialFen is not null && DuesRules.Refusal(basis with { SpecialFen = kept.SpecialFen, SpecialReason = kept.SpecialReason }) is null)
                basis = basis with { SpecialFen = kept.SpecialFen, SpecialReason = kept.SpecialReason };
            var amount = await DuesService.RecordBaseAsync(conn, tx, memberId, y, basis, current, actor, now, ct);
            await DuesDeclarationStore.DecideAsync(conn, tx, pending.Id, "confirmed", null, actor, now, ct);
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, actor, "dues.declaration_confirmed", "member", memberId, member.BranchId,
                actorMemberId, new { Year = y, pending.Category, pending.BaseFen, basis.SpecialFen, amount.MonthlyFen }), ct);
            return amount;
        }, ct);
        await records.InvalidateAsync(); // her open months are repriced: her record's dues line
        return confirmed;
    }

    /// <summary>The secretary refuses with a reason the member reads; her base stays as it was.</summary>
    public async Task RefuseAsync(long memberId, int? year, string? reason, IReadOnlyList<Grant> grants, string actor, long? actorMemberId,
        CancellationToken ct)
    {
        var (member, y) = await DecidingAsync(memberId, year, grants, ct);
        var why = reason?.Trim();
        if (string.IsNullOrEmpty(why) || why.Length > 200)
            throw new RuleViolationException("dues.reason_required", "请填写退回的原因（不超过200字）");
        var now = clock.GetUtcNow();
        await dues.InTransactionAsync(async (conn, tx) =>
        {
            var pending = await DuesDeclarationStore.LockPendingAsync(conn, tx, memberId, y, ct) ?? throw NotPending(y);
            await DuesDeclarationStore.DecideAsync(conn, tx, pending.Id, "refused", why, actor, now, ct);
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, actor, "dues.declaration_refused", "member", memberId, member.BranchId,
                actorMemberId, new { Year = y, Reason = why }), ct);
            return true;
        }, ct);
    }

    /// <summary>Only the member's branch secretary or office staff decide (the worker keeps the ledger but does not confirm bases declared).</summary>
    private async Task<(DuesMember Member, int Year)> DecidingAsync(long memberId, int? year, IReadOnlyList<Grant> grants, CancellationToken ct)
    {
        var member = await service.KeptMemberAsync(memberId, grants, ct);
        if (!grants.Any(g => g.Role == Roles.Staff || (g.Role == Roles.Secretary && OrgPath.IsWithin(member.BranchPath, g.OrgPath))))
            throw new ForbiddenException("auth.forbidden", "只有支部书记可以确认党员申报的交纳基数");
        return (member, year ?? service.CurrentMonth.Year);
    }

    private static ConflictException NotPending(int year) => new("dues.declaration_not_pending", $"该党员没有待确认的{year}年交纳基数申报");

    private static DuesDeclarationView View(DuesDeclarationRow d)
    {
        var amount = DuesRules.Amount(new DuesBasis(DbNames.Parse<DuesCategory>(d.Category), d.BaseFen));
        return new DuesDeclarationView(d.MemberId, d.Name, d.Year, d.Category, d.BaseFen, amount.MonthlyFen, amount.Explanation, d.State, d.Refusal,
            DbTime.Utc(d.DeclaredAt), d.DecidedAt is { } at ? DbTime.Utc(at) : null);
    }
}
