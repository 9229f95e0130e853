using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using WxQms.Tests.Browser;
using WxQms.Tests.Infrastructure;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Wishes;

/// <summary>
/// The H5 wish form (<c>POST /h5/wishes</c>, multipart with a photo) over plain HTTP, signed in with the mini program's
/// token as a web-view would be: a post the form refuses (bad lengths, too many photos, risky text) stores no photo.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed partial class WishFormTests(WxQmsApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly WishWorld w = new(app);

    public async ValueTask InitializeAsync() => await w.InitializeAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task A_post_the_form_refuses_stores_none_of_its_photos_and_a_good_one_stores_them()
    {
        var resident = await w.ResidentAsync("马德胜");
        using var page = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var formToken = await SignInAsync(page, resident);
        byte[] longTitle = TestPng.Create(131, 77), risky = TestPng.Create(132, 77), many = TestPng.Create(133, 77),
            good = TestPng.Create(134, 77);

        var tooLong = await PostAsync(page, formToken, new string('灯', 31), "楼道灯坏了", [longTitle]);
        var refusedText = await PostAsync(page, formToken, "帮忙", "想找人一起赌博", [risky]);
        var tooMany = await PostAsync(page, formToken, "帮忙换灯泡", "楼道灯坏了", Enumerable.Repeat(many, 10).ToArray());
        var posted = await PostAsync(page, formToken, "帮忙换灯泡", "楼道灯坏了", [good]);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooLong.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refusedText.StatusCode);
        Assert.Contains("内容安全检测", await refusedText.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooMany.StatusCode);
        Assert.False(Stored(longTitle));
        Assert.False(Stored(risky));
        Assert.False(Stored(many));
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.True(Stored(good));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM wish_photos"));
    }

    /// <summary>Opens the form with the mini program's token (a web-view), keeps the page cookie, returns the form token.</summary>
    private static async Task<string> SignInAsync(HttpClient page, WishWorld.Person who)
    {
        using var signIn = await page.GetAsync($"/h5/wishes/new?token={Uri.EscapeDataString(who.Token)}", Ct);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var html = await page.GetStringAsync("/h5/wishes/new", Ct);
        return FormToken().Match(html).Groups[1].Value;
    }

    private async Task<HttpResponseMessage> PostAsync(HttpClient page, string formToken, string title, string description,
        IReadOnlyList<byte[]> photos)
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent(formToken), "ft" },
            { new StringContent(title), "title" },
            { new StringContent(description), "description" },
            { new StringContent(w.Community.ToString()), "communityId" },
            { new StringContent("马叔"), "name" },
        };
        foreach (var photo in photos)
            form.Add(new ByteArrayContent(photo) { Headers = { ContentType = new MediaTypeHeaderValue("image/png") } }, "photo", "photo.png");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/h5/wishes") { Content = form };
        return await page.SendAsync(request, Ct);
    }

    private bool Stored(byte[] bytes)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return File.Exists(Path.Combine(app.UploadRoot, sha[..2], sha + ".png"));
    }

    [GeneratedRegex("name=ft value=\"([^\"]+)\"")]
    private static partial Regex FormToken();
}
