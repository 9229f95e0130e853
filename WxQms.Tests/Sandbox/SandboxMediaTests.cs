using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WxQms.Sandbox;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Sandbox;

[Collection(IntegrationCollection.Name)]
public sealed class SandboxMediaTests(WxQmsApp app) : IAsyncLifetime
{
    private readonly SandboxDriver wx = new(app);

    public async ValueTask InitializeAsync() => await app.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<HttpResponseMessage> MediaGetAsync(string mediaId, SandboxApp which = SandboxApp.Oa) =>
        await wx.Http.GetAsync($"/sandbox/wechat/cgi-bin/media/get?access_token={await wx.TokenAsync(which)}&media_id={mediaId}", Ct);

    private static async Task<JsonElement> JsonOf(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

    [Fact]
    public async Task An_uploaded_image_downloads_with_its_bytes_intact_and_wechats_headers()
    {
        var bytes = SandboxDriver.Jpeg(300_000);

        var uploaded = await wx.UploadAsync(SandboxApp.Oa, "image", bytes);
        using var download = await MediaGetAsync(uploaded.Str("media_id"));

        Assert.False(uploaded.TryGetProperty("errcode", out _));
        Assert.Equal("image", uploaded.Str("type"));
        Assert.Equal(64, uploaded.Str("media_id").Length);
        Assert.Equal(app.Clock.GetUtcNow().ToUnixTimeSeconds(), uploaded.GetProperty("created_at").GetInt64());
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("image/jpeg", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"{uploaded.Str("media_id")}.jpg", download.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task An_unknown_media_type_is_40004()
    {
        var uploaded = await wx.UploadAsync(SandboxApp.Oa, "file", SandboxDriver.Jpeg(100));

        Assert.Equal(40004, uploaded.ErrCode());
        Assert.StartsWith("invalid media type rid: ", uploaded.ErrMsg());
    }

    [Fact]
    public async Task An_upload_without_a_media_part_is_41005()
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(SandboxDriver.Jpeg(100)), "file", "a.jpg" } };
        using var response = await wx.Http.PostAsync(
            $"/sandbox/wechat/cgi-bin/media/upload?access_token={await wx.TokenAsync(SandboxApp.Oa)}&type=image", form, Ct);

        Assert.Equal(41005, (await JsonOf(response)).ErrCode());
    }

    [Theory]
    [InlineData("thumb", 64 * 1024 + 1, 40012)]
    [InlineData("voice", 100, 40005)]
    [InlineData("video", 100, 40005)]
    public async Task Sizes_and_formats_follow_the_type(string type, int length, int errcode)
    {
        var uploaded = await wx.UploadAsync(SandboxApp.Oa, type, SandboxDriver.Jpeg(length));

        Assert.Equal(errcode, uploaded.ErrCode());
    }

    [Fact]
    public async Task An_image_over_ten_megabytes_is_40009()
    {
        var uploaded = await wx.UploadAsync(SandboxApp.Oa, "image", SandboxDriver.Jpeg(10 * 1024 * 1024 + 1));

        Assert.Equal(40009, uploaded.ErrCode());
    }

    [Fact]
    public async Task A_thumb_answers_thumb_media_id_too()
    {
        var uploaded = await wx.UploadAsync(SandboxApp.Oa, "thumb", SandboxDriver.Jpeg(1_000));

        Assert.Equal(uploaded.Str("media_id"), uploaded.Str("thumb_media_id"));
    }

    [Fact]
    public async Task An_unknown_media_id_is_a_40007_json_body()
    {
        using var response = await MediaGetAsync("no-such-media");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(40007, (await JsonOf(response)).ErrCode());
    }

    [Fact]
    public async Task Media_expire_three_days_after_upload()
    {
        var mediaId = (await wx.UploadAsync(SandboxApp.Oa, "image", SandboxDriver.Jpeg(500))).Str("media_id");

        await wx.AdvanceAsync(TimeSpan.FromDays(3) - TimeSpan.FromSeconds(1));
        using var before = await MediaGetAsync(mediaId);
        await wx.AdvanceAsync(TimeSpan.FromSeconds(1));
        using var after = await MediaGetAsync(mediaId);

        Assert.Equal("image/jpeg", before.Content.Headers.ContentType?.MediaType);
        Assert.Equal(40007, (await JsonOf(after)).ErrCode());
    }

    [Fact]
    public async Task Media_belong_to_the_account_that_uploaded_them()
    {
        var mediaId = (await wx.UploadAsync(SandboxApp.Oa, "image", SandboxDriver.Jpeg(500))).Str("media_id");

        using var fromMp = await MediaGetAsync(mediaId, SandboxApp.Mp);

        Assert.Equal(40007, (await JsonOf(fromMp)).ErrCode());
    }

    [Fact]
    public async Task A_picture_a_user_sends_is_downloadable_through_media_get()
    {
        var bytes = SandboxDriver.Jpeg(4_321);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(bytes), "media", "evidence.jpg" } };
        using var sent = await wx.Http.PostAsync("/sandbox/wechat/media", form, Ct);
        var mediaId = (await JsonOf(sent)).Str("mediaId");

        using var download = await MediaGetAsync(mediaId);
        var plain = await wx.Http.GetByteArrayAsync($"/sandbox/wechat/media/{mediaId}", Ct);

        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(bytes, plain);
    }

    [Fact]
    public async Task A_video_answers_a_download_url_instead_of_bytes()
    {
        var mp4 = new byte[2_000];
        byte[] header = [0, 0, 0, 0x20, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'i', (byte)'s', (byte)'o', (byte)'m'];
        header.CopyTo(mp4, 0);
        var mediaId = (await wx.UploadAsync(SandboxApp.Oa, "video", mp4, "clip.mp4")).Str("media_id");

        using var response = await MediaGetAsync(mediaId);
        var url = (await JsonOf(response)).Str("video_url");

        Assert.Equal(mp4, await wx.Http.GetByteArrayAsync(new Uri(url).PathAndQuery, Ct));
    }
}
