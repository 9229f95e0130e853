using System.Globalization;
using System.Security.Cryptography;

namespace WxQms.Domain.Wechat;

/// <summary>
/// The callback endpoint's logic as pure functions: URL verification (PROTOCOL §1.2), opening a
/// push in plaintext, compatible or safe mode (§1.1, §1.3, §2), and sealing the reply (§2.3).
/// Pushes may be XML or, for a mini program set to the JSON data format, JSON (§5.7); both give
/// the same <see cref="InboundMessage"/>. The endpoint only reads the request, calls these,
/// deduplicates and writes the answer.
/// </summary>
public static class CallbackEnvelope
{
    /// <summary>
    /// GET verification: echo <c>echostr</c> verbatim when the three-value signature matches. The
    /// OA never encrypts echostr, even in safe mode (that is WeCom). No timestamp window here: an
    /// echo gives a replayer nothing it did not already have.
    /// </summary>
    public static UrlVerification VerifyUrl(CallbackQuery query, string token)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentException.ThrowIfNullOrEmpty(token);

        if (string.IsNullOrEmpty(query.Signature) || string.IsNullOrEmpty(query.Timestamp)
            || string.IsNullOrEmpty(query.Nonce) || query.EchoStr is null)
            return UrlVerification.Invalid(CallbackRejection.MissingParameter);
        return WechatSignature.Verify(query.Signature, token, query.Timestamp, query.Nonce)
            ? new UrlVerification(true, query.EchoStr, null)
            : UrlVerification.Invalid(CallbackRejection.BadSignature);
    }

    /// <summary>
    /// Checks and opens a POSTed push. <paramref name="body"/> must be the raw body as received: the
    /// signatures cover its <c>Encrypt</c> value byte for byte. A body whose first significant
    /// character is <c>{</c> is a JSON push (PROTOCOL §5.7): its envelope and, when encrypted, its
    /// decrypted message are both read as JSON (<see cref="WechatPushJson"/>); anything else is XML.
    /// </summary>
    public static CallbackResult Open(CallbackQuery query, string? body, CallbackSettings settings, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(settings);

        if (string.IsNullOrEmpty(query.Signature) || string.IsNullOrEmpty(query.Timestamp) || string.IsNullOrEmpty(query.Nonce))
            return Reject(CallbackRejection.MissingParameter, "signature, timestamp and nonce are required");

        // signature covers only token, timestamp and nonce — never the body — so it is checked on
        // every push and the body's own protection comes from msg_signature below (PROTOCOL §1.3).
        if (!WechatSignature.Verify(query.Signature, settings.Token, query.Timestamp, query.Nonce))
            return Reject(CallbackRejection.BadSignature, "signature does not match token, timestamp and nonce");

        if (CheckWindow(query.Timestamp, settings.TimestampToleranceSeconds, now) is { } windowProblem)
            return windowProblem;

        if (string.IsNullOrWhiteSpace(body))
            return Reject(CallbackRejection.BadBody, "empty body");
        if (body.Length > settings.MaxBodyCharacters)
            return Reject(CallbackRejection.BodyTooLarge, $"{body.Length} characters, limit {settings.MaxBodyCharacters}");

        var isJson = WechatPushJson.LooksLikeJson(body);
        WechatXmlNode outer;
        try
        {
            outer = ParseBody(body, isJson, settings.MaxBodyCharacters);
        }
        catch (WechatXmlException e)
        {
            return Reject(CallbackRejection.BadBody, e.Message);
        }

        // For JSON this is the decoded string value ("\/" read as "/"), which is what WeChat signs,
        // just as the XML path signs the CDATA content rather than the markup.
        var encrypt = outer.Child("Encrypt")?.Value;
        var isEncrypted = !string.IsNullOrWhiteSpace(encrypt);
        if (!isEncrypted && string.Equals(query.EncryptType, "aes", StringComparison.OrdinalIgnoreCase))
            return Reject(CallbackRejection.BadBody, "encrypt_type=aes but the body has no Encrypt field");

        var result = isEncrypted
            ? OpenEncrypted(query, outer, encrypt!, isJson, settings)
            : OpenPlaintext(query, outer, settings);
        return result is CallbackAccepted accepted ? accepted with { IsJson = isJson } : result;
    }

    /// <summary>
    /// Turns a reply into the response body. The reply is encrypted exactly when the request was —
    /// compatible mode included: it also accepts plaintext, but an encrypted reply is valid in both
    /// modes and keeps working if the console is switched to safe mode (PROTOCOL §1.1, §2.3, §10.3).
    /// <c>success</c> and the empty string mean "no reply" and go out as they are (§1.7, §2.3).
    /// </summary>
    /// <remarks>Always writes the XML envelope; for a push that may have been JSON use the
    /// <see cref="SealReply(string, CallbackAccepted, CallbackSettings, DateTimeOffset, string?, string?)"/> overload.</remarks>
    /// <param name="nonce">Null for a fresh random nonce; tests pass one.</param>
    /// <param name="random16">Null for a fresh random AES prefix; tests pass one.</param>
    public static string SealReply(string replyBody, bool requestWasEncrypted, CallbackSettings settings, DateTimeOffset now,
        string? nonce = null, string? random16 = null) =>
        Seal(replyBody, requestWasEncrypted, json: false, settings, now, nonce, random16);

    /// <summary>
    /// Turns a reply into the response body the way <paramref name="request"/> came: encrypted exactly
    /// when it was (see the other overload), and in the JSON envelope
    /// <c>{"Encrypt":…,"MsgSignature":…,"TimeStamp":…,"Nonce":…}</c> when it was a JSON push
    /// (<see cref="CallbackAccepted.IsJson"/>). <c>success</c> and the empty string go out as they are
    /// — what mini-program pushes normally expect. The reply body itself is encrypted as given.
    /// </summary>
    /// <param name="nonce">Null for a fresh random nonce; tests pass one.</param>
    /// <param name="random16">Null for a fresh random AES prefix; tests pass one.</param>
    public static string SealReply(string replyBody, CallbackAccepted request, CallbackSettings settings, DateTimeOffset now,
        string? nonce = null, string? random16 = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Seal(replyBody, request.WasEncrypted, request.IsJson, settings, now, nonce, random16);
    }

    private static string Seal(string replyBody, bool requestWasEncrypted, bool json, CallbackSettings settings, DateTimeOffset now,
        string? nonce, string? random16)
    {
        ArgumentNullException.ThrowIfNull(replyBody);
        ArgumentNullException.ThrowIfNull(settings);

        if (!requestWasEncrypted || replyBody.Length == 0 || replyBody == "success")
            return replyBody;
        var crypto = settings.Crypto
            ?? throw new InvalidOperationException("The request was encrypted but no EncodingAESKey is configured.");

        var timeStamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        nonce ??= RandomNumberGenerator.GetString("0123456789", 10);
        var encrypt = crypto.Encrypt(replyBody, random16);
        var signature = WechatSignature.Sign(settings.Token, timeStamp, nonce, encrypt);
        return json
            ? WechatPushJson.WriteEncryptedEnvelope(encrypt, signature, timeStamp, nonce)
            : WechatXml.WriteEncryptedEnvelope(encrypt, signature, timeStamp, nonce);
    }

    private static WechatXmlNode ParseBody(string text, bool json, int maxCharacters) =>
        json ? WechatPushJson.Parse(text, maxCharacters) : WechatXml.Parse(text, maxCharacters);

    private static CallbackRejected? CheckWindow(string timestamp, int toleranceSeconds, DateTimeOffset now)
    {
        if (toleranceSeconds <= 0)
            return null;
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var sent))
            return Reject(CallbackRejection.BadTimestamp, $"timestamp '{timestamp}' is not unix seconds");

        // Both directions: a far-future timestamp would otherwise stay replayable for as long as
        // it is ahead of our clock.
        var skew = sent - now.ToUnixTimeSeconds();
        if (skew < -toleranceSeconds)
            return Reject(CallbackRejection.StaleTimestamp, $"timestamp is {-skew} s old, tolerance {toleranceSeconds} s");
        if (skew > toleranceSeconds)
            return Reject(CallbackRejection.FutureTimestamp, $"timestamp is {skew} s ahead, tolerance {toleranceSeconds} s");
        return null;
    }

    private static CallbackResult OpenEncrypted(CallbackQuery query, WechatXmlNode outer, string encrypt, bool json,
        CallbackSettings settings)
    {
        if (settings.Crypto is not { } crypto)
            return Reject(CallbackRejection.EncryptionNotConfigured, "encrypted push but no EncodingAESKey configured");
        if (string.IsNullOrEmpty(query.MsgSignature))
            return Reject(CallbackRejection.MissingParameter, "encrypted push without msg_signature");
        if (!WechatSignature.Verify(query.MsgSignature, settings.Token, query.Timestamp!, query.Nonce!, encrypt))
            return Reject(CallbackRejection.BadMsgSignature, "msg_signature does not match token, timestamp, nonce and Encrypt");

        string plain;
        try
        {
            plain = crypto.Decrypt(encrypt).Message;
        }
        catch (WechatCryptoException e) when (e.Error == WechatCryptoError.ValidateAppIdError)
        {
            return Reject(CallbackRejection.AppIdMismatch, e.Message);
        }
        catch (WechatCryptoException e)
        {
            return Reject(CallbackRejection.DecryptFailed, e.Message);
        }

        // Compatible mode repeats the fields in plaintext next to Encrypt (Senparc tells the modes
        // apart the same way). Those copies are not covered by any signature, so only the
        // decrypted message is used. It is read in the envelope's format: a JSON envelope around
        // XML (or the reverse) is not something WeChat sends, and the reply's format follows it.
        var mode = string.IsNullOrEmpty(outer.Child("FromUserName")?.Value) ? CallbackMode.Safe : CallbackMode.Compatible;
        try
        {
            var message = InboundMessage.From(ParseBody(plain, json, settings.MaxBodyCharacters));
            return new CallbackAccepted(message, mode, query.Timestamp!, query.Nonce!);
        }
        catch (WechatXmlException e)
        {
            return Reject(CallbackRejection.BadBody, "decrypted message: " + e.Message);
        }
    }

    private static CallbackResult OpenPlaintext(CallbackQuery query, WechatXmlNode outer, CallbackSettings settings)
    {
        // Without encryption nothing authenticates the body: anyone holding one logged
        // signature/timestamp/nonce could post any content inside the window. Once a key is
        // configured, plaintext therefore means misconfiguration or forgery.
        if (settings.Crypto is not null && !settings.AcceptPlaintext)
            return Reject(CallbackRejection.PlaintextNotAllowed, "plaintext push while an EncodingAESKey is configured");
        try
        {
            return new CallbackAccepted(InboundMessage.From(outer), CallbackMode.Plaintext, query.Timestamp!, query.Nonce!);
        }
        catch (WechatXmlException e)
        {
            return Reject(CallbackRejection.BadBody, e.Message);
        }
    }

    private static CallbackRejected Reject(CallbackRejection reason, string detail) => new(reason, detail);
}

/// <summary>
/// The query parameters WeChat sends (PROTOCOL §1.2, §1.3). With ASP.NET Core:
/// <c>CallbackQuery.From(name =&gt; request.Query[name])</c>.
/// </summary>
public sealed record CallbackQuery(
    string? Signature,
    string? Timestamp,
    string? Nonce,
    string? EchoStr = null,
    string? EncryptType = null,
    string? MsgSignature = null,
    string? OpenId = null)
{
    public static CallbackQuery From(Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        return new CallbackQuery(lookup("signature"), lookup("timestamp"), lookup("nonce"), lookup("echostr"),
            lookup("encrypt_type"), lookup("msg_signature"), lookup("openid"));
    }
}

/// <summary>
/// Per-account callback configuration. <see cref="Crypto"/> null means plaintext mode only.
/// </summary>
public sealed record CallbackSettings(string Token, WechatCrypto? Crypto = null)
{
    public string Token { get; } = !string.IsNullOrEmpty(Token)
        ? Token
        : throw new ArgumentException("The callback token is required.", nameof(Token));

    /// <summary>
    /// Allowed distance between the request's timestamp and now, either way; 0 turns the check off.
    /// WeChat redelivers for about 15 s (PROTOCOL §1.7), so the default leaves room for retries and skew.
    /// </summary>
    public int TimestampToleranceSeconds { get; init; } = 300;

    /// <summary>Accept plaintext pushes although a key is configured, e.g. while switching modes in the console.</summary>
    public bool AcceptPlaintext { get; init; }

    public int MaxBodyCharacters { get; init; } = WechatXml.DefaultMaxCharacters;
}

public enum CallbackMode
{
    /// <summary>No Encrypt element.</summary>
    Plaintext,

    /// <summary>Encrypt plus the plaintext fields.</summary>
    Compatible,

    /// <summary>Only ToUserName and Encrypt.</summary>
    Safe,
}

public enum CallbackRejection
{
    MissingParameter,
    BadSignature,
    BadTimestamp,
    StaleTimestamp,
    FutureTimestamp,
    BodyTooLarge,

    /// <summary>No longer produced by <see cref="CallbackEnvelope.Open"/>, which reads JSON pushes since
    /// they were added; kept so existing mappings of this value still compile.</summary>
    UnsupportedFormat,
    BadBody,
    EncryptionNotConfigured,
    PlaintextNotAllowed,
    BadMsgSignature,
    DecryptFailed,
    AppIdMismatch,
}

/// <summary><see cref="CallbackAccepted"/> or <see cref="CallbackRejected"/>.</summary>
public abstract record CallbackResult
{
    private protected CallbackResult()
    {
    }
}

/// <param name="Timestamp">The request's timestamp, as sent.</param>
/// <param name="Nonce">The request's nonce, as sent.</param>
public sealed record CallbackAccepted(InboundMessage Message, CallbackMode Mode, string Timestamp, string Nonce) : CallbackResult
{
    /// <summary>Decides whether the reply must be encrypted (<see cref="CallbackEnvelope.SealReply(string, CallbackAccepted, CallbackSettings, DateTimeOffset, string?, string?)"/>).</summary>
    public bool WasEncrypted => Mode != CallbackMode.Plaintext;

    /// <summary>
    /// The push was JSON (a mini program set to the JSON data format, PROTOCOL §5.7) rather than
    /// XML; an encrypted reply then goes out in the JSON envelope. Not a constructor parameter, so
    /// the record's constructor and deconstruction stay as they were.
    /// </summary>
    public bool IsJson { get; init; }
}

/// <param name="Detail">For logs only; never send it back to the caller.</param>
public sealed record CallbackRejected(CallbackRejection Reason, string Detail) : CallbackResult;

public sealed record UrlVerification(bool IsValid, string? EchoStr, CallbackRejection? Rejection)
{
    internal static UrlVerification Invalid(CallbackRejection reason) => new(false, null, reason);
}
