using Microsoft.AspNetCore.Http.HttpResults;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Services;
using static WxQms.Api.Infrastructure.Problems;

namespace WxQms.Api.MiniProgram;

public sealed record LoginRequest(string? Code);

public sealed record BindRequest(string? PhoneCode);

public sealed record RoleDto(string Role, long OrgId);

public sealed record MemberDto(long Id, string Name, long OrgId, IReadOnlyList<RoleDto> Roles)
{
    public static MemberDto? From(Domain.Storage.MemberProfile? m) => m is null
        ? null
        : new MemberDto(m.Id, m.Name, m.OrgId, m.Roles.Select(g => new RoleDto(g.Role, g.OrgId)).ToList());
}

/// <summary>The session: our bearer token, when it stops working, and the member (null until bound).</summary>
public sealed record LoginResponse(string Token, DateTimeOffset ExpiresAt, MemberDto? Member);

public sealed record MeResponse(long WechatUserId, MemberDto? Member);

/// <summary>
/// Mini-program sign-in (STYLE §8.16): <c>wx.login</c>'s code in, our JWT out; binding to a member by the
/// phone number WeChat vouches for. The client never sends an openid, and the session_key never leaves
/// the server.
/// </summary>
public static class LoginEndpoints
{
    public static RouteGroupBuilder MapMpLogin(this IEndpointRouteBuilder app)
    {
        var mp = app.MapGroup("/api/mp").WithTags("Mini program: login");
        mp.MapPost("/login", Login).AllowAnonymous().RequireRateLimiting(RateLimits.Login)
            .WithSummary("wx.login code → bearer token (2 h) and the member, or member null for someone not yet bound");
        mp.MapPost("/bind", Bind).RequireAuthorization(MpAuth.Policy).RequireRateLimiting(RateLimits.Bind)
            .WithSummary("getPhoneNumber code → links this WeChat user to the member with that phone; a fresh token");
        mp.MapGet("/me", Me).RequireAuthorization(MpAuth.Policy)
            .WithSummary("The signed-in WeChat user and their member and roles (null when not bound)");
        return mp;
    }

    internal static async Task<Results<Ok<LoginResponse>, ProblemHttpResult>> Login(
        LoginRequest request, LoginService login, TokenIssuer tokens, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Code))
            return Problem(StatusCodes.Status400BadRequest, "请求无效", "缺少 wx.login 返回的 code。", "login.code_required");
        var result = await login.LoginAsync(request.Code.Trim(), ct);
        return result.Identity is { } identity ? Session(identity, tokens) : Failure(result.Failure);
    }

    internal static async Task<Results<Ok<LoginResponse>, ProblemHttpResult>> Bind(
        BindRequest request, CurrentUser user, LoginService login, TokenIssuer tokens, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.PhoneCode))
            return Problem(StatusCodes.Status400BadRequest, "请求无效", "缺少获取手机号返回的 code。", "bind.code_required");
        var result = await login.BindPhoneAsync(user.WechatUserId!.Value, request.PhoneCode.Trim(), ct);
        return result.Identity is { } identity ? Session(identity, tokens) : Failure(result.Failure);
    }

    internal static async Task<Results<Ok<MeResponse>, ProblemHttpResult>> Me(
        CurrentUser user, LoginService login, CancellationToken ct) =>
        await login.GetAsync(user.WechatUserId!.Value, ct) is { } identity
            ? TypedResults.Ok(new MeResponse(identity.WechatUserId, MemberDto.From(identity.Member)))
            : Failure(LoginFailure.UnknownUser);

    private static Ok<LoginResponse> Session(MpIdentity identity, TokenIssuer tokens)
    {
        var (token, expiresAt) = tokens.Issue(identity);
        return TypedResults.Ok(new LoginResponse(token, expiresAt, MemberDto.From(identity.Member)));
    }

    private static ProblemHttpResult Failure(LoginFailure? failure) => failure switch
    {
        LoginFailure.InvalidCode => Problem(StatusCodes.Status401Unauthorized, "登录失败",
            "登录凭证无效或已使用，请重新打开小程序再试。", "login.invalid_code"),
        LoginFailure.UnknownUser => Problem(StatusCodes.Status401Unauthorized, "未登录",
            "找不到您的登录记录，请重新登录。", "auth.unknown_user"),
        LoginFailure.NoMemberWithPhone => Problem(StatusCodes.Status404NotFound, "未找到党员信息",
            "抱歉，没有找到使用该手机号的党员信息。如您是党员，请联系所在支部书记核对登记的手机号。", "bind.no_member"),
        LoginFailure.MemberNotOnRoll => Problem(StatusCodes.Status403Forbidden, "不能绑定",
            "该手机号登记的党员已转出或不在本街道党组织名册中，不能绑定。如有疑问，请联系原所在支部书记。", "bind.not_on_roll"),
        LoginFailure.BoundToAnotherMember => Problem(StatusCodes.Status409Conflict, "已绑定其他党员",
            "该微信已绑定其他党员，不能再绑定。如需更换，请联系所在支部书记。", "bind.already_bound"),
        _ => Problem(StatusCodes.Status503ServiceUnavailable, "微信服务暂时不可用",
            "暂时无法连接微信服务，请稍后再试。", "wechat.unavailable"),
    };
}
