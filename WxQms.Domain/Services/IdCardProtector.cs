using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;

namespace WxQms.Domain.Services;

/// <summary>The section <c>Members</c>: how members' personal data is kept.</summary>
public sealed class MembersOptions
{
    public const string Section = "Members";

    /// <summary>
    /// The key (base64 of 32 bytes) that encrypts ID-card numbers at rest (AES-256-GCM) and keys their lookup hash.
    /// A secret. Without it no ID-card number is accepted (<c>member.id_card_key_missing</c>).
    /// </summary>
    public string? IdCardKey { get; set; }
}

/// <summary>An ID-card number as it is stored: the ciphertext, the last four characters and the lookup hash.</summary>
public sealed record ProtectedIdCard(byte[] Cipher, string LastFour, byte[] Lookup);

/// <summary>
/// Encrypts ID-card numbers for the <c>members</c> table: AES-256-GCM with a fresh nonce per number (stored as
/// nonce ‖ tag ‖ ciphertext), so equal numbers never look equal at rest; an HMAC-SHA256 of the number under a key
/// derived from the same secret finds a number again (duplicates, an import matching a member) without decrypting;
/// the last four characters are kept in clear for the staff's search.
/// </summary>
public sealed class IdCardProtector
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[]? encryptionKey;
    private readonly byte[]? lookupKey;

    public IdCardProtector(IOptions<MembersOptions> options)
    {
        if (options.Value.IdCardKey is not { Length: > 0 } configured)
            return;
        var key = Convert.FromBase64String(configured);
        if (key.Length != 32)
            throw new InvalidOperationException("Members:IdCardKey must be the base64 of 32 bytes");
        encryptionKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, key, 32, info: "wxqms id-card encryption"u8.ToArray());
        lookupKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, key, 32, info: "wxqms id-card lookup"u8.ToArray());
    }

    /// <summary>Whether a key is configured, so numbers can be stored.</summary>
    public bool IsConfigured => encryptionKey is not null;

    /// <summary>Encrypts a number already checked by <see cref="IdCardNumbers.Normalize"/>.</summary>
    public ProtectedIdCard Protect(string number)
    {
        var key = encryptionKey ?? throw KeyMissing();
        var plain = Encoding.ASCII.GetBytes(number);
        var stored = new byte[NonceSize + TagSize + plain.Length];
        var nonce = stored.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plain, stored.AsSpan(NonceSize + TagSize), stored.AsSpan(NonceSize, TagSize));
        return new ProtectedIdCard(stored, IdCardNumbers.LastFour(number), Lookup(number));
    }

    /// <summary>The number back from what <see cref="Protect"/> stored.</summary>
    public string Unprotect(byte[] stored)
    {
        var key = encryptionKey ?? throw KeyMissing();
        if (stored.Length <= NonceSize + TagSize)
            throw new CryptographicException("Not a protected ID-card number");
        var plain = new byte[stored.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(stored.AsSpan(0, NonceSize), stored.AsSpan(NonceSize + TagSize), stored.AsSpan(NonceSize, TagSize), plain);
        return Encoding.ASCII.GetString(plain);
    }

    /// <summary>The lookup hash of a normalised number: equal numbers, equal hashes.</summary>
    public byte[] Lookup(string number) =>
        HMACSHA256.HashData(lookupKey ?? throw KeyMissing(), Encoding.ASCII.GetBytes(number));

    private static RuleViolationException KeyMissing() =>
        new("member.id_card_key_missing", "未配置身份证号加密密钥（Members:IdCardKey），无法保存身份证号。");
}
