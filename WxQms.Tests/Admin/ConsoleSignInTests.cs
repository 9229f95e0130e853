using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using WxQms.Api.Admin;
using WxQms.Domain.Model;
using WxQms.Domain.Services.Bot;
using WxQms.Tests.Bot;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Sandbox;

namespace WxQms.Tests.Admin;

/// <summary>
/// Signing in to the console (issue #16): a desktop browser's QR code scanned in WeChat (the sandbox pushes the SCAN and
/// the reply 1 to our callback signed and encrypted, as WeChat does), web OAuth inside WeChat, and how a session ends.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed partial class ConsoleSignInTests(WxQmsApp app, SeededSubdistrict seeded) : IClassFixture<SeededSubdistrict>, IAsyncLifetime
{
    private readonly BotWorld world = new(app);
    private SandboxDriver wx => world.Wx;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Assert.False(seeded.Result.AlreadySeeded);
        await world.ForgetAsync();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>A browser: keeps its cookies, sees redirects as they are.</summary>
    private HttpClient Browser() => app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Office staff, bound to the official account through the subdistrict's code.</summary>
    private async Task<Person> BoundAsync(string role, string orgKind, int skip = 0)
    {
        var person = await world.WithRoleAsync(role, orgKind, skip);
        var staff = await world.WithRoleAsync(Roles.Staff, "subdistrict");
        var token = await wx.SignInMemberAsync(world.Http, staff.MemberId);
        var (_, url, _) = await world.PrintCodeAsync(token, person.OrgId);
        wx.Sandbox.Users.SetFollows(person.OpenId, true);
        await world.BindAsync(person, url);
        return person;
    }

    private async Task<Person> BoundPlainMemberAsync()
    {
        var person = await world.PlainMemberAsync(0);
        var staff = await world.WithRoleAsync(Roles.Staff, "subdistrict");
        var (_, url, _) = await world.PrintCodeAsync(await wx.SignInMemberAsync(world.Http, staff.MemberId), person.OrgId);
        wx.Sandbox.Users.SetFollows(person.OpenId, true);
        await world.BindAsync(person, url);
        return person;
    }

    /// <summary>The sign-in page: its QR code's content (what a phone reads) and the scene's status URL.</summary>
    private static async Task<(string QrUrl, string Status)> OpenSignInAsync(HttpClient browser, string returnUrl = "/admin")
    {
        using var page = await browser.GetAsync(AdminSignInEndpoints.SignInPath(returnUrl), Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.Contains("data:image/png;base64,", html);
        var qr = WebUtility.HtmlDecode(DataUrl().Match(html).Groups[1].Value);
        var status = WebUtility.HtmlDecode(StatusUrl().Match(html).Groups[1].Value);
        Assert.NotEmpty(qr);
        Assert.StartsWith(AdminSignInEndpoints.Path + "/status?scene=", status);
        return (qr, status);
    }

    private static async Task<(string State, string? To, HttpResponseMessage Response)> PollAsync(HttpClient browser, string status)
    {
        var response = await browser.GetAsync(status, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return (body.GetProperty("state").GetString()!, body.TryGetProperty("to", out var to) ? to.GetString() : null, response);
    }

    private static string Scene(string status) => Uri.UnescapeDataString(Regex.Match(status, "scene=([^&]+)").Groups[1].Value);

    [GeneratedRegex("data-url=\"([^\"]+)\"")]
    private static partial Regex DataUrl();

    [GeneratedRegex("data-status=\"([^\"]+)\"")]
    private static partial Regex StatusUrl();

    private static string? SetCookie(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values.FirstOrDefault(v => v.StartsWith(name + "=", StringComparison.Ordinal)) : null;

    [Fact]
    public async Task Staff_scan_the_desktop_code_reply_1_and_the_waiting_page_signs_them_in_to_where_they_were_going()
    {
        var staff = await BoundAsync(Roles.Staff, "subdistrict");
        using var browser = Browser();

        using var anonymous = await browser.GetAsync("/admin?x=1", Ct);
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Equal("/admin/sign-in?returnUrl=%2Fadmin%3Fx%3D1", anonymous.Headers.Location!.ToString());
        var (qr, status) = await OpenSignInAsync(browser, "/admin?x=1");
        Assert.Equal("waiting", (await PollAsync(browser, status)).State);

        Assert.Equal(BotReplies.ConsoleConfirm, await world.ScanReplyAsync(staff, qr));
        Assert.Equal("scanned", (await PollAsync(browser, status)).State);
        Assert.Equal(BotReplies.ConsoleConfirmed, await world.SayAsync(staff, "1"));
        var (state, to, signedIn) = await PollAsync(browser, status);

        Assert.Equal("signedIn", state);
        Assert.Equal("/admin?x=1", to);
        var cookie = SetCookie(signedIn, AdminSessions.CookieName)!.ToLowerInvariant();
        Assert.Contains("httponly", cookie);
        Assert.Contains("samesite=strict", cookie);
        Assert.Contains("path=/", cookie);
        using var home = await browser.GetAsync("/admin", Ct);
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains(staff.Name, await home.Content.ReadAsStringAsync(Ct));
        // The scene is spent: polling again signs nobody in, even this browser.
        Assert.Equal("gone", (await PollAsync(browser, status)).State);
    }

    [Fact]
    public async Task Another_browser_with_the_same_scene_is_not_signed_in_and_the_scene_stays_for_its_own_page()
    {
        var staff = await BoundAsync(Roles.Staff, "subdistrict");
        using var mine = Browser();
        using var thief = Browser();
        var (qr, status) = await OpenSignInAsync(mine);
        await OpenSignInAsync(thief); // a scene cookie of its own, for another scene
        await world.ScanReplyAsync(staff, qr);
        await world.SayAsync(staff, "1");

        var (stolen, _, response) = await PollAsync(thief, status);
        Assert.Equal("gone", stolen);
        Assert.Null(SetCookie(response, AdminSessions.CookieName));
        using var thiefHome = await thief.GetAsync("/admin", Ct);
        Assert.Equal(HttpStatusCode.Redirect, thiefHome.StatusCode);
        Assert.Equal("signedIn", (await PollAsync(mine, status)).State);
    }

    [Fact]
    public async Task A_reply_after_the_two_minutes_confirms_nothing_and_the_page_signs_nobody_in()
    {
        var staff = await BoundAsync(Roles.Staff, "subdistrict");
        using var browser = Browser();
        var (qr, status) = await OpenSignInAsync(browser);
        await world.ScanReplyAsync(staff, qr);

        app.Clock.Advance(TimeSpan.FromSeconds(121));
        Assert.Equal(BotReplies.ConsoleCodeExpired, await world.SayAsync(staff, "1"));
        Assert.Equal("gone", (await PollAsync(browser, status)).State);
        // A SCAN of the expired scene (WeChat's scanner would refuse it; a late delivery) starts nothing either.
        var pusher = new WechatPusher(app);
        var late = await pusher.PushAsync(WechatPusher.Event(staff.OpenId, "SCAN", pusher.Now, $"<EventKey><![CDATA[{Scene(status)}]]></EventKey>"));
        Assert.Contains(BotReplies.ConsoleCodeExpired, late.Reply);
        Assert.Equal(BotReplies.NothingToCancel, await world.SayAsync(staff, "取消"));
    }

    [Fact]
    public async Task A_scene_we_did_not_sign_is_refused_and_leaves_no_row()
    {
        var staff = await BoundAsync(Roles.Staff, "subdistrict");
        using var browser = Browser();
        var (_, status) = await OpenSignInAsync(browser);
        var real = Scene(status);
        var forged = real[..^4] + (real[^4..] == "AAAA" ? "BBBB" : "AAAA");
        var pusher = new WechatPusher(app);

        var reply = await pusher.PushAsync(WechatPusher.Event(staff.OpenId, "SCAN", pusher.Now, $"<EventKey><![CDATA[{forged}]]></EventKey>"));

        Assert.Contains(BotReplies.ConsoleCodeExpired, reply.Reply);
        Assert.Equal(0, await TestDb.ScalarAsync("SELECT COUNT(*) FROM console_sign_ins WHERE scene IN (@real, @forged)", new { real, forged }));
        Assert.Equal("waiting", (await PollAsync(browser, status)).State);
        using var bad = await browser.GetAsync(status.Replace(Uri.EscapeDataString(real), Uri.EscapeDataString(forged)), Ct);
        Assert.Equal("gone", (await bad.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_plain_member_or_a_stranger_scanning_gets_a_polite_refusal_and_the_page_keeps_waiting()
    {
        var member = await BoundPlainMemberAsync();
        var stranger = BotWorld.Resident(0);
        wx.Sandbox.Users.SetFollows(stranger.OpenId, true);
        using var browser = Browser();
        var (qr, status) = await OpenSignInAsync(browser);

        Assert.Equal(BotReplies.ConsoleRefused, await world.ScanReplyAsync(member, qr));
        Assert.Equal(BotReplies.ConsoleNotBound, await world.ScanReplyAsync(stranger, qr));
        Assert.NotEqual(BotReplies.ConsoleConfirmed, await world.SayAsync(member, "1"));

        Assert.Equal("waiting", (await PollAsync(browser, status)).State);
        using var home = await browser.GetAsync("/admin", Ct);
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
    }

    private async Task<HttpClient> SignedInAsync(Person who)
    {
        var browser = Browser();
        var (qr, status) = await OpenSignInAsync(browser);
        await world.ScanReplyAsync(who, qr);
        await world.SayAsync(who, "1");
        Assert.Equal("signedIn", (await PollAsync(browser, status)).State);
        return browser;
    }

    [Fact]
    public async Task Signing_out_ends_the_session()
    {
        var staff = await BoundAsync(Roles.Staff, "subdistrict");
        using var browser = await SignedInAsync(staff);

        using var signOut = await browser.PostAsync("/admin/sign-out", null, Ct);
        using var after = await browser.GetAsync("/admin", Ct);

        Assert.Equal(HttpStatusCode.SeeOther, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/admin/sign-in", after.Headers.Location!.ToString());
    }

    [Fact]
    public async Task A_change_another_site_sends_with_the_session_is_refused_before_it_is_read()
    {
        var staff = await BoundAsync(Roles.Staff, "subdistrict");
        using var browser = await SignedInAsync(staff);

        async Task<HttpResponseMessage> PostAsync(string site)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/admin/orgs") { Content = JsonContent.Create(new { }) };
            request.Headers.Add("Sec-Fetch-Site", site);
            return await browser.SendAsync(request, Ct);
        }
        using var crossSite = await PostAsync("cross-site");
        using var sameOrigin = await PostAsync("same-origin");

        Assert.Equal(HttpStatusCode.Forbidden, crossSite.StatusCode);
        Assert.Equal("request.cross_site", (await crossSite.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, sameOrigin.StatusCode); // let through, and refused for its empty body
    }

    [Fact]
    public async Task Unbinding_in_the_chat_ends_the_console_session_at_once()
    {
        var secretary = await BoundAsync(Roles.Secretary, "branch");
        using var browser = await SignedInAsync(secretary);
        using (var before = await browser.GetAsync("/admin", Ct))
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        await world.SayAsync(secretary, "解绑");
        using var after = await browser.GetAsync("/admin", Ct);

        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }

    [Fact]
    public async Task The_session_slides_while_used_and_ends_after_the_idle_time()
    {
        var staff = await BoundAsync(Roles.Staff, "subdistrict");
        using var browser = await SignedInAsync(staff);
        var idle = app.Get<AdminSessions>().IdleTimeout;
        Assert.Equal(TimeSpan.FromMinutes(30), idle);

        foreach (var _ in Enumerable.Range(0, 3))
        {
            app.Clock.Advance(idle - TimeSpan.FromMinutes(5));
            using var used = await browser.GetAsync("/admin", Ct);
            Assert.Equal(HttpStatusCode.OK, used.StatusCode);
        }
        app.Clock.Advance(idle + TimeSpan.FromSeconds(1));
        using var idled = await browser.GetAsync("/admin", Ct);

        Assert.Equal(HttpStatusCode.Redirect, idled.StatusCode);
    }

    [Fact]
    public async Task A_member_without_a_console_role_gets_a_chinese_page_and_the_api_keeps_problem_details()
    {
        var member = await world.PlainMemberAsync(0);
        var token = await wx.SignInMemberAsync(world.Http, member.MemberId);
        using var browser = Browser();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var page = await browser.SendAsync(request, Ct);
        using var api = await browser.GetAsync("/api/admin/reviews", Ct);

        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("无权访问", await page.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Inside_wechat_the_console_signs_in_through_web_oauth()
    {
        var committee = await BoundAsync(Roles.Committee, "branch");
        using var phone = Browser();
        phone.DefaultRequestHeaders.UserAgent.ParseAdd("Mozilla/5.0 (iPhone) MicroMessenger/8.0.50");

        using var signIn = await phone.GetAsync(AdminSignInEndpoints.SignInPath("/admin"), Ct);
        Assert.Equal("/h5/admin?returnUrl=%2Fadmin", signIn.Headers.Location!.ToString());
        using var landed = await ThroughOAuthAsync(phone, committee, signIn.Headers.Location!.ToString());

        Assert.Equal(HttpStatusCode.OK, landed.StatusCode);
        Assert.NotNull(SetCookie(landed, AdminSessions.CookieName));
        Assert.Contains("href=\"/admin\"", await landed.Content.ReadAsStringAsync(Ct));
        using var home = await phone.GetAsync("/admin", Ct);
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
    }

    [Fact]
    public async Task A_plain_member_who_taps_the_menus_console_button_is_refused_politely_and_not_signed_in()
    {
        var member = await BoundPlainMemberAsync();
        using var phone = Browser();
        phone.DefaultRequestHeaders.UserAgent.ParseAdd("Mozilla/5.0 (iPhone) MicroMessenger/8.0.50");

        using var landed = await ThroughOAuthAsync(phone, member, "/h5/admin");

        Assert.Equal(HttpStatusCode.Forbidden, landed.StatusCode);
        Assert.Contains("没有管理后台的权限", await landed.Content.ReadAsStringAsync(Ct));
        Assert.Null(SetCookie(landed, AdminSessions.CookieName));
        using var home = await phone.GetAsync("/admin", Ct);
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
    }

    /// <summary>Opens <paramref name="page"/>, goes to WeChat's authorize page, where <paramref name="who"/> is chosen, and back.</summary>
    private async Task<HttpResponseMessage> ThroughOAuthAsync(HttpClient phone, Person who, string page)
    {
        using var start = await phone.GetAsync(page, Ct);
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var authorize = System.Web.HttpUtility.ParseQueryString(start.Headers.Location!.Query);
        Assert.Equal("snsapi_base", authorize["scope"]);
        var back = new Uri(authorize["redirect_uri"]!);
        var code = await OAuthCodeAsync(who.OpenId, back.PathAndQuery, authorize["state"]!);
        var separator = back.Query.Length > 0 ? "&" : "?";
        return await phone.GetAsync($"{back.PathAndQuery}{separator}code={code}&state={Uri.EscapeDataString(authorize["state"]!)}", Ct);
    }

    private async Task<string> OAuthCodeAsync(string openid, string page, string state)
    {
        var url = "/sandbox/open/connect/oauth2/authorize/choose?appid=" + WxQmsApp.OaAppId
            + "&redirect_uri=" + Uri.EscapeDataString("http://localhost" + page) + "&scope=snsapi_base&state="
            + Uri.EscapeDataString(state) + "&openid=" + openid;
        using var http = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var response = await http.GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return System.Web.HttpUtility.ParseQueryString(response.Headers.Location!.Query)["code"]!;
    }
}
