using System.Net;
using System.Text.RegularExpressions;
using System.Web;
using Microsoft.AspNetCore.Mvc.Testing;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Sandbox;

[Collection(IntegrationCollection.Name)]
public sealed partial class SandboxOAuthTests(WxQmsApp app, SeededSubdistrict seeded) : SeededWechatTests(app, seeded)
{
    private const string Back = "https://wxqms.example/h5/ranking?from=menu";

    private readonly HttpClient browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string AuthorizeUrl(string? appid = null, string scope = "snsapi_base", string state = "s-123", string query = "") =>
        $"/sandbox/open/connect/oauth2/authorize?appid={appid ?? Wx.Options.Oa.AppId}&redirect_uri={Uri.EscapeDataString(Back)}" +
        $"&response_type=code&scope={scope}&state={state}{query}#wechat_redirect";

    /// <summary>Opens the chooser, searches a member by id, taps them, and returns where WeChat sends the browser.</summary>
    private async Task<Uri> ChooseAsync(System.Text.Json.JsonElement member, string scope = "snsapi_base")
    {
        var page = await browser.GetStringAsync(AuthorizeUrl(scope: scope, query: $"&q={member.GetProperty("memberId").GetInt64()}"), Ct);
        var link = HttpUtility.HtmlDecode(ChooseLink().Match(page).Groups[1].Value);
        using var response = await browser.GetAsync("/sandbox/open/connect/oauth2/" + link, Ct);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response.Headers.Location!;
    }

    private Task<System.Text.Json.JsonElement> ExchangeAsync(string code) =>
        Wx.GetJsonAsync($"/sandbox/wechat/sns/oauth2/access_token?appid={Wx.Options.Oa.AppId}" +
            $"&secret={Wx.Options.Oa.AppSecret}&code={code}&grant_type=authorization_code");

    [GeneratedRegex("href=\"(authorize/choose\\?[^\"]+)\"")]
    private static partial Regex ChooseLink();

    [Fact]
    public async Task The_code_flow_returns_the_chosen_users_openid_once()
    {
        var user = (await Wx.UsersAsync("offset=10&limit=1"))[0];

        var back = await ChooseAsync(user);
        var query = HttpUtility.ParseQueryString(back.Query);
        var token = await ExchangeAsync(query["code"]!);
        var again = await ExchangeAsync(query["code"]!);

        Assert.Equal("https://wxqms.example/h5/ranking", back.GetLeftPart(UriPartial.Path));
        Assert.Equal(("menu", "s-123"), (query["from"], query["state"]));
        Assert.False(token.TryGetProperty("errcode", out _));
        Assert.Equal(user.Str("openid"), token.Str("openid"));
        Assert.Equal("snsapi_base", token.Str("scope"));
        Assert.Equal(7200, token.GetProperty("expires_in").GetInt32());
        Assert.False(string.IsNullOrEmpty(token.Str("access_token")));
        Assert.False(string.IsNullOrEmpty(token.Str("refresh_token")));
        Assert.False(token.TryGetProperty("unionid", out _));
        Assert.Equal(40029, again.ErrCode());
    }

    [Fact]
    public async Task The_chooser_is_a_phone_width_chinese_page_that_searches_by_name()
    {
        var user = (await Wx.UsersAsync("offset=5&limit=1"))[0];

        using var response = await browser.GetAsync(AuthorizeUrl(query: $"&q={Uri.EscapeDataString(user.Str("name"))}"), Ct);
        var html = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("width=device-width", html);
        Assert.Contains("选择微信用户", html);
        Assert.Contains(user.Str("name"), html);
        Assert.All(ChooseLink().Matches(html), m => Assert.Contains(Uri.EscapeDataString(Wx.Options.Oa.AppId), m.Value));
    }

    [Fact]
    public async Task A_code_expires_after_five_minutes()
    {
        var user = (await Wx.UsersAsync("limit=1"))[0];
        var code = HttpUtility.ParseQueryString((await ChooseAsync(user)).Query)["code"]!;

        App.Clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(40029, (await ExchangeAsync(code)).ErrCode());
    }

    [Fact]
    public async Task Userinfo_scope_adds_the_unionid()
    {
        var user = (await Wx.UsersAsync("limit=1"))[0];
        var code = HttpUtility.ParseQueryString((await ChooseAsync(user, "snsapi_userinfo")).Query)["code"]!;

        var token = await ExchangeAsync(code);

        Assert.Equal(user.Str("unionid"), token.Str("unionid"));
    }

    [Fact]
    public async Task The_exchange_checks_appid_secret_and_grant_type()
    {
        var badApp = await Wx.GetJsonAsync("/sandbox/wechat/sns/oauth2/access_token?appid=wx0000000000000000&secret=x&code=c&grant_type=authorization_code");
        var badSecret = await Wx.GetJsonAsync($"/sandbox/wechat/sns/oauth2/access_token?appid={Wx.Options.Oa.AppId}&secret=x&code=c&grant_type=authorization_code");
        var badGrant = await Wx.GetJsonAsync($"/sandbox/wechat/sns/oauth2/access_token?appid={Wx.Options.Oa.AppId}&secret={Wx.Options.Oa.AppSecret}&code=c&grant_type=client_credential");

        Assert.Equal((40013, 40125, 40002), (badApp.ErrCode(), badSecret.ErrCode(), badGrant.ErrCode()));
    }

    [Theory]
    [InlineData("stranger", "snsapi_base")]
    [InlineData("mini program", "snsapi_base")]
    [InlineData("official account", "snsapi_login")]
    public async Task The_authorize_page_refuses_a_foreign_appid_or_scope(string whose, string scope)
    {
        var appid = whose switch
        {
            "mini program" => Wx.Options.Mp.AppId,
            "official account" => Wx.Options.Oa.AppId,
            _ => "wx0000000000000000",
        };

        using var response = await browser.GetAsync(AuthorizeUrl(appid, scope), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("无法授权", await response.Content.ReadAsStringAsync(Ct));
    }
}
