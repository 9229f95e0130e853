using System.Security.Claims;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Hosting;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Services;
using WxQms.Domain.Storage;

namespace WxQms.Tests.Api;

/// <summary>The bearer-token check that validates a token once and then only re-checks its lifetime (issue #6 benchmark).</summary>
public sealed class MpTokensTests
{
    private static readonly AuthOptions Auth = new() { JwtSigningKey = "unit-test-signing-key-0123456789abcdef", Issuer = "wxqms-test" };

    private static readonly Grant Secretary = new("secretary", 23, "/1/5/23/", OrgKind.Branch);

    private readonly SettableClock clock = new() { Now = new DateTimeOffset(2026, 11, 20, 2, 0, 0, TimeSpan.Zero) };
    private readonly MpTokens tokens;

    public MpTokensTests() => tokens = new MpTokens(Options.Create(Auth), clock);

    private string Issue(long wechatUserId = 7, MemberProfile? member = null) =>
        new TokenIssuer(Options.Create(Auth), clock).Issue(new MpIdentity(wechatUserId, member)).Token;

    [Fact]
    public async Task Decodes_the_user_and_their_grants_from_a_valid_token()
    {
        var token = Issue(7, new MemberProfile(41, "王芳", 23, [Secretary]));

        var (valid, failure) = await tokens.CheckAsync(token);

        Assert.Null(failure);
        Assert.Equal((7L, 41L, 23L), (valid!.Session.WechatUserId, valid.Session.MemberId, valid.Session.OrgId));
        Assert.Equal([Secretary], valid.Session.Roles);
        Assert.True(valid.Principal.Identity!.IsAuthenticated);
        Assert.Equal("7", valid.Principal.Identity.Name);
    }

    [Fact]
    public async Task Gives_every_use_of_a_token_the_same_principal_which_nobody_can_change()
    {
        var token = Issue();

        var first = (await tokens.CheckAsync(token)).Valid!;
        Assert.True(tokens.TryRemembered(token, out var second));

        Assert.Same(first.Principal, second.Principal);
        var identity = (ClaimsIdentity)first.Principal.Identity!;
        Assert.Throws<InvalidOperationException>(() => identity.AddClaim(new Claim(MpClaims.Role, "admin|1|subdistrict|/1/")));
        Assert.Throws<InvalidOperationException>(() => identity.RemoveClaim(identity.FindFirst(MpClaims.WechatUser)));
        Assert.Throws<InvalidOperationException>(() => first.Principal.AddIdentity(new ClaimsIdentity([new Claim(MpClaims.Role, "x")])));
        Assert.Equal("7", second.Principal.FindFirst(MpClaims.WechatUser)?.Value);
        Assert.Null(second.Principal.FindFirst(MpClaims.Role));
    }

    [Fact]
    public async Task Refuses_a_remembered_token_once_the_apps_clock_passes_its_expiry()
    {
        var token = Issue();
        Assert.NotNull((await tokens.CheckAsync(token)).Valid);

        clock.Now += Auth.TokenLifetime + TimeSpan.FromMinutes(1);
        var (valid, failure) = await tokens.CheckAsync(token);

        Assert.Null(valid);
        Assert.IsType<SecurityTokenExpiredException>(failure);
        Assert.False(tokens.TryRemembered(token, out _));
    }

    [Fact]
    public async Task Refuses_a_remembered_token_before_its_start_when_the_clock_goes_back()
    {
        var token = Issue();
        Assert.NotNull((await tokens.CheckAsync(token)).Valid);

        clock.Now -= TimeSpan.FromMinutes(10);
        var (valid, failure) = await tokens.CheckAsync(token);

        Assert.Null(valid);
        Assert.IsType<SecurityTokenNotYetValidException>(failure);
    }

    [Fact]
    public async Task Does_not_accept_a_token_that_differs_from_a_remembered_one_in_its_signature()
    {
        var token = Issue();
        Assert.NotNull((await tokens.CheckAsync(token)).Valid);
        var signature = token[(token.LastIndexOf('.') + 1)..];
        var tampered = token[..(token.LastIndexOf('.') + 1)] + (signature[0] == 'A' ? 'B' : 'A') + signature[1..];

        var (valid, failure) = await tokens.CheckAsync(tampered);

        Assert.Null(valid);
        Assert.NotNull(failure);
        Assert.False(tokens.TryRemembered(tampered, out _));
        Assert.Equal(1, tokens.Count);
    }

    [Fact]
    public async Task Refuses_a_correctly_signed_token_that_names_no_wechat_user()
    {
        var now = clock.Now.UtcDateTime;
        var token = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Auth.Issuer,
            Audience = MpAuth.Audience,
            Subject = new ClaimsIdentity([new Claim(MpClaims.MemberId, "41")]),
            NotBefore = now,
            Expires = now.AddHours(1),
            SigningCredentials = new SigningCredentials(TokenIssuer.Key(Auth), SecurityAlgorithms.HmacSha256),
        });

        var (valid, failure) = await tokens.CheckAsync(token);

        Assert.Null(valid);
        Assert.Contains("no WeChat user", failure!.Message);
        Assert.Equal(0, tokens.Count);
    }

    [Fact]
    public async Task Drops_a_grant_it_cannot_read_and_keeps_the_others()
    {
        // A role claim from an older token format (or a typo) must not give rights, nor cost the user the rest.
        var now = clock.Now.UtcDateTime;
        var token = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Auth.Issuer,
            Audience = MpAuth.Audience,
            Subject = new ClaimsIdentity(
            [
                new Claim(MpClaims.WechatUser, "8"),
                new Claim(MpClaims.Role, MpClaims.Encode(Secretary)),
                new Claim(MpClaims.Role, "secretary|23|branch|not-a-path"),
            ]),
            NotBefore = now,
            Expires = now.AddHours(1),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Auth.JwtSigningKey)),
                SecurityAlgorithms.HmacSha256),
        });

        var session = (await tokens.CheckAsync(token)).Valid!.Session;

        Assert.Equal(8, session.WechatUserId);
        Assert.Null(session.MemberId);
        Assert.Equal([Secretary], session.Roles);
    }

    /// <summary>A clock that may also go back (FakeTimeProvider only moves forward).</summary>
    private sealed class SettableClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
