using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Api;

/// <summary>
/// <c>/readyz</c> is public: it names the store that is down, and keeps the reason (host, port, user name)
/// for the log.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class ReadinessTests
{
    private const string User = "readyz_probe_user";
    private const string Password = "readyz-probe-password";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Names_mysql_when_it_refuses_us_and_leaves_the_details_to_the_log()
    {
        // The real test server with an unknown user: MariaDB answers "Access denied for user '…'@'…'".
        var refused = new MySqlConnectionStringBuilder(TestEnvironment.MySql) { UserID = User, Password = Password };
        await using var app = new MySqlOverrideApp(refused.ConnectionString);
        var client = app.CreateClient();

        var response = await client.GetAsync("/readyz", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(Ct);
        var checks = JsonDocument.Parse(body).RootElement.GetProperty("checks").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal("Unhealthy", checks["mysql"].GetProperty("status").GetString());
        Assert.Equal("Healthy", checks["redis"].GetProperty("status").GetString());
        Assert.StartsWith("MySQL unreachable", checks["mysql"].GetProperty("description").GetString());
        foreach (var detail in new[] { User, Password, refused.Server, $"{refused.Port}", "Access denied" })
            Assert.DoesNotContain(detail, body, StringComparison.OrdinalIgnoreCase);

        var logged = Assert.Single(app.Log.Entries, e => e.Exception is MySqlException);
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.Contains(User, logged.Exception!.Message);
        Assert.DoesNotContain(app.Log.Entries, e => e.Text.Contains(Password) || e.Exception?.ToString().Contains(Password) == true);
    }

    private sealed class MySqlOverrideApp(string mySql) : WxQmsApp
    {
        public LogCapture Log { get; } = new();

        protected override string MySqlConnectionString => mySql;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureLogging(l => l.AddProvider(Log));
        }
    }

    private sealed class LogCapture : ILoggerProvider
    {
        public ConcurrentQueue<(LogLevel Level, string Text, Exception? Exception)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(LogCapture owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
                Func<TState, Exception?, string> formatter) =>
                owner.Entries.Enqueue((logLevel, formatter(state, exception), exception));
        }
    }
}
