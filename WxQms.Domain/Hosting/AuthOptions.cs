using System.ComponentModel.DataAnnotations;
using System.Text;

namespace WxQms.Domain.Hosting;

/// <summary>
/// The mini program's bearer tokens (section <c>Auth</c>). The signing key is a secret: it comes from the
/// environment (<c>Auth__JwtSigningKey</c>) in a real deployment; the sandbox files carry a demo key.
/// </summary>
public sealed class AuthOptions : IValidatableObject
{
    public const string Section = "Auth";

    /// <summary>HS256 needs at least 256 bits of key.</summary>
    public const int MinKeyBytes = 32;

    [Required]
    public string JwtSigningKey { get; set; } = "";

    [Required]
    public string Issuer { get; set; } = "wxqms";

    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(2);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Encoding.UTF8.GetByteCount(JwtSigningKey) < MinKeyBytes)
            yield return new ValidationResult(
                $"Auth:JwtSigningKey must be at least {MinKeyBytes} bytes (set it with the Auth__JwtSigningKey environment variable)",
                [nameof(JwtSigningKey)]);
    }
}
