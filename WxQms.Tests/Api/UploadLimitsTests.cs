using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using WxQms.Domain.Services;
using WxQms.Tests.Browser;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Wishes;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Api;

/// <summary>
/// What one signed-in WeChat user may upload through <c>POST /api/mp/uploads</c>: a quota of unused uploads and of
/// bytes a day (lower for residents), counted from the rows; photos whose header claims absurd dimensions or whose
/// bytes are not the image type they start like are refused, and nothing of a refused upload is stored.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class UploadLimitsTests(WxQmsApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly WishWorld w = new(app);

    public async ValueTask InitializeAsync() => await w.InitializeAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private UploadOptions Options => app.Get<IOptions<UploadOptions>>().Value;

    [Fact]
    public async Task A_resident_meets_429_once_her_unused_uploads_reach_the_quota_and_a_member_has_more_room()
    {
        var resident = await w.ResidentAsync("马德胜");
        var member = await w.PlainMemberAsync(0);
        Assert.True(Options.ResidentMaxPending < Options.MaxPending);

        for (var i = 0; i < Options.ResidentMaxPending; i++)
            Assert.Equal(HttpStatusCode.Created, (await UploadAsync(resident, TestPng.Create(20 + i, 10))).StatusCode);
        var refused = await UploadAsync(resident, TestPng.Create(90, 10));
        var byMember = await UploadAsync(member, TestPng.Create(91, 10));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("upload.quota", (await refused.Content.ReadFromJsonAsync<JsonElement>(Ct)).Code());
        Assert.Equal(Options.ResidentMaxPending, await ScalarAsync("SELECT COUNT(*) FROM uploads WHERE wechat_user_id = @id",
            new { id = resident.WechatUserId }));
        Assert.False(StoredFileExists(TestPng.Create(90, 10)));
        Assert.Equal(HttpStatusCode.Created, byMember.StatusCode);

        // A day later the unused ones have expired and no longer count.
        await w.Wx.AdvanceAsync(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        resident = await w.ResidentAsync("马德胜");
        Assert.Equal(HttpStatusCode.Created, (await UploadAsync(resident, TestPng.Create(90, 10))).StatusCode);
    }

    [Fact]
    public async Task The_bytes_a_day_count_every_upload_of_the_last_24_hours_from_any_instance()
    {
        var resident = await w.ResidentAsync("马德胜");
        var now = app.Clock.GetUtcNow().UtcDateTime;
        // Another Api instance took most of today's allowance (used uploads count too).
        await ExecuteAsync("""
            INSERT INTO uploads (token, wechat_user_id, sha256, size_bytes, content_type, storage_path, created_at, used_at)
            VALUES (@token, @id, @sha, @size, 'image/png', 'x/y.png', @at, @at)
            """, new { token = new string('a', 32), id = resident.WechatUserId, sha = new string('b', 64),
            size = Options.ResidentMaxBytesPerDay - 100, at = now.AddHours(-23) });

        var refused = await UploadAsync(resident, TestPng.Create(60, 30));
        await w.Wx.AdvanceAsync(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        resident = await w.ResidentAsync("马德胜");
        var later = await UploadAsync(resident, TestPng.Create(60, 30));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("upload.quota", (await refused.Content.ReadFromJsonAsync<JsonElement>(Ct)).Code());
        Assert.Equal(HttpStatusCode.Created, later.StatusCode);
    }

    [Fact]
    public async Task A_photo_whose_header_claims_absurd_dimensions_is_refused_and_not_stored()
    {
        var member = await w.PlainMemberAsync(0);
        var bomb = TestPng.Claiming(30_000, 30_000);
        var tooManyPixels = TestPng.Claiming(8_000, 6_000);
        var panorama = TestPng.Claiming(4_000, 3_000);

        var refused = await UploadAsync(member, bomb);
        var refusedToo = await UploadAsync(member, tooManyPixels);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal("upload.dimensions", (await refused.Content.ReadFromJsonAsync<JsonElement>(Ct)).Code());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refusedToo.StatusCode);
        Assert.False(StoredFileExists(bomb));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM uploads"));
        Assert.Equal(HttpStatusCode.Created, (await UploadAsync(member, panorama)).StatusCode);
    }

    [Fact]
    public async Task A_file_that_starts_and_ends_like_a_png_but_is_not_one_is_refused()
    {
        var member = await w.PlainMemberAsync(0);
        var real = TestPng.Create(30, 20);
        var fake = real[..8].Concat(System.Text.Encoding.ASCII.GetBytes("<html><script>alert(1)</script></html>"))
            .Concat(real[^12..]).ToArray();

        var response = await UploadAsync(member, fake);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("upload.not_image", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).Code());
        Assert.False(StoredFileExists(fake));
    }

    private bool StoredFileExists(byte[] bytes)
    {
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        return Directory.Exists(Path.Combine(app.UploadRoot, sha[..2]))
            && Directory.EnumerateFiles(Path.Combine(app.UploadRoot, sha[..2]), sha + ".*").Any();
    }

    private async Task<HttpResponseMessage> UploadAsync(WishWorld.Person who, byte[] bytes)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "file", "photo.png");
        return await w.SendAsync(HttpMethod.Post, "/api/mp/uploads", who, form);
    }
}
