using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using WxQms.Domain.Services.Bot;
using WxQms.Domain.Storage;
using WxQms.Sandbox;
using WxQms.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace WxQms.Tests.Browser;

/// <summary>A member of the office staff, bound to the official account and able to sign in to the console.</summary>
public sealed record ConsoleStaff(long MemberId, string Name, string OpenId);

/// <summary>
/// Issue #16's console sign-in in Chromium, as its browser tests walk it: the desktop page shows the console's QR code,
/// the sandbox's phone page scans it, the bot asks to confirm, the person replies 1, and the desktop lands on the page it
/// asked for, signed in.
/// </summary>
public static class ConsoleBrowser
{
    /// <summary>
    /// The demo's first staff member with a phone, made a follower of the official account and bound to it once with the
    /// subdistrict's code (as the binding tests do it on the phone page); the sandbox's menus are emptied, so that the
    /// phone's 扫一扫 then lists only the console's code.
    /// </summary>
    public static async Task<ConsoleStaff> BoundStaffAsync(PhoneFixture fx, CancellationToken ct)
    {
        await using var conn = new MySqlConnector.MySqlConnection(TestEnvironment.MySql);
        var (memberId, name, phoneNumber, orgId) = await Dapper.SqlMapper.QueryFirstAsync<(long, string, string, long)>(conn, """
            SELECT m.id, m.name, m.phone, r.org_id FROM member_roles r JOIN members m ON m.id = r.member_id
            WHERE r.role = 'staff' AND m.phone IS NOT NULL ORDER BY m.id LIMIT 1
            """);
        var openid = (await fx.Http.GetFromJsonAsync<JsonElement>($"/sandbox/wechat/users?memberId={memberId}", ct))
            .GetProperty("users")[0].GetProperty("openid").GetString()!;
        var sandbox = fx.App.Get<SandboxWechat>();
        sandbox.Users.SetFollows(openid, true);
        var (code, _) = await fx.App.Get<BindCodeService>().PrintAsync(orgId, null, ct);
        (await fx.Http.PostAsJsonAsync($"/sandbox/wechat/users/{openid}/scan", new { url = code.QrUrl }, ct)).EnsureSuccessStatusCode();
        (await fx.Http.PostAsJsonAsync($"/sandbox/wechat/users/{openid}/messages", new { msgType = "text", content = $"{name} {phoneNumber[^4..]}" }, ct))
            .EnsureSuccessStatusCode();
        var bound = await fx.App.Get<BotStore>().OaUserAsync(WxQmsApp.OaAppId, openid, ct);
        Assert.Equal(memberId, bound?.MemberId);
        sandbox.Menus.Reset();
        return new ConsoleStaff(memberId, name, openid);
    }

    /// <summary>
    /// Opens <paramref name="path"/> on <paramref name="console"/> (a desktop page), which sends a stranger to the sign-in
    /// page with its QR code; scans the code on <paramref name="handset"/> (a phone page) as <paramref name="staff"/>,
    /// replies 1 to the bot's question, and waits until the desktop shows <paramref name="path"/> with the person's name.
    /// </summary>
    public static async Task SignInAsync(IPage console, IPage handset, string path, ConsoleStaff staff)
    {
        await console.GotoAsync(path);
        await Expect(console).ToHaveURLAsync(new Regex($"/admin/sign-in\\?returnUrl={Regex.Escape(Uri.EscapeDataString(path))}$"));
        await Expect(console.Locator("#qr")).ToBeVisibleAsync();
        await Expect(console.Locator("#sandbox-phone")).ToBeVisibleAsync();

        await handset.GotoAsync($"/sandbox/phone?openid={Uri.EscapeDataString(staff.OpenId)}");
        await Expect(handset.Locator("#who")).ToContainTextAsync(staff.Name);
        await handset.Locator("#more-actions").ClickAsync();
        await handset.Locator("#sheet-scan").ClickAsync();
        await handset.Locator(".scan-code").First.ClickAsync();
        var theirs = handset.Locator(".row.theirs[data-kind='passive'] .bubble");
        await Expect(theirs.Last).ToHaveTextAsync(BotReplies.ConsoleConfirm);
        await Expect(console.Locator("#state")).ToContainTextAsync("已扫码");
        await handset.Locator("#text").FillAsync("1");
        await handset.Locator("#text").PressAsync("Enter");
        await Expect(theirs.Last).ToHaveTextAsync(BotReplies.ConsoleConfirmed);

        await Expect(console).ToHaveURLAsync(new Regex($"{Regex.Escape(path)}$"));
        await Expect(console.Locator("header .who")).ToContainTextAsync(staff.Name);
    }
}
