using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;
using WxQms.Sandbox.Demo;
using WxQms.Tests.Browser;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Wishes;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Showcase;

/// <summary>
/// 最in社区 (issue #20 item 3): a community's public page shows what a notice board shows — introduction, secretary, branches
/// and members, the year's results, stars, wishes lit, photos of its best-judged meeting, the 3D tour — and never a phone;
/// the index puts the last closed month's 最in社区 first; office staff keep the introduction and the panoramas in the
/// console, where a photo that is not 2:1 or too large is refused inline, every change is audited, and others are refused.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed partial class ShowcaseTests(SeededOwnClock seeded) : IClassFixture<SeededOwnClock>
{
    private readonly WxQmsApp app = seeded.App;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly WishWorld w = new(seeded.App);

    private readonly HttpClient client = seeded.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    private async Task<(HttpStatusCode Status, string Html, HttpResponseMessage Response)> SendAsync(HttpMethod method, string url,
        WishWorld.Person? who = null, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        if (who is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", who.Token);
        var response = await client.SendAsync(request, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct), response);
    }

    private static long Community(string code) => ScalarAsync("SELECT id FROM orgs WHERE code = @code", new { code }).GetAwaiter().GetResult();

    [Fact]
    public async Task A_community_page_shows_its_introduction_people_results_stars_wishes_meetings_and_tour_but_no_phone()
    {
        await app.Get<DemoShowcase>().PostAsync(Ct);
        var c01 = Community("DFL-C01");
        var (month, featured) = await ArrangeHistoryAsync(c01);

        var (status, html, _) = await SendAsync(HttpMethod.Get, $"/h5/communities/{c01}");
        Assert.Equal(HttpStatusCode.OK, status);
        var name = await QuerySingleAsync<string>("SELECT name FROM orgs WHERE id = @c01", new { c01 });
        Assert.Contains($"<h1>{name}</h1>", html);
        Assert.Contains("坚持党建引领基层治理", html); // the demo's introduction
        var secretary = await QuerySingleAsync<string>("""
            SELECT m.name FROM member_roles r JOIN members m ON m.id = r.member_id WHERE r.org_id = @c01 AND r.role = 'secretary' LIMIT 1
            """, new { c01 });
        Assert.Contains("党委书记：" + secretary, html);
        var branches = (await QueryAsync<(string Name, long Members)>("""
            SELECT b.name, (SELECT COUNT(*) FROM members m JOIN orgs o ON o.id = m.org_id
                            WHERE m.status IN ('full', 'probationary') AND o.path LIKE CONCAT(b.path, '%'))
            FROM orgs b JOIN orgs c ON c.id = @c01 WHERE b.kind = 'branch' AND b.path LIKE CONCAT(c.path, '%')
            """, new { c01 })).ToList();
        Assert.NotEmpty(branches);
        foreach (var b in branches)
            Assert.Contains($"<tr><td>{b.Name}</td><td>{b.Members}</td></tr>", html);
        Assert.Contains($"共 {branches.Count} 个党支部、{branches.Sum(b => b.Members)} 名党员", html);
        Assert.Contains("<td>95.0%</td><td>第 1</td>", html); // the closed month's result and rank
        Assert.Contains("data-stars=\"5\">1 人", html);
        Assert.Contains("data-stars=\"4\">2 人", html);
        Assert.Contains("已点亮 <span class=big>1</span> 个心愿", html);
        Assert.Contains("最近点亮：给楼道装个扶手", html);
        Assert.Contains("专题组织生活会 · 党员评价 4.5 分", html);
        Assert.Contains($"/h5/communities/{c01}/photos/{featured.Sha256}", html);

        // No phone of anyone in the community, and none of the secretaries' either.
        var phones = (await QueryAsync<string>("""
            SELECT m.phone FROM members m JOIN orgs o ON o.id = m.org_id JOIN orgs c ON c.id = @c01
            WHERE m.phone IS NOT NULL AND o.path LIKE CONCAT(c.path, '%')
            """, new { c01 })).ToList();
        Assert.NotEmpty(phones);
        Assert.All(phones, p => Assert.DoesNotContain(p, html));
        Assert.DoesNotMatch(PhoneLike(), html);

        // The tour: Pannellum from our build, every hotspot leads to a scene the tour has, and every image is served, cached.
        Assert.Contains("/vendor/pannellum/pannellum.js", html);
        var tour = JsonDocument.Parse(TourConfig().Match(html).Groups[1].Value).RootElement;
        var scenes = tour.GetProperty("scenes").EnumerateObject().ToDictionary(s => s.Name, s => s.Value);
        Assert.Equal(2, scenes.Count);
        Assert.Contains(tour.GetProperty("default").GetProperty("firstScene").GetString()!, scenes.Keys);
        var hotspots = scenes.Values.SelectMany(s => s.GetProperty("hotSpots").EnumerateArray()).ToList();
        Assert.Equal(2, hotspots.Count);
        Assert.All(hotspots, h => Assert.Contains(h.GetProperty("sceneId").GetString()!, scenes.Keys));
        foreach (var scene in scenes.Values)
        {
            var (imageStatus, _, image) = await SendAsync(HttpMethod.Get, scene.GetProperty("panorama").GetString()!);
            Assert.Equal(HttpStatusCode.OK, imageStatus);
            Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
            Assert.Contains("max-age=31536000", image.Headers.CacheControl?.ToString());
            Assert.NotNull(image.Headers.ETag);
        }
        var (photoStatus, _, photo) = await SendAsync(HttpMethod.Get, $"/h5/communities/{c01}/photos/{featured.Sha256}");
        Assert.Equal(HttpStatusCode.OK, photoStatus);
        Assert.Contains("public", photo.Headers.CacheControl?.ToString());
        // A meeting photo of another community is not served through this one's page.
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"/h5/communities/{Community("DFL-C02")}/photos/{featured.Sha256}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"/h5/communities/{branchOf(c01)}")).Status);

        // The index: every community, the month's 最in社区 first.
        (status, html, _) = await SendAsync(HttpMethod.Get, "/h5/communities");
        Assert.Equal(HttpStatusCode.OK, status);
        var links = CommunityLink().Matches(html).Select(m => long.Parse(m.Groups[1].Value)).ToList();
        Assert.Equal(await ScalarAsync("SELECT COUNT(*) FROM orgs WHERE is_community AND dissolved_on IS NULL"), links.Count);
        Assert.Equal(c01, links[0]);
        Assert.Contains("<span class=badge>最in社区</span>", html);
        Assert.Contains($"{month.Year}年{month.Index}月考核排名第一", html);

        long branchOf(long community) => ScalarAsync("SELECT id FROM orgs WHERE parent_id = @community ORDER BY id LIMIT 1", new { community })
            .GetAwaiter().GetResult();
    }

    [Fact]
    public async Task Staff_edit_the_introduction_and_upload_scenes_refused_inline_when_not_2_to_1_or_too_large_each_change_audited()
    {
        var staff = await w.HolderAsync("staff", "DFL");
        var c05 = Community("DFL-C05");
        var path = $"/admin/communities/{c05}";
        var (status, html, _) = await SendAsync(HttpMethod.Get, "/admin/communities", staff);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("""<a href="/admin/communities" class=on>社区展示</a>""", html);
        Assert.Contains($"href=\"{path}\"", html);

        var audits = await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'showcase.%' AND org_id = @c05", new { c05 });
        (status, _, var response) = await SendAsync(HttpMethod.Post, $"{path}/introduction", staff,
            new FormUrlEncodedContent(new Dictionary<string, string> { ["introduction"] = "优胜南路社区，党员志愿服务遍布各小区。" }));
        Assert.Equal(HttpStatusCode.SeeOther, status);
        Assert.Equal($"{path}?done=introduction", response.Headers.Location?.OriginalString);
        Assert.Contains("党员志愿服务遍布各小区", (await SendAsync(HttpMethod.Get, $"/h5/communities/{c05}")).Html);

        // A 4:3 photo: the form again, with the reason in Chinese, nothing stored.
        (status, html, _) = await SendAsync(HttpMethod.Post, $"{path}/scenes", staff, Scene("大厅", TestPng.Create(800, 600)));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("<em>全景照片应为 2:1 的等距柱状投影（equirectangular）照片，这张是 800×600", html);
        // Larger than Showcase:PanoramaMaxBytes (20 MB by default).
        (status, html, _) = await SendAsync(HttpMethod.Post, $"{path}/scenes", staff, Scene("大厅", TestPng.Padded(1024, 512, 21 * 1024 * 1024)));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("超过20MB", html);
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM panorama_scenes WHERE org_id = @c05", new { c05 }));

        // Two good ones, then a hotspot between them.
        foreach (var (scene, palette) in new[] { ("党群服务中心 大厅", 0), ("活动室", 1) })
        {
            (status, _, response) = await SendAsync(HttpMethod.Post, $"{path}/scenes", staff, Scene(scene, DemoShowcase.Panorama(1024, palette)));
            Assert.Equal(HttpStatusCode.SeeOther, status);
        }
        (status, html, _) = await SendAsync(HttpMethod.Post, $"{path}/scenes", staff, Scene("活动室", DemoShowcase.Panorama(1024, 0)));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("本社区已有名为“活动室”的场景", html);
        var ids = (await QueryAsync<long>("SELECT id FROM panorama_scenes WHERE org_id = @c05 ORDER BY id", new { c05 })).ToList();
        (status, html, _) = await SendAsync(HttpMethod.Post, $"{path}/hotspots", staff, Hotspot(ids[0], ids[1], "0", "200", "去活动室"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("水平角（yaw）应在 -180 到 180 度之间", html);
        (status, _, _) = await SendAsync(HttpMethod.Post, $"{path}/hotspots", staff, Hotspot(ids[0], ids[1], "-3.5", "45", "去活动室"));
        Assert.Equal(HttpStatusCode.SeeOther, status);
        // A scene of another community is no target.
        var c01Scene = await ScalarAsync("SELECT COALESCE(MAX(id), 0) FROM panorama_scenes WHERE org_id <> @c05", new { c05 });
        if (c01Scene > 0)
        {
            (status, html, _) = await SendAsync(HttpMethod.Post, $"{path}/hotspots", staff, Hotspot(ids[0], c01Scene, "0", "0", "别处"));
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains("都应是本社区的场景", html);
        }
        (status, html, _) = await SendAsync(HttpMethod.Get, path, staff);
        Assert.Contains("“去活动室” → 活动室（-3.50°, 45.00°）", html);

        var actions = (await QueryAsync<string>("""
            SELECT action FROM audit_log WHERE action LIKE 'showcase.%' AND org_id = @c05 ORDER BY id
            """, new { c05 })).Skip((int)audits).ToList();
        Assert.Equal(["showcase.introduction_set", "showcase.scene_added", "showcase.scene_added", "showcase.hotspot_added"], actions);

        // Removing a scene takes its hotspots with it, audited.
        (status, _, _) = await SendAsync(HttpMethod.Post, $"{path}/scenes/{ids[1]}/remove", staff);
        Assert.Equal(HttpStatusCode.SeeOther, status);
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM panorama_hotspots WHERE target_scene_id = @id", new { id = ids[1] }));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'showcase.scene_removed' AND entity_id = @id", new { id = ids[1] }));
    }

    [Fact]
    public async Task Only_office_staff_change_the_showcase_the_console_s_other_roles_read_it_and_a_member_is_refused()
    {
        var c03 = Community("DFL-C03");
        var secretary = await w.HolderAsync("secretary", "DFL-C03");
        var member = await w.PlainMemberAsync(2, "DFL-C03");

        Assert.True((await SendAsync(HttpMethod.Get, "/admin/communities")).Response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found
            or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Get, "/admin/communities", member)).Status);
        var (status, html, _) = await SendAsync(HttpMethod.Get, $"/admin/communities/{c03}", secretary);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain("保存简介", html); // reads, no forms
        (status, _, _) = await SendAsync(HttpMethod.Post, $"/admin/communities/{c03}/introduction", secretary,
            new FormUrlEncodedContent(new Dictionary<string, string> { ["introduction"] = "改了" }));
        Assert.Equal(HttpStatusCode.Forbidden, status);
        (status, _, _) = await SendAsync(HttpMethod.Post, $"/admin/communities/{c03}/scenes", secretary, Scene("大厅", DemoShowcase.Panorama(1024, 0)));
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM panorama_scenes WHERE org_id = @c03", new { c03 }));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM community_profiles WHERE org_id = @c03 AND introduction = '改了'", new { c03 }));
    }

    private static MultipartFormDataContent Scene(string name, byte[] png)
    {
        var form = new MultipartFormDataContent { { new StringContent(name), "name" } };
        var file = new ByteArrayContent(png);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "photo", "pano.png");
        return form;
    }

    private static FormUrlEncodedContent Hotspot(long scene, long target, string pitch, string yaw, string label) =>
        new(new Dictionary<string, string>
        {
            ["scene"] = scene.ToString(), ["target"] = target.ToString(), ["pitch"] = pitch, ["yaw"] = yaw, ["label"] = label,
        });

    /// <summary>
    /// Last month closed with the community first (95 %) and three of its members starred, one lit wish, and a judged meeting
    /// of one of its branches this year with a photo and two members' ratings.
    /// </summary>
    private async Task<(Period Month, StoredFile Photo)> ArrangeHistoryAsync(long community)
    {
        var now = app.Clock.GetUtcNow();
        var month = Periods.Containing(Recurrence.Monthly, Periods.Containing(Recurrence.Monthly, now).StartsAt.AddDays(-1));
        await ExecuteAsync("""
            INSERT INTO assessment_closes (period_key, period_starts_at, period_ends_at, ledger_watermark, org_rows, member_rows, closed_at, closed_by)
            VALUES (@key, @starts, @ends, 0, 2, 3, @ends, 'test');
            INSERT INTO assessment_org_results (period_key, org_id, parent_id, path, depth, kind, name, sort_order, possible, earned, carried,
                                                tasks, missed, ratio, community_rank)
            SELECT @key, id, parent_id, path, depth, kind, name, sort_order, 20, IF(id = @community, 19, 10), 0, 4, 0,
                   IF(id = @community, 0.95, 0.5), IF(id = @community, 1, 2)
            FROM orgs WHERE depth = 1 AND (id = @community OR code = 'DFL-C02');
            INSERT INTO assessment_member_results (period_key, member_id, org_id, name, points, points_year, stars)
            SELECT @key, m.id, m.org_id, m.name, 1, 30, ELT(ROW_NUMBER() OVER (ORDER BY m.id), 5, 4, 4)
            FROM members m JOIN orgs o ON o.id = m.org_id JOIN orgs c ON c.id = @community
            WHERE o.path LIKE CONCAT(c.path, '%') AND m.status = 'full' ORDER BY m.id LIMIT 3;
            """, new { key = month.Key, starts = month.StartsAt.UtcDateTime, ends = month.EndsAt.UtcDateTime, community });

        var wisher = (await w.ResidentAsync("马德胜")).WechatUserId;
        await ExecuteAsync("""
            INSERT INTO wishes (community_id, title, description, wisher_user_id, status, text_check, lit_at, posted_at, updated_at)
            VALUES (@community, '给楼道装个扶手', '老人上下楼不方便', @wisher, 'lit', 'pass', @now, @now, @now)
            """, new { community, wisher, now = now.UtcDateTime });

        var branch = await QuerySingleAsync<(long Id, string Path)>("""
            SELECT b.id, b.path FROM orgs b JOIN orgs c ON c.id = @community WHERE b.kind = 'branch' AND b.path LIKE CONCAT(c.path, '%') ORDER BY b.id LIMIT 1
            """, new { community });
        var photo = await app.Get<IFileStore>().SaveAsync(TestPng.Create(64, 48), ".png", Ct);
        var heldAt = month.StartsAt.AddDays(3).UtcDateTime;
        var task = await ScalarAsync("""
            INSERT INTO tasks (unique_key, org_id, template_code, template_version, period_key, opens_at, due_at, possible_points, state, created_at, updated_at)
            VALUES (CONCAT('showcase-test-', @branch), @branch, 'org_life_meeting', 1, @key, @opens, @due, 10, 'completed', @now, @now);
            SELECT LAST_INSERT_ID();
            """, new { branch = branch.Id, key = month.Key, opens = month.StartsAt.UtcDateTime, due = month.EndsAt.UtcDateTime, now = now.UtcDateTime });
        var evidence = await ScalarAsync("""
            INSERT INTO task_evidence (task_id, held_at, topic, present, photo_count, submitted_at, submitted_by, passed, on_time, points)
            VALUES (@task, @heldAt, '专题组织生活会', 12, 1, @heldAt, 'test', TRUE, TRUE, 10);
            SELECT LAST_INSERT_ID();
            """, new { task, heldAt });
        await ExecuteAsync("""
            INSERT INTO evidence_photos (evidence_id, sha256, size_bytes, content_type, storage_path, created_at)
            VALUES (@evidence, @Sha256, @Size, 'image/png', @RelativePath, @heldAt);
            INSERT INTO meeting_feedback (task_id, member_id, rating, created_at)
            SELECT @task, m.id, IF(ROW_NUMBER() OVER (ORDER BY m.id) = 1, 5, 4), @heldAt FROM members m ORDER BY m.id LIMIT 2;
            """, new { evidence, photo.Sha256, photo.Size, photo.RelativePath, heldAt, task });
        return (month, photo);
    }

    /// <summary>
    /// The showcase's communities are the orgs office staff mark as communities (orgs.is_community), wherever they sit: a
    /// 党总支 marked on its page is shown with a page of its own, a community unmarked is no longer shown.
    /// </summary>
    [Fact]
    public async Task The_showcase_shows_the_orgs_marked_as_communities_not_whatever_sits_under_the_subdistrict()
    {
        var staff = await w.HolderAsync("staff", "DFL");
        var unmarked = Community("DFL-C02");
        var general = await ScalarAsync("SELECT id FROM orgs WHERE depth = 2 AND kind IN ('general_branch', 'branch') ORDER BY path LIMIT 1");
        async Task MarkAsync(long id, bool community)
        {
            var (status, body, _) = await SendAsync(HttpMethod.Put, $"/api/admin/orgs/{id}/community", staff,
                JsonContent.Create(new { community }));
            Assert.True(status == HttpStatusCode.NoContent, body);
        }
        await MarkAsync(general, true);
        await MarkAsync(unmarked, false);
        try
        {
            var (status, html, _) = await SendAsync(HttpMethod.Get, "/h5/communities");
            Assert.Equal(HttpStatusCode.OK, status);
            var links = CommunityLink().Matches(html).Select(m => long.Parse(m.Groups[1].Value)).ToList();
            Assert.Contains(general, links);
            Assert.DoesNotContain(unmarked, links);
            Assert.Equal(await ScalarAsync("SELECT COUNT(*) FROM orgs WHERE is_community AND dissolved_on IS NULL"), links.Count);
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, $"/h5/communities/{general}")).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"/h5/communities/{unmarked}")).Status);
        }
        finally
        {
            await MarkAsync(general, false);
            await MarkAsync(unmarked, true);
        }
    }

    [GeneratedRegex("""<script type="application/json" id=tour-config>(.*?)</script>""")]
    private static partial Regex TourConfig();

    [GeneratedRegex("""<a href="/h5/communities/(\d+)""")]
    private static partial Regex CommunityLink();

    [GeneratedRegex(@"(?<![0-9a-zA-Z])1[3-9]\d{9}(?![0-9a-zA-Z])")]
    private static partial Regex PhoneLike();
}
