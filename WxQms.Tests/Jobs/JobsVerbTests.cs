using WxQms.Jobs;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Jobs;

[Collection(IntegrationCollection.Name)]
public sealed class JobsVerbTests
{
    [Fact]
    public async Task Migrate_then_seed_twice_builds_the_demo_subdistrict_once()
    {
        await using var scratch = await ScratchDatabase.CreateAsync();
        string[] config = [$"--ConnectionStrings:MySql={scratch.ConnectionString}", $"--ConnectionStrings:Redis={TestEnvironment.Redis}"];

        Assert.Equal(0, await JobsProgram.Main(["migrate", .. config]));
        Assert.Equal(0, await JobsProgram.Main(["seed", .. config]));
        var orgs = await scratch.ScalarAsync("SELECT COUNT(*) FROM orgs");
        var members = await scratch.ScalarAsync("SELECT COUNT(*) FROM members");
        var firstNames = await scratch.ScalarAsync("SELECT CRC32(GROUP_CONCAT(name ORDER BY code)) FROM members");

        Assert.Equal(0, await JobsProgram.Main(["seed", .. config]));

        Assert.Equal(16, await scratch.ScalarAsync(
            "SELECT COUNT(*) FROM orgs c JOIN orgs r ON c.parent_id = r.id WHERE r.code = 'DFL'"));
        Assert.InRange(members, 1800, 2500);
        Assert.Equal(orgs, await scratch.ScalarAsync("SELECT COUNT(*) FROM orgs"));
        Assert.Equal(members, await scratch.ScalarAsync("SELECT COUNT(*) FROM members"));
        Assert.Equal(firstNames, await scratch.ScalarAsync("SELECT CRC32(GROUP_CONCAT(name ORDER BY code)) FROM members"));
        Assert.Equal(1, await scratch.ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'seed.applied'"));
    }

    [Fact]
    public async Task Plan_generates_the_year_asked_for_and_adds_nothing_the_second_time()
    {
        await using var scratch = await ScratchDatabase.CreateAsync();
        string[] config = [$"--ConnectionStrings:MySql={scratch.ConnectionString}", $"--ConnectionStrings:Redis={TestEnvironment.Redis}"];
        Assert.Equal(0, await JobsProgram.Main(["migrate", .. config]));
        Assert.Equal(0, await JobsProgram.Main(["seed", .. config]));

        Assert.Equal(0, await JobsProgram.Main(["plan", "--Year=2027", .. config]));
        var tasks = await scratch.ScalarAsync("SELECT COUNT(*) FROM tasks");
        Assert.Equal(0, await JobsProgram.Main(["plan", "--Year=2027", .. config]));

        Assert.InRange(tasks, 4000, 5000);
        Assert.Equal(tasks, await scratch.ScalarAsync("SELECT COUNT(*) FROM tasks WHERE period_key LIKE '2027%'"));
        Assert.Equal(tasks, await scratch.ScalarAsync("SELECT COUNT(*) FROM tasks"));
    }

    [Fact]
    public async Task Menus_fails_with_a_message_when_wechat_cannot_be_reached_or_links_cannot_be_built()
    {
        string[] config =
        [
            $"--ConnectionStrings:MySql={TestEnvironment.MySql}", $"--ConnectionStrings:Redis={TestEnvironment.Redis}",
            "--Wechat:ApiBase=http://127.0.0.1:9/", "--Wechat:Oa:AppId=wx0a0000000000test", "--Wechat:Oa:AppSecret=s",
            "--Wechat:Mp:AppId=wx0b0000000000test", "--Wechat:Mp:AppSecret=s",
        ];

        Assert.Equal(1, await JobsProgram.Main(["menus", .. config])); // no Bot:PublicBase for the oauth: links
        Assert.Equal(1, await JobsProgram.Main(["menus", "--Bot:PublicBase=https://dj.example.cn", .. config])); // nobody on port 9
    }

    [Theory]
    [InlineData("Production", "true", "http://127.0.0.1:8080/sandbox/wechat", "Wechat:Sandbox:Enabled")]
    [InlineData("Development", "true", "https://api.weixin.qq.com", "Wechat:ApiBase")]
    [InlineData("Production", "false", "https://api.weixin.qq.com", "Wechat:Oa:AppSecret")]
    public async Task Run_refuses_to_start_with_the_sandbox_or_its_demo_secrets_outside_the_sandbox(string environment,
        string sandboxEnabled, string apiBase, string named)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => JobsProgram.Main(
        [
            "run", $"--environment={environment}", $"--ConnectionStrings:MySql={TestEnvironment.MySql}",
            $"--ConnectionStrings:Redis={TestEnvironment.Redis}", $"--Wechat:Sandbox:Enabled={sandboxEnabled}", $"--Wechat:ApiBase={apiBase}",
            "--Wechat:Oa:AppId=wx5a4db0c0a0000001", "--Wechat:Oa:AppSecret=sandbox-oa-secret-not-a-secret",
            "--Wechat:Mp:AppId=wx5a4db0c0a0000002", "--Wechat:Mp:AppSecret=s",
        ]));

        Assert.Contains(named, error.Message);
    }

    [Fact]
    public async Task An_unknown_verb_prints_usage_and_fails()
    {
        var error = new StringWriter();
        var original = Console.Error;
        Console.SetError(error);
        try
        {
            Assert.Equal(2, await JobsProgram.Main(["frobnicate"]));
        }
        finally
        {
            Console.SetError(original);
        }

        Assert.Contains("unknown verb 'frobnicate'", error.ToString());
        Assert.Contains("migrate", error.ToString());
    }

    [Fact]
    public async Task A_missing_connection_string_stops_the_host_with_a_clear_message()
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() =>
            JobsProgram.Main(["migrate", "--ConnectionStrings:MySql=", "--ConnectionStrings:Redis="]));

        Assert.Contains("ConnectionStrings:MySql is required", ex.Message);
    }
}
