using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using WxQms.Domain.Services.Pay;
using WxQms.Domain.Wechat.Pay;

namespace WxQms.Tests.Pay;

/// <summary>What the hosts refuse at start in <c>Wechat:Pay</c>, with the message a deployer reads (and never a secret).</summary>
public sealed class WechatPayOptionsTests
{
    private const string ApiV3Key = "sandbox-apiv3-demo-NOT-A-SECRET!";

    /// <summary>The Sandbox file's values.</summary>
    private static Dictionary<string, string?> SandboxFile() => new()
    {
        ["Wechat:Pay:MchId"] = "1900000109",
        ["Wechat:Pay:SerialNo"] = "5A4DB0C0A0000000000000000000000000000001",
        ["Wechat:Pay:PrivateKeyPath"] = "sandbox-pay/sandbox-demo-merchant-key.pem",
        ["Wechat:Pay:ApiV3Key"] = ApiV3Key,
        ["Wechat:Pay:PlatformCertPath"] = "sandbox-pay/sandbox-demo-platform-cert.pem",
        ["Wechat:Pay:NotifyUrl"] = "http://127.0.0.1:8080/wechat/pay/notify",
    };

    private static WechatPayOptions Load(Dictionary<string, string?> settings, string environment = "Sandbox")
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddSingleton<IHostEnvironment>(new HostingEnvironment
        {
            EnvironmentName = environment, ContentRootPath = AppContext.BaseDirectory,
        });
        services.AddPay();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<WechatPayOptions>>().Value;
    }

    [Fact]
    public void Unconfigured_pay_is_off_and_starts()
    {
        var options = Load([]);
        Assert.False(options.IsConfigured);
        Assert.Equal("https://api.mch.weixin.qq.com", options.ApiBase);
    }

    [Fact]
    public void The_sandbox_file_serves_the_sandbox_and_its_platform_serial_comes_from_the_certificate()
    {
        Assert.True(Load(SandboxFile()).IsConfigured);
        var (key, serial) = WechatPayKeys.LoadPlatformKey(Path.Combine(AppContext.BaseDirectory, "sandbox-pay", "sandbox-demo-platform-cert.pem"));
        key.Dispose();
        Assert.Equal("5A4DB0C0A0000000000000000000000000000002", serial);
    }

    [Fact]
    public void A_merchant_number_without_its_keys_does_not_start_and_the_refusal_names_each_missing_key()
    {
        var settings = new Dictionary<string, string?> { ["Wechat:Pay:MchId"] = "1900000109" };
        var refusal = Assert.Throws<OptionsValidationException>(() => Load(settings)).Message;
        foreach (var key in new[] { "SerialNo", "ApiV3Key", "NotifyUrl", "PrivateKeyPath", "PlatformCertPath" })
            Assert.Contains("Wechat:Pay:" + key, refusal);
    }

    [Fact]
    public void A_key_file_that_is_missing_or_not_a_key_is_refused_by_name()
    {
        var notAKey = Path.Combine(Path.GetTempPath(), $"wxqms-not-a-key-{Guid.NewGuid():N}.pem");
        File.WriteAllText(notAKey, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
        try
        {
            var settings = SandboxFile();
            settings["Wechat:Pay:PrivateKeyPath"] = notAKey;
            settings["Wechat:Pay:PlatformCertPath"] = "/nonexistent/platform.pem";
            var refusal = Assert.Throws<OptionsValidationException>(() => Load(settings)).Message;
            Assert.Contains($"Wechat:Pay:PrivateKeyPath: {notAKey} is not a usable PEM key", refusal);
            Assert.Contains("Wechat:Pay:PlatformCertPath: no file at /nonexistent/platform.pem", refusal);
        }
        finally
        {
            File.Delete(notAKey);
        }
    }

    [Fact]
    public void The_demo_keys_are_refused_outside_the_sandbox_and_no_refusal_or_ToString_shows_a_secret()
    {
        var settings = SandboxFile();
        settings["Wechat:Pay:NotifyUrl"] = "https://wxqms.example.cn/wechat/pay/notify";
        var refusal = Assert.Throws<OptionsValidationException>(() => Load(settings, "Production")).Message;
        Assert.Contains("Wechat:Pay:ApiV3Key, Wechat:Pay:PrivateKeyPath, Wechat:Pay:PlatformCertPath", refusal);
        Assert.DoesNotContain(ApiV3Key, refusal);

        settings["Wechat:Pay:ApiV3Key"] = "0123456789abcdefghijklmnopqrstuv";
        var shown = Assert.Throws<OptionsValidationException>(() => Load(settings, "Production")).Message;
        Assert.DoesNotContain("0123456789abcdefghijklmnopqrstuv", shown);
        Assert.DoesNotContain("0123456789abcdef", Load(SandboxFile()).ToString());
        Assert.DoesNotContain(ApiV3Key, Load(SandboxFile()).ToString());
    }

    [Fact]
    public void A_plain_http_notify_url_is_refused_in_production()
    {
        var settings = SandboxFile();
        settings["Wechat:Pay:NotifyUrl"] = "http://wxqms.example.cn/wechat/pay/notify";
        Assert.Contains("Wechat:Pay:NotifyUrl", Assert.Throws<OptionsValidationException>(() => Load(settings, "Production")).Message);
    }
}
