using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace WxQms.Sandbox.Seeding;

/// <summary>
/// The WeChat ids the local sandbox gives a person, derived from the member code (or a resident's
/// code): the same in every run and every process. The sandbox hands them out; the demo simulation uses
/// them to stand in for members who have bound their WeChat. Never used against real WeChat.
/// </summary>
public static class SandboxIdentities
{
    /// <summary>The official-account openid: "o" + 27 characters of base64url(SHA-256("oa:" + code)).</summary>
    public static string OpenIdOf(string code) => Derive("oa", code);

    public static string MpOpenIdOf(string code) => Derive("mp", code);

    /// <summary>One unionid for both apps, as with an Open Platform binding.</summary>
    public static string UnionIdOf(string code) => Derive("union", code);

    /// <summary>
    /// Whether the person follows the official account when the sandbox starts: nine members in ten
    /// and half the residents, drawn from the code.
    /// </summary>
    public static bool FollowsByDefault(string code, bool isMember) =>
        BinaryPrimitives.ReadUInt32LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes($"follows:{code}"))) % 100 < (isMember ? 90 : 50);

    private static string Derive(string purpose, string code) =>
        "o" + Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes($"{purpose}:{code}")))[..27];
}
