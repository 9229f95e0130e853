using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using WxQms.Domain.Logging;
using WxQms.Domain.Services;
using WxQms.Sandbox.Demo;
using WxQms.Tests.Bot;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Sandbox;

namespace WxQms.Tests.Wechat;

/// <summary>
/// Logs leave the machine (files, collectors): our own, down to Debug, never carry a raw openid, unionid or phone
/// number, only <see cref="LogMask"/>'s short hashes and masked numbers, through a whole binding and a retried push.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class PersonalDataLoggingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Binding_by_phone_and_by_QR_code_and_a_retried_push_log_no_raw_openid_or_phone()
    {
        await using var app = new LoggedApp();
        await app.SeedDemoAsync();
        var wx = new SandboxDriver(app);
        var world = new BotWorld(app, wx);
        await wx.ResetWechatAsync();

        // The mini program: login and binding by phone (staff), then a branch code printed, scanned and answered.
        var staff = await world.WithRoleAsync(WxQms.Domain.Model.Roles.Staff, "subdistrict");
        var staffToken = await wx.SignInMemberAsync(world.Http, staff.MemberId);
        var secretary = await world.WithRoleAsync(WxQms.Domain.Model.Roles.Secretary, "branch");
        var (_, url, _) = await world.PrintCodeAsync(staffToken, secretary.OrgId);
        wx.Sandbox.Users.SetFollows(secretary.OpenId, false);
        await world.ScanAsync(secretary, url);
        await world.SayAsync(secretary, secretary.Answer);
        // A push WeChat delivers twice (an event: its de-duplication key holds the openid).
        var pusher = new WechatPusher(app);
        var follow = WechatPusher.Event(secretary.OpenId, "subscribe", pusher.Now);
        await pusher.PushAsync(follow);
        await pusher.PushAsync(follow);

        var ours = app.Get<FakeLogCollector>().GetSnapshot()
            .Where(r => r.Category?.StartsWith("WxQms.Sandbox", StringComparison.Ordinal) != true) // WeChat's side
            .ToList();
        Assert.Contains(ours, r => r.Message.Contains("bound to member", StringComparison.Ordinal));
        Assert.Contains(ours, r => r.Message.Contains("Repeated delivery", StringComparison.Ordinal));
        Assert.Contains(ours, r => r.Message.Contains(LogMask.OpenId(secretary.OpenId), StringComparison.Ordinal));
        foreach (var secret in new[] { secretary.OpenId, secretary.MpOpenId, secretary.Phone, staff.OpenId, staff.MpOpenId, staff.Phone })
        {
            var leak = ours.FirstOrDefault(r => r.Message.Contains(secret, StringComparison.Ordinal)
                || r.StructuredState?.Any(p => p.Value?.Contains(secret, StringComparison.Ordinal) == true) == true
                || r.Exception?.ToString().Contains(secret, StringComparison.Ordinal) == true);
            Assert.True(leak is null, $"{leak?.Category}: {leak?.Message}");
        }
    }

    [Fact]
    public void Masks_are_short_stable_and_keep_a_phone_recognisable()
    {
        Assert.Equal(LogMask.OpenId("oABC123"), LogMask.OpenId("oABC123"));
        Assert.NotEqual(LogMask.OpenId("oABC123"), LogMask.OpenId("oABC124"));
        Assert.Matches("^wx#[0-9a-f]{10}$", LogMask.OpenId("oABC123"));
        Assert.Equal("-", LogMask.OpenId(null));
        Assert.Equal("138****1234", LogMask.Phone("13800001234"));
        Assert.Equal("****", LogMask.Phone("1234"));
    }

    /// <summary>The Api with every log of ours, down to Debug, and of its HTTP clients collected.</summary>
    private sealed class LoggedApp : WxQmsApp
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(s => s.AddFakeLogging());
            builder.ConfigureLogging(l => l.AddFilter<FakeLoggerProvider>("WxQms", LogLevel.Debug)
                // Our calls to WeChat name the openid in the query string (user/info?openid=…).
                .AddFilter<FakeLoggerProvider>("System.Net.Http.HttpClient", LogLevel.Information));
        }
    }
}
