using Dapper;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Members;
using WxQms.Domain.Services.Transfers;
using WxQms.Domain.Storage;

namespace WxQms.Sandbox.Demo;

/// <summary>
/// Transfers in use (<c>WxQms.Jobs simulate</c>, after the dues so each letter states what the member has paid up to): a
/// letter out in transit, one accepted with its receipt expected, one whose receipt is overdue (accepted 45 days ago), one
/// expired before the other side accepted, one done (the receipt back, she left the roll), a lost letter voided and
/// re-issued, a branch-to-branch transfer awaiting the receiving branch and one done, a letter received from outside with
/// its member placed, and a 党员证明信. All through <see cref="TransferService"/> as the office would (audited, notices in
/// the outbox), across the subdistrict's branches. Runs once: nothing happens when the demo's transfers exist.
/// </summary>
public sealed class DemoTransfers(MySqlDataSource db, TransferService transfers, TimeProvider clock, ILogger<DemoTransfers> log)
{
    public const string Actor = "simulate";

    public async Task<int> PostAsync(CancellationToken ct)
    {
        var today = Periods.LocalDate(clock.GetUtcNow());
        await using var conn = await db.OpenConnectionAsync(ct);
        if (await conn.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM transfers WHERE actor = @Actor", new { Actor },
                cancellationToken: ct)) > 0)
            return 0;
        var root = await conn.QuerySingleOrDefaultAsync<(long Id, string Path)?>(new CommandDefinition(
            "SELECT id, path FROM orgs WHERE parent_id IS NULL ORDER BY id LIMIT 1", cancellationToken: ct));
        if (root is not { } r)
            return 0;
        var branches = (await conn.QueryAsync<long>(new CommandDefinition("""
            SELECT id FROM orgs WHERE kind = 'branch' AND dissolved_on IS NULL ORDER BY id
            """, cancellationToken: ct))).ToList();
        if (branches.Count < 4)
            return 0;
        var editor = new MemberEditor([new Grant(Roles.Staff, r.Id, r.Path, OrgKind.Subdistrict)], null, Actor);
        var used = new HashSet<long>();

        // Branches spread over the subdistrict (the second, fifth, … so the first branches' demo stories stay as they are).
        long Branch(int i) => branches[(1 + i * 4) % branches.Count];
        async Task<long?> MemberAsync(int i)
        {
            var id = await conn.ExecuteScalarAsync<long?>(new CommandDefinition("""
                SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id JOIN orgs b ON b.id = @branch
                WHERE o.path LIKE CONCAT(b.path, '%') AND m.status = 'full' AND m.deceased_on IS NULL
                  AND NOT EXISTS (SELECT 1 FROM member_roles x WHERE x.member_id = m.id AND x.role <> 'member')
                  AND NOT EXISTS (SELECT 1 FROM transfers t WHERE t.member_id = m.id)
                  AND m.id NOT IN @used
                ORDER BY m.id DESC LIMIT 1
                """, new { branch = Branch(i), used = used.Append(0).ToList() }, cancellationToken: ct));
            if (id is { } v)
                used.Add(v);
            return id;
        }
        const string Beijing = "中共北京市海淀区中关村街道";
        var added = 0;
        async Task<long?> OutAsync(int i, int issuedAgo, int validDays, string to, string reason)
        {
            if (await MemberAsync(i) is not { } member)
                return null;
            added++;
            return await transfers.StartAsync(editor, new TransferStart(TransferKind.Out, member, null, to, today.AddDays(-issuedAgo),
                today.AddDays(-issuedAgo + validDays), null, 12, reason), ct);
        }

        await OutAsync(0, 6, 30, Beijing + "科学院南路社区委员会第二支部委员会", "工作调动至北京");
        if (await OutAsync(1, 25, 30, "中共上海市浦东新区花木街道联洋社区委员会第三支部委员会", "随子女迁居上海") is { } accepted)
            await transfers.AcceptAsync(editor, accepted, today.AddDays(-12), ct);
        if (await OutAsync(2, 70, 80, "中共杭州市西湖区文新街道委员会", "长期在杭州工作") is { } overdue)
            await transfers.AcceptAsync(editor, overdue, today.AddDays(-45), ct); // the receipt was due 15 days ago
        await OutAsync(3, 50, 30, "中共南京市鼓楼区宁海路街道委员会", "外出务工"); // expired 20 days ago, never accepted
        if (await OutAsync(4, 80, 30, "中共苏州市姑苏区平江街道委员会", "退休后回原籍") is { } done)
        {
            await transfers.AcceptAsync(editor, done, today.AddDays(-72), ct);
            await transfers.ReceiptAsync(editor, done, today.AddDays(-50), ct);
        }
        if (await OutAsync(5, 20, 30, "中共广州市天河区石牌街道委员会", "工作调动") is { } lost)
            await transfers.ReissueAsync(editor, lost, today.AddDays(30), "党员报告介绍信遗失", ct);

        if (await MemberAsync(6) is { } waiting)
        {
            await transfers.StartAsync(editor, new TransferStart(TransferKind.Within, waiting, Branch(7), null, null, null, null, null, "搬家到本街道另一社区"), ct);
            added++;
        }
        if (await MemberAsync(8) is { } moving)
        {
            var within = await transfers.StartAsync(editor, new TransferStart(TransferKind.Within, moving, Branch(9), null, null, null, null, null,
                "工作单位变动"), ct);
            await transfers.AcceptAsync(editor, within, null, ct);
            added++;
        }
        await transfers.RegisterInAsync(editor, new TransferIn(Branch(2), "中共成都市武侯区玉林街道委员会", "川武组转〔" + today.Year + "〕017号",
            today.AddDays(-9), today.AddDays(21), new DuesPaidThrough(today.AddMonths(-1).Year, today.AddMonths(-1).Month), today.AddDays(-3),
            "邓雨欣", Sex.Female, new DateOnly(1990, 4, 12), new DateOnly(2014, 7, 1), MemberStatus.Full, "19951230017"), ct);
        added++;
        if (await MemberAsync(10) is { } certificate)
        {
            await transfers.StartAsync(editor, new TransferStart(TransferKind.Certificate, certificate, null, "深圳市南山区某科技公司（外派）", null, null,
                null, 4, "外派工作四个月"), ct);
            added++;
        }
        log.LogInformation("Demo transfers: {Count} in every state", added);
        return added;
    }
}
