using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MySqlConnector;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Model.Wishes;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat;

namespace WxQms.Sandbox.Demo;

/// <summary>
/// Demo only (<c>WxQms.Jobs simulate</c>): residents' micro-wishes (微心愿) through the year, one or more in every state —
/// waiting for review, published, claimed by a member, fulfilled and waiting for the wisher, lit (with the claimer's
/// points), refused and cancelled — posted to the first communities, each dated in its month. Keyed by title and
/// community, so running it again adds nothing.
/// </summary>
public sealed class DemoWishes(MySqlDataSource db, IOptions<WechatOptions> wechat, DemoPhotos photos, TimeProvider clock,
    ILogger<DemoWishes> log)
{
    private sealed record DemoWish(string Title, string Description, WishStatus Status, int MonthsAgo);

    private static readonly DemoWish[] Wishes =
    [
        new("帮忙修理漏水的水龙头", "家里厨房水龙头漏水好几天了，老伴腿脚不便，希望有党员帮忙看看。", WishStatus.Lit, 10),
        new("陪独居老人去医院复查", "下周二上午要去市医院复查，子女在外地，希望有人陪同。", WishStatus.Lit, 8),
        new("给孩子辅导数学作业", "孩子上初二，数学跟不上，周末希望有人辅导一两个小时。", WishStatus.Lit, 6),
        new("楼道灯坏了请帮忙换", "三单元四楼楼道灯坏了一个月，晚上上下楼很不方便。", WishStatus.Lit, 4),
        new("教老人使用智能手机", "想学会用手机视频通话和挂号，希望有人耐心教一教。", WishStatus.Fulfilled, 2),
        new("帮忙搬运旧家具", "家里有一个旧衣柜要搬到楼下回收点，自己搬不动。", WishStatus.Fulfilled, 1),
        new("代买常用药品", "行动不便，希望每月有人帮忙到药店代买降压药。", WishStatus.Claimed, 1),
        new("修补阳台防盗网", "阳台防盗网有一处松动，担心有安全隐患。", WishStatus.Claimed, 0),
        new("希望有人读报聊天", "视力不好看不了报纸，希望每周有人来读读报、聊聊天。", WishStatus.Published, 1),
        new("帮助整理小院菜地", "小院里的菜地荒了，想种点青菜，希望有人帮忙翻翻土。", WishStatus.Published, 0),
        new("辅导孩子练习书法", "孩子喜欢写毛笔字，希望有懂书法的党员指点一下。", WishStatus.Published, 0),
        new("帮忙清理下水道", "卫生间下水道堵了，物业一直没来，希望有人帮忙疏通。", WishStatus.Reviewing, 0),
        new("想要一辆儿童自行车", "孩子想学骑车，家里条件有限，希望有人捐一辆旧儿童自行车。", WishStatus.Reviewing, 0),
        new("帮忙办理低保手续", "不太清楚低保怎么申请，希望有人指导准备材料。", WishStatus.Refused, 3),
        new("周末陪同去公园", "想周末去公园走走，后来家人回来了，不需要了。", WishStatus.Cancelled, 2),
    ];

    public async Task<int> PostAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var stored = await photos.StoreAsync(ct);
        await using var conn = await db.OpenConnectionAsync(ct);
        var communities = (await conn.QueryAsync<long>(new CommandDefinition(
            "SELECT id FROM orgs WHERE depth = 1 AND code LIKE 'DFL-C%' ORDER BY code LIMIT 3", cancellationToken: ct))).ToList();
        if (communities.Count == 0)
            return 0;
        var added = 0;
        for (var i = 0; i < Wishes.Length; i++)
        {
            var w = Wishes[i];
            var community = communities[i % communities.Count];
            var resident = SandboxUsers.Residents[i % SandboxUsers.Residents.Count];
            await using var tx = await conn.BeginTransactionAsync(ct);
            if (await conn.ExecuteScalarAsync<long?>(new CommandDefinition(
                    "SELECT id FROM wishes WHERE community_id = @community AND title = @Title", new { community, w.Title }, tx,
                    cancellationToken: ct)) is not null)
            {
                await tx.RollbackAsync(ct);
                continue;
            }
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO wechat_users (app_id, openid, unionid, member_id, subscribed, created_at, updated_at)
                VALUES (@app, @openid, @unionid, NULL, FALSE, @now, @now)
                ON DUPLICATE KEY UPDATE id = id
                """, new { app = wechat.Value.Mp.AppId, openid = resident.MpOpenId, unionid = resident.UnionId, now = now.UtcDateTime }, tx,
                cancellationToken: ct));
            var userId = await conn.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT id FROM wechat_users WHERE app_id = @app AND openid = @openid",
                new { app = wechat.Value.Mp.AppId, openid = resident.MpOpenId }, tx, cancellationToken: ct));
            var claimer = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
                SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id
                WHERE o.path LIKE CONCAT((SELECT path FROM orgs WHERE id = @community), '%') AND m.status = 'full'
                ORDER BY m.id LIMIT 1 OFFSET @skip
                """, new { community, skip = i }, tx, cancellationToken: ct));

            var posted = now.AddMonths(-w.MonthsAgo).AddDays(-3 - i % 5);
            if (posted > now)
                posted = now.AddHours(-6);
            var reviewed = posted.AddHours(20);
            var claimed = reviewed.AddDays(1);
            var fulfilled = claimed.AddDays(2);
            var lit = fulfilled.AddDays(1);
            var past = w.Status is not (WishStatus.Reviewing or WishStatus.Cancelled);
            var hasClaimer = w.Status is WishStatus.Claimed or WishStatus.Fulfilled or WishStatus.Lit;
            var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
                INSERT INTO wishes (community_id, title, description, wisher_user_id, wisher_name, status, text_check, reviewed_by,
                                    reviewed_at, refuse_reason, claimer_member_id, claimed_at, fulfilled_at, fulfil_note, lit_at, lit_by,
                                    points, cancel_reason, posted_at, updated_at)
                VALUES (@community, @Title, @Description, @userId, @name, @status, 'pass', @reviewer, @reviewedAt, @refuse, @claimer,
                        @claimedAt, @fulfilledAt, @note, @litAt, @litBy, @points, @cancel, @posted, @updated);
                SELECT LAST_INSERT_ID();
                """, new
            {
                community, w.Title, w.Description, userId, name = resident.Name, status = DbNames.Of(w.Status),
                reviewer = past ? DemoSimulation.Actor : null, reviewedAt = past ? reviewed.UtcDateTime : (DateTime?)null,
                refuse = w.Status == WishStatus.Refused ? "属于政策咨询，请联系社区民政专干办理" : null,
                claimer = hasClaimer ? claimer : (long?)null, claimedAt = hasClaimer ? claimed.UtcDateTime : (DateTime?)null,
                fulfilledAt = w.Status is WishStatus.Fulfilled or WishStatus.Lit ? fulfilled.UtcDateTime : (DateTime?)null,
                note = w.Status is WishStatus.Fulfilled or WishStatus.Lit ? "已上门完成，居民很满意" : null,
                litAt = w.Status == WishStatus.Lit ? lit.UtcDateTime : (DateTime?)null, litBy = w.Status == WishStatus.Lit ? "wisher" : null,
                points = w.Status == WishStatus.Lit ? 2m : (decimal?)null,
                cancel = w.Status == WishStatus.Cancelled ? "家人回来了，不需要了" : null,
                posted = posted.UtcDateTime, updated = posted.UtcDateTime,
            }, tx, cancellationToken: ct));
            var photo = stored[i % stored.Count];
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO wish_photos (wish_id, stage, sort_order, sha256, size_bytes, content_type, storage_path, created_at)
                VALUES (@id, 'wish', 0, @Sha256, @Size, @ContentType, @RelativePath, @posted)
                """, new { id, photo.Sha256, photo.Size, photo.ContentType, photo.RelativePath, posted = posted.UtcDateTime }, tx,
                cancellationToken: ct));
            if (w.Status == WishStatus.Lit)
                await LedgerStore.BookOnceAsync(conn, tx, [new LedgerEntry(LedgerSubjects.Member, claimer,
                    Periods.Containing(Recurrence.Monthly, lit).Key, 2m, LedgerSources.WishLit, $"点亮微心愿“{w.Title}”", lit, RefId: id)], ct);
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(posted, DemoSimulation.Actor, "wish.posted", "wish", id, community,
                Data: new { simulated = true, Status = DbNames.Of(w.Status) }), ct);
            await tx.CommitAsync(ct);
            added++;
        }
        log.LogInformation("Demo wishes: {Added} posted", added);
        return added;
    }
}
