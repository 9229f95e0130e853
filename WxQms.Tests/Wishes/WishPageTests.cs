using Microsoft.Playwright;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Services;
using WxQms.Domain.Storage;
using WxQms.Tests.Browser;
using WxQms.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace WxQms.Tests.Wishes;

/// <summary>
/// /h5/wishes in a real Chromium at an iPhone's size (390 × 844), on Kestrel over the demo subdistrict: a
/// resident signs in through the sandbox's web OAuth (snsapi_base), posts a wish with a photo; the community's
/// secretary approves it on the page; a member claims it on the page and fulfils it there with a photo; the
/// resident confirms it on the page; it shows as lit and the member's points include it. Screenshots
/// go to .local/test-results/screenshots/wishes-*.png.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class WishPageTests(PhoneFixture fx) : IClassFixture<PhoneFixture>, IAsyncLifetime
{
    /// <summary>
    /// A post goes through the text check and stores its photos before the page moves on; the first one of a run also
    /// warms those paths up, which took over 10 s once on a loaded 2-core CI machine.
    /// </summary>
    private static readonly PageWaitForURLOptions Posted = new() { Timeout = 30_000 };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly List<IBrowserContext> contexts = [];
    private readonly List<string> problems = [];

    public ValueTask InitializeAsync()
    {
        SetDefaultExpectTimeout(10_000);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in contexts)
            await c.CloseAsync();
        Assert.Empty(problems);
    }

    private async Task<IPage> PhoneAsync()
    {
        var context = await fx.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fx.App.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            DeviceScaleFactor = 2,
            IsMobile = true,
            HasTouch = true,
            Locale = "zh-CN",
        });
        context.SetDefaultTimeout(10_000);
        contexts.Add(context);
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => problems.Add($"page error: {error}");
        page.RequestFailed += (_, request) => problems.Add($"request failed: {request.Url}");
        return page;
    }

    /// <summary>A member's mini-program token (their own sandbox identity), as the mini program's web-view would pass it.</summary>
    private async Task<(long MemberId, string Name, string Token)> MemberTokenAsync(string sql, object? args = null)
    {
        var memberId = await TestDb.ScalarAsync(sql, args);
        var signedIn = await fx.App.IssueAsync(memberId, $"o-wish-page-{memberId}");
        return (memberId, signedIn.Name, signedIn.Token);
    }

    /// <summary>A community's id, its secretary and a plain full member of one of its branches, signed in.</summary>
    private async Task<(long Id, (long MemberId, string Name, string Token) Secretary, (long MemberId, string Name, string Token) Member)>
        CommunityAsync(string code)
    {
        var id = await TestDb.ScalarAsync("SELECT id FROM orgs WHERE code = @code", new { code });
        var secretary = await MemberTokenAsync("""
            SELECT r.member_id FROM member_roles r JOIN orgs o ON o.id = r.org_id WHERE r.role = 'secretary' AND o.code = @code LIMIT 1
            """, new { code });
        var member = await MemberTokenAsync("""
            SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id
            WHERE o.code LIKE CONCAT(@code, '-%') AND m.status = 'full'
              AND NOT EXISTS (SELECT 1 FROM member_roles r WHERE r.member_id = m.id AND r.role <> 'member')
            ORDER BY m.id LIMIT 1
            """, new { code });
        return (id, secretary, member);
    }

    private static async Task SignInThroughOAuthAsync(IPage page, string path, string name)
    {
        await page.GotoAsync(path);
        Assert.Contains("/sandbox/open/connect/oauth2/authorize", page.Url); // WeChat's silent authorisation, imitated
        await page.Locator("input[name=q]").FillAsync(name);
        await page.Locator("form button").ClickAsync();
        await page.Locator("li a", new() { HasText = name }).Filter(new() { HasText = "居民" }).ClickAsync();
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex(@"/h5/wishes(/new)?$"),
            new() { WaitUntil = WaitUntilState.DOMContentLoaded }); // the single-use code swapped for the page's cookie
    }

    private async Task AssertFitsAsync(IPage page)
    {
        var width = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.True(width <= 390, $"the page is {width}px wide on a 390px screen");
    }

    [Fact]
    public async Task A_resident_posts_staff_approve_a_member_claims_and_fulfils_and_the_resident_lights_it()
    {
        var (community, secretary, member) = await CommunityAsync("DFL-C03");

        // The resident: from the menu to the wall, signed in through WeChat, then 我要许愿.
        var resident = await PhoneAsync();
        await SignInThroughOAuthAsync(resident, "/h5/wishes", "林淑珍");
        await Expect(resident.Locator("h1")).ToHaveTextAsync("微心愿点亮");
        await resident.Locator("#post-wish").ClickAsync();
        await resident.Locator("#title").FillAsync("想学用智能手机视频通话");
        await resident.Locator("#description").FillAsync("子女在外地工作，想请党员志愿者教我用手机和孩子视频。");
        await resident.Locator("#communityId").SelectOptionAsync(community.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await resident.Locator("#name").FillAsync("林阿姨");
        await resident.Locator("#photo").SetInputFilesAsync(new FilePayload { Name = "phone.png", MimeType = "image/png", Buffer = WishWorld.Png(11) });
        await resident.Locator("#submit-wish").ClickAsync();

        await resident.WaitForURLAsync("**/h5/wishes/*?done=posted", Posted);
        await Expect(resident.Locator("#status")).ToHaveTextAsync("待审核");
        await Expect(resident.Locator("#wisher")).ToHaveTextAsync("林**");
        await Expect(resident.Locator("#notice")).ToContainTextAsync("审核通过后将公开");
        var wishUrl = new Uri(resident.Url).AbsolutePath;
        var id = long.Parse(wishUrl.Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture);
        await resident.ScreenshotAsync(new() { Path = Path.Combine(fx.ScreenshotDirectory, "wishes-posted.png"), FullPage = true });

        // The community's secretary opens it (from the mini program's web-view) and approves it.
        var staff = await PhoneAsync();
        await staff.GotoAsync($"{wishUrl}?token={secretary.Token}");
        await Expect(staff.Locator("#text-check")).ToContainTextAsync("人工核实"); // no mini-program identity: no automatic text check
        await Expect(staff.Locator(".photos img")).ToHaveCountAsync(1);
        await staff.Locator("#approve").ClickAsync();
        await Expect(staff.Locator("#status")).ToHaveTextAsync("待认领");

        // A member finds it on the wall of 待认领 and claims it.
        var volunteer = await PhoneAsync();
        await volunteer.GotoAsync($"/h5/wishes?token={member.Token}");
        await volunteer.Locator("#community").SelectOptionAsync(community.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await volunteer.Locator($"li.wish[data-id=\"{id}\"] a").ClickAsync();
        await Expect(volunteer.Locator("#wisher")).ToHaveTextAsync("林**");
        await volunteer.Locator("#claim").ClickAsync();
        await Expect(volunteer.Locator("#status")).ToHaveTextAsync("已认领");
        await Expect(volunteer.Locator("#claimer")).ToHaveTextAsync(member.Name);
        await AssertFitsAsync(volunteer);

        // ...and fulfils it on the page, with a photo and a note.
        await volunteer.ScreenshotAsync(new() { Path = Path.Combine(fx.ScreenshotDirectory, "wishes-claimed.png"), FullPage = true });
        await volunteer.Locator("#fulfil-note-input").FillAsync("已上门教会林阿姨视频通话");
        await volunteer.Locator("#fulfil-photos").SetInputFilesAsync(new FilePayload { Name = "done.png", MimeType = "image/png", Buffer = WishWorld.Png(12) });
        await volunteer.Locator("#fulfil").ClickAsync();
        await Expect(volunteer.Locator("#status")).ToHaveTextAsync("待确认");
        await Expect(volunteer.Locator("#notice")).ToContainTextAsync("等待心愿人确认");
        await Expect(volunteer.Locator(".photos figcaption", new() { HasText = "完成照片" })).ToHaveCountAsync(1);
        await AssertFitsAsync(volunteer);

        // The resident sees it done and lights it.
        await resident.GotoAsync(wishUrl);
        await Expect(resident.Locator("#status")).ToHaveTextAsync("待确认");
        await Expect(resident.Locator("#fulfil-note")).ToHaveTextAsync("已上门教会林阿姨视频通话");
        await resident.Locator("#confirm").ClickAsync();
        await Expect(resident.Locator("#status")).ToHaveTextAsync("已点亮");
        await Expect(resident.Locator("#notice")).ToContainTextAsync("心愿已点亮");
        await Expect(resident.Locator("#lit")).ToBeVisibleAsync();
        // The resident's photo had no automatic check (no mini-program identity): staff looked at it themselves.
        await Expect(resident.Locator(".photos figcaption", new() { HasText = "心愿照片" })).ToHaveTextAsync("心愿照片（待人工核实）");
        await AssertFitsAsync(resident);
        await resident.ScreenshotAsync(new() { Path = Path.Combine(fx.ScreenshotDirectory, "wishes-lit.png"), FullPage = true });

        await resident.Locator(".back a").ClickAsync();
        await resident.Locator(".tabs a[data-tab=lit]").ClickAsync();
        await Expect(resident.Locator($"li.wish[data-id=\"{id}\"] .badge")).ToHaveTextAsync("已点亮");
        var html = await resident.ContentAsync();
        Assert.DoesNotContain("林淑珍", html); // the wisher's real name never shows
        Assert.DoesNotMatch("1[3-9][0-9]{9}", html); // nor any phone number
        await resident.ScreenshotAsync(new() { Path = Path.Combine(fx.ScreenshotDirectory, "wishes-wall.png"), FullPage = true });

        Assert.Equal(2m, await TestDb.QuerySingleAsync<decimal>(
            "SELECT SUM(points) FROM points_ledger WHERE source = 'wish.lit' AND subject_id = @m AND ref_id = @id", new { m = member.MemberId, id }));
    }

    [Fact]
    public async Task A_resident_cannot_claim_and_an_unpublished_wish_is_not_shown_to_others()
    {
        var community = await TestDb.ScalarAsync("SELECT id FROM orgs WHERE code = 'DFL-C04'");
        var secretary = await MemberTokenAsync("""
            SELECT r.member_id FROM member_roles r JOIN orgs o ON o.id = r.org_id WHERE r.role = 'secretary' AND o.code = 'DFL-C04' LIMIT 1
            """);
        var poster = await PhoneAsync();
        await SignInThroughOAuthAsync(poster, "/h5/wishes/new", "何俊杰");
        await poster.Locator("#title").FillAsync("请人帮忙搬运旧家具");
        await poster.Locator("#description").FillAsync("");
        await poster.Locator("#communityId").SelectOptionAsync(community.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await poster.EvaluateAsync("document.querySelector('#description').removeAttribute('required')");
        await poster.Locator("#submit-wish").ClickAsync();
        await Expect(poster.Locator("#form-error")).ToHaveTextAsync("请描述您的心愿"); // the server's own check, the form kept
        await Expect(poster.Locator("#title")).ToHaveValueAsync("请人帮忙搬运旧家具");
        await poster.Locator("#description").FillAsync("家里旧衣柜需要搬到楼下，老人搬不动。");
        await poster.Locator("#submit-wish").ClickAsync();
        await poster.WaitForURLAsync("**/h5/wishes/*?done=posted", Posted);
        var wishUrl = new Uri(poster.Url).AbsolutePath;

        var other = await PhoneAsync();
        await SignInThroughOAuthAsync(other, "/h5/wishes", "郭红霞");
        var hidden = await other.GotoAsync(wishUrl);
        Assert.Equal(404, hidden!.Status);

        var staff = await PhoneAsync();
        await staff.GotoAsync($"{wishUrl}?token={secretary.Token}");
        await staff.Locator("#approve").ClickAsync();
        await Expect(staff.Locator("#status")).ToHaveTextAsync("待认领");

        await other.GotoAsync(wishUrl);
        await Expect(other.Locator("#status")).ToHaveTextAsync("待认领");
        await Expect(other.Locator("#claim-hint")).ToContainTextAsync("需要党员身份");
        Assert.Equal(0, await other.Locator("#claim").CountAsync());
        await poster.GotoAsync(wishUrl);
        Assert.Equal(0, await poster.Locator("#claim").CountAsync()); // not one's own
    }

    [Fact]
    public async Task A_claimer_gives_a_wish_back_and_its_wisher_withdraws_it_each_with_a_reason()
    {
        var (community, secretary, member) = await CommunityAsync("DFL-C05");
        var resident = await PhoneAsync();
        await SignInThroughOAuthAsync(resident, "/h5/wishes/new", "朱春燕");
        await resident.Locator("#title").FillAsync("帮忙给阳台装晾衣架");
        await resident.Locator("#description").FillAsync("一个人住，够不着，想请人帮忙安装。");
        await resident.Locator("#communityId").SelectOptionAsync(community.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await resident.Locator("#submit-wish").ClickAsync();
        await resident.WaitForURLAsync("**/h5/wishes/*?done=posted", Posted);
        var wishUrl = new Uri(resident.Url).AbsolutePath;
        var staff = await PhoneAsync();
        await staff.GotoAsync($"{wishUrl}?token={secretary.Token}");
        await staff.Locator("#approve").ClickAsync();
        await Expect(staff.Locator("#status")).ToHaveTextAsync("待认领");

        // The member claims it, then finds they cannot go: a reason is asked for, and the wish is open again.
        var volunteer = await PhoneAsync();
        await volunteer.GotoAsync($"{wishUrl}?token={member.Token}");
        await volunteer.Locator("#claim").ClickAsync();
        await Expect(volunteer.Locator("#status")).ToHaveTextAsync("已认领");
        await volunteer.Locator("#release").ClickAsync();
        Assert.True(await volunteer.Locator("#release-reason-input").EvaluateAsync<bool>("e => !e.validity.valid")); // required: nothing sent
        await Expect(volunteer.Locator("#status")).ToHaveTextAsync("已认领");
        await volunteer.Locator("#release-reason-input").FillAsync("本周出差，无法上门");
        await volunteer.Locator("#release").ClickAsync();
        await Expect(volunteer.Locator("#notice")).ToContainTextAsync("已释放认领");
        await Expect(volunteer.Locator("#status")).ToHaveTextAsync("待认领");
        await Expect(volunteer.Locator("#claim")).ToBeVisibleAsync();
        await Expect(volunteer.Locator("#cancel")).ToHaveCountAsync(0); // only the wisher or staff may withdraw it

        // The resident solved it another way and withdraws the wish; the wall no longer offers it.
        await resident.GotoAsync(wishUrl);
        await resident.Locator("#cancel-reason-input").FillAsync("邻居已经帮忙装好了");
        await resident.Locator("#cancel").ClickAsync();
        await Expect(resident.Locator("#notice")).ToContainTextAsync("心愿已撤销");
        await Expect(resident.Locator("#cancel")).ToHaveCountAsync(0);
        await AssertFitsAsync(resident);
        await resident.ScreenshotAsync(new() { Path = Path.Combine(fx.ScreenshotDirectory, "wishes-cancelled.png"), FullPage = true });

        var id = long.Parse(wishUrl.Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture);
        await volunteer.GotoAsync($"/h5/wishes?status=published&community={community}");
        await Expect(volunteer.Locator($"li.wish[data-id=\"{id}\"]")).ToHaveCountAsync(0);
        Assert.Equal(["wish.claimed", "wish.released", "wish.cancelled"], await TestDb.QueryAsync<string>("""
            SELECT action FROM audit_log WHERE entity_type = 'wish' AND entity_id = @id AND action IN ('wish.claimed', 'wish.released', 'wish.cancelled')
            ORDER BY id
            """, new { id }));
    }
}
