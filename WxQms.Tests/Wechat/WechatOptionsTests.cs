using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using WxQms.Domain.Wechat;

namespace WxQms.Tests.Wechat;

/// <summary>What the hosts refuse at start in the Wechat section, with the message a deployer reads.</summary>
public sealed class WechatOptionsTests
{
    /// <summary>The values of appsettings.Sandbox.json (public demo values) with the sandbox as given.</summary>
    private static Dictionary<string, string?> SandboxFile(bool sandboxEnabled) => new()
    {
        ["Wechat:Oa:AppId"] = "wx5a4db0c0a0000001",
        ["Wechat:Oa:AppSecret"] = "sandbox-oa-secret-not-a-secret",
        ["Wechat:Oa:Token"] = "sandboxtoken",
        ["Wechat:Oa:EncodingAesKey"] = "SandboxDemoKeyNotASecret0123456789abcdefghi",
        ["Wechat:Mp:AppId"] = "wx5a4db0c0a0000002",
        ["Wechat:Mp:AppSecret"] = "sandbox-mp-secret-not-a-secret",
        ["Wechat:Mp:Token"] = "sandboxmptoken",
        ["Wechat:Sandbox:Enabled"] = sandboxEnabled ? "true" : "false",
        ["Wechat:ApiBase"] = "http://127.0.0.1:8080/sandbox/wechat",
    };

    /// <summary>The options as a host in <paramref name="environment"/> (the Sandbox environment unless a test says) sees them.</summary>
    private static WechatOptions Load(Dictionary<string, string?> settings, string environment = "Sandbox")
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddSingleton<IHostEnvironment>(new HostingEnvironment { EnvironmentName = environment });
        services.AddWechat();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<WechatOptions>>().Value;
    }

    [Fact]
    public void The_sandbox_demo_values_serve_the_sandbox()
    {
        var options = Load(SandboxFile(sandboxEnabled: true));

        Assert.Equal("wx5a4db0c0a0000001", options.Oa.AppId);
        Assert.Equal("http://127.0.0.1:8080/sandbox/wechat", options.ApiBase);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Outside_the_sandbox_and_development_every_demo_secret_is_refused_by_name_whatever_the_switch(bool sandboxEnabled)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Load(SandboxFile(sandboxEnabled), "Production"));

        foreach (var key in new[] { "Wechat:Oa:AppSecret", "Wechat:Oa:Token", "Wechat:Oa:EncodingAesKey", "Wechat:Mp:AppSecret", "Wechat:Mp:Token" })
            Assert.Contains(key, error.Message);
        Assert.Contains("Wechat__Oa__AppSecret", error.Message);
        Assert.DoesNotContain("sandbox-oa-secret", error.Message);
    }

    private static Dictionary<string, string?> RealValues(bool sandboxEnabled)
    {
        var settings = SandboxFile(sandboxEnabled);
        settings["Wechat:Oa:AppSecret"] = "0123456789abcdef0123456789abcdef";
        settings["Wechat:Oa:Token"] = "realtoken2026";
        settings["Wechat:Oa:EncodingAesKey"] = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
        settings["Wechat:Mp:AppSecret"] = "fedcba9876543210fedcba9876543210";
        settings["Wechat:Mp:Token"] = null;
        settings["Wechat:ApiBase"] = "https://api.weixin.qq.com";
        return settings;
    }

    [Fact]
    public void With_the_sandbox_off_real_values_start_in_production() =>
        Assert.Equal("realtoken2026", Load(RealValues(sandboxEnabled: false), "Production").Oa.Token);

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    [InlineData("Testing")]
    public void The_sandbox_switch_is_refused_outside_the_sandbox_and_development_environments(string environment)
    {
        var settings = RealValues(sandboxEnabled: true);
        settings["Wechat:ApiBase"] = "http://127.0.0.1:8080/sandbox/wechat";

        var error = Assert.Throws<OptionsValidationException>(() => Load(settings, environment));

        Assert.Contains("Wechat:Sandbox:Enabled", error.Message);
        Assert.Contains(environment, error.Message);
    }

    [Theory]
    [InlineData("Sandbox", "http://127.0.0.1:8080/sandbox/wechat", true)]
    [InlineData("Development", "http://localhost/sandbox/wechat", true)]
    [InlineData("Development", "http://[::1]:8080/sandbox/wechat", true)]
    [InlineData("Sandbox", "https://api.weixin.qq.com", false)]
    [InlineData("Sandbox", "http://10.0.0.8:8080/sandbox/wechat", false)]
    [InlineData("Development", "http://localhost.example.com/sandbox/wechat", false)]
    public void The_sandbox_switch_needs_wechat_calls_to_stay_on_this_machine(string environment, string apiBase, bool starts)
    {
        var settings = SandboxFile(sandboxEnabled: true);
        settings["Wechat:ApiBase"] = apiBase;

        if (starts)
        {
            Assert.Equal(apiBase, Load(settings, environment).ApiBase);
            return;
        }
        var error = Assert.Throws<OptionsValidationException>(() => Load(settings, environment));
        Assert.Contains("Wechat:ApiBase", error.Message);
    }

    [Theory]
    [InlineData("Wechat:Oa:AppId", "wx123", "AppId looks like wx followed by 16 letters or digits")]
    [InlineData("Wechat:Mp:AppSecret", "", "AppSecret is required")]
    [InlineData("Wechat:Oa:Token", "has space", "Token is 3–32 letters or digits")]
    [InlineData("Wechat:Oa:EncodingAesKey", "tooShort", "EncodingAesKey is 43 letters or digits")]
    [InlineData("Wechat:ApiBase", "not a url", "ApiBase")]
    [InlineData("Wechat:Callback:TimestampToleranceSeconds", "-1", "TimestampToleranceSeconds")]
    public void A_malformed_value_is_refused_with_a_message_that_names_it(string key, string value, string message)
    {
        var settings = SandboxFile(sandboxEnabled: true);
        settings[key] = value;

        var error = Assert.Throws<OptionsValidationException>(() => Load(settings));

        Assert.Contains(message, error.Message);
    }
}
