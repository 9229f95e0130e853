using static WxQms.Sandbox.SandboxHttp;

namespace WxQms.Sandbox;

public enum SandboxCodeKind
{
    /// <summary>wx.login's code, exchanged by sns/jscode2session.</summary>
    Login,
    /// <summary>getPhoneNumber's code, exchanged by wxa/business/getuserphonenumber.</summary>
    Phone,
    /// <summary>Web OAuth's code, exchanged by sns/oauth2/access_token.</summary>
    OAuth,
}

/// <summary>What a code was issued for; <see cref="OpenId"/> is the openid in the app it belongs to.</summary>
public sealed record SandboxCode(string Code, SandboxCodeKind Kind, SandboxApp App, string OpenId, string? Scope,
    DateTimeOffset IssuedAt);

/// <summary>
/// The one-time codes of login, phone number and web OAuth: each is good for one exchange, for the
/// app it was issued to, within five minutes (PROTOCOL §5.1, §5.5). Anything else is 40029.
/// </summary>
public sealed class SandboxCodes(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    private readonly Lock gate = new();
    private readonly Dictionary<string, SandboxCode> live = new(StringComparer.Ordinal);

    public string Issue(SandboxCodeKind kind, SandboxApp app, string openid, string? scope = null)
    {
        var now = clock.GetUtcNow();
        var code = new SandboxCode(RandomId(32), kind, app, openid, scope, now);
        lock (gate)
        {
            foreach (var old in live.Values.Where(c => now - c.IssuedAt >= Lifetime).ToList())
                live.Remove(old.Code);
            live[code.Code] = code;
        }
        return code.Code;
    }

    /// <summary>Uses the code up: null when unknown, already used, expired, or of another kind or app.</summary>
    public SandboxCode? Redeem(SandboxCodeKind kind, SandboxApp app, string? code)
    {
        if (string.IsNullOrEmpty(code))
            return null;
        lock (gate)
        {
            // Another app's or another API's code is not this exchange's to use up.
            if (!live.TryGetValue(code, out var issued) || issued.Kind != kind || issued.App != app)
                return null;
            live.Remove(code);
            return clock.GetUtcNow() - issued.IssuedAt < Lifetime ? issued : null;
        }
    }

    public void Reset()
    {
        lock (gate)
            live.Clear();
    }
}
