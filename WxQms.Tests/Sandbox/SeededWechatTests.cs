using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Sandbox;

/// <summary>
/// For test classes that need the demo members and a fresh WeChat for every test: the members are
/// seeded once per class (seeding costs a second), the sandbox and our cached tokens are reset per test.
/// </summary>
public abstract class SeededWechatTests(WxQmsApp app, SeededSubdistrict seeded) : IClassFixture<SeededSubdistrict>, IAsyncLifetime
{
    protected WxQmsApp App { get; } = app;

    protected SandboxDriver Wx { get; } = new(app);

    public async ValueTask InitializeAsync()
    {
        Assert.False(seeded.Result.AlreadySeeded);
        await Wx.ResetWechatAsync();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
