using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using WxQms.Api.H5;
using WxQms.Sandbox;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Api;

/// <summary>
/// Signing in to the official-account pages through web OAuth (issue #15): the way back is built from
/// Bot:PublicBase, never from the Host the request names, and a returning code is taken only with the random
/// state the page set in a short-lived cookie before sending the browser to WeChat.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class H5SignInTests(WxQmsApp app) : IAsyncLifetime
{
    private readonly HttpClient http = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await app.ResetAsync();

    public ValueTask DisposeAsync()
    {
        http.Dispose();
        return ValueTask.CompletedTask;
    }

    [Theory]
    [InlineData("/h5/ranking?level=branch")]
    [InlineData("/h5/wishes?status=mine")]
    public async Task A_forged_host_header_does_not_choose_where_wechat_sends_the_browser_back(string page)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, page);
        request.Headers.Host = "evil.example";

        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var back = RedirectUri(response);
        Assert.StartsWith("http://localhost/h5/", back); // Bot:PublicBase in the tests
        Assert.DoesNotContain("evil.example", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task A_code_that_comes_back_with_a_state_the_browser_was_not_given_is_not_taken()
    {
        var resident = SandboxUsers.Residents[0];
        var code = await CodeAsync(resident.OpenId, "/h5/wishes", state: "forged");

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/h5/wishes?code={code}&state=forged");
        using var response = await http.SendAsync(request, Ct);

        Assert.False(SetsCookie(response, H5Viewer.UserCookieName), "signed in with a code it did not ask for");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/sandbox/open/connect/oauth2/authorize", response.Headers.Location!.ToString()); // asks again, its own way
    }

    [Fact]
    public async Task The_page_sets_a_random_state_in_a_cookie_and_takes_the_code_that_comes_back_with_it()
    {
        var resident = SandboxUsers.Residents[1];
        using var first = await http.GetAsync("/h5/wishes", Ct);
        var authorize = first.Headers.Location!;
        var state = System.Web.HttpUtility.ParseQueryString(authorize.Query)["state"]!;
        var cookie = CookieValue(first, H5Viewer.StateCookieName);
        var again = CookieValue(await http.GetAsync("/h5/wishes", Ct), H5Viewer.StateCookieName);
        var code = await CodeAsync(resident.OpenId, "/h5/wishes", state);

        using var back = new HttpRequestMessage(HttpMethod.Get, $"/h5/wishes?code={code}&state={Uri.EscapeDataString(state)}");
        back.Headers.Add("Cookie", $"{H5Viewer.StateCookieName}={cookie}");
        using var signedIn = await http.SendAsync(back, Ct);

        Assert.Equal(state, cookie);
        Assert.True(state.Length >= 20, state);
        Assert.NotEqual(state, again);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.True(SetsCookie(signedIn, H5Viewer.UserCookieName));
        Assert.Equal("/h5/wishes", signedIn.Headers.Location!.ToString());
    }

    /// <summary>The pages speak of the subdistrict the configuration names (Subdistrict:Name), not of the demo's.</summary>
    [Fact]
    public async Task The_wish_wall_names_the_configured_subdistrict()
    {
        var resident = SandboxUsers.Residents[2];
        using var first = await http.GetAsync("/h5/wishes", Ct);
        var state = System.Web.HttpUtility.ParseQueryString(first.Headers.Location!.Query)["state"]!;
        var code = await CodeAsync(resident.OpenId, "/h5/wishes", state);
        using var back = new HttpRequestMessage(HttpMethod.Get, $"/h5/wishes?code={code}&state={Uri.EscapeDataString(state)}");
        back.Headers.Add("Cookie", $"{H5Viewer.StateCookieName}={CookieValue(first, H5Viewer.StateCookieName)}");
        using var signedIn = await http.SendAsync(back, Ct);
        using var wall = new HttpRequestMessage(HttpMethod.Get, "/h5/wishes");
        wall.Headers.Add("Cookie", $"{H5Viewer.UserCookieName}={CookieValue(signedIn, H5Viewer.UserCookieName)}");

        using var page = await http.SendAsync(wall, Ct);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.Contains($"{WxQmsApp.SubdistrictName}党建质量管理", html);
        Assert.DoesNotContain("东风路", html);
    }

    [Fact]
    public void Form_tokens_match_only_the_viewers_own()
    {
        var viewers = app.Get<H5Viewer>();
        var mine = viewers.FormToken(7);

        Assert.True(viewers.FormTokenMatches(7, mine));
        Assert.False(viewers.FormTokenMatches(8, mine));
        Assert.False(viewers.FormTokenMatches(7, mine[..^1]));
        Assert.False(viewers.FormTokenMatches(7, ""));
        Assert.False(viewers.FormTokenMatches(7, null));
    }

    /// <summary>What the sandbox's authorize page does when the user is chosen: a code for the page.</summary>
    private async Task<string> CodeAsync(string openid, string page, string state)
    {
        var url = "/sandbox/open/connect/oauth2/authorize/choose?appid=" + WxQmsApp.OaAppId
            + "&redirect_uri=" + Uri.EscapeDataString("http://localhost" + page) + "&scope=snsapi_base&state="
            + Uri.EscapeDataString(state) + "&openid=" + openid;
        using var response = await http.GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return System.Web.HttpUtility.ParseQueryString(response.Headers.Location!.Query)["code"]!;
    }

    private static string RedirectUri(HttpResponseMessage response) =>
        System.Web.HttpUtility.ParseQueryString(response.Headers.Location!.Query)["redirect_uri"]!;

    private static bool SetsCookie(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) && values.Any(v => v.StartsWith(name + "=", StringComparison.Ordinal));

    private static string? CookieValue(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues("Set-Cookie", out var values)
            ? values.Where(v => v.StartsWith(name + "=", StringComparison.Ordinal)).Select(v => v[(name.Length + 1)..].Split(';')[0]).FirstOrDefault()
            : null;
}
