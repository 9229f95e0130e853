using WxQms.Domain.Services;
using WxQms.Sandbox.Demo;

namespace WxQms.Tests.Infrastructure;

/// <summary>A class fixture: a clean database holding the demo subdistrict, seeded once per class.</summary>
public sealed class SeededSubdistrict(WxQmsApp app) : IAsyncLifetime
{
    public SeedResult Result { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Result = await app.SeedDemoAsync();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>
/// A class fixture: the demo subdistrict seeded once per class for an app on a clock of its own (<see cref="OwnClockApp"/>),
/// for a class that reads "last month" of the current year and so must not stand wherever the shared clock got to.
/// </summary>
public sealed class SeededOwnClock : IAsyncLifetime
{
    public OwnClockApp App { get; } = new();

    public async ValueTask InitializeAsync()
    {
        await App.InitializeAsync();
        await App.SeedDemoAsync();
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
