using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using WxQms.Domain.Hosting;
using WxQms.Domain.Sms;

namespace WxQms.Tests.Sms;

/// <summary>
/// The sandbox file's SMS key and callback token are public, as its WeChat secrets are: outside the Sandbox and
/// Development environments a host refuses to start with them and names the variables to set.
/// </summary>
public sealed class SmsDemoSecretsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Sandbox", true)]
    [InlineData("Development", true)]
    [InlineData("Production", false)]
    [InlineData("Staging", false)]
    public async Task The_sandbox_demo_sms_secrets_serve_only_the_sandbox_and_development(string environment, bool starts)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = environment });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sms:Provider"] = "tencent", ["Sms:SecretId"] = "AKIDsandbox0000000000000000000000demo",
            ["Sms:SecretKey"] = "sandbox-sms-secret-key-NOT-A-SECRET", ["Sms:SdkAppId"] = "1400000000", ["Sms:SignName"] = "东风路街道党工委",
            ["Sms:CallbackToken"] = "sandbox-sms-callback-token-not-a-secret",
        });
        builder.Services.AddSms();
        using var host = builder.Build();

        if (starts)
        {
            await host.StartAsync(Ct);
            await host.StopAsync(Ct);
            return;
        }
        var error = await Assert.ThrowsAnyAsync<OptionsValidationException>(() => host.StartAsync(Ct));
        Assert.Contains("Sms:SecretKey", error.Message);
        Assert.Contains("Sms__CallbackToken", error.Message);
    }

    [Fact]
    public void Real_sms_secrets_pass_in_production()
    {
        var check = new SandboxDemoSecrets(new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = "Production" });
        var result = check.Validate(null, new SmsOptions { Provider = "tencent", SecretKey = "k8Fq2…real", CallbackToken = "c0ffee-real" });
        Assert.True(result.Succeeded, result.FailureMessage);
    }
}
