using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace WxQms.Domain.Wechat.Pay;

/// <summary>
/// The merchant's private key (signs our requests and the payment parameters) and the platform's public key with its
/// serial (verifies WeChat's answers and notifications), read once from the files <see cref="WechatPayOptions"/> names.
/// </summary>
public sealed class WechatPayKeys(IOptions<WechatPayOptions> options, IHostEnvironment environment)
{
    private readonly Lazy<RSA> merchant = new(() => LoadPrivateKey(Resolve(options.Value.PrivateKeyPath!, environment.ContentRootPath)));
    private readonly Lazy<(RSA Key, string Serial)> platform = new(() =>
    {
        var (key, serial) = LoadPlatformKey(Resolve(options.Value.PlatformCertPath!, environment.ContentRootPath));
        return (key, string.IsNullOrWhiteSpace(options.Value.PlatformSerial) ? serial! : options.Value.PlatformSerial);
    });

    public RSA Merchant => merchant.Value;

    public RSA Platform => platform.Value.Key;

    /// <summary>What WeChat sends as Wechatpay-Serial with the platform's signature.</summary>
    public string PlatformSerial => platform.Value.Serial;

    /// <summary>An absolute path as it is; a relative one from the content root, else from the binary's folder.</summary>
    public static string Resolve(string path, string contentRoot)
    {
        if (Path.IsPathRooted(path))
            return path;
        var fromRoot = Path.Combine(contentRoot, path);
        return File.Exists(fromRoot) ? fromRoot : Path.Combine(AppContext.BaseDirectory, path);
    }

    public static RSA LoadPrivateKey(string path)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(path));
        return rsa;
    }

    /// <summary>A certificate (its serial in upper-case hex) or a bare public key (no serial: configured).</summary>
    public static (RSA Key, string? Serial) LoadPlatformKey(string path)
    {
        var pem = File.ReadAllText(path);
        if (pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            using var cert = X509Certificate2.CreateFromPem(pem);
            return (cert.GetRSAPublicKey() ?? throw new CryptographicException("not an RSA certificate"), cert.SerialNumber.ToUpperInvariant());
        }
        var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        return (rsa, null);
    }
}
