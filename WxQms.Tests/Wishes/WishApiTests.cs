using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using WxQms.Domain.Services.Reminders;
using WxQms.Domain.Services.Wishes;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Wishes;

/// <summary>
/// Micro-wishes through the mini-program API on the real pipeline: the whole flow (a resident posts with a
/// photo, the community committee approves once the image check passed, a member claims and fulfils with a
/// photo, the resident confirms, the wish is lit and the member's points include it), every refusal path,
/// the content-check outcomes as the sandbox decides them (msg_sec_check keywords, scripted image verdicts),
/// the notices in the outbox and their delivery, and the auto-confirmation after seven days.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class WishApiTests(WxQmsApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly WishWorld w = new(app);

    public async ValueTask InitializeAsync() => await w.InitializeAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task A_resident_wish_goes_from_post_to_lit_and_the_member_gets_the_points()
    {
        var resident = await w.ResidentAsync("刘桂兰");
        var committee = await w.HolderAsync("secretary", "DFL-C01");
        var member = await w.PlainMemberAsync(0);
        var photo = await w.UploadAsync(resident, WishWorld.Png(1));

        var posted = await w.PostWishAsync(resident, photos: [photo], name: "刘阿姨");

        Assert.Equal("reviewing", posted.Status());
        Assert.Equal("待审核", posted.GetProperty("statusLabel").GetString());
        Assert.Equal("刘**", posted.GetProperty("wisherName").GetString());
        Assert.True(posted.GetProperty("mine").GetBoolean());
        Assert.DoesNotContain("1700371", posted.GetRawText()); // no phone number anywhere
        var id = posted.Id();
        // The committee is told that a wish waits for review, in the same transaction as the post.
        Assert.Contains(committee.MemberId!.Value, await TestDb.QueryAsync<long>(
            "SELECT member_id FROM reminders WHERE subject_type = 'wish' AND subject_id = @id AND kind = 'wish_review'", new { id }));

        // The photo's check has not come back yet: approving waits for it.
        var early = await w.ExpectAsync(HttpStatusCode.Conflict, $"/api/mp/wishes/{id}/approve", committee, new { version = posted.Version() });
        Assert.Equal("wish.photo_checking", early.Code());
        Assert.Equal(1, await w.DeliverPushesAsync()); // wxa_media_check: pass
        var seen = await w.GetAsync($"/api/mp/wishes/{id}", committee);
        Assert.Equal("pass", seen.GetProperty("photos")[0].GetProperty("check").GetString());
        Assert.Equal("pass", seen.GetProperty("textCheck").GetString());

        var published = await w.ExpectAsync(HttpStatusCode.OK, $"/api/mp/wishes/{id}/approve", committee, new { version = seen.Version() });
        Assert.Equal("published", published.Status());
        var wall = await w.GetAsync($"/api/mp/wishes?status=published&community={w.Community}", member);
        Assert.Contains(wall.EnumerateArray(), x => x.Id() == id);

        var claimed = await w.ExpectAsync(HttpStatusCode.OK, $"/api/mp/wishes/{id}/claim", member, new { version = published.Version() });
        Assert.Equal("claimed", claimed.Status());
        Assert.True(claimed.GetProperty("claimedByMe").GetBoolean());
        Assert.Equal(member.Name, claimed.GetProperty("claimerName").GetString());

        var proof = await w.UploadAsync(member, WishWorld.Png(2));
        var fulfilled = await w.ExpectAsync(HttpStatusCode.OK, $"/api/mp/wishes/{id}/fulfil", member,
            new { note = "已更换新灯泡，楼道亮了", photoTokens = new[] { proof }, version = claimed.Version() });
        Assert.Equal("fulfilled", fulfilled.Status());
        Assert.Equal(app.Clock.GetUtcNow().AddDays(7), fulfilled.GetProperty("autoConfirmAt").GetDateTimeOffset());

        var lit = await w.ExpectAsync(HttpStatusCode.OK, $"/api/mp/wishes/{id}/confirm", resident, new { version = fulfilled.Version() });
        Assert.Equal("lit", lit.Status());
        Assert.Equal("已点亮", lit.GetProperty("statusLabel").GetString());
        Assert.Equal(2m, lit.GetProperty("points").GetDecimal());

        // The ledger has the member's entry, once, and the member's points for the month include it.
        Assert.Equal(2m, await TestDb.QuerySingleAsync<decimal>("""
            SELECT SUM(points) FROM points_ledger WHERE source = 'wish.lit' AND subject_type = 'member' AND subject_id = @m AND ref_id = @id
            """, new { m = member.MemberId, id }));
        var stars = await w.GetAsync("/api/mp/me/stars", member);
        Assert.True(stars.GetProperty("points").GetDecimal() >= 2m, stars.GetRawText());
        // Every transition left its audit entry.
        Assert.Equal(["wish.posted", "wish.approved", "wish.claimed", "wish.fulfilled", "wish.lit"], (await TestDb.QueryAsync<string>(
            "SELECT action FROM audit_log WHERE entity_type = 'wish' AND entity_id = @id ORDER BY id", new { id })).ToArray());
        // Notices: the resident on approval, claim and fulfilment (as a WeChat user), the member on lighting.
        var notices = (await TestDb.QueryAsync<(string Kind, long? MemberId, long? WechatUserId)>(
            "SELECT kind, member_id, wechat_user_id FROM reminders WHERE subject_type = 'wish' AND subject_id = @id AND kind <> 'wish_review' ORDER BY id",
            new { id })).ToList();
        Assert.Equal([("wish_published", null, resident.WechatUserId), ("wish_claimed", null, resident.WechatUserId),
            ("wish_fulfilled", null, resident.WechatUserId), ("wish_lit", member.MemberId, null)], notices);
    }

    [Fact]
    public async Task Notices_reach_the_resident_by_subscribe_message_and_show_in_the_reminder_list()
    {
        var resident = await w.ResidentAsync("陈建华");
        var committee = await w.HolderAsync("secretary", "DFL-C01");
        var member = await w.PlainMemberAsync(1);
        var templates = app.Get<IOptions<ReminderOptions>>().Value.Templates;
        Assert.Equal(WxQms.Sandbox.SandboxTemplates.MpWishUpdated, templates[WishNotices.TemplateKey].Mp);
        await w.Wx.PostRawAsync("/sandbox/wechat/mp/subscriptions", new { openid = resident.MpOpenId, templateIds = new[] { templates["wishUpdated"].Mp } });
        var consent = await w.ExpectNoContentAsync("/api/mp/subscriptions", resident,
            new { results = new[] { new { key = "wishUpdated", templateId = templates["wishUpdated"].Mp, result = "accept" } } });
        Assert.Equal(HttpStatusCode.NoContent, consent);

        var wish = await w.PublishedWishAsync(resident, committee, "陪老人去医院复诊");
        await w.ExpectAsync(HttpStatusCode.OK, $"/api/mp/wishes/{wish.Id()}/claim", member, new { version = wish.Version() });
        await app.Get<ReminderSender>().SendBatchAsync(app.Clock.GetUtcNow().AddDays(1), Ct);

        var rows = (await TestDb.QueryAsync<(string Kind, string Status, string? Channel)>(
            "SELECT kind, status, channel FROM reminders WHERE subject_type = 'wish' AND wechat_user_id = @u ORDER BY id",
            new { u = resident.WechatUserId })).ToList();
        // One consent, one message: the approval used it; the claim has no channel left (no follow, no consent).
        Assert.Equal(("wish_published", "sent", "mp"), rows[0]);
        Assert.Equal(("wish_claimed", "unreachable", null), rows[1]);
        var inbox = await w.Wx.Sandbox.InboxAsync(resident.MpOpenId, Ct);
        Assert.Contains(inbox, m => m.Fields is { } f && f.Any(x => x.Value == "陪老人去医院复诊") && f.Any(x => x.Value == "审核通过"));

        var list = await w.GetAsync($"/api/mp/reminders?orgId={w.Community}", committee);
        Assert.Contains(list.GetProperty("items").EnumerateArray(), r => r.GetProperty("kindLabel").GetString() == "心愿被认领");
    }

    [Fact]
    public async Task Text_checks_refuse_risky_posts_flag_review_ones_and_keep_the_trail()
    {
        var resident = await w.ResidentAsync("杨晓燕");
        var committee = await w.HolderAsync("secretary", "DFL-C01");

        var risky = await w.ExpectAsync(HttpStatusCode.Conflict, "/api/mp/wishes", resident,
            new { title = "求带路", description = "周末一起去赌博吧", communityId = w.Community });
        Assert.Equal("wish.content_risky", risky.Code());
        Assert.Contains("违法犯罪", risky.GetProperty("detail").GetString());
        Assert.Equal(0, await TestDb.ScalarAsync("SELECT COUNT(*) FROM wishes"));
        Assert.Equal(1, await TestDb.ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'wish.post_refused'"));

        var review = await w.PostWishAsync(resident, "需要旧电脑一台", "孩子上网课需要电脑，方便的加微信联系");
        Assert.Equal("reviewing", review.Status());
        Assert.Equal(JsonValueKind.Null, review.GetProperty("textCheck").ValueKind); // the wisher does not see the verdict
        var staffView = await w.GetAsync($"/api/mp/wishes/{review.Id()}", committee);
        Assert.Equal("review", staffView.GetProperty("textCheck").GetString());
        var queue = await w.GetAsync("/api/mp/wishes?status=reviewing", committee);
        Assert.Contains(queue.EnumerateArray(), x => x.Id() == review.Id());
    }

    [Fact]
    public async Task A_risky_photo_refuses_the_wish_by_itself_and_a_risky_proof_photo_stays_hidden()
    {
        var resident = await w.ResidentAsync("赵志强");
        var committee = await w.HolderAsync("secretary", "DFL-C01");
        var member = await w.PlainMemberAsync(2);
        var bad = WishWorld.Png(3);
        await w.Wx.PostRawAsync("/sandbox/wechat/mp/image-verdicts", new { match = Sha(bad), suggest = "risky" });

        var posted = await w.PostWishAsync(resident, photos: [await w.UploadAsync(resident, bad)]);
        await w.DeliverPushesAsync();

        var refused = await w.GetAsync($"/api/mp/wishes/{posted.Id()}", resident);
        Assert.Equal("refused", refused.Status());
        Assert.Contains("图片未通过内容安全检测", refused.GetProperty("refuseReason").GetString());
        Assert.Equal("system:media_check", await TestDb.QuerySingleAsync<string>(
            "SELECT actor FROM audit_log WHERE entity_type = 'wish' AND entity_id = @id AND action = 'wish.refused'", new { id = posted.Id() }));
        Assert.Equal(1, await TestDb.ScalarAsync(
            "SELECT COUNT(*) FROM reminders WHERE subject_id = @id AND kind = 'wish_refused' AND wechat_user_id = @u",
            new { id = posted.Id(), u = resident.WechatUserId }));
        // A refused wish is the wisher's and staff's business only.
        using (var hidden = await w.SendAsync(HttpMethod.Get, $"/api/mp/wishes/{posted.Id()}", member))
            Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);

        var wish = await w.PublishedWishAsync(resident, committee);
        var claimed = await w.ExpectAsync(HttpStatusCode.OK, $"/api/mp/wishes/{wish.Id()}/claim", member, new { version = wish.Version() });
        var badProof = WishWorld.Png(4);
        await w.Wx.PostRawAsync("/sandbox/wechat/mp/image-verdicts", new { match = Sha(badProof), suggest = "risky" });
        var good = await w.UploadAsync(member, WishWorld.Png(5));
        var fulfilled = await w.ExpectAsync(HttpStatusCode.OK, $"/api/mp/wishes/{wish.Id()}/fulfil", member,
            new { note = "已完成", photoTokens = new[] { good, await w.UploadAsync(member, badProof) }, version = claimed.Version() });
        await w.DeliverPushesAsync();

        var outsider = await w.PlainMemberAsync(3);
        var publicView = await w.GetAsync($"/api/mp/wishes/{wish.Id()}", outsider);
        Assert.Single(publicView.GetProperty("photos").EnumerateArray());
        var claimerView = await w.GetAsync($"/api/mp/wishes/{wish.Id()}", member);
        Assert.Equal(["pass", "risky"], claimerView.GetProperty("photos").EnumerateArray().Select(p => p.GetProperty("check").GetString()!).ToArray());
        Assert.Equal("fulfilled", fulfilled.Status());
    }

    [Fact]
    public async Task Posting_is_refused_for_bad_input_and_beyond_the_daily_limit()
    {
        var resident = await w.ResidentAsync("黄秀英");
        var cases = new (object Body, string Code)[]
        {
            (new { title = "", description = "说明", communityId = w.Community }, "wish.invalid"),
            (new { title = new string('愿', 31), description = "说明", communityId = w.Community }, "wish.invalid"),
            (new { title = "标题", description = new string('字', 301), communityId = w.Community }, "wish.invalid"),
            (new { title = "标题", description = "说明", communityId = await TestDb.ScalarAsync("SELECT id FROM orgs WHERE code = 'DFL-C01-B01'") }, "wish.invalid"),
            (new { title = "标题", description = "说明", communityId = w.Community, photoTokens = new[] { "0123456789abcdef0123456789abcdef" } }, "upload.unknown"),
        };
        foreach (var (body, code) in cases)
            Assert.Equal(code, (await w.ExpectAsync(HttpStatusCode.Conflict, "/api/mp/wishes", resident, body)).Code());

        var limit = app.Get<IOptions<WishOptions>>().Value.MaxPostsPerDay;
        for (var i = 0; i < limit; i++)
            await w.PostWishAsync(resident, $"心愿{i}");
        var refused = await w.ExpectAsync(HttpStatusCode.TooManyRequests, "/api/mp/wishes", resident,
            new { title = "再来一个", description = "说明", communityId = w.Community });
        Assert.Equal("wish.limit_posts", refused.Code());

        // The next day (Shanghai) the count starts again.
        await w.Wx.AdvanceAsync(TimeSpan.FromDays(1));
        await w.PostWishAsync(await w.ResidentAsync("黄秀英"), "第二天的心愿"); // signed in again: tokens last two hours
    }

    [Fact]
    public async Task A_post_refused_for_risky_text_counts_toward_the_daily_limit()
    {
        var resident = await w.ResidentAsync("梁建军");
        var limit = app.Get<IOptions<WishOptions>>().Value.MaxPostsPerDay;

        // Trying risky words again and again costs as many posts: otherwise the content check is a free oracle.
        for (var i = 0; i < limit; i++)
            Assert.Equal("wish.content_risky", (await w.ExpectAsync(HttpStatusCode.Conflict, "/api/mp/wishes", resident,
                new { title = $"试探{i}", description = "周末一起去赌博吧", communityId = w.Community })).Code());
        var refused = await w.ExpectAsync(HttpStatusCode.TooManyRequests, "/api/mp/wishes", resident,
            new { title = "正常心愿", description = "帮忙修一下自行车", communityId = w.Community });

        Assert.Equal("wish.limit_posts", refused.Code());
        Assert.Equal(0, await TestDb.ScalarAsync("SELECT COUNT(*) FROM wishes"));
    }

    [Fact]
    public async Task Each_transition_refuses_the_wrong_person_the_wrong_status_a_stale_version_and_a_missing_reason()
    {
        var resident = await w.ResidentAsync("周文博");
        var otherResident = await w.ResidentAsync("吴丽娟");
        var committee = await w.HolderAsync("secretary", "DFL-C01");
        var otherCommittee = await w.HolderAsync("secretary", "DFL-C02");
        var staff = await w.HolderAsync("staff", "DFL");
        var member = await w.PlainMemberAsync(4);
        var second = await w.PlainMemberAsync(5);

        var posted = await w.PostWishAsync(resident);
        var id = posted.Id();
        var v = posted.Version();
        // Under review: only the wisher and the community's (or the office's) staff see it; only staff decide.
        using (var hidden = await w.SendAsync(HttpMethod.Get, $"/api/mp/wishes/{id}", otherResident))
            Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Equal("not_found", (await w.ExpectAsync(HttpStatusCode.NotFound, $"/api/mp/wishes/{id}/approve", otherCommittee, new { version = v })).Code());
        Assert.Equal("not_found", (await w.ExpectAsync(HttpStatusCode.NotFound, $"/api/mp/wishes/{id}/approve", member, new { version = v })).Code());
        Assert.Equal("auth.forbidden", (await w.ExpectAsync(HttpStatusCode.Forbidden, $"/api/mp/wishes/{id}/approve", resident, new { version = v })).Code());
        Assert.Equal("wish.wrong_status", (await w.ExpectAsync(HttpStatusCode.Conflict, $"/api/mp/wishes/{id}/claim", staff, new { version = v })).Code());
        Assert.Equal("wish.reason_required", (await w.ExpectAsync(HttpStatusCode.Conflict, $"/api/mp/wishes/{id}/refuse", staff, new { version = v, reason = " " })).Code());
        Assert.Equal("wish.stale", (await w.ExpectAsync(HttpStatusCode.Conflict, $"/api/mp/wishes/{id}/approve", staff, new { version = v + 1 })).Code());

        var published = await w.ExpectAsync(HttpStatusCode.OK, $"/api/mp/wishes/{id}/approve", staff, new { version = v });
        v = published.Version();
        Assert.Equal("wish.member_only", (await w.ExpectAsync(HttpStatusCode.Forbidden, $"/api/mp/wishes/{id}/claim", otherResident, new { version = v })).Code());
        Assert.Equal("wish.stale", (await w.ExpectAsync(HttpStatusCode.Conflict, $"/api/mp/wishes/{id}/claim", member, new { version = v - 1 })).Code());
        Assert.Equal("wish.wrong_status", (await w.ExpectAsync(HttpStatusCode.Conflict, $"/api/mp/wishes/{id}/confirm", resident, new { version = v })).Code());

        var claimed = await w.ExpectAsync(HttpStatusCode.OK, $"/api/mp/wishes/{id}/claim", member, new { version = v });
        v = claimed.Version();
        Assert.Equal("wish.wrong_status", (await w.ExpectAsync(HttpStatusCode.Conflict, $"/api/mp/wishes/{id}/claim", second, new { version = v })).Code());
        Assert.Equal("auth.forbidden", (await w.ExpectAsync(HttpStatusCode.Forbidden, $"/api/mp/wishes/{id}/release", second, new { version = v, reason = "没空" })).Code());
        Assert.Equal("wish.reason_required", (await w.ExpectAsync(HttpStatusCode.Conflict, $"/api/mp/wishes/{id}/release", member, new { version = v })).Code());
        Assert.Equal("auth.forbidden", (await w.ExpectAsync(HttpStatusCode.Forbidden, $"/api/mp/wishes/{id}/fulfil", second,
            new { note = "", photoTokens = new[] { await w.UploadAsync(second, WishWorld.Png(6)) }, version = v })).Code());
        Assert.Equal("wish.photos_required", (await w.ExpectAsync(HttpStatusCode.Conflict, $"/api/mp/wishes/{id}/fulfil", member,
            new { note = "做完了", photoTokens = Array.Empty<string>(), version = v })).Code());

        // Released with a reason: published again, and another member may take it.
        var released = await w.ExpectAsync(HttpStatusCode.OK, $"/api/mp/wishes/{id}/release", member, new { version = v, reason = "临时出差，无法完成" });
        Assert.Equal("published", released.Status());
        Assert.Equal(JsonValueKind.Null, released.GetProperty("claimerName").ValueKind);
        var again = await w.ExpectAsync(HttpStatusCode.OK, $"/api/mp/wishes/{id}/claim", second, new { version = released.Version() });

        // Only the wisher (or staff) cancels, with a reason; the claimer is told.
        Assert.Equal("auth.forbidden", (await w.ExpectAsync(HttpStatusCode.Forbidden, $"/api/mp/wishes/{id}/cancel", second, new { version = again.Version(), reason = "不要了" })).Code());
        Assert.Equal("wish.reason_required", (await w.ExpectAsync(HttpStatusCode.Conflict, $"/api/mp/wishes/{id}/cancel", resident, new { version = again.Version() })).Code());
        var cancelled = await w.ExpectAsync(HttpStatusCode.OK, $"/api/mp/wishes/{id}/cancel", resident, new { version = again.Version(), reason = "家人已帮忙解决" });
        Assert.Equal("cancelled", cancelled.Status());
        Assert.Equal(1, await TestDb.ScalarAsync("SELECT COUNT(*) FROM reminders WHERE subject_id = @id AND kind = 'wish_cancelled' AND member_id = @m",
            new { id, m = second.MemberId }));
        Assert.Equal("wish.wrong_status", (await w.ExpectAsync(HttpStatusCode.Conflict, $"/api/mp/wishes/{id}/cancel", resident, new { version = cancelled.Version(), reason = "再撤" })).Code());

        Assert.Equal(["wish.posted", "wish.approved", "wish.claimed", "wish.released", "wish.claimed", "wish.cancelled"],
            (await TestDb.QueryAsync<string>("SELECT action FROM audit_log WHERE entity_type = 'wish' AND entity_id = @id ORDER BY id", new { id })).ToArray());
    }

    [Fact]
    public async Task A_member_cannot_claim_their_own_wish_nor_hold_more_open_claims_than_allowed()
    {
        var committee = await w.HolderAsync("secretary", "DFL-C01");
        var member = await w.PlainMemberAsync(6);
        var resident = await w.ResidentAsync("徐海涛");

        var own = await w.PublishedWishAsync(member, committee, "给小区健身器材刷漆");
        Assert.Equal("wish.own", (await w.ExpectAsync(HttpStatusCode.Conflict, $"/api/mp/wishes/{own.Id()}/claim", member, new { version = own.Version() })).Code());

        var limit = app.Get<IOptions<WishOptions>>().Value.MaxOpenClaims;
        for (var i = 0; i <= limit; i++)
        {
            await w.ExpectAsync(HttpStatusCode.Created, "/api/mp/wishes", committee, new { title = $"心愿{i}", description = "说明", communityId = w.Community });
        }
        var wishes = (await w.GetAsync("/api/mp/wishes?status=reviewing", committee)).EnumerateArray().ToList();
        var published = new List<JsonElement>();
        foreach (var x in wishes.Take(limit + 1))
            published.Add(await w.ExpectAsync(HttpStatusCode.OK, $"/api/mp/wishes/{x.Id()}/approve", committee, new { version = x.Version() }));
        for (var i = 0; i < limit; i++)
            await w.ExpectAsync(HttpStatusCode.OK, $"/api/mp/wishes/{published[i].Id()}/claim", member, new { version = published[i].Version() });
        var over = await w.ExpectAsync(HttpStatusCode.TooManyRequests, $"/api/mp/wishes/{published[limit].Id()}/claim", member,
            new { version = published[limit].Version() });
        Assert.Equal("wish.limit_claims", over.Code());
        _ = resident;
    }

    [Fact]
    public async Task Two_members_claiming_at_once_get_one_claim_between_them()
    {
        var resident = await w.ResidentAsync("孙玉梅");
        var committee = await w.HolderAsync("secretary", "DFL-C01");
        var a = await w.PlainMemberAsync(7);
        var b = await w.PlainMemberAsync(8);
        var wish = await w.PublishedWishAsync(resident, committee);

        var answers = await Task.WhenAll(
            w.PostAsync($"/api/mp/wishes/{wish.Id()}/claim", a, new { version = wish.Version() }),
            w.PostAsync($"/api/mp/wishes/{wish.Id()}/claim", b, new { version = wish.Version() }));

        Assert.Equal(1, answers.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(1, answers.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(1, await TestDb.ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'wish.claimed' AND entity_id = @id", new { id = wish.Id() }));
    }

    [Fact]
    public async Task A_fulfilled_wish_the_wisher_leaves_alone_lights_itself_after_seven_days_once()
    {
        var resident = await w.ResidentAsync("胡振宇");
        var committee = await w.HolderAsync("secretary", "DFL-C01");
        var member = await w.PlainMemberAsync(9);
        var wish = await w.PublishedWishAsync(resident, committee);
        var claimed = await w.ExpectAsync(HttpStatusCode.OK, $"/api/mp/wishes/{wish.Id()}/claim", member, new { version = wish.Version() });
        await w.ExpectAsync(HttpStatusCode.OK, $"/api/mp/wishes/{wish.Id()}/fulfil", member,
            new { note = "", photoTokens = new[] { await w.UploadAsync(member, WishWorld.Png(7)) }, version = claimed.Version() });
        var job = app.Get<WishAutoConfirmation>();

        await job.ConfirmDueAsync(app.Clock.GetUtcNow().AddDays(7).AddMinutes(-1), Ct);
        Assert.Equal("fulfilled", (await w.GetAsync($"/api/mp/wishes/{wish.Id()}", resident)).Status());

        await w.Wx.AdvanceAsync(TimeSpan.FromDays(7));
        await Task.WhenAll(job.ConfirmDueAsync(app.Clock.GetUtcNow(), Ct), job.ConfirmDueAsync(app.Clock.GetUtcNow(), Ct));
        resident = await w.ResidentAsync("胡振宇"); // signed in again: tokens last two hours

        var lit = await w.GetAsync($"/api/mp/wishes/{wish.Id()}", resident);
        Assert.Equal("lit", lit.Status());
        Assert.Equal("auto", await TestDb.QuerySingleAsync<string>("SELECT lit_by FROM wishes WHERE id = @id", new { id = wish.Id() }));
        Assert.Equal(1, await TestDb.ScalarAsync("SELECT COUNT(*) FROM points_ledger WHERE source = 'wish.lit' AND ref_id = @id", new { id = wish.Id() }));
        Assert.Equal("system:auto_confirm", await TestDb.QuerySingleAsync<string>(
            "SELECT actor FROM audit_log WHERE entity_id = @id AND action = 'wish.lit'", new { id = wish.Id() }));
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    [Fact]
    public async Task A_photo_link_opens_the_photo_for_a_day_or_two_and_a_forged_or_stale_one_does_not()
    {
        var resident = await w.ResidentAsync("马德胜");
        var png = WishWorld.Png(7);
        var posted = await w.PostWishAsync(resident, "修理单元门禁", photos: [await w.UploadAsync(resident, png)]);
        var committee = await w.HolderAsync("secretary", "DFL-C01");
        var link = (await w.GetAsync($"/api/mp/wishes/{posted.Id()}", committee)).GetProperty("photos")[0].GetProperty("url").GetString()!;
        using var anonymous = app.CreateClient(); // a photo link needs no sign-in: it is the permission

        using var opened = await anonymous.GetAsync(link, Ct);
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        Assert.Equal(png, await opened.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal("nosniff", opened.Headers.GetValues("X-Content-Type-Options").Single());

        var expires = long.Parse(System.Web.HttpUtility.ParseQueryString(new Uri(new Uri("http://x"), link).Query)["e"]!, CultureInfo.InvariantCulture);
        var later = link.Replace($"e={expires}", $"e={expires + 86_400}"); // a longer life than was signed
        var forged = link[..^1] + (link[^1] == 'A' ? 'B' : 'A');
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(later, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(forged, Ct)).StatusCode);
        var lifetime = DateTimeOffset.FromUnixTimeSeconds(expires) - app.Clock.GetUtcNow();
        Assert.InRange(lifetime, TimeSpan.FromDays(1), TimeSpan.FromDays(2));

        await w.Wx.AdvanceAsync(lifetime + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(link, Ct)).StatusCode);
        committee = await w.HolderAsync("secretary", "DFL-C01"); // signed in again: tokens last two hours
        var fresh = (await w.GetAsync($"/api/mp/wishes/{posted.Id()}", committee)).GetProperty("photos")[0].GetProperty("url").GetString()!;
        Assert.NotEqual(link, fresh);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(fresh, Ct)).StatusCode);
    }
}
