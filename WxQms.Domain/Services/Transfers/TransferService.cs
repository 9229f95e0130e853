using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Members;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Rules.Transfers;
using WxQms.Domain.Services.Members;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Transfers;

/// <summary>
/// A transfer as started: <see cref="Kind"/> within (to <see cref="ToOrgId"/>), out (a letter to <see cref="ToOrgName"/>,
/// issued on <see cref="IssuedOn"/>, valid until <see cref="ValidUntil"/>) or certificate (a 党员证明信 for a leave of
/// <see cref="LeaveMonths"/> months to <see cref="ToOrgName"/>).
/// </summary>
public sealed record TransferStart(TransferKind? Kind, long? MemberId, long? ToOrgId, string? ToOrgName, DateOnly? IssuedOn, DateOnly? ValidUntil,
    DuesPaidThrough? DuesPaidThrough, int? LeaveMonths, string? Reason);

/// <summary>A letter received from outside and the member it introduces, to be placed in <see cref="ToOrgId"/>.</summary>
public sealed record TransferIn(long? ToOrgId, string? FromOrgName, string? LetterNo, DateOnly? IssuedOn, DateOnly? ValidUntil,
    DuesPaidThrough? DuesPaidThrough, DateOnly? ReceivedOn, string? Name, Sex? Sex, DateOnly? BirthDate, DateOnly? JoinedOn,
    MemberStatus? Status, string? Phone);

/// <summary>A transfer as a viewer sees it, with what the rules say of it today.</summary>
public sealed record TransferView(Transfer Transfer, bool SenderResponsible, bool ReceiptOverdue, bool LetterExpired, bool InTransit)
{
    public string KindText => TransferRules.Describe(Transfer.Kind);

    public string StateText => ReceiptOverdue ? "回执逾期" : LetterExpired ? "介绍信已过期" : TransferRules.Describe(Transfer.State);
}

/// <summary>One community's transfers of a year: in and out of the subdistrict, and within it across communities' branches.</summary>
public sealed record TransferYearLine(long CommunityId, string Community, int InFromOutside, int InWithin, int OutOfSubdistrict, int OutWithin,
    int InTransit);

/// <summary>
/// Transfers of organisational relationship (issue #17 item 3, DUTIES §A.5). Within the subdistrict: started by either
/// branch, accepted by the receiving branch, and the member moves at once through the console's one move (her history,
/// roster and the reminders that find her follow; those queued for the old branch are cancelled). Out of it: a numbered
/// letter valid at most three months; she stays on the sending branch's roll until the receipt comes back (expected
/// within a month of acceptance); a lost letter is voided and re-issued with a new number. Into it: a letter received
/// places her in a branch, where she binds WeChat with the branch's binding code. A leave of six months or less gets a
/// 党员证明信 record instead. Who may: whoever keeps the member's records (<see cref="MemberAccess"/>) on the side that
/// acts. Each change is one audit entry in its transaction; caches and tokens are retired after the commit.
/// </summary>
public sealed class TransferService(TransferStore store, MemberAdminStore members, OrgStore orgs, OrgTreeCache orgTree, TaskCache tasks,
    TokenVersions tokenVersions, IDuesStatus dues, TimeProvider clock)
{
    public const int ListLimit = 200;

    /// <summary>Starts a transfer within, a letter out, or a certificate; its id.</summary>
    public async Task<long> StartAsync(MemberEditor editor, TransferStart input, CancellationToken ct)
    {
        if (input.MemberId is not { } memberId)
            throw Invalid("memberId", "transfer.member_required", "请选择党员。");
        var member = await members.GetAsync(memberId, ct) ?? throw Invalid("memberId", "member.not_found", "所选党员不存在。");
        if (member.Status is not (MemberStatus.Full or MemberStatus.Probationary))
            throw new RuleViolationException("member.not_on_roll", "该党员已不在册（已转出或已去世），不能办理转接。");
        var reason = Text(input.Reason, "reason", 200);
        var today = Today();
        var now = clock.GetUtcNow();
        // The sending side is her branch (a member of a party group belongs to the branch above it).
        var from = await orgs.GetAsync(member.OrgKind == OrgKind.PartyGroup ? OrgPath.Ids(member.OrgPath)[^2] : member.OrgId, ct)
            ?? throw new NotFoundException("组织不存在", "org.not_found");
        switch (input.Kind)
        {
            case TransferKind.Within:
            {
                if (input.ToOrgId is not { } to)
                    throw Invalid("toOrgId", "transfer.to_required", "请选择转入的支部。");
                var target = await orgs.GetAsync(to, ct) ?? throw Invalid("toOrgId", "org.not_found", "所选组织不存在。");
                if (!MemberAccess.CanKeep(editor.Grants, member.OrgPath) && !MemberAccess.CanKeep(editor.Grants, target.Path))
                    throw Forbidden("只有转出或转入支部可以发起转接。");
                if (target.Kind != OrgKind.Branch)
                    throw Invalid("toOrgId", "transfer.to_not_branch", "请选择一个党支部。");
                if (OrgPath.IsWithin(member.OrgPath, target.Path))
                    throw Invalid("toOrgId", "member.move_same", "党员已在该支部。");
                if (OrgPath.IdAt(target.Path, 0) != OrgPath.IdAt(member.OrgPath, 0))
                    throw Invalid("toOrgId", "member.move_outside", "只能在本街道内转接；转出本街道请开具介绍信。");
                await NoneOpenAsync(memberId, ct);
                var startedBy = MemberAccess.CanKeep(editor.Grants, target.Path) && !MemberAccess.CanKeep(editor.Grants, member.OrgPath) ? to : from.Id;
                return await store.InTransactionAsync(async (conn, tx) =>
                {
                    var id = await TransferStore.InsertAsync(conn, tx, new NewTransfer(TransferKind.Within, TransferState.Requested, memberId,
                        from.Id, to, await FullNameAsync(from, ct), await FullNameAsync(target, ct), null, null, null, reason, startedBy, null, null,
                        false, null, editor.Actor), now, ct);
                    await AuditLog.AppendAsync(conn, tx, Audit(editor, now, "transfer.requested", id, from.Id,
                        new { MemberId = memberId, From = from.Id, To = to }), ct);
                    foreach (var keeper in await TransferStore.AlertRecipientsAsync(conn, tx, to, false, ct))
                        await OutboxStore.EnqueueAsync(conn, tx, TransferNotices.Awaiting(id, member.Name, to, target.Name, keeper, today), now, ct);
                    return id;
                }, ct);
            }
            case TransferKind.Out:
            {
                Keeps(editor, member.OrgPath);
                if (input.LeaveMonths is { } months && TransferRules.ForLeave(months, true) == LeaveDocument.Certificate)
                    throw Invalid("leaveMonths", "transfer.use_certificate",
                        $"外出不超过 {TransferRules.CertificateMaxMonths} 个月的，开具党员证明信，不转组织关系。");
                var toName = Text(input.ToOrgName, "toOrgName", TransferRules.MaxNameLength)
                    ?? throw Invalid("toOrgName", "transfer.to_name_required", "请填写接收组织的全称。");
                if (TransferRules.CheckLetter(input.IssuedOn, input.ValidUntil, today) is { } bad)
                    throw Invalid(bad.Code == "transfer.validity_too_long" ? "validUntil" : "issuedOn", bad.Code, bad.Message);
                await NoneOpenAsync(memberId, ct);
                // 党费交到 comes from her dues months, never from what was typed.
                var paidThrough = await dues.PaidThroughAsync(memberId, ct);
                return await store.InTransactionAsync(async (conn, tx) =>
                {
                    var id = await TransferStore.InsertAsync(conn, tx, new NewTransfer(TransferKind.Out, TransferState.Issued, memberId, from.Id,
                        null, await FullNameAsync(from, ct), toName, input.IssuedOn, input.ValidUntil, paidThrough, reason, from.Id,
                        null, null, true, null, editor.Actor), now, ct);
                    await AuditLog.AppendAsync(conn, tx, Audit(editor, now, "transfer.letter_issued", id, from.Id,
                        new { MemberId = memberId, To = toName, input.IssuedOn, input.ValidUntil, DuesPaidThrough = paidThrough?.ToString() }), ct);
                    return id;
                }, ct);
            }
            case TransferKind.Certificate:
            {
                Keeps(editor, member.OrgPath);
                if (input.LeaveMonths is not { } months || months < 1)
                    throw Invalid("leaveMonths", "transfer.months_required", "请填写外出的月数。");
                if (TransferRules.ForLeave(months, true) != LeaveDocument.Certificate)
                    throw Invalid("leaveMonths", "transfer.needs_letter",
                        $"外出超过 {TransferRules.CertificateMaxMonths} 个月且去向固定的，应转移组织关系（开具介绍信）。");
                var toName = Text(input.ToOrgName, "toOrgName", TransferRules.MaxNameLength)
                    ?? throw Invalid("toOrgName", "transfer.to_name_required", "请填写前往的单位或地方。");
                return await store.InTransactionAsync(async (conn, tx) =>
                {
                    var id = await TransferStore.InsertAsync(conn, tx, new NewTransfer(TransferKind.Certificate, TransferState.Completed, memberId,
                        from.Id, null, await FullNameAsync(from, ct), toName, today, today.AddMonths(months), null, reason, from.Id, today,
                        null, true, null, editor.Actor), now, ct);
                    await AuditLog.AppendAsync(conn, tx, Audit(editor, now, "transfer.certificate_issued", id, from.Id,
                        new { MemberId = memberId, To = toName, Months = months }), ct);
                    return id;
                }, ct);
            }
            default:
                throw Invalid("kind", "transfer.bad_kind", "转接类型应为 within（街道内）、out（转出街道）或 certificate（党员证明信）。");
        }
    }

    /// <summary>The month a member's dues are paid up to, as her letter will state it (from the dues months; null: none known).</summary>
    public Task<DuesPaidThrough?> PaidThroughAsync(long memberId, CancellationToken ct) => dues.PaidThroughAsync(memberId, ct);

    /// <summary>
    /// Within: the receiving branch accepts and the member moves at once. Out: the receiving organisation's acceptance
    /// is recorded by the sending side, and the receipt is expected within a month.
    /// </summary>
    public async Task AcceptAsync(MemberEditor editor, long id, DateOnly? acceptedOn, CancellationToken ct)
    {
        var transfer = await GetKeptAsync(id, ct);
        var today = Today();
        var now = clock.GetUtcNow();
        if (transfer.Kind == TransferKind.Within)
        {
            var target = await orgs.GetAsync(transfer.ToOrgId!.Value, ct) ?? throw new NotFoundException("组织不存在", "org.not_found");
            Keeps(editor, target.Path, "只有转入支部可以接收。");
            Next(transfer, TransferAction.Accept);
            var member = await members.GetAsync(transfer.MemberId, ct) ?? throw new NotFoundException("党员不存在", "member.not_found");
            var endRolesUnder = MemberAdmin.RolesEndingUnder(member, target.Path);
            var oldBranch = MemberAdmin.RolesEndingUnder(member, OrgPath.Root) ?? member.OrgPath;
            await store.InTransactionAsync(async (conn, tx) =>
            {
                var locked = await TransferStore.LockAsync(conn, tx, id, ct);
                Next(locked!, TransferAction.Accept);
                await MemberAdminStore.MoveAsync(conn, tx, member.Id, member.OrgId, target.Id, endRolesUnder, today,
                    $"组织关系转接 #{id}", editor.Actor, now, ct);
                await TransferStore.CancelQueuedRemindersAsync(conn, tx, member.Id, oldBranch, now, ct);
                await TransferStore.UpdateAsync(conn, tx, id, TransferState.Completed, today, null, null, today, null, now, ct);
                await AuditLog.AppendAsync(conn, tx, Audit(editor, now, "transfer.accepted", id, target.Id,
                    new { transfer.MemberId, From = member.OrgId, To = target.Id }), ct);
                await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, editor.Actor, "member.moved", "member", member.Id, target.Id, editor.MemberId,
                    new { From = member.OrgId, To = target.Id, MovedOn = today, Reason = $"组织关系转接 #{id}" }), ct);
                await OutboxStore.EnqueueAsync(conn, tx, TransferNotices.Moved(id, member.Id, target.Id, target.Name, today), now, ct);
                return 0;
            }, ct);
            await RetireAsync(member.Id, ct);
            return;
        }
        await SenderKeepsAsync(editor, transfer, ct);
        Next(transfer, TransferAction.Accept);
        if (TransferRules.CheckAccepted(acceptedOn, transfer.IssuedOn, transfer.ValidUntil, today) is { } bad)
            throw Invalid("acceptedOn", bad.Code, bad.Message);
        var due = TransferRules.ReceiptDue(acceptedOn!.Value);
        await store.InTransactionAsync(async (conn, tx) =>
        {
            Next((await TransferStore.LockAsync(conn, tx, id, ct))!, TransferAction.Accept);
            await TransferStore.UpdateAsync(conn, tx, id, TransferState.Accepted, acceptedOn, due, null, null, null, now, ct);
            await AuditLog.AppendAsync(conn, tx, Audit(editor, now, "transfer.accepted", id, transfer.FromOrgId!.Value,
                new { transfer.MemberId, AcceptedOn = acceptedOn, ReceiptDueOn = due }), ct);
            return 0;
        }, ct);
    }

    /// <summary>Out: the receipt came back; the member leaves the sending branch's roll (status transferred out).</summary>
    public async Task ReceiptAsync(MemberEditor editor, long id, DateOnly? receiptOn, CancellationToken ct)
    {
        var transfer = await GetKeptAsync(id, ct);
        await SenderKeepsAsync(editor, transfer, ct);
        Next(transfer, TransferAction.Receipt);
        if (TransferRules.CheckReceipt(receiptOn, transfer.AcceptedOn, Today()) is { } bad)
            throw Invalid("receiptOn", bad.Code, bad.Message);
        var now = clock.GetUtcNow();
        await store.InTransactionAsync(async (conn, tx) =>
        {
            Next((await TransferStore.LockAsync(conn, tx, id, ct))!, TransferAction.Receipt);
            await TransferStore.UpdateAsync(conn, tx, id, TransferState.Completed, null, null, receiptOn, receiptOn, null, now, ct);
            await TransferStore.LeaveRollAsync(conn, tx, transfer.MemberId, receiptOn!.Value, now, ct);
            await AuditLog.AppendAsync(conn, tx, Audit(editor, now, "transfer.receipt_received", id, transfer.FromOrgId!.Value,
                new { transfer.MemberId, ReceiptOn = receiptOn }), ct);
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, editor.Actor, "member.transferred_out", "member", transfer.MemberId,
                transfer.FromOrgId!.Value, editor.MemberId, new { TransferId = id, To = transfer.ToOrgName, ReceiptOn = receiptOn }), ct);
            return 0;
        }, ct);
        await RetireAsync(transfer.MemberId, ct);
    }

    /// <summary>Within: either branch withdraws the request before the receiving branch accepts.</summary>
    public async Task CancelAsync(MemberEditor editor, long id, CancellationToken ct)
    {
        var transfer = await GetKeptAsync(id, ct);
        if (!await KeepsEitherSideAsync(editor, transfer, ct))
            throw Forbidden("只有转出或转入支部可以撤销。");
        Next(transfer, TransferAction.Cancel);
        var now = clock.GetUtcNow();
        await store.InTransactionAsync(async (conn, tx) =>
        {
            Next((await TransferStore.LockAsync(conn, tx, id, ct))!, TransferAction.Cancel);
            await TransferStore.UpdateAsync(conn, tx, id, TransferState.Cancelled, null, null, null, Today(), null, now, ct);
            await AuditLog.AppendAsync(conn, tx, Audit(editor, now, "transfer.cancelled", id, transfer.FromOrgId!.Value, new { transfer.MemberId }), ct);
            return 0;
        }, ct);
    }

    /// <summary>Out: a lost letter is voided and re-issued today with a new number and a new validity; the new transfer's id.</summary>
    public async Task<long> ReissueAsync(MemberEditor editor, long id, DateOnly? validUntil, string? reason, CancellationToken ct)
    {
        var transfer = await GetKeptAsync(id, ct);
        await SenderKeepsAsync(editor, transfer, ct);
        Next(transfer, TransferAction.Void);
        var why = Text(reason, "reason", 200) ?? throw Invalid("reason", "transfer.void_reason_required", "请说明作废原因（如介绍信遗失）。");
        var today = Today();
        if (TransferRules.CheckLetter(today, validUntil, today) is { } bad)
            throw Invalid("validUntil", bad.Code, bad.Message);
        var now = clock.GetUtcNow();
        var paidThrough = await dues.PaidThroughAsync(transfer.MemberId, ct) ?? transfer.DuesPaidThrough;
        return await store.InTransactionAsync(async (conn, tx) =>
        {
            Next((await TransferStore.LockAsync(conn, tx, id, ct))!, TransferAction.Void);
            await TransferStore.UpdateAsync(conn, tx, id, TransferState.Voided, null, null, null, today, why, now, ct);
            var next = await TransferStore.InsertAsync(conn, tx, new NewTransfer(TransferKind.Out, TransferState.Issued, transfer.MemberId,
                transfer.FromOrgId, null, transfer.FromOrgName, transfer.ToOrgName, today, validUntil, paidThrough, transfer.Reason,
                transfer.FromOrgId, null, id, true, null, editor.Actor), now, ct);
            await AuditLog.AppendAsync(conn, tx, Audit(editor, now, "transfer.letter_voided", id, transfer.FromOrgId!.Value,
                new { transfer.MemberId, transfer.LetterNo, Reason = why, ReissuedAs = next }), ct);
            await AuditLog.AppendAsync(conn, tx, Audit(editor, now, "transfer.letter_issued", next, transfer.FromOrgId!.Value,
                new { transfer.MemberId, To = transfer.ToOrgName, IssuedOn = today, ValidUntil = validUntil, Replaces = id }), ct);
            return next;
        }, ct);
    }

    /// <summary>
    /// Into the subdistrict: a letter received is registered and the member it introduces placed in a branch (on the roll
    /// from today); she then binds WeChat by scanning the branch's binding code and answering her name and phone's last
    /// four digits. The new member's id and the transfer's.
    /// </summary>
    public async Task<(long MemberId, long TransferId)> RegisterInAsync(MemberEditor editor, TransferIn input, CancellationToken ct)
    {
        if (input.ToOrgId is not { } to)
            throw Invalid("toOrgId", "transfer.to_required", "请选择接收的支部。");
        var target = await orgs.GetAsync(to, ct) ?? throw Invalid("toOrgId", "org.not_found", "所选组织不存在。");
        Keeps(editor, target.Path, "您无权把党员接收到该支部。");
        if (target.Kind != OrgKind.Branch)
            throw Invalid("toOrgId", "transfer.to_not_branch", "请选择一个党支部。");
        var fromName = Text(input.FromOrgName, "fromOrgName", TransferRules.MaxNameLength)
            ?? throw Invalid("fromOrgName", "transfer.from_name_required", "请填写开具介绍信的组织全称。");
        var letterNo = Text(input.LetterNo, "letterNo", 32) ?? throw Invalid("letterNo", "transfer.letter_no_required", "请填写介绍信编号。");
        var today = Today();
        if (TransferRules.CheckLetter(input.IssuedOn, input.ValidUntil, today) is { } bad)
            throw Invalid(bad.Code == "transfer.validity_too_long" ? "validUntil" : "issuedOn", bad.Code, bad.Message);
        var received = input.ReceivedOn ?? today;
        if (TransferRules.CheckAccepted(received, input.IssuedOn, input.ValidUntil, today) is { } late)
            throw Invalid("receivedOn", late.Code, late.Message);
        if (TransferRules.CheckDues(input.DuesPaidThrough, input.IssuedOn!.Value) is { } dues)
            throw Invalid("duesPaidThrough", dues.Code, dues.Message);
        if (MemberRules.CheckRecord(input.Name, input.BirthDate, input.JoinedOn, input.Phone, null, today).FirstOrDefault() is { } wrong)
            throw new MemberInputException(wrong);
        if (input.Sex is null)
            throw Invalid("sex", "member.sex_required", "请选择性别。");
        if (string.IsNullOrWhiteSpace(input.Phone))
            throw Invalid("phone", "transfer.phone_required", "请填写手机号：党员凭姓名和手机号后四位绑定微信。");
        if (input.Status is not (MemberStatus.Full or MemberStatus.Probationary))
            throw Invalid("status", "member.bad_status", "转入党员的状态只能是正式党员或预备党员。");
        var now = clock.GetUtcNow();
        var record = new MemberRecordInput(to, input.Name!.Trim(), input.Sex.Value, input.BirthDate, input.JoinedOn, input.Status.Value,
            MemberRules.NormalizePhone(input.Phone), null, null, null, false, false);
        var ids = await MemberAdminStore.Unique(() => store.InTransactionAsync(async (conn, tx) =>
        {
            var memberId = await MemberAdminStore.InsertAsync(conn, tx, record, $"T{Guid.NewGuid():N}"[..17], now, ct);
            var id = await TransferStore.InsertAsync(conn, tx, new NewTransfer(TransferKind.In, TransferState.Completed, memberId, null, to, fromName,
                await FullNameAsync(target, ct), input.IssuedOn, input.ValidUntil, input.DuesPaidThrough, null, to, received, null, false, letterNo,
                editor.Actor), now, ct);
            await TransferStore.UpdateAsync(conn, tx, id, TransferState.Completed, received, null, null, received, null, now, ct);
            await AuditLog.AppendAsync(conn, tx, Audit(editor, now, "transfer.received", id, to, new { MemberId = memberId, From = fromName, LetterNo = letterNo }), ct);
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, editor.Actor, "member.transferred_in", "member", memberId, to, editor.MemberId,
                new { TransferId = id, From = fromName, Status = record.Status }), ct);
            return (memberId, id);
        }, ct));
        await RetireAsync(null, ct);
        return ids;
    }

    /// <summary>A transfer the viewer may see: either side's keeper, or the member herself.</summary>
    public async Task<TransferView> GetAsync(MemberEditor editor, long id, CancellationToken ct)
    {
        var transfer = await GetKeptAsync(id, ct);
        if (transfer.MemberId != editor.MemberId && !await KeepsEitherSideAsync(editor, transfer, ct))
            throw Forbidden("您无权查看该转接。");
        return View(transfer);
    }

    /// <summary>The transfers in and out of an org's subtree the viewer keeps, newest first.</summary>
    public async Task<IReadOnlyList<TransferView>> ForOrgAsync(MemberEditor editor, long orgId, CancellationToken ct)
    {
        var org = await orgs.GetAsync(orgId, ct) ?? throw new NotFoundException($"组织 {orgId} 不存在", "org.not_found");
        Keeps(editor, org.Path, "您无权查看该组织的转接。");
        return (await store.ListAsync(new TransferListQuery(org.Path, null, false, ListLimit), ct)).Select(View).ToList();
    }

    /// <summary>The member's own transfers, newest first.</summary>
    public async Task<IReadOnlyList<TransferView>> MineAsync(long memberId, CancellationToken ct) =>
        (await store.ListAsync(new TransferListQuery(null, memberId, false, ListLimit), ct)).Select(View).ToList();

    /// <summary>Every transfer in transit in the subtrees the viewer keeps (the office: the whole subdistrict), overdue first.</summary>
    public async Task<IReadOnlyList<TransferView>> InTransitAsync(MemberEditor editor, CancellationToken ct)
    {
        var all = new List<TransferView>();
        foreach (var top in MemberAccess.KeptTops(editor.Grants))
            all.AddRange((await store.ListAsync(new TransferListQuery(top, null, true, 1000), ct)).Select(View));
        return all.DistinctBy(v => v.Transfer.Id)
            .OrderByDescending(v => v.ReceiptOverdue || v.LetterExpired).ThenBy(v => v.Transfer.CreatedAt).ToList();
    }

    /// <summary>The year's transfers per community (the orgs marked so; office staff): in and out of the subdistrict, and across branches within it.</summary>
    public async Task<IReadOnlyList<TransferYearLine>> YearAsync(MemberEditor editor, int year, CancellationToken ct)
    {
        if (!editor.Grants.Any(g => g.Role == Roles.Staff))
            throw Forbidden("只有街道党建办可以导出全年的转接统计。");
        var rows = await store.YearAsync(Periods.StartOf(new DateOnly(year, 1, 1)), Periods.StartOf(new DateOnly(year + 1, 1, 1)), ct);
        var communities = await orgs.GetCommunitiesAsync(ct);
        // A transfer counts for the nearest org above its branch that is marked a community.
        long? Community(string? path) => path is null ? null
            : communities.Where(c => OrgPath.IsWithin(path, c.Path)).MaxBy(c => c.Depth)?.Id;
        return communities.Select(c =>
        {
            var from = rows.Where(r => Community(r.FromPath) == c.Id).ToList();
            var into = rows.Where(r => Community(r.ToPath) == c.Id).ToList();
            return new TransferYearLine(c.Id, c.Name,
                into.Count(r => r.Kind == TransferKind.In),
                into.Count(r => r.Kind == TransferKind.Within),
                from.Count(r => r.Kind == TransferKind.Out),
                from.Count(r => r.Kind == TransferKind.Within),
                from.Concat(into).Distinct().Count(r => TransferRules.InTransit(r.State)));
        }).ToList();
    }

    private TransferView View(Transfer t)
    {
        var today = Today();
        return new TransferView(t, TransferRules.SenderResponsible(t.Kind, t.State), TransferRules.ReceiptOverdue(t.State, t.ReceiptDueOn, today),
            TransferRules.LetterExpired(t.State, t.ValidUntil, today), TransferRules.InTransit(t.State));
    }

    private async Task<Transfer> GetKeptAsync(long id, CancellationToken ct) =>
        await store.GetAsync(id, ct) ?? throw new NotFoundException($"转接 {id} 不存在", "transfer.not_found");

    private async Task<bool> KeepsEitherSideAsync(MemberEditor editor, Transfer t, CancellationToken ct)
    {
        foreach (var orgId in new[] { t.FromOrgId, t.ToOrgId }.OfType<long>())
        {
            if (await orgs.GetAsync(orgId, ct) is { } org && MemberAccess.CanKeep(editor.Grants, org.Path))
                return true;
        }
        return false;
    }

    private async Task SenderKeepsAsync(MemberEditor editor, Transfer t, CancellationToken ct)
    {
        // A letter received from outside has no sending branch here: the receiving branch keeps its record.
        var from = await orgs.GetAsync((t.FromOrgId ?? t.ToOrgId)!.Value, ct) ?? throw new NotFoundException("组织不存在", "org.not_found");
        Keeps(editor, from.Path, "只有转出支部或街道党建办可以办理。");
    }

    private async Task NoneOpenAsync(long memberId, CancellationToken ct)
    {
        if (await store.HasOpenAsync(memberId, ct))
            throw new RuleViolationException("transfer.open", "该党员已有一项在途的组织关系转接，请先办结或撤销。");
    }

    /// <summary>An org's full name: the names from the subdistrict's down to it (介绍信 names both organisations in full).</summary>
    private async Task<string> FullNameAsync(Org org, CancellationToken ct)
    {
        var names = new List<string>();
        foreach (var ancestor in OrgPath.Ids(org.Path))
            names.Add(ancestor == org.Id ? org.Name : (await orgs.GetAsync(ancestor, ct))?.Name ?? "");
        var full = string.Join("", names.Where(n => n.Length > 0).Distinct());
        return full.Length <= TransferRules.MaxNameLength ? full : full[^TransferRules.MaxNameLength..];
    }

    private static void Next(Transfer t, TransferAction action)
    {
        if (TransferRules.Apply(t.Kind, t.State, action).Refusal is { } refused)
            throw new RuleViolationException(refused.Code, refused.Message);
    }

    private static void Keeps(MemberEditor editor, string path, string message = "您无权为该党员办理转接。")
    {
        if (!MemberAccess.CanKeep(editor.Grants, path))
            throw Forbidden(message);
    }

    private async Task RetireAsync(long? tokensOf, CancellationToken ct)
    {
        await orgTree.InvalidateAsync();
        await tasks.InvalidateAsync();
        if (tokensOf is { } id)
            await tokenVersions.PublishAsync(id, ct);
    }

    private static string? Text(string? value, string field, int max)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
            return null;
        return text.Length <= max ? text : throw Invalid(field, "transfer.too_long", $"不能超过 {max} 个字。");
    }

    private static AuditEntry Audit(MemberEditor editor, DateTimeOffset now, string action, long id, long orgId, object data) =>
        new(now, editor.Actor, action, "transfer", id, orgId, editor.MemberId, data);

    private DateOnly Today() => Periods.LocalDate(clock.GetUtcNow());

    private static MemberInputException Invalid(string field, string code, string message) => new(new FieldError(field, code, message));

    private static ForbiddenException Forbidden(string message) => new("auth.forbidden", message);
}
