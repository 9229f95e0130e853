using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MySqlConnector;
using StackExchange.Redis;
using WxQms.Sandbox;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat;

[assembly: AssemblyFixture(typeof(WxQms.Tests.Infrastructure.WxQmsApp))]

namespace WxQms.Tests.Infrastructure;

/// <summary>
/// The Api over the real HTTP pipeline, on the test MariaDB and Redis. Migrated once per run; each
/// integration test class resets the data with <see cref="ResetAsync"/>.
/// </summary>
public class WxQmsApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2026, 11, 25, 1, 0, 0, TimeSpan.Zero);

    public const string OaAppId = "wx0a0000000000test";
    public const string MpAppId = "wx0b0000000000test";

    /// <summary>Not the demo's (东风路街道, in appsettings.json), so a text that ignores Subdistrict:Name shows.</summary>
    public const string SubdistrictName = "文化路街道";

    /// <summary>Shared by every test of the run and only moves forward: use times relative to it.</summary>
    public FakeTimeProvider Clock { get; } = new(Start);

    /// <summary>The app's clock: <see cref="Clock"/>, unless a test runs it beside real processes on the real clock.</summary>
    protected virtual TimeProvider AppClock => Clock;

    /// <summary>Where this app's WeChat calls go: its own sandbox unless a test says otherwise.</summary>
    protected virtual HttpMessageHandler CreateWechatHandler() => Server.CreateHandler();

    /// <summary>How the sandbox reaches our callback; a test can put a slow network in between.</summary>
    protected virtual HttpMessageHandler CreateCallbackHandler() => Server.CreateHandler();

    protected virtual TimeSpan DeliveryTimeout => TimeSpan.FromSeconds(5);

    /// <summary>Photos land here, one folder per app instance, removed with it.</summary>
    public string UploadRoot { get; } = Path.Combine(Path.GetTempPath(), "wxqms-tests", Guid.NewGuid().ToString("N"));

    protected virtual string MySqlConnectionString => TestEnvironment.MySql;

    protected virtual string RedisConnectionString => TestEnvironment.Redis;

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>The configuration this app runs with; a Jobs process started by a test gets the same.</summary>
    public Dictionary<string, string?> Settings => new()
    {
        ["ConnectionStrings:MySql"] = MySqlConnectionString,
        ["ConnectionStrings:Redis"] = RedisConnectionString,
        ["Logging:LogLevel:Default"] = "Warning",
        ["Members:IdCardKey"] = "dGVzdC1pZC1jYXJkLWtleS0zMi1ieXRlcy1sb25nISE=", // test value, not a secret
        ["Wechat:ApiBase"] = "http://localhost/sandbox/wechat",
        ["Wechat:OpenBase"] = "http://localhost/sandbox/open",
        ["Wechat:Oa:AppId"] = OaAppId,
        ["Wechat:Oa:AppSecret"] = "test-oa-secret",
        ["Wechat:Oa:Token"] = "testtoken",
        ["Wechat:Oa:EncodingAesKey"] = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
        ["Wechat:Oa:OriginalId"] = "gh_test000001",
        ["Wechat:Mp:AppId"] = MpAppId,
        ["Wechat:Mp:AppSecret"] = "test-mp-secret",
        ["Wechat:Mp:Token"] = "testmptoken",
        ["Wechat:Sandbox:Enabled"] = "true",
        ["Wechat:Sandbox:CallbackBase"] = "http://localhost",
        ["Wechat:Sandbox:AutoDeliverPushes"] = "false",
        ["Wechat:Sandbox:DeliveryTimeout"] = DeliveryTimeout.ToString(),
        // WeChat Pay against the sandbox, with its demo keys (copied beside the binary) and quick notification retries.
        ["Wechat:Pay:MchId"] = "1900000109",
        ["Wechat:Pay:SerialNo"] = "5A4DB0C0A0000000000000000000000000000001",
        ["Wechat:Pay:PrivateKeyPath"] = "sandbox-pay/sandbox-demo-merchant-key.pem",
        ["Wechat:Pay:ApiV3Key"] = "sandbox-apiv3-demo-NOT-A-SECRET!",
        ["Wechat:Pay:PlatformCertPath"] = "sandbox-pay/sandbox-demo-platform-cert.pem",
        ["Wechat:Pay:NotifyUrl"] = "http://localhost/wechat/pay/notify",
        ["Wechat:Pay:ApiBase"] = "http://localhost/sandbox/wechat",
        ["Wechat:Sandbox:Pay:NotifyRetryDelays:0"] = "00:00:00.100",
        ["Wechat:Sandbox:Pay:NotifyRetryDelays:1"] = "00:00:00.200",
        ["Storage:Root"] = UploadRoot,
        ["Subdistrict:Name"] = SubdistrictName,
        ["Reminders:Templates:meetingReminder:Oa"] = SandboxTemplates.OaMeetingReminder,
        ["Reminders:Templates:meetingReminder:Mp"] = SandboxTemplates.MpMeetingReminder,
        ["Reminders:Templates:taskWarning:Oa"] = SandboxTemplates.OaTaskWarning,
        ["Reminders:Templates:taskWarning:Mp"] = SandboxTemplates.MpTaskWarning,
        ["Reminders:Templates:reviewResult:Oa"] = SandboxTemplates.OaReviewResult,
        ["Reminders:Templates:reviewResult:Mp"] = SandboxTemplates.MpReviewResult,
        ["Reminders:Templates:wishUpdated:Oa"] = SandboxTemplates.OaWishUpdated,
        ["Reminders:Templates:wishUpdated:Mp"] = SandboxTemplates.MpWishUpdated,
        ["Reminders:Templates:termReminder:Oa"] = SandboxTemplates.OaTermReminder,
        ["Reminders:Templates:termReminder:Mp"] = SandboxTemplates.MpTermReminder,
        ["Reminders:RatePerSecond"] = "1000",
        // SMS is off (Provider empty) unless a test switches it on; the rest points at the SMS sandbox. Test values, not secrets.
        ["Sms:Provider"] = "",
        ["Sms:SecretId"] = "AKIDtest000000000000000000000000test",
        ["Sms:SecretKey"] = "test-sms-secret-key-not-a-secret",
        ["Sms:SdkAppId"] = "1400000001",
        ["Sms:SignName"] = "文化路街道党工委",
        ["Sms:ApiBase"] = "http://localhost/sandbox/sms/api",
        ["Sms:Templates:meetingReminder"] = WxQms.Sandbox.Sms.SandboxSms.MeetingReminderTemplate,
        ["Sms:Templates:taskWarning"] = WxQms.Sandbox.Sms.SandboxSms.TaskWarningTemplate,
        ["Sms:CallbackToken"] = "test-sms-callback-token",
        ["Bot:PublicBase"] = "http://localhost",
        ["Auth:JwtSigningKey"] = "tests-only-jwt-signing-key-not-a-secret-0123456789",
        ["Auth:Issuer"] = "wxqms-tests",
        ["Api:PublicDocs"] = "true", // the contract and the route tests read /openapi/v1.json
        // Tests send bursts from one user and one address; RateLimitTests lowers these in an app of its own.
        ["RateLimits:Login:PerMinute"] = "1000000", ["RateLimits:Login:Burst"] = "1000000",
        ["RateLimits:Bind:PerMinute"] = "1000000", ["RateLimits:Bind:Burst"] = "1000000",
        ["RateLimits:Uploads:PerMinute"] = "1000000", ["RateLimits:Uploads:Burst"] = "1000000",
        ["RateLimits:Wishes:PerMinute"] = "1000000", ["RateLimits:Wishes:Burst"] = "1000000",
        ["RateLimits:Rankings:PerMinute"] = "1000000", ["RateLimits:Rankings:Burst"] = "1000000",
        ["RateLimits:H5:PerMinute"] = "1000000", ["RateLimits:H5:Burst"] = "1000000",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development"); // the sandbox runs only in Sandbox or Development
        builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(Settings));
        // Program decides whether to add the sandbox before the host is built, when the configuration above has not
        // arrived yet (the factory adds it at Build); host settings reach Program at once.
        builder.UseSetting("Wechat:Sandbox:Enabled", Settings["Wechat:Sandbox:Enabled"]);
        builder.UseSetting("Wechat:ApiBase", Settings["Wechat:ApiBase"]);
        builder.ConfigureServices(s =>
        {
            s.AddSingleton(AppClock);
            // The WeChat client talks HTTP to the sandbox inside this (or another) test server.
            s.AddHttpClient(WechatServiceExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(CreateWechatHandler);
            // ...and the sandbox pushes to this server's callback, as WeChat would.
            s.AddHttpClient(SandboxPush.HttpClientName).ConfigurePrimaryHttpMessageHandler(CreateCallbackHandler);
            // WeChat Pay's client talks to the sandbox's imitation too; a test-only kind of order settles in the audit log.
            s.AddHttpClient(WxQms.Domain.Wechat.Pay.WechatPayClient.HttpClientName).ConfigurePrimaryHttpMessageHandler(CreateWechatHandler);
            s.AddSingleton<WxQms.Domain.Services.Pay.IPaidOrderHandler, Pay.TestPaidOrderHandler>();
            // The SMS client talks to the SMS sandbox in the same server.
            s.AddHttpClient(WxQms.Domain.Sms.TencentSmsProvider.HttpClientName).ConfigurePrimaryHttpMessageHandler(CreateWechatHandler);
        });
    }

    public virtual async ValueTask InitializeAsync()
    {
        await CreateDatabaseAsync(MySqlConnectionString);
        await Get<DbMigrator>().MigrateAsync();
    }

    /// <summary>
    /// The test database, created when missing: scripts/test.sh runs the suite in shards at once, each on a database of
    /// its own (wxqms_test_1, wxqms_test_2, …; the test user may create wxqms_* databases).
    /// </summary>
    private static async Task CreateDatabaseAsync(string connectionString)
    {
        var server = new MySqlConnectionStringBuilder(connectionString);
        var name = server.Database;
        if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            return; // none, or not a name of ours: the migrator's error says what is wrong
        server.Database = "";
        await using var conn = new MySqlConnection(server.ConnectionString);
        // Identifiers cannot be parameters; the name is checked above.
        await conn.ExecuteAsync($"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    }

    /// <summary>Empties every table but the migration journal, and the Redis database.</summary>
    public async Task ResetAsync()
    {
        await using (var conn = new MySqlConnection(MySqlConnectionString))
        {
            await conn.OpenAsync();
            var tables = await conn.QueryAsync<string>("""
                SELECT table_name FROM information_schema.tables
                WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' AND table_name <> @journal
                """, new { journal = DbMigrator.JournalTable });
            // TRUNCATE bypasses the append-only triggers on audit_log, which is what a reset wants.
            var sql = "SET FOREIGN_KEY_CHECKS = 0;"
                + string.Concat(tables.Select(t => $"TRUNCATE TABLE `{t}`;"))
                + "SET FOREIGN_KEY_CHECKS = 1;";
            await conn.ExecuteAsync(sql);
        }

        await FlushRedisAsync();
        Services.GetService<SandboxWechat>()?.Reset(); // none when a test turned the sandbox off
        Services.GetService<WxQms.Sandbox.Pay.SandboxPay>()?.Reset();
        Services.GetService<WxQms.Sandbox.Sms.SandboxSms>()?.Reset();
        Services.GetRequiredService<WxQms.Domain.Caching.DutyCatalogueCache>().Forget(); // the emptied table is seeded again
        Services.GetRequiredService<WxQms.Domain.Caching.TokenVersions>().Forget(); // members are seeded again from version 0
    }

    /// <summary>Empties the Redis database (tokens, caches, rate limits), leaving MariaDB as it is.</summary>
    public async Task FlushRedisAsync()
    {
        var options = ConfigurationOptions.Parse(RedisConnectionString);
        options.AllowAdmin = true;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        foreach (var server in redis.GetServers())
            await server.FlushDatabaseAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(UploadRoot))
            Directory.Delete(UploadRoot, recursive: true);
        GC.SuppressFinalize(this);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class IntegrationCollection
{
    public const string Name = "integration";
}
