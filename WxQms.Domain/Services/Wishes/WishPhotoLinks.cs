using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using WxQms.Domain.Hosting;

namespace WxQms.Domain.Services.Wishes;

/// <summary>
/// A wish photo's address: signed, so only links the service handed out (to WeChat's image check, to those who
/// may see the photo) open it, and only for a day or two: a link copied out of a page stops working, while
/// every page view hands out a fresh one. The expiry is the end of the day after today (UTC), so a photo's
/// link stays the same all day and the browser's cache keeps working.
/// </summary>
public sealed class WishPhotoLinks(TimeProvider clock, IOptions<WishOptions> options, IOptions<AuthOptions> auth)
{
    /// <summary>The photo's signed link, relative or (for WeChat's image check) under <see cref="WishOptions.PublicBase"/>.</summary>
    public string PhotoUrl(long wishId, string sha256, bool absolute = false)
    {
        var expires = PhotoLinkExpiry(clock.GetUtcNow());
        return (absolute ? options.Value.PublicBase.TrimEnd('/') : "") + string.Create(CultureInfo.InvariantCulture,
            $"/h5/wishes/{wishId}/photos/{sha256}?e={expires}&s={Sign(wishId, sha256, expires)}");
    }

    /// <summary>The expiry (Unix seconds) of a photo link handed out at <paramref name="now"/>: the end of the next UTC day.</summary>
    public static long PhotoLinkExpiry(DateTimeOffset now) => (now.ToUnixTimeSeconds() / 86_400 + 2) * 86_400;

    /// <summary>Whether a photo link is one we signed and has not expired.</summary>
    public bool VerifyPhotoLink(long wishId, string sha256, long? expires, string? signature) =>
        expires is { } e && signature is not null && clock.GetUtcNow().ToUnixTimeSeconds() < e
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(wishId, sha256, e)), Encoding.ASCII.GetBytes(signature));

    private string Sign(long wishId, string sha256, long expires)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes(auth.Value.JwtSigningKey), "wxqms-wish-photo"u8);
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{wishId}:{sha256}:{expires}")));
        return Base64Url.EncodeToString(mac.AsSpan(0, 16));
    }
}
