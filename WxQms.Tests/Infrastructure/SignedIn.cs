using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Services;
using WxQms.Domain.Storage;
using WxQms.Sandbox;

namespace WxQms.Tests.Infrastructure;

/// <summary>A member's mini-program login: their WeChat user, its openid, the bearer token and the member's name.</summary>
public sealed record IssuedToken(long WechatUserId, string MpOpenId, string Token, string Name);

/// <summary>
/// Members signed in without the round trip through the sandbox's wx.login (<c>SandboxDriver.SignInMemberAsync</c> walks
/// that): the mini-program user bound to the member, as /api/mp/bind leaves it, and the token /api/mp/login would issue.
/// </summary>
public static class SignedIn
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <param name="openId">The mini-program openid; by default the member's own sandbox identity.</param>
    public static async Task<IssuedToken> IssueAsync(this WxQmsApp app, long memberId, string? openId = null)
    {
        string? unionId = null;
        if (openId is null)
        {
            var code = await Seeded.CodeAsync(memberId);
            (openId, unionId) = (SandboxUsers.MpOpenIdOf(code), SandboxUsers.UnionIdOf(code));
        }
        var links = app.Get<WechatLinkStore>();
        var user = await links.UpsertAsync(WxQmsApp.MpAppId, openId, unionId, app.Clock.GetUtcNow(), Ct);
        // Bound, as /api/mp/bind leaves it: the H5 pages follow the WeChat user's current link (#15 revocation).
        await TestDb.ExecuteAsync("UPDATE wechat_users SET member_id = @memberId WHERE id = @id", new { memberId, id = user.Id });
        var profile = await links.ProfileAsync(memberId, Ct);
        return new IssuedToken(user.Id, openId, app.Get<TokenIssuer>().Issue(new MpIdentity(user.Id, profile)).Token, profile!.Name);
    }

    /// <summary>An HttpClient carrying the token; it follows no redirect unless asked, so a test sees the console's 302s.</summary>
    public static HttpClient ClientWith(this WxQmsApp app, string token, bool followRedirects = false)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = followRedirects });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>The member signed in (<see cref="IssueAsync"/>) and an HttpClient carrying their token.</summary>
    public static async Task<HttpClient> SignedInClientAsync(this WxQmsApp app, long memberId, bool followRedirects = false,
        string? openId = null) =>
        app.ClientWith((await app.IssueAsync(memberId, openId)).Token, followRedirects);

    /// <summary>A request to <paramref name="url"/> with the token, a JSON body (or the content given) and no cookies.</summary>
    public static async Task<HttpResponseMessage> SendAsync(this HttpClient http, HttpMethod method, string url, string? token,
        object? body = null)
    {
        using var request = new HttpRequestMessage(method, url)
        {
            Content = body as HttpContent ?? (body is null ? null : JsonContent.Create(body)),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request, Ct);
    }

    /// <summary>GETs with the token and insists on 200 (the status and body in the message otherwise); the body as JSON.</summary>
    public static async Task<JsonElement> GetJsonAsync(this HttpClient http, string url, string? token)
    {
        using var response = await http.SendAsync(HttpMethod.Get, url, token);
        Assert.True(response.StatusCode == HttpStatusCode.OK,
            $"GET {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    /// <summary>Insists on the status (the body in the message when it differs); the body as JSON, default when empty.</summary>
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>The status and the body as JSON (default when empty), whatever the status.</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body)> AnswerAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }
}
