using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace WxQms.Domain.Wechat.Pay;

/// <summary>
/// WeChat Pay (APIv3) for the mini program (<c>Wechat:Pay</c>). Off while <see cref="MchId"/> is empty; once it is set
/// every other key must be, and the key files must load, or the host does not start. The private key and the APIv3 key
/// are secrets: never logged (<see cref="ToString"/> hides them).
/// </summary>
public sealed class WechatPayOptions
{
    public const string Section = "Wechat:Pay";

    /// <summary>商户号: 8–10 digits. Empty: WeChat Pay is not configured and paying is refused.</summary>
    public string? MchId { get; set; }

    /// <summary>The merchant API certificate's serial number (serial_no of the Authorization header).</summary>
    public string? SerialNo { get; set; }

    /// <summary>PEM file of the merchant's private key (apiclient_key.pem); relative paths are from the host's folder.</summary>
    public string? PrivateKeyPath { get; set; }

    /// <summary>The APIv3 key: 32 characters, opens notifications' resources.</summary>
    public string? ApiV3Key { get; set; }

    /// <summary>PEM file of the platform certificate (or WeChat Pay's public key) that signs answers and notifications.</summary>
    public string? PlatformCertPath { get; set; }

    /// <summary>The platform certificate's serial (or the public key's id, PUB_KEY_ID_…); empty: read from the certificate.</summary>
    public string? PlatformSerial { get; set; }

    /// <summary>Our <c>/wechat/pay/notify</c> as WeChat reaches it (https in production).</summary>
    public string? NotifyUrl { get; set; }

    /// <summary>https://api.mch.weixin.qq.com, or the sandbox's /sandbox/wechat in local runs and tests.</summary>
    [Required, Url]
    public string ApiBase { get; set; } = "https://api.mch.weixin.qq.com";

    /// <summary>How long an order may be paid (its time_expire); closed afterwards.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan OrderLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>An open order whose notification has not come after this long is queried.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan QueryAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Answers and notifications older or newer than this are refused (replays).</summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00")]
    public TimeSpan TimestampTolerance { get; set; } = TimeSpan.FromMinutes(5);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(MchId);

    public override string ToString() => $"mchid {MchId} (secrets hidden)";
}

/// <summary>
/// Start-up checks of <see cref="WechatPayOptions"/>: when pay is configured, every key is there and each key file
/// loads. Messages name keys and files, never their contents.
/// </summary>
public sealed class WechatPayOptionsValidator(IHostEnvironment environment) : IValidateOptions<WechatPayOptions>
{
    public ValidateOptionsResult Validate(string? name, WechatPayOptions o)
    {
        if (!o.IsConfigured)
            return ValidateOptionsResult.Success;
        var failures = new List<string>();
        if (!System.Text.RegularExpressions.Regex.IsMatch(o.MchId!, "^[0-9]{8,10}$"))
            failures.Add("Wechat:Pay:MchId is the 商户号, 8 to 10 digits");
        if (string.IsNullOrWhiteSpace(o.SerialNo))
            failures.Add("Wechat:Pay:SerialNo (the merchant certificate's serial number) is required with Wechat:Pay:MchId");
        if (o.ApiV3Key is null || Encoding.UTF8.GetByteCount(o.ApiV3Key) != 32)
            failures.Add("Wechat:Pay:ApiV3Key is required with Wechat:Pay:MchId and is 32 characters");
        if (!Uri.TryCreate(o.NotifyUrl, UriKind.Absolute, out var notify) || notify.Scheme is not ("https" or "http")
            || (notify.Scheme == "http" && !notify.IsLoopback && !environment.IsDevelopment() && !environment.IsEnvironment("Sandbox")))
            failures.Add("Wechat:Pay:NotifyUrl is required with Wechat:Pay:MchId: an absolute https URL of /wechat/pay/notify");
        failures.AddRange(KeyProblem("Wechat:Pay:PrivateKeyPath", o.PrivateKeyPath, path => WechatPayKeys.LoadPrivateKey(path).Dispose()));
        failures.AddRange(KeyProblem("Wechat:Pay:PlatformCertPath", o.PlatformCertPath, path =>
        {
            var (key, serial) = WechatPayKeys.LoadPlatformKey(path);
            key.Dispose();
            if (string.IsNullOrEmpty(serial) && string.IsNullOrWhiteSpace(o.PlatformSerial))
                throw new CryptographicException("a public key file needs Wechat:Pay:PlatformSerial (its PUB_KEY_ID_…)");
        }));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        IEnumerable<string> KeyProblem(string key, string? path, Action<string> load)
        {
            if (string.IsNullOrWhiteSpace(path))
                return [$"{key} is required with Wechat:Pay:MchId"];
            var full = WechatPayKeys.Resolve(path, environment.ContentRootPath);
            if (!File.Exists(full))
                return [$"{key}: no file at {full}"];
            try
            {
                load(full);
                return [];
            }
            catch (Exception ex) when (ex is CryptographicException or ArgumentException)
            {
                return [$"{key}: {full} is not a usable PEM key ({ex.GetType().Name})"];
            }
        }
    }
}
