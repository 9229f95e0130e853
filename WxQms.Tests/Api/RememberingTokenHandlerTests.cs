using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Hosting;
using WxQms.Domain.Services;

namespace WxQms.Tests.Api;

/// <summary>The bearer-token handler that validates a token once and then only re-checks its lifetime (issue #6 benchmark).</summary>
public sealed class RememberingTokenHandlerTests
{
    private static readonly AuthOptions Auth = new() { JwtSigningKey = "unit-test-signing-key-0123456789abcdef", Issuer = "wxqms-test" };

    private readonly SettableClock clock = new() { Now = new DateTimeOffset(2026, 11, 20, 2, 0, 0, TimeSpan.Zero) };
    private readonly RememberingTokenHandler handler = new();

    private string Issue(long wechatUserId = 7) => new TokenIssuer(Options.Create(Auth), clock).Issue(new MpIdentity(wechatUserId, null)).Token;

    private Task<TokenValidationResult> ValidateAsync(string token) =>
        handler.ValidateTokenAsync(token, TokenIssuer.ValidationParameters(Auth, clock));

    [Fact]
    public async Task Gives_every_use_of_a_token_its_own_copy_of_the_identity()
    {
        var token = Issue();

        var first = await ValidateAsync(token);
        var second = await ValidateAsync(token);

        Assert.True(first.IsValid);
        Assert.True(second.IsValid);
        Assert.NotSame(first.ClaimsIdentity, second.ClaimsIdentity);
        Assert.Equal("7", second.ClaimsIdentity.FindFirst(MpClaims.WechatUser)?.Value);
        Assert.Equal(first.ClaimsIdentity.Claims.Select(c => (c.Type, c.Value)), second.ClaimsIdentity.Claims.Select(c => (c.Type, c.Value)));
        Assert.Same(first.SecurityToken, second.SecurityToken);
    }

    [Fact]
    public async Task Refuses_a_remembered_token_once_the_apps_clock_passes_its_expiry()
    {
        var token = Issue();
        Assert.True((await ValidateAsync(token)).IsValid);

        clock.Now += Auth.TokenLifetime + TimeSpan.FromMinutes(1);
        var expired = await ValidateAsync(token);

        Assert.False(expired.IsValid);
        Assert.IsType<SecurityTokenExpiredException>(expired.Exception);
    }

    [Fact]
    public async Task Refuses_a_remembered_token_before_its_start_when_the_clock_goes_back()
    {
        var token = Issue();
        Assert.True((await ValidateAsync(token)).IsValid);

        clock.Now -= TimeSpan.FromMinutes(10);
        var early = await ValidateAsync(token);

        Assert.False(early.IsValid);
        Assert.IsType<SecurityTokenNotYetValidException>(early.Exception);
    }

    [Fact]
    public async Task Does_not_accept_a_token_that_differs_from_a_remembered_one_in_its_signature()
    {
        var token = Issue();
        Assert.True((await ValidateAsync(token)).IsValid);
        var signature = token[(token.LastIndexOf('.') + 1)..];
        var tampered = token[..(token.LastIndexOf('.') + 1)] + (signature[0] == 'A' ? 'B' : 'A') + signature[1..];

        var result = await ValidateAsync(tampered);

        Assert.False(result.IsValid);
    }

    /// <summary>A clock that may also go back (FakeTimeProvider only moves forward).</summary>
    private sealed class SettableClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
