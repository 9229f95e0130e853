using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat;

namespace WxQms.Domain.Services;

/// <summary>Who is on the other end of a mini-program session: the <c>wechat_users</c> row, and the member if known.</summary>
public sealed record MpIdentity(long WechatUserId, MemberProfile? Member);

public enum LoginFailure
{
    /// <summary>WeChat refused the code: wrong, used or expired (40029, 40163).</summary>
    InvalidCode,
    /// <summary>WeChat did not answer, or answered with something other than a verdict on the code.</summary>
    WechatUnavailable,
    /// <summary>The token's WeChat user no longer exists.</summary>
    UnknownUser,
    /// <summary>No member has the phone number WeChat vouched for.</summary>
    NoMemberWithPhone,
    /// <summary>The WeChat user is already linked to a different member.</summary>
    BoundToAnotherMember,
    /// <summary>The member with that phone is no longer on the roll (transferred out, deceased).</summary>
    MemberNotOnRoll,
}

/// <summary>Either an identity or the reason there is none.</summary>
public sealed record LoginResult(MpIdentity? Identity, LoginFailure? Failure)
{
    public static LoginResult Ok(MpIdentity identity) => new(identity, null);

    public static LoginResult Fail(LoginFailure failure) => new(null, failure);
}

/// <summary>
/// The mini program's login (STYLE §8.16): the client's wx.login code is exchanged on the server, never an
/// openid the client claims; the session_key is not needed (phone numbers come from getPhoneNumber codes),
/// so it is dropped here and never stored, returned or logged.
/// </summary>
public sealed class LoginService(
    WechatLinkStore links,
    MiniProgramClient mp,
    IOptions<WechatOptions> wechat,
    TimeProvider clock,
    ILogger<LoginService> log)
{
    /// <summary>WeChat's "bad code" answers: 40029 invalid, 40163 already used.</summary>
    private static bool IsBadCode(int errCode) => errCode is WechatErrors.InvalidCode or 40163;

    public async Task<LoginResult> LoginAsync(string code, CancellationToken ct)
    {
        var session = await CallWechatAsync(() => mp.Code2SessionAsync(code, ct), "jscode2session", ct);
        if (session is null || !session.IsOk || session.Value is null)
            return Fail(session, "jscode2session");

        var user = await links.UpsertAsync(wechat.Value.Mp.AppId, session.Value.OpenId, session.Value.UnionId,
            clock.GetUtcNow(), ct);
        return LoginResult.Ok(await DescribeAsync(user, ct));
    }

    /// <summary>The identity behind a token's subject, as the database has it now.</summary>
    public async Task<MpIdentity?> GetAsync(long wechatUserId, CancellationToken ct) =>
        await links.GetAsync(wechatUserId, ct) is { } user ? await DescribeAsync(user, ct) : null;

    /// <summary>
    /// getPhoneNumber code → the member with that phone → linked to this WeChat user, with an audit entry.
    /// Binding again to the same member is harmless; binding to a different one is refused.
    /// </summary>
    public async Task<LoginResult> BindPhoneAsync(long wechatUserId, string phoneCode, CancellationToken ct)
    {
        if (await links.GetAsync(wechatUserId, ct) is not { } user)
            return LoginResult.Fail(LoginFailure.UnknownUser);

        var phone = await CallWechatAsync(() => mp.GetPhoneNumberAsync(phoneCode, ct), "getuserphonenumber", ct);
        if (phone is null || !phone.IsOk || phone.Value is null)
            return Fail(phone, "getuserphonenumber");

        if (await links.MemberIdByPhoneAsync(phone.Value.PhoneInfo.PureNumber, ct) is not { } memberId)
            return LoginResult.Fail(LoginFailure.NoMemberWithPhone);
        if (await links.LinkedMemberAsync(user, ct) is { } linked && linked != memberId)
            return LoginResult.Fail(LoginFailure.BoundToAnotherMember);

        if (await links.ProfileAsync(memberId, ct) is not { } profile)
            return LoginResult.Fail(LoginFailure.MemberNotOnRoll);
        var now = clock.GetUtcNow();
        if (!await links.LinkAuditedAsync(user.Id, memberId, new AuditEntry(now, $"wechat_user:{user.Id}", "wechat_user.bound",
                "wechat_user", user.Id, profile.OrgId, ActorMemberId: memberId,
                Data: new { MemberId = memberId, user.AppId, Via = "phone" }), ct))
            return LoginResult.Fail(LoginFailure.BoundToAnotherMember);
        log.LogInformation("WeChat user {WechatUserId} bound to member {MemberId}", user.Id, memberId);
        return LoginResult.Ok(new MpIdentity(user.Id, profile));
    }

    private async Task<MpIdentity> DescribeAsync(WechatUserLink user, CancellationToken ct)
    {
        var memberId = await links.LinkedMemberAsync(user, ct);
        var profile = memberId is { } id ? await links.ProfileAsync(id, ct) : null;
        return new MpIdentity(user.Id, profile);
    }

    private LoginResult Fail<T>(WechatResult<T>? result, string api)
    {
        if (result is not null && IsBadCode(result.ErrCode))
            return LoginResult.Fail(LoginFailure.InvalidCode);
        log.LogWarning("Mini-program login: {Api} failed ({ErrCode} {ErrMsg})", api, result?.ErrCode, result?.ErrMsg);
        return LoginResult.Fail(LoginFailure.WechatUnavailable);
    }

    /// <summary>Null when WeChat could not be reached at all (network, timeout, open circuit).</summary>
    private async Task<WechatResult<T>?> CallWechatAsync<T>(Func<Task<WechatResult<T>>> call, string api,
        CancellationToken ct)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (ex is HttpRequestException or ExecutionRejectedException
                                       || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            log.LogWarning("Mini-program login: {Api} unreachable ({Error})", api, ex.GetType().Name);
            return null;
        }
    }
}
