using WxQms.Domain.Services;
using WxQms.Sandbox.Demo;

namespace WxQms.Tests.Infrastructure;

/// <summary>A class fixture: a clean database holding the demo subdistrict, seeded once per class.</summary>
public sealed class SeededSubdistrict(WxQmsApp app) : IAsyncLifetime
{
    public SeedResult Result { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await app.ResetAsync();
        Result = await app.Get<DemoSeeder>().SeedAsync(CancellationToken.None);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
