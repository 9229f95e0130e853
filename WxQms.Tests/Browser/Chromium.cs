using Microsoft.Playwright;
using WxQms.Tests.Infrastructure;

[assembly: AssemblyFixture(typeof(WxQms.Tests.Browser.Chromium))]

namespace WxQms.Tests.Browser;

/// <summary>
/// One Playwright driver and one headless Debian Chromium for every browser class of the test process (nothing is
/// downloaded; <c>scripts/test.sh</c> installs it), launched when the first class asks and closed when the process's
/// tests end: a launch costs seconds on the shared 2-core machines, and a process that runs no browser test launches
/// nothing. Tests keep apart by opening browser contexts of their own (cookies and storage never leak between them).
/// The WebGL flavour is a second Chromium on the same driver, launched only for the classes that draw with WebGL.
/// At the end it writes how long the browser classes took (<see cref="Spent"/>) to
/// <c>.local/test-results/browser-&lt;process id&gt;.seconds</c>, which <c>scripts/test.sh</c> prints as its own phase.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    /// <summary>Debian's wrapper script; <c>WXQMS_CHROMIUM</c> points elsewhere.</summary>
    public static string ExecutablePath { get; } = Environment.GetEnvironmentVariable("WXQMS_CHROMIUM") ?? "/usr/bin/chromium";

    /// <summary>What works on these machines (env notes): without the networking flags Chromium keeps dialling Google.</summary>
    private static readonly string[] CommonArgs =
    [
        "--no-sandbox", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run",
    ];

    /// <summary>No GPU at all: the pages under test draw with canvas 2D at most.</summary>
    private static readonly string[] PlainArgs = [.. CommonArgs, "--disable-gpu"];

    /// <summary>WebGL, which a GPU-less Chromium only offers through SwiftShader (Pannellum's panoramas need it).</summary>
    private static readonly string[] WebGlArgs =
        [.. CommonArgs, "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist"];

    private readonly SemaphoreSlim gate = new(1, 1);
    private IPlaywright? playwright;
    private IBrowser? plain;
    private IBrowser? webGl;
    private long spentTicks;

    /// <summary>The browser classes' time so far, each from its fixture's set-up to its tear-down.</summary>
    public TimeSpan Spent => TimeSpan.FromTicks(Interlocked.Read(ref spentTicks));

    /// <summary>Counts a browser class's time, set-up and tear-down included.</summary>
    public void AddSpent(TimeSpan time) => Interlocked.Add(ref spentTicks, time.Ticks);

    /// <summary>The Chromium without a GPU, launched at the first call.</summary>
    public Task<IBrowser> PlainAsync() => LaunchOnceAsync(() => plain, b => plain = b, PlainArgs);

    /// <summary>The Chromium with WebGL (SwiftShader), launched at the first call.</summary>
    public Task<IBrowser> WebGlAsync() => LaunchOnceAsync(() => webGl, b => webGl = b, WebGlArgs);

    private async Task<IBrowser> LaunchOnceAsync(Func<IBrowser?> current, Action<IBrowser> keep, string[] args)
    {
        await gate.WaitAsync();
        try
        {
            if (current() is { IsConnected: true } running)
                return running;
            if (!File.Exists(ExecutablePath))
            {
                throw new InvalidOperationException(
                    $"Chromium not found at {ExecutablePath}: scripts/test.sh installs it " +
                    "(apt-get install --no-install-recommends chromium fonts-noto-cjk), or set WXQMS_CHROMIUM");
            }
            playwright ??= await Playwright.CreateAsync();
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Chromium.ExecutablePath, Headless = true, Args = args,
            });
            keep(browser);
            return browser;
        }
        finally
        {
            gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var browser in new[] { plain, webGl })
        {
            if (browser is not null)
                await browser.CloseAsync();
        }
        playwright?.Dispose();
        gate.Dispose();
        if (Spent > TimeSpan.Zero)
        {
            var results = Path.Combine(TestEnvironment.RepoRoot(), ".local", "test-results");
            Directory.CreateDirectory(results);
            await File.WriteAllTextAsync(Path.Combine(results, $"browser-{Environment.ProcessId}.seconds"),
                $"{(int)Math.Round(Spent.TotalSeconds)}\n");
        }
    }
}
