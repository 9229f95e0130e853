using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using WxQms.Domain.Wechat;

namespace WxQms.Domain.Hosting;

/// <summary>
/// The sandbox files (<c>appsettings.Sandbox.json</c>) carry demo secrets that are public in the repository; each
/// names the sandbox. With the sandbox off they must not be used: the demo signing key would let anyone forge a
/// mini-program token, an H5 session or a photo link, and the demo WeChat secrets belong to no real account. A
/// host that finds one with <c>Wechat:Sandbox:Enabled</c> false refuses to start and names the key to set.
/// </summary>
public sealed class SandboxDemoSecrets(IConfiguration configuration) : IValidateOptions<WechatOptions>, IValidateOptions<AuthOptions>
{
    /// <summary>Whether a configured secret is one of the sandbox's demo values.</summary>
    public static bool IsDemo(string? secret) => secret?.Contains("sandbox", StringComparison.OrdinalIgnoreCase) == true;

    public ValidateOptionsResult Validate(string? name, WechatOptions options)
    {
        if (options.Sandbox.Enabled)
            return ValidateOptionsResult.Success;
        var demo = new[]
        {
            ("Wechat:Oa:AppSecret", options.Oa.AppSecret), ("Wechat:Oa:Token", options.Oa.Token),
            ("Wechat:Oa:EncodingAesKey", options.Oa.EncodingAesKey),
            ("Wechat:Mp:AppSecret", options.Mp.AppSecret), ("Wechat:Mp:Token", options.Mp.Token),
            ("Wechat:Mp:EncodingAesKey", options.Mp.EncodingAesKey),
        }.Where(k => IsDemo(k.Item2)).Select(k => k.Item1).ToList();
        return demo.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(Refusal(demo));
    }

    public ValidateOptionsResult Validate(string? name, AuthOptions options) =>
        !configuration.GetValue<bool>("Wechat:Sandbox:Enabled") && IsDemo(options.JwtSigningKey)
            ? ValidateOptionsResult.Fail(Refusal(["Auth:JwtSigningKey"]))
            : ValidateOptionsResult.Success;

    private static string Refusal(IReadOnlyList<string> keys) =>
        $"{string.Join(", ", keys)}: the sandbox's demo value is public and is refused with Wechat:Sandbox:Enabled=false; " +
        $"set a real value (for example {string.Join(", ", keys.Select(k => k.Replace(":", "__", StringComparison.Ordinal)))} in the environment)";
}
