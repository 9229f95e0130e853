using System.Text;
using Dapper;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using WxQms.Domain.Rules.Dues;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Dues;
using WxQms.Domain.Storage;

namespace WxQms.Sandbox.Demo;

/// <summary>
/// Dues in use this year, for demos only (<c>WxQms.Jobs simulate</c>, after the year's history): every member on a branch's
/// roll has a base recorded in January (salaries and pensions across the brackets; a few students, unemployed and members in
/// hardship; a few special lower amounts approved with a reason) and a row for every month so far. Most months were paid by
/// WeChat Pay in their month (one ledger line per branch and month) and each branch handed each finished quarter up; some
/// members owe the last one or two months, one member of 第一支部 of the first community owes six (the month-end scan then
/// asks for a talk and opens the committee's case 「连续六个月不交纳党费」), one member paid in cash with a receipt and another half of it, and this
/// month is about half collected; the cash payer adds 50 yuan of her own will and one member pays 1,000 yuan more by WeChat Pay
/// (自愿多交, to be handed up in full); a few farmers pay the province's amount; three members of the first branch declared their
/// own base (waiting, confirmed, sent back). The first branches publish their disclosure. Deterministic (from member ids) and safe to
/// run again: every row is keyed and only open months are touched.
/// </summary>
public sealed class DemoDues(MySqlDataSource db, DuesMonthMaker months, DuesSettlement settlement, DuesArrearsScan arrears, TimeProvider clock,
    ILogger<DemoDues> log)
{
    public const string Actor = "simulate";

    public sealed record Result(int Bases, int Rows, int Owing, int CashPayments, int HandUps, DuesArrearsScan.Outcome Arrears);

    public async Task<Result> PostAsync(CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var now = clock.GetUtcNow();
        var current = DuesMonth.Of(Periods.LocalDate(now));
        await using var conn = await db.OpenConnectionAsync(ct);
        var roll = (await conn.QueryAsync<(long Id, bool Retired, long BranchId)>(new CommandDefinition("""
            SELECT m.id, m.retired, b.id
            FROM members m JOIN orgs o ON o.id = m.org_id
            JOIN orgs b ON b.id = CASE WHEN o.kind = 'party_group' THEN o.parent_id ELSE o.id END AND b.kind = 'branch'
            WHERE m.status IN ('full', 'probationary') AND m.deceased_on IS NULL
            ORDER BY m.id
            """, cancellationToken: ct))).ToList();

        // Bases of the year, recorded in January.
        var january = Periods.StartOf(new DateOnly(current.Year, 1, 5)).UtcDateTime;
        var bases = 0;
        foreach (var chunk in roll.Chunk(500))
        {
            var sql = new StringBuilder("""
                INSERT IGNORE INTO dues_bases (member_id, year, category, base_fen, monthly_fen, special_fen, special_reason, recorded_by, created_at, updated_at) VALUES
                """);
            var args = new DynamicParameters();
            args.Add("year", current.Year); args.Add("at", january); args.Add("actor", Actor);
            for (var i = 0; i < chunk.Length; i++)
            {
                var basis = Basis(chunk[i].Id, chunk[i].Retired);
                sql.Append(i == 0 ? "" : ",").Append($"(@m{i},@year,@c{i},@b{i},@f{i},@s{i},@r{i},@actor,@at,@at)");
                args.Add($"m{i}", chunk[i].Id); args.Add($"c{i}", DbNames.Of(basis.Category)); args.Add($"b{i}", basis.BaseFen);
                args.Add($"f{i}", DuesRules.StandardFen(basis.Category, basis.BaseFen)); args.Add($"s{i}", basis.SpecialFen);
                args.Add($"r{i}", basis.SpecialReason);
            }
            bases += await conn.ExecuteAsync(new CommandDefinition(sql.ToString(), args, cancellationToken: ct));
        }

        // A row for every month so far.
        var rows = 0;
        for (var m = new DuesMonth(current.Year, 1); m <= current; m = m.Next)
            rows += await months.MakeAsync(m, now, ct);

        // Who owes: the last month (every 13th), the last two (every 29th), six months (one member of the first branch);
        // this month about half have paid. Everything else was paid in its month, by WeChat Pay.
        var sixMonths = roll.Where(r => r.BranchId == roll[0].BranchId).Select(r => r.Id).Skip(2).First();
        var owing = new List<(long MemberId, string Month)>();
        foreach (var (id, _, _) in roll)
        {
            var owe = id == sixMonths ? 6 : id % 29 == 0 ? 2 : id % 13 == 0 ? 1 : 0;
            for (var k = 1; k <= owe; k++)
            {
                var month = current;
                for (var j = 0; j < k; j++)
                    month = month.Previous;
                owing.Add((id, month.Key));
            }
            if (owe > 0 || id % 2 == 0)
                owing.Add((id, current.Key));
        }
        var open = owing.Select(o => $"{o.MemberId}:{o.Month}").ToHashSet();
        var toPay = (await conn.QueryAsync<(long Id, long MemberId, string Month)>(new CommandDefinition(
            "SELECT id, member_id, month FROM dues_months WHERE state = 'owed' AND month LIKE @prefix",
            new { prefix = $"{current.Year:0000}-%" }, cancellationToken: ct))).Where(r => !open.Contains($"{r.MemberId}:{r.Month}")).ToList();
        // The cash payment is left for the worker below.
        var cashMember = roll.Where(r => r.BranchId == roll[0].BranchId && r.Id != sixMonths && r.Id % 2 == 0).Select(r => r.Id).First();
        toPay.RemoveAll(r => r.MemberId == cashMember && r.Month == current.Key);
        foreach (var group in toPay.GroupBy(r => r.Month))
        {
            var paidAt = Periods.StartOf(DuesMonth.Parse(group.Key).FirstDay.AddDays(9)).AddHours(12);
            if (paidAt > now)
                paidAt = now;
            foreach (var chunk in group.Chunk(1000))
                await conn.ExecuteAsync(new CommandDefinition("""
                    UPDATE dues_months SET state = 'paid', paid_fen = amount_fen, settled_at = @at, updated_at = @at
                    WHERE id IN @ids AND state = 'owed'
                    """, new { ids = chunk.Select(r => r.Id).ToList(), at = paidAt.UtcDateTime }, cancellationToken: ct));
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT IGNORE INTO dues_ledger (org_id, kind, via, amount_fen, member_id, months, reference, recorded_by, occurred_at, created_at)
                SELECT org_id, 'collected', 'wechat', SUM(paid_fen), NULL, @month, CONCAT('DEMO-WX-', @month, '-', org_id), @actor, @at, @at
                FROM dues_months WHERE month = @month AND state = 'paid' AND paid_fen > 0
                GROUP BY org_id
                """, new { month = group.Key, actor = Actor, at = paidAt.UtcDateTime }, cancellationToken: ct));
        }

        // A member pays this month in cash to the branch's worker, with a receipt, and 50 yuan more of her own will (自愿多交).
        var cash = 0;
        var cashRow = await conn.QuerySingleOrDefaultAsync<(int AmountFen, string State)?>(new CommandDefinition(
            "SELECT amount_fen, state FROM dues_months WHERE member_id = @cashMember AND month = @month",
            new { cashMember, month = current.Key }, cancellationToken: ct));
        if (cashRow is { State: "owed" } c && c.AmountFen > 0)
        {
            await using var tx = await conn.BeginTransactionAsync(ct);
            if (await settlement.SettleAsync(conn, tx, new DuesPayment(cashMember, [current], c.AmountFen + VoluntaryCashFen, DuesSettlement.ViaCash,
                    $"SJ-{current.Year}-0001", Actor, null, now, VoluntaryCashFen), ct))
                cash++;
            await tx.CommitAsync(ct);
        }

        // Another pays half of this month's dues in cash so far (partly paid).
        var partMember = roll.Where(r => r.BranchId == roll[0].BranchId && r.Id != sixMonths && r.Id != cashMember && r.Id % 2 == 0)
            .Select(r => r.Id).FirstOrDefault();
        var partRow = await conn.QuerySingleOrDefaultAsync<(int AmountFen, string State)?>(new CommandDefinition(
            "SELECT amount_fen, state FROM dues_months WHERE member_id = @partMember AND month = @month",
            new { partMember, month = current.Key }, cancellationToken: ct));
        if (partRow is { State: "owed" } p && p.AmountFen > 1)
        {
            await using var tx = await conn.BeginTransactionAsync(ct);
            if (await settlement.SettleAsync(conn, tx, new DuesPayment(partMember, [current], p.AmountFen / 2, DuesSettlement.ViaCash,
                    $"SJ-{current.Year}-0002", Actor, null, now), ct))
                cash++;
            await tx.CommitAsync(ct);
        }

        // Another pays this month by WeChat Pay with 1,000 yuan more (a single voluntary payment to be handed up in full to the centre).
        var generous = roll.Where(r => r.BranchId == roll[0].BranchId && r.Id != sixMonths && r.Id != cashMember && r.Id != partMember && r.Id % 2 == 0)
            .Select(r => r.Id).FirstOrDefault();
        var generousRow = await conn.QuerySingleOrDefaultAsync<(int AmountFen, string State)?>(new CommandDefinition(
            "SELECT amount_fen, state FROM dues_months WHERE member_id = @generous AND month = @month",
            new { generous, month = current.Key }, cancellationToken: ct));
        if (generousRow is { State: "owed" } g && g.AmountFen > 0)
        {
            await using var tx = await conn.BeginTransactionAsync(ct);
            await settlement.SettleAsync(conn, tx, new DuesPayment(generous, [current], g.AmountFen + DuesRules.ForwardInFullFen, DuesSettlement.ViaWechat,
                $"DEMO-WX-VOL-{current.Key}", $"member:{generous}", generous, now, DuesRules.ForwardInFullFen), ct);
            await tx.CommitAsync(ct);
        }

        // Each finished quarter handed up by every branch (上缴), with the transfer's reference.
        var handUps = 0;
        for (var q = 1; q * 3 < current.Month; q++)
        {
            var from = Periods.StartOf(new DateOnly(current.Year, q * 3 - 2, 1));
            var until = Periods.StartOf(new DateOnly(current.Year, q * 3, 1).AddMonths(1));
            handUps += await conn.ExecuteAsync(new CommandDefinition("""
                INSERT IGNORE INTO dues_ledger (org_id, kind, via, amount_fen, member_id, months, reference, recorded_by, occurred_at, created_at)
                SELECT org_id, 'handed_up', 'transfer', SUM(amount_fen), NULL, NULL, CONCAT('SJ-UP-', @year, 'Q', @q, '-', org_id), @actor, @until, @until
                FROM dues_ledger WHERE kind = 'collected' AND occurred_at >= @from AND occurred_at < @until
                GROUP BY org_id
                """, new { year = current.Year, q, actor = Actor, from = from.UtcDateTime, until = until.UtcDateTime }, cancellationToken: ct));
        }

        // The first branches publish their disclosure of the year so far.
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT IGNORE INTO dues_disclosures (org_id, year, published_by, published_at)
            SELECT id, @year, @actor, @now FROM orgs WHERE kind = 'branch' ORDER BY id LIMIT 3
            """, new { year = current.Year, actor = Actor, now = now.UtcDateTime }, cancellationToken: ct));

        // One member owing two months works far away: the worker recorded why last month is not paid yet (it stays owed).
        var away = roll.Select(r => r.Id).FirstOrDefault(id => id % 29 == 0 && id != sixMonths);
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE dues_months SET reason = '外出务工，已电话联系，返回后补交', updated_at = @now
            WHERE member_id = @away AND month = @month AND state = 'owed' AND reason IS NULL
            """, new { away, month = current.Previous.Key, now = now.UtcDateTime }, cancellationToken: ct));

        // Members' own declarations of their base in the first branch: one waiting for the secretary, one she confirmed in
        // January (it is the base recorded), one she sent back with the reason the member reads.
        var declaring = roll.Where(r => r.BranchId == roll[0].BranchId && r.Id != sixMonths && !r.Retired).Select(r => r.Id).Take(3).ToList();
        if (declaring.Count == 3)
        {
            var confirmedBasis = Basis(declaring[1], false);
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT IGNORE INTO dues_declarations (member_id, year, category, base_fen, state, refusal, declared_at, decided_by, decided_at) VALUES
                    (@pending, @year, 'employed', @pendingBase, 'pending', NULL, @now, NULL, NULL),
                    (@confirmed, @year, @confirmedCategory, @confirmedBase, 'confirmed', NULL, @january, @actor, @january),
                    (@refused, @year, 'farmer', 80, 'refused', '您在社区工作，不属于农民党员，请按在职收入申报', @now, @actor, @now)
                """, new
            {
                pending = declaring[0], confirmed = declaring[1], refused = declaring[2], year = current.Year,
                pendingBase = Basis(declaring[0], false).BaseFen + 50_000, confirmedCategory = DbNames.Of(confirmedBasis.Category),
                confirmedBase = confirmedBasis.BaseFen, january, actor = Actor, now = now.UtcDateTime,
            }, cancellationToken: ct));
        }

        var scan = await arrears.ScanAsync(now, ct);
        var result = new Result(bases, rows, owing.Select(o => o.MemberId).Distinct().Count(), cash, handUps, scan);
        log.LogInformation("Demo dues: {Bases} bases, {Rows} monthly rows, {Owing} members owing, {Cash} cash payment, {HandUps} hand-ups, " +
            "{Talks} talks and {Cases} committee cases asked for, in {Elapsed} ms", bases, rows, result.Owing, cash, handUps, scan.Talks,
            scan.CommitteeCases, (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return result;
    }

    /// <summary>What the cash payer adds of her own will (自愿多交, 50 yuan).</summary>
    public const int VoluntaryCashFen = 5000;

    /// <summary>
    /// A member's base of the year, from her id: most salaried across the brackets, retirees on pensions, a few fixed and special,
    /// and a few farmers (the 城中村's) paying the province's 0.50 yuan a month.
    /// </summary>
    public static DuesBasis Basis(long id, bool retired)
    {
        if (id % 97 == 0)
            return new DuesBasis(DuesCategory.Student, 0);
        if (id % 89 == 0)
            return new DuesBasis(DuesCategory.Unemployed, 0);
        if (id % 83 == 0)
            return new DuesBasis(DuesCategory.Hardship, 0, 0, "享受最低生活保障，经支部大会讨论、社区党委批准免交");
        if (id % 61 == 0 && !retired)
            return new DuesBasis(DuesCategory.Farmer, 50);
        if (retired)
            return new DuesBasis(DuesCategory.Retired, (int)(250_000 + id * 7919 % 450_000 / 100 * 100));
        var salary = (int)(250_000 + id * 104_729 % 1_150_000 / 100 * 100);
        if (id % 71 == 0)
            return new DuesBasis(DuesCategory.Employed, salary, DuesRules.StandardFen(DuesCategory.Employed, salary) / 2, "家庭困难，经支部委员会讨论同意少交");
        return new DuesBasis(DuesCategory.Employed, salary);
    }
}
