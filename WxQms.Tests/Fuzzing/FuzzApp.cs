using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using MySqlConnector;
using WxQms.Tests.Infrastructure;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Fuzzing;

/// <summary>
/// An Api instance for the fuzzers (issue #15): the same settings as <see cref="WxQmsApp"/>, on its own test server,
/// with every log record of level Error and above collected, so that a property can say "nothing went unhandled".
/// </summary>
public sealed class FuzzApp : WxQmsApp
{
    public FakeLogCollector Log => Get<FakeLogCollector>();

    /// <summary>The Error-level records (an unhandled exception among them), one line each.</summary>
    public IReadOnlyList<string> Errors() => Log.GetSnapshot()
        .Where(r => r.Level >= LogLevel.Error)
        .Select(r => $"{r.Category}: {r.Message} {r.Exception?.GetType().Name} {r.Exception?.Message}")
        .ToList();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(s => s.AddFakeLogging());
        builder.ConfigureLogging(l => l.AddFilter<FakeLoggerProvider>(null, LogLevel.Error));
    }

    /// <summary>Rows in each of these tables now.</summary>
    public static async Task<Dictionary<string, long>> CountAsync(params string[] tables)
    {
        var counts = new Dictionary<string, long>();
        foreach (var table in tables)
            counts[table] = await ScalarAsync($"SELECT COUNT(*) FROM `{table}`");
        return counts;
    }

    /// <summary>Files under the storage root now.</summary>
    public int StoredFiles() => Directory.Exists(UploadRoot) ? Directory.EnumerateFiles(UploadRoot, "*", SearchOption.AllDirectories).Count() : 0;
}
