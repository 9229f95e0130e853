using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WxQms.Domain.Hosting;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat;

namespace WxQms.Domain.Services.Bot;

/// <summary>A scene the sign-in page made: its QR code (what the image encodes), the secret only that browser holds, its end.</summary>
public sealed record ConsoleScene(string Scene, string BrowserSecret, string QrUrl, string Ticket, DateTimeOffset ExpiresAt);

/// <summary>What the waiting page learns about its scene.</summary>
public enum ConsoleClaim
{
    /// <summary>Nobody has scanned it yet (or only someone who may not sign in).</summary>
    Waiting,
    /// <summary>A member with a console role scanned it; the chat waits for their 1.</summary>
    Scanned,
    /// <summary>Confirmed and now spent by this page: sign the member in.</summary>
    SignedIn,
    /// <summary>Expired, already spent, or not this browser's scene: nobody is signed in.</summary>
    Gone,
}

/// <summary>
/// Scan to sign in to the console (issue #16): the page asks for a temporary QR code (qrcode/create, QR_STR_SCENE,
/// two minutes) whose scene is signed and bound to a secret only that browser holds (a cookie); a member with a console
/// role who scans it is asked in the chat to confirm with 1; the page that made the scene then spends it once. The scene
/// carries its own expiry and signature, so a foreign or expired scene is refused before any lookup and the page makes
/// no row until someone scans.
/// </summary>
public sealed class ConsoleSignInService(OfficialAccountClient oa, BotStore bot, WechatLinkStore links, ConsoleSignInStore signIns,
    IOptions<AuthOptions> auth, TimeProvider clock, ILogger<ConsoleSignInService> log)
{
    /// <summary>Console scenes start so (binding codes' start with "b").</summary>
    public const string ScenePrefix = "a";

    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(120);

    /// <summary>Who may sign in to the console: office staff, secretaries, party-affairs workers and committee members.</summary>
    public static readonly IReadOnlySet<string> ConsoleRoles =
        new HashSet<string>(StringComparer.Ordinal) { Roles.Staff, Roles.Secretary, Roles.Worker, Roles.Committee };

    public static bool MayUseConsole(IEnumerable<Grant> grants) => grants.Any(g => ConsoleRoles.Contains(g.Role));

    private const int MacBytes = 16;
    private const int BindingBytes = 16;

    /// <summary>A new scene and its QR code from WeChat.</summary>
    public async Task<ConsoleScene> StartAsync(CancellationToken ct)
    {
        var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var expiresAt = clock.GetUtcNow() + Lifetime;
        var scene = Sign(expiresAt, Binding(secret));
        var qr = await oa.CreateTemporaryQrCodeAsync(scene, Lifetime, ct);
        if (!qr.IsOk || qr.Value is null)
        {
            log.LogWarning("qrcode/create for the console sign-in failed ({ErrCode} {ErrMsg})", qr.ErrCode, qr.ErrMsg);
            throw new WechatUnavailableException("微信暂时无法生成登录二维码，请稍后刷新页面");
        }
        return new ConsoleScene(scene, secret, qr.Value.Url, qr.Value.Ticket, expiresAt);
    }

    /// <summary>A scan (SCAN, or subscribe with qrscene_) of a console scene: the text the bot answers.</summary>
    public async Task<string> ScanAsync(string appId, string openId, string scene, DateTimeOffset now, CancellationToken ct)
    {
        if (Verify(scene) is not { } parsed || parsed.ExpiresAt <= now)
            return BotReplies.ConsoleCodeExpired;
        if (await bot.OaUserAsync(appId, openId, ct) is not { MemberId: { } memberId })
            return BotReplies.ConsoleNotBound;
        if (await links.ProfileAsync(memberId, ct) is not { } profile || !MayUseConsole(profile.Roles))
            return BotReplies.ConsoleRefused;
        if (!await signIns.ScanAsync(scene, appId, openId, memberId, now, parsed.ExpiresAt, ct))
            return BotReplies.ConsoleCodeExpired;
        await bot.StartDialogueAsync(appId, openId, DialogueSteps.ConsoleSignIn, scene, now, parsed.ExpiresAt, ct);
        log.LogInformation("Console sign-in scanned by member {MemberId}", memberId);
        return BotReplies.ConsoleConfirm;
    }

    /// <summary>The scanner's answer while the confirmation is open: 1 confirms, another number asks again.</summary>
    public async Task<string> AnswerAsync(string appId, string openId, Dialogue dialogue, int number, DateTimeOffset now, CancellationToken ct)
    {
        if (number != 1)
            return BotReplies.ConsoleConfirm;
        await bot.EndDialogueAsync(appId, openId, ct);
        if (!await signIns.ConfirmAsync(dialogue.Data, appId, openId, now, ct))
            return BotReplies.ConsoleCodeExpired;
        return BotReplies.ConsoleConfirmed;
    }

    /// <summary>
    /// The waiting page asks how its scene stands, proving it made the scene with <paramref name="browserSecret"/>; on
    /// <see cref="ConsoleClaim.SignedIn"/> the member to sign in (the scene is then spent).
    /// </summary>
    public async Task<(ConsoleClaim Claim, (long MemberId, long WechatUserId)? SignedIn)> ClaimAsync(string scene, string? browserSecret, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (browserSecret is null || Verify(scene) is not { } parsed || parsed.ExpiresAt <= now
            || !CryptographicOperations.FixedTimeEquals(parsed.Binding, Binding(browserSecret)))
            return (ConsoleClaim.Gone, null);
        var row = await signIns.GetAsync(scene, ct);
        switch (row?.State)
        {
            case null:
                return (ConsoleClaim.Waiting, null);
            case ConsoleSignInStates.Scanned:
                return (ConsoleClaim.Scanned, null);
            case ConsoleSignInStates.Confirmed when await signIns.SpendAsync(scene, now, ct) is { } who:
                log.LogInformation("Console sign-in by scan: member {MemberId}", who.MemberId);
                return (ConsoleClaim.SignedIn, who);
            default:
                return (ConsoleClaim.Gone, null);
        }
    }

    private byte[] Key => HMACSHA256.HashData(Encoding.UTF8.GetBytes(auth.Value.JwtSigningKey), "wxqms-console-scene"u8);

    private static byte[] Binding(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret))[..BindingBytes];

    private string Sign(DateTimeOffset expiresAt, byte[] binding)
    {
        var body = new byte[8 + BindingBytes];
        BinaryPrimitives.WriteInt64BigEndian(body, expiresAt.ToUnixTimeMilliseconds());
        binding.CopyTo(body, 8);
        var mac = HMACSHA256.HashData(Key, body)[..MacBytes];
        return ScenePrefix + Base64Url.EncodeToString([.. body, .. mac]);
    }

    /// <summary>The expiry and browser binding of a scene we signed; null for anything else.</summary>
    private (DateTimeOffset ExpiresAt, byte[] Binding)? Verify(string scene)
    {
        if (!scene.StartsWith(ScenePrefix, StringComparison.Ordinal) || scene.Length > 64)
            return null;
        var raw = new byte[48];
        if (!Base64Url.TryDecodeFromChars(scene.AsSpan(ScenePrefix.Length), raw, out var length) || length != 8 + BindingBytes + MacBytes)
            return null;
        var body = raw[..(8 + BindingBytes)];
        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(Key, body)[..MacBytes], raw.AsSpan(8 + BindingBytes, MacBytes)))
            return null;
        return (DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(body)), body[8..]);
    }
}
