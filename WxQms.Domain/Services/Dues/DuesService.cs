using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Dues;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Pay;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Dues;

/// <summary>A month as a member or a worker sees it (Reason: why a month still owed is not paid yet, as the branch recorded it).</summary>
public sealed record DuesMonthView(string Month, int AmountFen, int PaidFen, string State, string? Note, string? Reason, bool Due,
    DateTimeOffset? SettledAt);

/// <summary>我的党费: the amount, how it was worked out, the year's months, what is owed and what may be paid ahead.</summary>
public sealed record MyDues(long MemberId, string Name, string BranchName, int Year, string? Category, int? BaseFen, int? MonthlyFen,
    string Explanation, IReadOnlyList<DuesMonthView> Months, IReadOnlyList<string> Owed, int OwedFen, IReadOnlyList<string> Payable);

/// <summary>A member of the branch in the worker's ledger: her base, amount and this year's months.</summary>
public sealed record BranchMemberDues(long MemberId, string Name, string Status, string? Category, int? BaseFen, int? MonthlyFen,
    string? Explanation, IReadOnlyList<DuesMonthView> Months, int OwedMonths, int OwedFen);

/// <summary>The worker's branch ledger: members, the ledger's lines of the year, totals and balance, arrears.</summary>
public sealed record BranchDues(long OrgId, string OrgName, int Year, string CurrentMonth, IReadOnlyList<BranchMemberDues> Members,
    IReadOnlyList<DuesLedgerRow> Ledger, long CollectedFen, long HandedUpFen, long BalanceFen, int CurrentSettled, int CurrentAll,
    DateTimeOffset? PublishedAt, long VoluntaryFen, long ForwardInFullFen);

/// <summary>One line of the yearly disclosure: the member masked as 张*, the months paid, the total.</summary>
public sealed record DisclosureLine(string Name, IReadOnlyList<int> MonthsPaid, long PaidFen);

public sealed record Disclosure(long OrgId, string OrgName, int Year, DateTimeOffset PublishedAt, IReadOnlyList<DisclosureLine> Lines,
    long CollectedFen, long HandedUpFen);

/// <summary>
/// Party dues as members and branches use them: a member's own dues and paying them (the order through WeChat Pay), the
/// branch's worker keeping bases, cash payments, waivers, hand-ups and the yearly disclosure, the committee's decisions.
/// Who may do what is decided here: a branch's secretary or worker and office staff keep a branch's dues (Access.CanActOn);
/// the secretary (or staff) publishes; the community's secretary or committee (or staff) decides a six-month case.
/// </summary>
public sealed class DuesService(DuesStore store, DuesSettlement settlement, TimeProvider clock, RecordCache records)
{
    public DuesMonth CurrentMonth => DuesMonth.Of(Periods.LocalDate(clock.GetUtcNow()));

    /// <summary>The year asked for (this year when none): from 2000 to next year, else a refusal with <c>dues.year_invalid</c>.</summary>
    public int YearOf(int? year)
    {
        var thisYear = CurrentMonth.Year;
        var y = year ?? thisYear;
        return y >= 2000 && y <= thisYear + 1 ? y : throw new RuleViolationException("dues.year_invalid", $"年度应在2000年至{thisYear + 1}年之间");
    }

    // ---- a member's own ----

    public async Task<MyDues> MineAsync(long memberId, int? year, CancellationToken ct)
    {
        var member = await store.MemberAsync(memberId, ct) ?? throw new NotFoundException("您不在任何党支部的党员名单中", "dues.no_branch");
        var current = CurrentMonth;
        var y = YearOf(year);
        var basis = (await store.BasesAsync([memberId], y, ct)).FirstOrDefault();
        var rows = await store.MemberMonthsAsync(memberId, $"{y - 1:0000}-01", $"{y:0000}-12", ct);
        var owed = rows.Where(r => DuesSettlement.IsOpen(r.State) && DuesMonth.Parse(r.Month) <= current).ToList();
        var payable = new List<string>();
        if (basis is not null && y == current.Year)
        {
            var open = rows.Where(r => DuesSettlement.IsOpen(r.State)).Select(r => r.Month).ToHashSet();
            var had = rows.Select(r => r.Month).ToHashSet();
            for (var m = owed.Count > 0 ? DuesMonth.Parse(owed[0].Month) : current; m <= new DuesMonth(current.Year, 12); m = m.Next)
            {
                if (open.Contains(m.Key) || (!had.Contains(m.Key) && m >= current))
                    payable.Add(m.Key);
            }
        }
        return new MyDues(member.Id, member.Name, member.BranchName, y, basis?.Category, basis?.BaseFen, Amount(basis, y)?.MonthlyFen,
            Amount(basis, y)?.Explanation ?? "支部尚未核定您本年度的党费交纳基数，请联系支部党务工作者",
            rows.Where(r => r.Month.StartsWith($"{y:0000}-", StringComparison.Ordinal)).Select(r => View(r, current)).ToList(),
            owed.Select(r => r.Month).ToList(), owed.Sum(r => r.AmountFen - r.PaidFen), payable);
    }

    /// <summary>
    /// Starts a WeChat Pay order for the member's months: they must be hers, open and chosen in order from the earliest owed
    /// (ahead allowed to December); the amount is what the rows ask, plus the voluntary part she adds (自愿多交). Rows for
    /// months ahead are made first.
    /// </summary>
    public async Task<RequestPaymentParams> PayAsync(long memberId, long wechatUserId, string mpAppId, IReadOnlyList<string>? months,
        int voluntaryFen, IPayOrders? pay, CancellationToken ct)
    {
        if (VoluntaryDues.Refusal(voluntaryFen) is { } tooMuch)
            throw new RuleViolationException("dues.voluntary_refused", tooMuch);
        var chosen = new List<DuesMonth>();
        foreach (var key in months ?? [])
        {
            if (!DuesMonth.TryParse(key, out var m))
                throw new RuleViolationException("dues.month_invalid", $"月份“{key}”的格式应为 2026-10");
            chosen.Add(m.Value);
        }
        var member = await store.MemberAsync(memberId, ct) ?? throw new NotFoundException("您不在任何党支部的党员名单中", "dues.no_branch");
        var current = CurrentMonth;
        if (chosen.Count > 0 && chosen.Max() is var last && last > current && last.Year == current.Year)
            await EnsureAheadAsync(member, current.Next, last, ct);
        var rows = await store.MemberMonthsAsync(memberId, "2000-01", $"{current.Year:0000}-12", ct);
        if (DuesChoice.Refusal(chosen, rows.Select(r => new OpenMonth(DuesMonth.Parse(r.Month), DuesSettlement.IsOpen(r.State))).ToList(),
                current) is { } refusal)
            throw new RuleViolationException("dues.months_refused", refusal);
        var keys = chosen.Select(m => m.Key).ToHashSet();
        var amount = rows.Where(r => keys.Contains(r.Month)).Sum(r => r.AmountFen - r.PaidFen);
        if (amount <= 0)
            throw new RuleViolationException("dues.nothing_to_pay", "所选月份没有需要交纳的党费");
        var openId = await store.MpOpenIdAsync(wechatUserId, mpAppId, ct)
                     ?? throw new RuleViolationException("dues.no_openid", "请在小程序中登录后再交纳党费");
        if (pay is null)
            throw new WechatUnavailableException("微信支付尚未开通，请向支部党务工作者交纳");
        var sorted = chosen.Order().ToList();
        var line = sorted.Count == 1 ? $"党费 {sorted[0].Chinese}"
            : sorted[0].Year == sorted[^1].Year ? $"党费 {sorted[0].Year}年{sorted[0].Month}–{sorted[^1].Month}月"
            : $"党费 {sorted[0].Chinese}–{sorted[^1].Chinese}";
        if (voluntaryFen > 0)
            line += $"（含自愿多交{DuesRules.Yuan(voluntaryFen)}元）";
        return await pay.StartAsync(new PayRequest(DuesPaidOrderHandler.OrderKind, memberId, amount + voluntaryFen, line,
            DuesPaidOrderHandler.Payload(sorted, voluntaryFen)), openId, ct);
    }

    // ---- the branch ----

    public async Task<BranchDues> BranchAsync(long orgId, int? year, IReadOnlyList<Grant> grants, CancellationToken ct)
    {
        var org = await KeptBranchAsync(orgId, grants, ct);
        var current = CurrentMonth;
        var y = YearOf(year);
        var members = await store.MembersOnRollAsync(orgId, ct);
        var bases = (await store.BasesAsync(members.Select(m => m.Id).ToList(), y, ct)).ToDictionary(b => b.MemberId);
        var rows = (await store.BranchRowsAsync(orgId, $"{y:0000}-01", $"{y:0000}-12", ct)).ToLookup(r => r.MemberId);
        var earlier = (await store.BranchRowsAsync(orgId, "2000-01", $"{y - 1:0000}-12", ct)).Where(r => DuesSettlement.IsOpen(r.State))
            .ToLookup(r => r.MemberId);
        var list = members.Select(m =>
        {
            bases.TryGetValue(m.Id, out var b);
            var mine = rows[m.Id].ToList();
            var owed = earlier[m.Id].Concat(mine).Where(r => DuesSettlement.IsOpen(r.State) && DuesMonth.Parse(r.Month) <= current).ToList();
            var amount = Amount(b, y);
            return new BranchMemberDues(m.Id, m.Name, m.Status, b?.Category, b?.BaseFen, amount?.MonthlyFen, amount?.Explanation,
                mine.Select(r => View(r, current)).ToList(), owed.Count, owed.Sum(r => r.AmountFen - r.PaidFen));
        }).ToList();
        var ledger = await store.LedgerAsync(orgId, Periods.StartOf(new DateOnly(y, 1, 1)), Periods.StartOf(new DateOnly(y + 1, 1, 1)), ct);
        var totals = await store.TotalsAsync(orgId, ct);
        var currentRows = rows.SelectMany(g => g).Where(r => r.Month == current.Key).ToList();
        return new BranchDues(org.Id, org.Name, y, current.Key, list, ledger, totals.CollectedFen, totals.HandedUpFen,
            totals.CollectedFen - totals.HandedUpFen, currentRows.Count(r => !DuesSettlement.IsOpen(r.State)), currentRows.Count,
            await store.PublishedAtAsync(orgId, y, ct), ledger.Sum(l => (long)l.VoluntaryFen),
            ledger.Where(l => l.VoluntaryKind == DbNames.Of(VoluntaryKind.ForwardInFull)).Sum(l => (long)l.VoluntaryFen));
    }

    /// <summary>The branch records a member's base for the year (from January; from now on for the months not yet touched).</summary>
    public async Task<DuesAmount> SetBaseAsync(long memberId, int year, string? category, int baseFen, int? specialFen, string? specialReason,
        IReadOnlyList<Grant> grants, string actor, long? actorMemberId, CancellationToken ct)
    {
        var member = await KeptMemberAsync(memberId, grants, ct);
        var basis = new DuesBasis(CategoryOf(category), baseFen, specialFen, specialReason);
        var current = CurrentMonth;
        if (year < current.Year - 1 || year > current.Year + 1)
            throw new RuleViolationException("dues.year_invalid", "只能核定去年、今年或明年的交纳基数");
        basis = basis with { SpecialReason = string.IsNullOrWhiteSpace(basis.SpecialReason) ? null : basis.SpecialReason.Trim() };
        if (DuesRules.Refusal(basis) is { } refusal)
            throw new RuleViolationException("dues.base_invalid", refusal);
        var amount = DuesRules.Amount(basis);
        var now = clock.GetUtcNow();
        await store.InTransactionAsync(async (conn, tx) =>
        {
            await RecordBaseAsync(conn, tx, memberId, year, basis, current, actor, now, ct);
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, actor, "dues.base_set", "member", memberId, member.BranchId, actorMemberId,
                new { Year = year, Category = DbNames.Of(basis.Category), basis.BaseFen, basis.SpecialFen, basis.SpecialReason, amount.MonthlyFen }), ct);
            return true;
        }, ct);
        await records.InvalidateAsync(); // her open months are repriced: her record's dues line
        return amount;
    }

    /// <summary>The category a client named (employed, retired, …), or a refusal with <c>dues.base_invalid</c>.</summary>
    public static DuesCategory CategoryOf(string? category) =>
        Enum.TryParse<DuesCategory>(category, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(category, out _)
            ? parsed
            : throw new RuleViolationException("dues.base_invalid", "党员类别应为 employed（在职）、retired（离退休）、student（学生）、unemployed（下岗失业）、hardship（生活困难）或 farmer（农民）");

    /// <summary>Records a member's base of a year in the caller's transaction and reprices her open months from now (or January) on.</summary>
    internal static async Task<DuesAmount> RecordBaseAsync(System.Data.Common.DbConnection conn, System.Data.Common.DbTransaction tx, long memberId,
        int year, DuesBasis basis, DuesMonth current, string actor, DateTimeOffset now, CancellationToken ct)
    {
        var amount = DuesRules.Amount(basis);
        await DuesStore.UpsertBaseAsync(conn, tx, memberId, year, basis, amount.StandardFen, actor, now, ct);
        var from = year == current.Year ? current : new DuesMonth(year, 1);
        await DuesStore.RepriceOpenMonthsAsync(conn, tx, memberId, from.Key, $"{year:0000}-12", amount.MonthlyFen,
            amount.MonthlyFen == 0 ? "waived" : "owed", amount.MonthlyFen == 0 ? basis.SpecialReason : null, now, ct);
        return amount;
    }

    /// <summary>
    /// The branch's worker records a payment made offline (cash or transfer) with its receipt number: amountFen against the
    /// months, and voluntaryFen paid above them (自愿多交, only with the months paid in full).
    /// </summary>
    public async Task RecordCashAsync(long memberId, IReadOnlyList<string>? months, int amountFen, int voluntaryFen, string? receiptNo,
        IReadOnlyList<Grant> grants, string actor, long? actorMemberId, CancellationToken ct)
    {
        if (VoluntaryDues.Refusal(voluntaryFen) is { } tooMuch)
            throw new RuleViolationException("dues.voluntary_refused", tooMuch);
        var member = await KeptMemberAsync(memberId, grants, ct);
        var receipt = receiptNo?.Trim();
        if (string.IsNullOrEmpty(receipt) || receipt.Length > 64)
            throw new RuleViolationException("dues.receipt_required", "请填写收据编号（不超过64个字符）");
        var chosen = Months(months);
        if (amountFen <= 0)
            throw new RuleViolationException("dues.amount_invalid", "金额应大于0");
        var current = CurrentMonth;
        if (chosen.Max() is var last && last > current && last.Year == current.Year)
            await EnsureAheadAsync(member, current.Next, last, ct);
        var rows = await store.MemberMonthsAsync(memberId, "2000-01", $"{current.Year:0000}-12", ct);
        if (DuesChoice.Refusal(chosen, rows.Select(r => new OpenMonth(DuesMonth.Parse(r.Month), DuesSettlement.IsOpen(r.State))).ToList(),
                current) is { } refusal)
            throw new RuleViolationException("dues.months_refused", refusal);
        var keys = chosen.Select(m => m.Key).ToHashSet();
        var asked = rows.Where(r => keys.Contains(r.Month)).Sum(r => r.AmountFen - r.PaidFen);
        if (amountFen > asked)
            throw new RuleViolationException("dues.amount_invalid", $"金额超过所选月份应交的{DuesRules.Yuan(asked)}元；多交的部分请填在自愿多交中");
        if (voluntaryFen > 0 && amountFen != asked)
            throw new RuleViolationException("dues.voluntary_refused", $"自愿多交须同时交清所选月份的党费{DuesRules.Yuan(asked)}元");
        var now = clock.GetUtcNow();
        var ok = await store.InTransactionAsync((conn, tx) => settlement.SettleAsync(conn, tx,
            new DuesPayment(memberId, chosen, amountFen + voluntaryFen, DuesSettlement.ViaCash, receipt, actor, actorMemberId, now, voluntaryFen), ct), ct);
        await records.InvalidateAsync(); // her dues line and the points of paying on time
        if (!ok)
            throw new ConflictException("dues.already_settled", "所选月份已结清，或该收据编号已登记");
    }

    /// <summary>Waives an open month of a member with the approval's reason (困难党员经批准免交).</summary>
    public async Task WaiveAsync(long memberId, string month, string? reason, IReadOnlyList<Grant> grants, string actor, long? actorMemberId,
        CancellationToken ct)
    {
        var member = await KeptMemberAsync(memberId, grants, ct);
        var why = reason?.Trim();
        if (string.IsNullOrEmpty(why) || why.Length > 200)
            throw new RuleViolationException("dues.reason_required", "免交须填写批准的原因（不超过200字）");
        _ = member;
        await OnOpenMonthAsync(memberId, Months([month])[0], async (conn, tx, row, now) =>
        {
            await DuesStore.WaiveMonthAsync(conn, tx, row.Id, why, now, ct);
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, actor, "dues.waived", "member", memberId, row.OrgId, actorMemberId,
                new { Month = row.Month, Reason = why }), ct);
        }, ct);
        await records.InvalidateAsync();
    }

    /// <summary>
    /// Records the branch's reason why a member has not paid a month yet (in hospital, working far away …): the month stays
    /// owed, counts as settled for the branch's 党费收缴 task, and is not one of the six months without a proper reason.
    /// </summary>
    public async Task RecordReasonAsync(long memberId, string month, string? reason, IReadOnlyList<Grant> grants, string actor,
        long? actorMemberId, CancellationToken ct)
    {
        await KeptMemberAsync(memberId, grants, ct);
        var why = reason?.Trim();
        if (string.IsNullOrEmpty(why) || why.Length > 200)
            throw new RuleViolationException("dues.reason_required", "请填写未交原因（不超过200字）");
        var m = Months([month])[0];
        if (m > CurrentMonth)
            throw new RuleViolationException("dues.months_refused", $"{m.Chinese}还未到交纳的月份");
        await OnOpenMonthAsync(memberId, m, async (conn, tx, row, now) =>
        {
            await DuesStore.RecordReasonAsync(conn, tx, row.Id, why, now, ct);
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, actor, "dues.reason_recorded", "member", memberId, row.OrgId, actorMemberId,
                new { Month = row.Month, Reason = why, Before = row.Reason }), ct);
        }, ct);
    }

    /// <summary>
    /// Does <paramref name="change"/> to a member's month while it is open, in one transaction with the month locked, then
    /// completes the branch's 党费收缴 task if that settled the month; a month already settled is a conflict.
    /// </summary>
    private async Task OnOpenMonthAsync(long memberId, DuesMonth m,
        Func<System.Data.Common.DbConnection, System.Data.Common.DbTransaction, DuesMonthRow, DateTimeOffset, Task> change, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var ok = await store.InTransactionAsync(async (conn, tx) =>
        {
            var rows = await DuesStore.LockMonthsAsync(conn, tx, memberId, [m.Key], ct);
            if (rows.Count != 1 || !DuesSettlement.IsOpen(rows[0].State))
                return false;
            await change(conn, tx, rows[0], now);
            await settlement.CompleteTaskIfSettledAsync(conn, tx, rows[0].OrgId, m.Key, now, ct);
            return true;
        }, ct);
        if (!ok)
            throw new ConflictException("dues.already_settled", $"{m.Chinese}没有待交的党费");
    }

    /// <summary>The branch hands dues up to the superior (上缴), with the reference of the transfer; at most its balance.</summary>
    public async Task HandUpAsync(long orgId, int amountFen, string? reference, IReadOnlyList<Grant> grants, string actor, long? actorMemberId,
        CancellationToken ct)
    {
        await KeptBranchAsync(orgId, grants, ct);
        var refText = reference?.Trim();
        if (string.IsNullOrEmpty(refText) || refText.Length > 64)
            throw new RuleViolationException("dues.reference_required", "请填写上缴凭证编号（不超过64个字符）");
        if (amountFen <= 0)
            throw new RuleViolationException("dues.amount_invalid", "金额应大于0");
        var now = clock.GetUtcNow();
        await store.InTransactionAsync(async (conn, tx) =>
        {
            await DuesStore.LockBranchAsync(conn, tx, orgId, ct);
            var totals = await DuesStore.TotalsAsync(conn, tx, orgId, ct);
            if (amountFen > totals.CollectedFen - totals.HandedUpFen)
                throw new RuleViolationException("dues.amount_invalid", $"上缴金额超过结余{DuesRules.Yuan(totals.CollectedFen - totals.HandedUpFen)}元");
            if (await DuesStore.AddLedgerAsync(conn, tx, new NewLedgerEntry(orgId, DuesStore.LedgerHandedUp, "transfer", amountFen, null, null,
                    refText, actor, now), ct) is null)
                throw new ConflictException("dues.reference_used", "该上缴凭证编号已登记");
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, actor, "dues.handed_up", "org", orgId, orgId, actorMemberId,
                new { AmountFen = amountFen, Reference = refText }), ct);
            return true;
        }, ct);
    }

    /// <summary>The branch's secretary (or office staff) publishes the year's disclosure.</summary>
    public async Task PublishAsync(long orgId, int year, IReadOnlyList<Grant> grants, string actor, long? actorMemberId, CancellationToken ct)
    {
        var org = await KeptBranchAsync(orgId, grants, ct);
        if (!grants.Any(g => g.Role == Roles.Staff || (g.Role == Roles.Secretary && OrgPath.IsWithin(org.Path, g.OrgPath))))
            throw new ForbiddenException("auth.forbidden", "只有支部书记可以公示党费收缴情况");
        if (year < 2000 || year > CurrentMonth.Year)
            throw new RuleViolationException("dues.year_invalid", "只能公示今年或以前的年度");
        var now = clock.GetUtcNow();
        await store.InTransactionAsync(async (conn, tx) =>
        {
            await DuesStore.PublishAsync(conn, tx, orgId, year, actor, now, ct);
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, actor, "dues.published", "org", orgId, orgId, actorMemberId, new { Year = year }), ct);
            return true;
        }, ct);
    }

    /// <summary>The published disclosure of a branch's year (anyone may read it once published), or null.</summary>
    public async Task<Disclosure?> DisclosureAsync(long orgId, int year, CancellationToken ct)
    {
        if (await store.OrgAsync(orgId, ct) is not { Kind: "branch" } org || await store.PublishedAtAsync(orgId, year, ct) is not { } at)
            return null;
        var rows = await store.BranchRowsAsync(orgId, $"{year:0000}-01", $"{year:0000}-12", ct);
        var lines = rows.GroupBy(r => r.MemberId).Select(g => new DisclosureLine(Mask(g.First().Name),
            g.Where(r => r.State == "paid").Select(r => DuesMonth.Parse(r.Month).Month).ToList(), g.Sum(r => (long)r.PaidFen))).ToList();
        var ledger = await store.LedgerAsync(orgId, Periods.StartOf(new DateOnly(year, 1, 1)), Periods.StartOf(new DateOnly(year + 1, 1, 1)), ct);
        return new Disclosure(orgId, org.Name, year, at, lines, ledger.Where(l => l.Kind == DuesStore.LedgerCollected).Sum(l => (long)l.AmountFen),
            ledger.Where(l => l.Kind == DuesStore.LedgerHandedUp).Sum(l => (long)l.AmountFen));
    }

    /// <summary>Cases within what the caller may read; a six-month case's decision recorded by the community committee.</summary>
    public async Task<IReadOnlyList<DuesCaseRow>> CasesAsync(IReadOnlyList<Grant> grants, CancellationToken ct)
    {
        var scope = Access.DefaultMonitorScope(grants) ?? throw new ForbiddenException("auth.forbidden", "您无权查看党费欠交情况");
        return await store.CasesAsync(scope, null, ct);
    }

    public async Task DecideAsync(long caseId, string? decision, IReadOnlyList<Grant> grants, string actor, long? actorMemberId, CancellationToken ct)
    {
        var found = (await store.CasesAsync(OrgPath.Root, caseId, ct)).FirstOrDefault(c => c.Kind == "committee")
                    ?? throw new NotFoundException($"案件 {caseId} 不存在", "dues.case_not_found");
        var org = await store.OrgAsync(found.OrgId, ct);
        if (org is null || !Access.CanIssue(grants, org.Value.Path))
            throw new ForbiddenException("auth.forbidden", "只有社区党委可以对该情况作出处理决定");
        var text = decision?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length > 200)
            throw new RuleViolationException("dues.decision_required", "请填写处理决定（不超过200字）");
        var now = clock.GetUtcNow();
        var ok = await store.InTransactionAsync(async (conn, tx) =>
        {
            if (!await DuesStore.DecideCaseAsync(conn, tx, caseId, text, actor, now, ct))
                return false;
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, actor, "dues.case_decided", "dues_case", caseId, found.OrgId, actorMemberId,
                new { found.MemberId, Decision = text }), ct);
            return true;
        }, ct);
        if (!ok)
            throw new ConflictException("dues.case_decided", "该情况已作出处理决定");
    }

    /// <summary>A branch the caller keeps (secretary, worker, staff): 404 or 403.</summary>
    public async Task<(long Id, string Name, string Path)> KeptBranchAsync(long orgId, IReadOnlyList<Grant> grants, CancellationToken ct)
    {
        if (await store.OrgAsync(orgId, ct) is not { Kind: "branch" } org)
            throw new NotFoundException($"党支部 {orgId} 不存在", "org.not_found");
        if (!Access.CanActOn(grants, org.Path))
            throw new ForbiddenException("auth.forbidden", "只有本支部书记、党务工作者或街道党建办可以管理党费");
        return (org.Id, org.Name, org.Path);
    }

    /// <summary>The subtree of branches the caller may export: a branch she keeps, or anything she reads as staff or committee.</summary>
    public async Task<IReadOnlyList<BranchDuesTotals>> TotalsAsync(string scopePath, int year, IReadOnlyList<Grant> grants, CancellationToken ct)
    {
        if (!Access.CanMonitor(grants, scopePath))
            throw new ForbiddenException("auth.forbidden", "您无权导出该范围的党费");
        return await store.BranchTotalsAsync(scopePath, YearOf(year), ct);
    }

    public Task<IReadOnlyList<BranchMonthRow>> RowsAsync(long orgId, int year, CancellationToken ct) =>
        store.BranchRowsAsync(orgId, $"{year:0000}-01", $"{year:0000}-12", ct);

    internal async Task<DuesMember> KeptMemberAsync(long memberId, IReadOnlyList<Grant> grants, CancellationToken ct)
    {
        var member = await store.MemberAsync(memberId, ct) ?? throw new NotFoundException($"党员 {memberId} 不在任何党支部", "member.not_found");
        if (!Access.CanActOn(grants, member.BranchPath))
            throw new ForbiddenException("auth.forbidden", "只有本支部书记、党务工作者或街道党建办可以管理党费");
        return member;
    }

    /// <summary>Rows for the member's months ahead (paying ahead), priced from her base of that year.</summary>
    private async Task EnsureAheadAsync(DuesMember member, DuesMonth from, DuesMonth through, CancellationToken ct)
    {
        var basis = (await store.BasesAsync([member.Id], from.Year, ct)).FirstOrDefault();
        if (Amount(basis) is not { } amount)
            return;
        var rows = new List<NewDuesMonth>();
        for (var m = from; m <= through; m = m.Next)
        {
            if (DuesRules.Owes(DbNames.Parse<MemberStatus>(member.Status), D(member.AdmittedOn), D(member.JoinedOn), m))
                rows.Add(DuesMonthMaker.Row(member.Id, member.BranchId, m, amount, basis!.SpecialReason));
        }
        await store.InsertMonthsAsync(rows, clock.GetUtcNow(), ct);
    }

    private static DateOnly? D(DateTime? d) => d is { } v ? DateOnly.FromDateTime(v) : null;

    internal static DuesAmount? Amount(DuesBaseRow? b) => b is null ? null
        : DuesRules.Amount(new DuesBasis(DbNames.Parse<DuesCategory>(b.Category), b.BaseFen, b.SpecialFen, b.SpecialReason));

    /// <summary>The amount of <paramref name="year"/>, saying so when it still comes from an earlier year's base.</summary>
    internal static DuesAmount? Amount(DuesBaseRow? b, int year) => Amount(b) is not { } a ? null
        : b!.Year < year ? a with { Explanation = $"{a.Explanation}（沿用{b.Year}年核定的基数，待支部核定{year}年的基数）" } : a;

    private static DuesMonthView View(DuesMonthRow r, DuesMonth current) =>
        new(r.Month, r.AmountFen, r.PaidFen, r.State, r.Note, r.Reason, DuesMonth.Parse(r.Month) <= current, r.SettledAt is { } s ? DbTime.Utc(s) : null);

    private static DuesMonthView View(BranchMonthRow r, DuesMonth current) =>
        new(r.Month, r.AmountFen, r.PaidFen, r.State, r.Note, r.Reason, DuesMonth.Parse(r.Month) <= current, r.SettledAt is { } s ? DbTime.Utc(s) : null);

    private static List<DuesMonth> Months(IReadOnlyList<string>? keys)
    {
        var list = new List<DuesMonth>();
        foreach (var key in keys ?? [])
            list.Add(DuesMonth.TryParse(key, out var m) ? m.Value : throw new RuleViolationException("dues.month_invalid", $"月份“{key}”的格式应为 2026-10"));
        return list.Count > 0 ? list : throw new RuleViolationException("dues.months_refused", "请选择月份");
    }

    /// <summary>A name as the disclosure shows it: the surname and an asterisk (张*).</summary>
    public static string Mask(string name) => name.Length == 0 ? "*" : char.IsSurrogate(name[0]) && name.Length > 1 ? name[..2] + "*" : name[..1] + "*";
}
