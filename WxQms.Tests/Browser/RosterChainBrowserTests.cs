using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using WxQms.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;
using static WxQms.Tests.Admin.RosterFiles;

namespace WxQms.Tests.Browser;

/// <summary>
/// Issue #16's whole chain in Chromium: office staff sign in to the console by scanning its code on the sandbox's phone
/// page and confirming in the bot; upload a roster with three bad rows and read the three errors; upload it fixed and
/// import it; find the new branch in the org tree; then its secretary binds in the mini program and sees the branch's plan.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class RosterChainBrowserTests(PhoneFixture fx) : IClassFixture<PhoneFixture>, IAsyncLifetime
{
    private const string Branch = "DFL-C02-BR9";
    private const string BranchName = "浏览器导入党支部";

    private IBrowserContext desktop = null!;
    private IBrowserContext phone = null!;
    private readonly List<string> problems = [];
    private readonly string files = Directory.CreateTempSubdirectory("wxqms-roster-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        SetDefaultExpectTimeout(15_000);
        desktop = await fx.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fx.App.BaseAddress.ToString(), ViewportSize = new ViewportSize { Width = 1280, Height = 800 }, Locale = "zh-CN",
        });
        phone = await fx.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fx.App.BaseAddress.ToString(), ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true,
            HasTouch = true, Locale = "zh-CN",
        });
        desktop.SetDefaultTimeout(15_000);
        phone.SetDefaultTimeout(15_000);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (context, name) in new[] { (desktop, "desktop"), (phone, "phone") })
        {
            if (context.Pages.Count > 0)
            {
                await context.Pages[0].ScreenshotAsync(new PageScreenshotOptions
                {
                    Path = Path.Combine(fx.ScreenshotDirectory, $"{nameof(RosterChainBrowserTests)}-{name}.png"),
                    Animations = ScreenshotAnimations.Disabled,
                });
            }
            await context.CloseAsync();
        }
        Directory.Delete(files, recursive: true);
    }

    private void Watch(IPage page)
    {
        page.PageError += (_, error) => problems.Add($"page error: {error}");
        page.Console += (_, message) =>
        {
            // The report of a refused file is the page itself, answered 422, which Chromium logs as a failed load.
            if (message.Type == "error" && !(message.Text.Contains("status of 422", StringComparison.Ordinal) && message.Location.Contains("/admin/imports", StringComparison.Ordinal)))
                problems.Add($"console: {message.Text} {message.Location}");
        };
    }

    /// <summary>The roster of the new branch: its secretary and four members; <paramref name="bad"/> spoils three rows.</summary>
    private string Roster(string name, bool bad)
    {
        var book = new Book().Org(Branch, BranchName, "党支部", "DFL-C02", "2026-07-01")
            .Member(Branch, "林书记", IdCard(901), Phone(901), roles: "书记", since: "2026-07-01")
            .Member(Branch, "林一", IdCard(902), bad ? "12345" : Phone(902))
            .Member(Branch, "林二", IdCard(903), Phone(903), sex: bad ? "未知" : "男")
            .Member(Branch, "林三", IdCard(904), Phone(904), status: "预备党员", admitted: bad ? null : "2026-06-30", joined: "2026-06-30")
            .Member(Branch, "林四", IdCard(905), Phone(905));
        var path = Path.Combine(files, name);
        File.WriteAllBytes(path, book.Bytes());
        return path;
    }

    [Fact]
    public async Task Staff_scan_in_import_a_roster_fixed_after_three_errors_and_the_new_branchs_secretary_sees_its_plan()
    {
        await using var conn = new MySqlConnector.MySqlConnection(TestEnvironment.MySql);
        var staff = await ConsoleBrowser.BoundStaffAsync(fx, Ct);

        // 1. Scan to sign in: the desktop shows the code, the phone scans it and confirms in the chat; the desktop lands on
        //    the page it asked for.
        var console = await desktop.NewPageAsync();
        Watch(console);
        var handset = await phone.NewPageAsync();
        Watch(handset);
        await ConsoleBrowser.SignInAsync(console, handset, "/admin/imports", staff);

        // 2. The file with three bad rows: the report names each, nothing is imported.
        await console.Locator("input[type=file][name=file]").SetInputFilesAsync(Roster("名册-有误.xlsx", bad: true));
        await console.GetByRole(AriaRole.Button, new() { Name = "上传并检查" }).ClickAsync();
        var errors = console.Locator("table.errors tbody tr");
        await Expect(errors).ToHaveCountAsync(3);
        await Expect(errors.Nth(0)).ToContainTextAsync("手机号“12345”不正确");
        await Expect(errors.Nth(1)).ToContainTextAsync("性别“未知”不正确");
        await Expect(errors.Nth(2)).ToContainTextAsync("预备党员须填写接收预备党员日期");
        await Expect(console.Locator("form.confirm")).ToHaveCountAsync(0);

        // 3. Fixed, checked and imported.
        await console.Locator("input[type=file][name=file]").SetInputFilesAsync(Roster("名册.xlsx", bad: false));
        await console.GetByRole(AriaRole.Button, new() { Name = "上传并检查" }).ClickAsync();
        await Expect(console.Locator("main")).ToContainTextAsync("检查通过：新增 6 行");
        await console.GetByRole(AriaRole.Button, new() { Name = "确认导入" }).ClickAsync();
        await Expect(console).ToHaveURLAsync(new Regex("/admin/imports\\?done=1&create=6"));

        // 4. The new branch is in the org tree.
        var community = await Dapper.SqlMapper.ExecuteScalarAsync<long>(conn, "SELECT id FROM orgs WHERE code = 'DFL-C02'");
        await console.GotoAsync($"/admin/orgs?orgId={community}");
        await Expect(console.Locator("main")).ToContainTextAsync(BranchName);
        Assert.True(problems.Count == 0, string.Join("\n", problems));

        // 5. Her secretary binds in the mini program (WeChat vouches for her phone) and sees the branch's plan.
        var secretary = await Dapper.SqlMapper.ExecuteScalarAsync<long>(conn, "SELECT id FROM members WHERE phone = @phone", new { phone = Phone(901) });
        var mpOpenid = (await fx.Http.GetFromJsonAsync<JsonElement>($"/sandbox/wechat/users?memberId={secretary}", Ct))
            .GetProperty("users")[0].GetProperty("mpOpenid").GetString()!;
        async Task<JsonElement> PostAsync(string url, object body, string? bearer = null)
        {
            using var post = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
            if (bearer is not null)
                post.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            using var answer = await fx.Http.SendAsync(post, Ct);
            var text = await answer.Content.ReadAsStringAsync(Ct);
            Assert.True(answer.IsSuccessStatusCode, $"{url}: {text}");
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        var jscode = (await PostAsync("/sandbox/wechat/mp/jscode", new { openid = mpOpenid })).GetProperty("code").GetString();
        var unbound = (await PostAsync("/api/mp/login", new { code = jscode })).GetProperty("token").GetString();
        var phoneCode = (await PostAsync("/sandbox/wechat/mp/phonecode", new { openid = mpOpenid })).GetProperty("code").GetString();
        var token = (await PostAsync("/api/mp/bind", new { phoneCode }, unbound)).GetProperty("token").GetString();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/mp/tasks");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await fx.Http.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, body);
        var branchId = await Dapper.SqlMapper.ExecuteScalarAsync<long>(conn, "SELECT id FROM orgs WHERE code = @Branch", new { Branch });
        var items = JsonDocument.Parse(body).RootElement.EnumerateArray().ToList();
        Assert.NotEmpty(items);
        Assert.All(items, t => Assert.Equal(branchId, t.GetProperty("orgId").GetInt64()));
    }
}
