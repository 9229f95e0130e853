using System.Security.Cryptography;
using WxQms.Domain.Services;
using WxQms.Tests.Browser;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Wishes;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Jobs;

/// <summary>
/// The upload sweep on the real database and disk, driven by the shared fake clock: uploads never used within their
/// 24 hours go, rows and files, but a file whose content a used upload or a wish photo also has stays.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class UploadSweepJobTests(WxQmsApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly WishWorld w = new(app);

    public async ValueTask InitializeAsync() => await w.InitializeAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Uploads_never_used_within_24_hours_are_removed_with_their_files_unless_the_content_is_used_elsewhere()
    {
        var resident = await w.ResidentAsync("马德胜");
        byte[] forgotten = TestPng.Create(97, 61), posted = TestPng.Create(97, 62), twice = TestPng.Create(97, 63),
            recent = TestPng.Create(97, 64);
        var forgottenToken = await w.UploadAsync(resident, forgotten);
        var postedToken = await w.UploadAsync(resident, posted);
        var twiceUnused = await w.UploadAsync(resident, twice);
        var twiceUsed = await w.UploadAsync(resident, twice);
        await w.PostWishAsync(resident, photos: [postedToken, twiceUsed]);
        await w.Wx.AdvanceAsync(TimeSpan.FromHours(23));
        resident = await w.ResidentAsync("马德胜");
        var recentToken = await w.UploadAsync(resident, recent);
        await w.Wx.AdvanceAsync(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        var job = app.Get<UploadSweeper>();

        await job.SweepAsync(app.Clock.GetUtcNow(), Ct);

        Assert.Equal([postedToken, twiceUsed, recentToken], (await QueryAsync<string>("SELECT token FROM uploads ORDER BY id")).ToList());
        Assert.False(Stored(forgotten));
        Assert.True(Stored(posted));
        Assert.True(Stored(twice));
        Assert.True(Stored(recent));
        Assert.DoesNotContain(forgottenToken, await QueryAsync<string>("SELECT token FROM uploads"));
        Assert.DoesNotContain(twiceUnused, await QueryAsync<string>("SELECT token FROM uploads"));

        // A day later the recent one has had its 24 hours too; running again changes nothing more.
        await w.Wx.AdvanceAsync(TimeSpan.FromHours(24));
        await job.SweepAsync(app.Clock.GetUtcNow(), Ct);
        await job.SweepAsync(app.Clock.GetUtcNow(), Ct);

        Assert.Equal([postedToken, twiceUsed], (await QueryAsync<string>("SELECT token FROM uploads ORDER BY id")).ToList());
        Assert.False(Stored(recent));
        Assert.True(Stored(posted));
        Assert.True(Stored(twice));
    }

    [Fact]
    public async Task A_file_stored_again_within_the_last_hour_stays_though_its_old_upload_goes()
    {
        var resident = await w.ResidentAsync("马德胜");
        var photo = TestPng.Create(98, 61);
        await w.UploadAsync(resident, photo);
        await w.Wx.AdvanceAsync(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(30));
        // The same bytes arrive again (say in a multipart evidence whose row is not committed yet).
        await app.Get<PhotoIntake>().AcceptAsync(new MemoryStream(photo), "again.png", Ct);

        await app.Get<UploadSweeper>().SweepAsync(app.Clock.GetUtcNow(), Ct);

        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM uploads"));
        Assert.True(Stored(photo));
    }

    private bool Stored(byte[] bytes)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return File.Exists(Path.Combine(app.UploadRoot, sha[..2], sha + ".png"));
    }
}
