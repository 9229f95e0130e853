using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace WxQms.Domain.Wechat;

/// <summary>
/// The AES part of WeChat's safe mode (PROTOCOL §2.1): AES-256-CBC with IV = the first 16 key
/// bytes over <c>random(16) ‖ length(4, big-endian) ‖ message ‖ appid</c>, padded PKCS#7-style to
/// a multiple of 32 bytes. Signatures are <see cref="WechatSignature"/>'s job.
/// </summary>
public sealed class WechatCrypto
{
    public const int EncodingAesKeyLength = 43;

    private const int BlockSize = 32;
    private const int RandomLength = 16;
    private const int LengthFieldSize = 4;

    // Strict UTF-8 for the appid comparison and our own output; decoding the message stays lenient
    // (below) so one bad byte in user text cannot lose a whole authenticated message.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static ReadOnlySpan<byte> RandomAlphabetBytes => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"u8;

    private readonly byte[] key;
    private readonly byte[] iv;
    private readonly byte[] appIdBytes;

    public WechatCrypto(string encodingAesKey, string appId)
    {
        ArgumentNullException.ThrowIfNull(encodingAesKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(appId);

        key = DecodeKey(encodingAesKey);
        iv = key[..16];
        AppId = appId;
        appIdBytes = StrictUtf8.GetBytes(appId);
    }

    public string AppId { get; }

    /// <summary>
    /// Encrypts <paramref name="plainXml"/> for a reply or a simulated push. <paramref name="random16"/>
    /// exists for test vectors; production calls leave it null and get 16 random alphanumerics
    /// (Tencent's samples use printable characters, so we do not rely on WeChat accepting any byte).
    /// </summary>
    public string Encrypt(string plainXml, string? random16 = null)
    {
        ArgumentNullException.ThrowIfNull(plainXml);

        Span<byte> random = stackalloc byte[RandomLength];
        if (random16 is null)
            RandomNumberGenerator.GetItems(RandomAlphabetBytes, random);
        else if (StrictUtf8.GetByteCount(random16) != RandomLength)
            throw new ArgumentException($"The random prefix must be exactly {RandomLength} bytes of UTF-8.", nameof(random16));
        else
            StrictUtf8.GetBytes(random16, random);

        var messageLength = StrictUtf8.GetByteCount(plainXml);
        var unpadded = RandomLength + LengthFieldSize + messageLength + appIdBytes.Length;
        var pad = BlockSize - unpadded % BlockSize;        // 1..32: a full block when already aligned
        var length = unpadded + pad;

        // Pooled: a reply's plaintext and ciphertext would otherwise be two fresh arrays per push.
        var buffer = ArrayPool<byte>.Shared.Rent(2 * length);
        try
        {
            var plain = buffer.AsSpan(0, length);
            random.CopyTo(plain);
            BinaryPrimitives.WriteUInt32BigEndian(plain[RandomLength..], (uint)messageLength);
            StrictUtf8.GetBytes(plainXml, plain[(RandomLength + LengthFieldSize)..]);
            appIdBytes.CopyTo(plain[(RandomLength + LengthFieldSize + messageLength)..]);
            plain[unpadded..].Fill((byte)pad);

            var cipher = buffer.AsSpan(length, length);
            var aes = RentAes();
            try
            {
                // PaddingMode.None: .NET's PKCS7 knows only 16-byte blocks and would reject pads above 16.
                aes.EncryptCbc(plain, iv, cipher, PaddingMode.None);
            }
            catch (CryptographicException e)
            {
                throw new WechatCryptoException(WechatCryptoError.EncryptAesError, "AES encryption failed.", e);
            }
            finally
            {
                ReturnAes(aes);
            }
            return Convert.ToBase64String(cipher);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Decrypts an Encrypt value. Verify <c>msg_signature</c> first: with the signature checked,
    /// the distinct failures below cannot serve as a padding oracle to someone without the token.
    /// </summary>
    public DecryptResult Decrypt(string base64)
    {
        ArgumentNullException.ThrowIfNull(base64);

        // Pooled, as in Encrypt: the ciphertext and the plaintext live only until the message is decoded.
        var capacity = (base64.Length / 4 + 1) * 3;
        var buffer = ArrayPool<byte>.Shared.Rent(2 * capacity);
        try
        {
            if (!Convert.TryFromBase64String(base64, buffer.AsSpan(0, capacity), out var cipherLength))
                throw new WechatCryptoException(WechatCryptoError.DecodeBase64Error, "Encrypt is not valid Base64.");
            if (cipherLength == 0 || cipherLength % 16 != 0)
                throw new WechatCryptoException(WechatCryptoError.DecryptAesError,
                    $"Ciphertext length {cipherLength} is not a positive multiple of the AES block size.");

            Span<byte> plain;
            var aes = RentAes();
            try
            {
                plain = buffer.AsSpan(capacity, cipherLength);
                aes.DecryptCbc(buffer.AsSpan(0, cipherLength), iv, plain, PaddingMode.None);
            }
            catch (CryptographicException e)
            {
                throw new WechatCryptoException(WechatCryptoError.DecryptAesError, "AES decryption failed.", e);
            }
            finally
            {
                ReturnAes(aes);
            }

            var pad = plain[^1];
            if (pad is < 1 or > BlockSize || pad > plain.Length || plain[(plain.Length - pad)..].ContainsAnyExcept(pad))
                throw new WechatCryptoException(WechatCryptoError.DecryptAesError,
                    "Bad padding: wrong key, tampered ciphertext, or not WeChat's 32-byte PKCS#7.");
            var body = plain[..(plain.Length - pad)];

            if (body.Length < RandomLength + LengthFieldSize)
                throw new WechatCryptoException(WechatCryptoError.IllegalBuffer, "Plaintext is shorter than its fixed header.");
            var length = BinaryPrimitives.ReadUInt32BigEndian(body[RandomLength..]);
            var available = body.Length - RandomLength - LengthFieldSize;
            if (length > (uint)available)
                throw new WechatCryptoException(WechatCryptoError.IllegalBuffer,
                    $"Declared message length {length} exceeds the {available} bytes present.");

            var message = body.Slice(RandomLength + LengthFieldSize, (int)length);
            var appId = body[(RandomLength + LengthFieldSize + (int)length)..];
            if (!appId.SequenceEqual(appIdBytes))
                throw new WechatCryptoException(WechatCryptoError.ValidateAppIdError,
                    "The message was encrypted for another appid.");

            return new DecryptResult(Encoding.UTF8.GetString(message), AppId);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Aes objects are not thread-safe and this class is meant to be a singleton: each call takes one of its own from a
    /// small pool of instances keyed once, instead of creating and keying a new one per push.
    /// </summary>
    private Aes RentAes()
    {
        if (aesPool.TryDequeue(out var aes))
            return aes;
        aes = Aes.Create();
        aes.Key = key;
        return aes;
    }

    private void ReturnAes(Aes aes)
    {
        if (aesPool.Count < MaxPooledAes)
            aesPool.Enqueue(aes);
        else
            aes.Dispose();
    }

    private const int MaxPooledAes = 16;

    private readonly ConcurrentQueue<Aes> aesPool = new();

    private static byte[] DecodeKey(string encodingAesKey)
    {
        if (encodingAesKey.Length != EncodingAesKeyLength)
            throw new ArgumentException(
                $"EncodingAESKey must be {EncodingAesKeyLength} characters, got {encodingAesKey.Length}.",
                nameof(encodingAesKey));

        // Convert's decoder ignores the two spare bits of the last character, which real keys set
        // (PROTOCOL §2.1). It also skips whitespace, so the exact byte count is what proves the key.
        Span<byte> decoded = stackalloc byte[33];
        if (!Convert.TryFromBase64String(encodingAesKey + "=", decoded, out var written) || written != 32)
            throw new ArgumentException(
                "EncodingAESKey is not valid: Base64 of the key plus '=' must give exactly 32 bytes.",
                nameof(encodingAesKey));
        return decoded[..32].ToArray();
    }
}

public sealed record DecryptResult(string Message, string AppId);

/// <summary>Codes from Tencent's WXBizMsgCrypt samples (PROTOCOL §2.5), kept so logs match other SDKs.</summary>
public enum WechatCryptoError
{
    ValidateSignatureError = -40001,
    ParseXmlError = -40002,
    ComputeSignatureError = -40003,
    IllegalAesKey = -40004,
    ValidateAppIdError = -40005,
    EncryptAesError = -40006,
    DecryptAesError = -40007,
    IllegalBuffer = -40008,
    EncodeBase64Error = -40009,
    DecodeBase64Error = -40010,
}

public sealed class WechatCryptoException : Exception
{
    public WechatCryptoException(WechatCryptoError error, string message, Exception? inner = null)
        : base($"{message} ({(int)error})", inner) => Error = error;

    public WechatCryptoError Error { get; }

    public int Code => (int)Error;
}
