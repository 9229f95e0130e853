using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using WxQms.Domain.Sms;
using WxQms.Domain.Wechat;
using WxQms.Domain.Wechat.Pay;

namespace WxQms.Domain.Hosting;

/// <summary>
/// What only a local demo may run with, checked when a host starts (Api and Jobs alike):
/// <list type="bullet">
/// <item>The sandbox switch (<c>Wechat:Sandbox:Enabled</c>) maps an imitation of WeChat in which anyone signs in as
/// anyone: it is refused unless the environment is <c>Sandbox</c> or <c>Development</c> and <c>Wechat:ApiBase</c> is on
/// this machine (127.0.0.1, ::1 or localhost), so a deployment cannot turn it on by one setting.</item>
/// <item>The sandbox files (<c>appsettings.Sandbox.json</c>) carry demo secrets that are public in the repository; each
/// names the sandbox. The demo signing key would let anyone forge a mini-program token, an H5 session or a photo
/// link, and the demo WeChat secrets belong to no real account. Outside <c>Sandbox</c> and <c>Development</c> they
/// are refused whatever the switch says, and the refusal names the keys to set.</item>
/// </list>
/// </summary>
public sealed class SandboxDemoSecrets(IHostEnvironment environment) : IValidateOptions<WechatOptions>, IValidateOptions<AuthOptions>,
    IValidateOptions<WechatPayOptions>, IValidateOptions<SmsOptions>
{
    /// <summary>Whether a configured secret is one of the sandbox's demo values.</summary>
    public static bool IsDemo(string? secret) => secret?.Contains("sandbox", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>The local demo (<c>Sandbox</c>) and a developer's machine (<c>Development</c>); anything else is a deployment.</summary>
    public static bool IsLocal(IHostEnvironment environment) =>
        environment.IsEnvironment("Sandbox") || environment.IsDevelopment();

    /// <summary>An absolute URL whose host is this machine: localhost, 127.0.0.0/8 or ::1.</summary>
    public static bool IsLoopback(string? url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.IsLoopback;

    public ValidateOptionsResult Validate(string? name, WechatOptions options)
    {
        var failures = new List<string>();
        if (options.Sandbox.Enabled && !IsLocal(environment))
            failures.Add($"Wechat:Sandbox:Enabled=true is refused in the environment '{environment.EnvironmentName}': the sandbox " +
                "imitates WeChat (anyone may sign in as anyone) and runs only in the Sandbox or Development environment");
        if (options.Sandbox.Enabled && !IsLoopback(options.ApiBase))
            failures.Add("Wechat:Sandbox:Enabled=true needs Wechat:ApiBase on this machine (127.0.0.1, ::1 or localhost), " +
                $"not {(Uri.TryCreate(options.ApiBase, UriKind.Absolute, out var uri) ? uri.Host : "an unreadable URL")}");
        if (!IsLocal(environment))
        {
            var demo = new[]
            {
                ("Wechat:Oa:AppSecret", options.Oa.AppSecret), ("Wechat:Oa:Token", options.Oa.Token),
                ("Wechat:Oa:EncodingAesKey", options.Oa.EncodingAesKey),
                ("Wechat:Mp:AppSecret", options.Mp.AppSecret), ("Wechat:Mp:Token", options.Mp.Token),
                ("Wechat:Mp:EncodingAesKey", options.Mp.EncodingAesKey),
            }.Where(k => IsDemo(k.Item2)).Select(k => k.Item1).ToList();
            if (demo.Count > 0)
                failures.Add(Refusal(demo));
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public ValidateOptionsResult Validate(string? name, AuthOptions options) =>
        !IsLocal(environment) && IsDemo(options.JwtSigningKey)
            ? ValidateOptionsResult.Fail(Refusal(["Auth:JwtSigningKey"]))
            : ValidateOptionsResult.Success;

    /// <summary>The sandbox's APIv3 key and its demo key files (named sandbox-demo-*.pem) are public.</summary>
    public ValidateOptionsResult Validate(string? name, WechatPayOptions options)
    {
        if (IsLocal(environment))
            return ValidateOptionsResult.Success;
        var demo = new[]
        {
            ("Wechat:Pay:ApiV3Key", options.ApiV3Key), ("Wechat:Pay:PrivateKeyPath", options.PrivateKeyPath),
            ("Wechat:Pay:PlatformCertPath", options.PlatformCertPath),
        }.Where(k => IsDemo(k.Item2)).Select(k => k.Item1).ToList();
        return demo.Count > 0 ? ValidateOptionsResult.Fail(Refusal(demo)) : ValidateOptionsResult.Success;
    }

    /// <summary>The sandbox's SMS API key and callback token are public (they sign and authenticate the sandbox's SMS provider only).</summary>
    public ValidateOptionsResult Validate(string? name, SmsOptions options)
    {
        if (IsLocal(environment))
            return ValidateOptionsResult.Success;
        var demo = new[] { ("Sms:SecretKey", options.SecretKey), ("Sms:CallbackToken", options.CallbackToken) }
            .Where(k => IsDemo(k.Item2)).Select(k => k.Item1).ToList();
        return demo.Count > 0 ? ValidateOptionsResult.Fail(Refusal(demo)) : ValidateOptionsResult.Success;
    }

    private string Refusal(IReadOnlyList<string> keys) =>
        $"{string.Join(", ", keys)}: the sandbox's demo value is public and is refused outside the Sandbox and Development " +
        $"environments (this one is '{environment.EnvironmentName}'); set a real value " +
        $"(for example {string.Join(", ", keys.Select(k => k.Replace(":", "__", StringComparison.Ordinal)))} in the environment)";
}
