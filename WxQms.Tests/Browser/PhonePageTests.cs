using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using WxQms.Sandbox;
using WxQms.Domain.Services.Bot;
using WxQms.Domain.Wechat;
using WxQms.Domain.Wechat.Callbacks;
using WxQms.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace WxQms.Tests.Browser;

/// <summary>
/// The sandbox's phone page in a real Chromium at an iPhone's size (390 × 844): a person picks a
/// seeded user and chats with the official account as WeChat would show it. The page, our WeChat
/// client and the sandbox's pushes all go over the app's real Kestrel port. Each test leaves a
/// screenshot of its end state in .local/test-results/screenshots/.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class PhonePageTests(PhoneFixture fx) : IClassFixture<PhoneFixture>, IAsyncLifetime
{
    private IBrowserContext context = null!;
    private IPage page = null!;
    private readonly List<string> problems = [];
    private bool expectNetworkErrors;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PhoneApp App => fx.App;

    public async ValueTask InitializeAsync()
    {
        SetDefaultExpectTimeout(10_000);
        App.Get<SandboxWechat>().Menus.Reset(); // the menu belongs to the test that made it
        context = await fx.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fx.App.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            DeviceScaleFactor = 2,
            IsMobile = true,
            HasTouch = true,
            Locale = "zh-CN",
            TimezoneId = "America/New_York", // the page shows Beijing time whatever the browser's zone
        });
        context.SetDefaultTimeout(10_000);
        page = await context.NewPageAsync();
        page.PageError += (_, error) => problems.Add($"page error: {error}");
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !expectNetworkErrors)
                problems.Add($"console: {message.Text}");
        };
    }

    public async ValueTask DisposeAsync()
    {
        var name = TestContext.Current.TestMethod?.MethodName ?? "unknown";
        try
        {
            await ScreenshotAsync(name);
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    // ---------------------------------------------------------------- tests ---

    [Fact]
    public async Task A_secretary_scans_her_branch_code_on_the_phone_and_binds_by_answering()
    {
        await using var conn = new MySqlConnector.MySqlConnection(TestEnvironment.MySql);
        var (memberId, name, phone, branchId, branch) = await Dapper.SqlMapper.QueryFirstAsync<(long, string, string, long, string)>(conn, """
            SELECT m.id, m.name, m.phone, r.org_id, o.name
            FROM member_roles r JOIN members m ON m.id = r.member_id JOIN orgs o ON o.id = r.org_id
            WHERE r.role = 'secretary' AND o.kind = 'branch' AND m.phone IS NOT NULL
            ORDER BY m.id DESC LIMIT 1
            """);
        var openid = (await fx.Http.GetFromJsonAsync<JsonElement>($"/sandbox/wechat/users?memberId={memberId}", Ct))
            .GetProperty("users")[0].GetProperty("openid").GetString()!;
        App.Get<SandboxWechat>().Users.SetFollows(openid, true);
        await App.Get<BindCodeService>().PrintAsync(branchId, null, Ct); // office staff printed the branch's code
        await page.GotoAsync($"/sandbox/phone?openid={Uri.EscapeDataString(openid)}");
        await Expect(page.Locator("#who")).ToContainTextAsync(name);

        await page.Locator("#more-actions").ClickAsync();
        await page.Locator("#sheet-scan").ClickAsync();
        await page.Locator(".scan-code").First.ClickAsync();
        await Expect(Theirs().Last).ToHaveTextAsync(BotReplies.BindStart(branch));
        await page.Locator("#text").FillAsync($"{name} {phone[^4..]}");
        await page.Locator("#text").PressAsync("Enter");

        await Expect(Theirs().Last).ToHaveTextAsync(BotReplies.Bound(name, branch));
        AssertNoProblems();
    }

    [Fact]
    public async Task Picking_a_member_by_name_and_saying_hello_shows_the_bots_reply()
    {
        var member = await fx.UserAsync(follows: true, index: 1200, Ct); // far past the first page of the list
        await page.GotoAsync("/sandbox/phone");
        await Expect(page.Locator("#list-meta")).ToContainTextAsync("党员与群众");

        await page.GetByPlaceholder("搜索姓名").FillAsync(member.Name);
        await Expect(page.Locator("#list-meta")).ToContainTextAsync("找到");
        await Expect(page.Locator("button.user .user-name").First).ToHaveTextAsync(new Regex(Regex.Escape(member.Name)));
        var item = page.Locator($"button.user[data-openid='{member.OpenId}']");
        await Expect(item).ToContainTextAsync("党员");
        await Expect(item).ToContainTextAsync("已关注");
        await ScreenshotAsync("Picker_found_by_name");
        await item.ClickAsync();
        await Expect(page.Locator("#who")).ToHaveTextAsync($"我是 {member.Name}（党员）");
        await Expect(page).ToHaveURLAsync(new Regex($"openid={Regex.Escape(member.OpenId)}"));

        await page.Locator("#text").FillAsync("你好");
        await page.Locator("#text").PressAsync("Enter");

        await Expect(Mine().Last).ToHaveTextAsync("你好");
        await Expect(Theirs().Last).ToHaveTextAsync(BotReplies.Help(WxQmsApp.SubdistrictName));
        await Expect(page.Locator(".row.pending")).ToHaveCountAsync(0);
        await Expect(page.Locator(".time")).ToHaveTextAsync("09:00"); // 01:00 UTC on the sandbox clock, in Beijing

        // The choice lives in the address: a reload shows the same chat, once.
        await page.ReloadAsync();
        await Expect(Theirs().Last).ToHaveTextAsync(BotReplies.Help(WxQmsApp.SubdistrictName));
        await Expect(page.Locator(".row")).ToHaveCountAsync(2);
        await WaitForPollsAsync(1);
        await Expect(page.Locator(".row")).ToHaveCountAsync(2);
        AssertNoProblems();
    }

    [Fact]
    public async Task A_photo_from_the_phone_shows_as_a_picture_and_the_bot_confirms_it()
    {
        var member = await OpenChatAsync(follows: true, index: 11);

        var chooser = await page.RunAndWaitForFileChooserAsync(() => page.Locator("#photo").ClickAsync());
        await chooser.SetFilesAsync(new FilePayload { Name = "会议照片.png", MimeType = "image/png", Buffer = TestPng.Create(96, 72) });

        var photo = page.Locator(".row.mine[data-msg-type='image'] .photo img");
        await Expect(photo).ToBeVisibleAsync();
        await Expect(Theirs().Last).ToHaveTextAsync(BotReplies.PhotoBeforeBinding);
        await Expect(photo).ToHaveJSPropertyAsync("naturalWidth", 96); // decoded from the bytes media/{id} gave back
        var sent = (await fx.ChatAsync(member.OpenId, Ct)).Single(m => m.GetProperty("msgType").GetString() == "image");
        Assert.Contains(sent.GetProperty("mediaId").GetString()!, await photo.GetAttributeAsync("src"));
        AssertNoProblems();
    }

    [Fact]
    public async Task A_template_message_from_our_client_shows_as_a_card_with_its_fields()
    {
        var member = await OpenChatAsync(follows: true, index: 12);

        var sent = await App.Get<OfficialAccountClient>().SendTemplateAsync(new TemplateMessage(member.OpenId,
            SandboxTemplates.OaMeetingReminder, new Dictionary<string, string>
            {
                ["thing1"] = "第四季度党员大会",
                ["time2"] = "2026年12月1日 09:30",
                ["thing3"] = "社区三楼会议室",
            }, Url: $"{App.BaseAddress}healthz"), Ct);
        Assert.True(sent.IsOk, sent.ErrMsg);

        var card = page.Locator(".card.template");
        await Expect(card.Locator(".card-title")).ToHaveTextAsync("会议提醒"); // arrives with the next poll
        await Expect(card.Locator(".card-field dt")).ToHaveTextAsync(["会议名称", "会议时间", "会议地点"]);
        await Expect(card.Locator(".card-field dd")).ToHaveTextAsync(["第四季度党员大会", "2026年12月1日 09:30", "社区三楼会议室"]);
        await Expect(card.Locator(".card-time")).ToHaveTextAsync("11月25日"); // the sandbox clock, in Beijing time
        await Expect(card.Locator(".card-foot")).ToHaveTextAsync("详情");
        AssertNoProblems();
    }

    [Fact]
    public async Task Menu_buttons_send_clicks_and_open_pages_in_the_in_app_browser()
    {
        var pageUrl = $"{App.BaseAddress}healthz";
        var created = await App.Get<OfficialAccountClient>().CreateMenuAsync(
        [
            new MenuButton("我的任务", "click", Key: "MY_TASKS"),
            new MenuButton("党建服务", SubButtons:
            [
                new MenuButton("排行榜", "view", Url: pageUrl),
                new MenuButton("联系我们", "click", Key: "CONTACT"),
            ]),
        ], Ct);
        Assert.True(created.IsOk, created.ErrMsg);
        var member = await OpenChatAsync(follows: true, index: 13);

        var buttons = page.Locator("#menu-buttons .menu-button");
        await Expect(buttons).ToHaveTextAsync(["我的任务", "党建服务"]);
        await Expect(page.Locator("#text")).ToBeHiddenAsync(); // WeChat opens an account with a menu on the menu

        await buttons.Nth(0).ClickAsync();
        await Expect(Theirs()).ToHaveCountAsync(1);
        // Whatever the bot answers to the key (for now DefaultReplyHandler.ComingSoon) is what the page shows.
        var reply = (await fx.ChatAsync(member.OpenId, Ct)).Last(m => m.GetProperty("kind").GetString() == "passive");
        Assert.Equal("text", reply.GetProperty("msgType").GetString());
        await Expect(Theirs().Last).ToHaveTextAsync(reply.GetProperty("text").GetString()!);
        await Expect(page.Locator(".notice").Last).ToHaveTextAsync("点击了菜单“我的任务”");

        await buttons.Nth(1).ClickAsync();
        var items = page.Locator("#submenu .submenu-item");
        await Expect(items).ToHaveTextAsync(["排行榜", "联系我们"]);
        await items.Nth(0).ClickAsync();
        await Expect(page.Locator("#browser")).ToBeVisibleAsync();
        await Expect(page.Locator("#browser-frame")).ToHaveAttributeAsync("src", pageUrl);
        await Expect(page.FrameLocator("#browser-frame").Locator("body")).ToContainTextAsync("Healthy");
        await Expect(page.Locator("#submenu")).ToBeHiddenAsync();
        var view = await EventuallyAsync(async () => (await fx.ChatAsync(member.OpenId, Ct))
            .FirstOrDefault(m => m.GetProperty("msgType").GetString() == "event:VIEW"));
        Assert.Equal(pageUrl, view.GetProperty("url").GetString());
        await ScreenshotAsync("Menu_view_page_open");

        await page.Locator("#browser-close").ClickAsync();
        await Expect(page.Locator("#browser")).ToBeHiddenAsync();

        // The keyboard button swaps the menu for the text box and back, as in WeChat.
        await page.Locator("#to-keyboard").ClickAsync();
        await Expect(page.Locator("#text")).ToBeVisibleAsync();
        await page.Locator("#to-menu").ClickAsync();
        await Expect(buttons.First).ToBeVisibleAsync();
        await buttons.Nth(1).ClickAsync(); // left open for the screenshot
        await Expect(items.First).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task Someone_who_does_not_follow_can_follow_and_is_welcomed()
    {
        var stranger = await OpenChatAsync(follows: false, index: 3);

        await Expect(page.Locator("#follow-bar")).ToBeVisibleAsync();
        await Expect(page.Locator("#text")).ToBeHiddenAsync();
        await ScreenshotAsync("Follow_bar_before_following");
        await page.GetByRole(AriaRole.Button, new() { Name = "关注", Exact = true }).ClickAsync();

        await Expect(Theirs().Last).ToHaveTextAsync(BotReplies.Welcome(WxQmsApp.SubdistrictName));
        await Expect(page.Locator(".notice").First).ToHaveTextAsync("你关注了“东风路街道党建”");
        await Expect(page.Locator("#follow-bar")).ToBeHiddenAsync();
        await Expect(page.Locator("#text")).ToBeVisibleAsync();
        Assert.True(App.Get<SandboxWechat>().Users.Follows((await App.Get<SandboxWechat>().Users.FindAsync(stranger.OpenId, Ct))!));
        AssertNoProblems();
    }

    [Fact]
    public async Task At_phone_width_nothing_scrolls_sideways()
    {
        await App.Get<OfficialAccountClient>().CreateMenuAsync(
        [
            new MenuButton("我的任务", "click", Key: "MY_TASKS"),
            new MenuButton("党建排行榜", "view", Url: $"{App.BaseAddress}healthz"),
            new MenuButton("更多服务", SubButtons: [new MenuButton("联系我们", "click", Key: "CONTACT")]),
        ], Ct);
        await page.GotoAsync("/sandbox/phone");
        await Expect(page.Locator("button.user")).ToHaveCountAsync(50);
        await page.GetByRole(AriaRole.Button, new() { Name = "加载更多" }).ClickAsync();
        await Expect(page.Locator("button.user")).ToHaveCountAsync(100);
        await AssertFitsAsync("the user list");

        var member = await OpenChatAsync(follows: true, index: 14);
        await page.Locator("#to-keyboard").ClickAsync();
        await page.Locator("#text").FillAsync("https://dfl.example.gov.cn/h5/ranking?" + new string('x', 160) + " 以及一段很长很长的中文说明，用来检查气泡会不会把页面撑宽。");
        await page.Locator("#text").PressAsync("Enter");
        await Expect(Theirs().Last).ToHaveTextAsync(BotReplies.Help(WxQmsApp.SubdistrictName));
        await App.Get<OfficialAccountClient>().SendTemplateAsync(new TemplateMessage(member.OpenId, SandboxTemplates.OaTaskWarning,
            new Dictionary<string, string>
            {
                ["thing1"] = "第四季度组织生活会材料报送",
                ["date2"] = "2026年12月31日",
                ["phrase3"] = "即将逾期",
                ["thing4"] = "东风路街道第一社区第三党支部",
            }), Ct);
        await Expect(page.Locator(".card.template")).ToBeVisibleAsync();
        await page.Locator("#to-menu").ClickAsync();
        await Expect(page.Locator("#menu-buttons .menu-button")).ToHaveCountAsync(3);

        await AssertFitsAsync("the chat");
        foreach (var width in new[] { 360, 430, 390 }) // the narrowest and widest phones it is made for
        {
            await page.SetViewportSizeAsync(width, 844);
            await AssertFitsAsync($"the chat at {width} px", width);
        }
        AssertNoProblems();
    }

    [Fact]
    public async Task Every_kind_of_account_message_shows_as_wechat_shows_it_and_the_newest_stays_in_view()
    {
        var member = await OpenChatAsync(follows: true, index: 18);
        var sandbox = App.Get<SandboxWechat>();
        var user = (await sandbox.Users.FindAsync(member.OpenId, Ct))!;
        var photo = sandbox.Media.Put(SandboxApp.Oa, "image", TestPng.Create(120, 80), "image/png");
        void Deliver(string kind, string msgType, string? text = null, string? mediaId = null,
            IReadOnlyList<SandboxArticle>? articles = null) =>
            sandbox.Messages.Deliver(user, new SandboxInboxMessage(0, SandboxApp.Oa, member.OpenId, kind, default,
                MsgType: msgType, Text: text, MediaId: mediaId, Articles: articles));

        // What customer-service sends and what WeChat shows when our callback fails, as the sandbox records them.
        Deliver("custom", "news", articles: [new SandboxArticle("东风路街道第四季度党建工作简报", "三会一课完成情况、微心愿认领进展",
            $"{App.BaseAddress}healthz", null)]);
        Deliver("custom", "image", mediaId: photo.MediaId);
        Deliver("passive", "error", text: PushResult.UnavailableText);
        for (var i = 1; i <= 20; i++)
            Deliver("custom", "text", text: $"第 {i} 条客服消息");

        var texts = page.Locator(".row.theirs[data-kind='custom'][data-msg-type='text'] .bubble");
        await Expect(texts).ToHaveCountAsync(20);
        await Expect(texts.Last).ToHaveTextAsync("第 20 条客服消息");
        await Expect(texts.Last).ToBeInViewportAsync(); // the list followed the newest message
        await Expect(page.Locator(".article .article-title")).ToHaveTextAsync("东风路街道第四季度党建工作简报");
        await Expect(page.Locator(".article .article-desc")).ToHaveTextAsync("三会一课完成情况、微心愿认领进展");
        await Expect(page.Locator(".row.theirs[data-msg-type='image'] img")).ToHaveJSPropertyAsync("naturalWidth", 120);
        await Expect(page.Locator(".notice.error")).ToHaveTextAsync(PushResult.UnavailableText);

        await WaitForPollsAsync(1);
        await Expect(texts).ToHaveCountAsync(20); // polling again adds nothing twice
        await page.Locator(".article").ClickAsync(); // scrolled up to it first, as a reader would
        await Expect(page.Locator("#browser-title")).ToHaveTextAsync("东风路街道第四季度党建工作简报");
        await page.Locator("#browser-close").ClickAsync();
        await Expect(page.Locator(".article")).ToBeInViewportAsync(); // back where the reader was
        await Expect(texts.Last).Not.ToBeInViewportAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task A_member_who_started_a_payment_confirms_it_on_WeChats_pay_sheet_and_the_order_is_settled()
    {
        var user = await fx.UserAsync(follows: true, index: 23, Ct);
        var code = await TestDb.QuerySingleAsync<string>("SELECT code FROM members WHERE id = @id", new { id = user.MemberId });
        var payload = $"browser-{Guid.NewGuid():N}";
        // What the mini program does through the dues endpoint: an order, then wx.requestPayment opens WeChat's sheet.
        var started = await App.Get<WxQms.Domain.Services.Pay.IPayOrders>().StartAsync(new WxQms.Domain.Services.Pay.PayRequest(
            WxQms.Tests.Pay.TestPaidOrderHandler.TestKind, user.MemberId!.Value, 7250, "党费 2026年10—12月", payload),
            SandboxUsers.MpOpenIdOf(code), Ct);

        await page.GotoAsync($"/sandbox/phone?openid={Uri.EscapeDataString(user.OpenId)}");
        var sheet = page.GetByRole(AriaRole.Dialog, new() { Name = "微信支付" });
        await Expect(sheet).ToBeVisibleAsync();
        await Expect(sheet.Locator("#pay-amount")).ToHaveTextAsync("¥72.50");
        await Expect(sheet.Locator("#pay-description")).ToHaveTextAsync("党费 2026年10—12月");
        await Expect(sheet.Locator("#pay-merchant")).ToHaveTextAsync(WxQms.Sandbox.Pay.SandboxPayMerchant.Name);
        await ScreenshotAsync("Pay_sheet");

        await sheet.GetByRole(AriaRole.Button, new() { Name = "确认支付" }).ClickAsync();

        await Expect(page.Locator("#toast")).ToHaveTextAsync("支付成功");
        await Expect(sheet).ToBeHiddenAsync();
        Assert.Equal("paid", await TestDb.QuerySingleAsync<string>("SELECT state FROM pay_orders WHERE out_trade_no = @no",
            new { no = started.OutTradeNo }));
        Assert.Equal(1, await TestDb.ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'test.settled'" +
            " AND JSON_UNQUOTE(JSON_EXTRACT(data, '$.payload')) = @payload", new { payload }));
        // Paid orders are no longer offered: the menu's 待支付订单 finds none.
        await page.Locator("#more-actions").ClickAsync();
        await page.Locator("#sheet-pay").ClickAsync();
        await Expect(page.Locator("#toast")).ToHaveTextAsync("没有待支付的订单");
        AssertNoProblems();
    }

    [Fact]
    public async Task On_a_desktop_the_phone_sits_centred_in_a_frame()
    {
        await page.SetViewportSizeAsync(1280, 800);
        await OpenChatAsync(follows: true, index: 17);
        await page.Locator("#text").FillAsync("在电脑上也能用吗？");
        await page.Locator("#text").PressAsync("Enter");
        await Expect(Theirs().Last).ToHaveTextAsync(BotReplies.Help(WxQmsApp.SubdistrictName));

        var frame = (await page.Locator(".phone").BoundingBoxAsync())!;
        Assert.Equal(390 + 2 * 12, frame.Width); // the screen is a phone's width, inside a 12 px bezel
        Assert.InRange(frame.X + frame.Width / 2, 639, 641);
        Assert.InRange(frame.Height, 700, 800);
        AssertNoProblems();
    }

    /// <summary>#21: a member without WeChat is reached by SMS; the phone page shows her number's inbox and sends her reply.</summary>
    [Fact]
    public async Task A_number_without_WeChat_reads_its_SMS_beside_the_chat_and_replies_TD()
    {
        const string phone = "13912340021";
        using (var sent = JsonDocument.Parse("""
                   {"SmsSdkAppId": "1400000001", "SignName": "文化路街道党工委", "TemplateId": "2100001",
                    "TemplateParamSet": ["主题党日", "12月20日14:30", "党群服务中心"]}
                   """))
            App.Get<WxQms.Sandbox.Sms.SandboxSms>().Send("+86" + phone, sent.RootElement);
        await page.GotoAsync("/sandbox/phone");

        await page.Locator("#sms-number").FillAsync(phone);
        await page.Locator("#sms-open button").ClickAsync();

        await Expect(page.Locator("#sms-who")).ToHaveTextAsync(phone);
        Assert.Contains("sms=" + phone, page.Url, StringComparison.Ordinal);
        await Expect(page.Locator("#sms .row.theirs .bubble")).ToHaveTextAsync(
            "【文化路街道党工委】主题党日定于12月20日14:30在党群服务中心举行，请准时参加。回复TD退订");
        await page.Locator("#sms-text").FillAsync("TD");
        await page.Locator("#sms-send").ClickAsync();
        await Expect(page.Locator("#sms .row.mine .bubble")).ToHaveTextAsync("TD");
        Assert.Equal("TD", Assert.Single(App.Get<WxQms.Sandbox.Sms.SandboxSms>().Replies(phone)).Content);
        await AssertFitsAsync("sms");

        await page.Locator("#sms-back").ClickAsync(); // back to the users' list: the WeChat chats
        await Expect(page.Locator("#picker")).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task An_unknown_user_in_the_address_leads_politely_back_to_the_list()
    {
        expectNetworkErrors = true; // the browser logs the 404 it got
        await page.GotoAsync("/sandbox/phone?openid=o-nobody-at-all");

        await Expect(page.Locator("#toast")).ToHaveTextAsync("沙箱里没有这个用户，请重新选择");
        await Expect(page.Locator("#picker")).ToBeVisibleAsync();
        await Expect(page.Locator("button.user").First).ToBeVisibleAsync();
        Assert.DoesNotContain("openid", page.Url, StringComparison.Ordinal);
        AssertNoProblems();
    }

    [Fact]
    public async Task Text_that_looks_like_html_is_shown_exactly_as_typed()
    {
        await OpenChatAsync(follows: true, index: 15);
        const string text = "<img src=x onerror=\"window.__pwned=1\"> <b>粗体</b> &amp; <script>window.__pwned=2</script>";

        await page.Locator("#text").FillAsync(text);
        await page.Locator("#send").ClickAsync();

        var bubble = Mine().Last;
        await Expect(bubble).ToHaveTextAsync(text);
        await Expect(Theirs().Last).ToHaveTextAsync(BotReplies.Help(WxQmsApp.SubdistrictName));
        Assert.Equal(0, await bubble.Locator("*").CountAsync());
        Assert.Null(await page.EvaluateAsync<int?>("() => window.__pwned ?? null"));
        AssertNoProblems();
    }

    [Fact]
    public async Task Network_failures_are_told_politely_and_a_failed_message_can_be_sent_again()
    {
        expectNetworkErrors = true;
        await OpenChatAsync(follows: true, index: 16);

        await page.RouteAsync("**/sandbox/wechat/users/*/messages", route => route.AbortAsync());
        await page.Locator("#text").FillAsync("今晚的会几点开？");
        await page.Locator("#text").PressAsync("Enter");
        await Expect(page.Locator("#toast")).ToContainTextAsync("网络连接失败");
        var failed = page.Locator(".row.pending .failed");
        await Expect(failed).ToBeVisibleAsync();

        await page.RouteAsync("**/sandbox/wechat/users/*/chat*", route => route.AbortAsync());
        await Expect(page.Locator("#offline")).ToBeVisibleAsync(); // the next poll fails: a banner, not a blank page
        await ScreenshotAsync("Network_failure_shown");
        await page.UnrouteAllAsync(new() { Behavior = UnrouteBehavior.IgnoreErrors });
        await Expect(page.Locator("#offline")).ToBeHiddenAsync();

        await failed.ClickAsync();
        await Expect(Mine().Last).ToHaveTextAsync("今晚的会几点开？");
        await Expect(Theirs().Last).ToHaveTextAsync(BotReplies.Help(WxQmsApp.SubdistrictName));
        await Expect(page.Locator(".row.pending")).ToHaveCountAsync(0);
        await Expect(Mine()).ToHaveCountAsync(1);
        AssertNoProblems();
    }

    // -------------------------------------------------------------- helpers ---

    /// <summary>The user's own text bubbles (right), not counting ones still being sent, and the account's (left).</summary>
    private ILocator Mine() => page.Locator(".row.mine[data-kind='user'] .bubble");

    private ILocator Theirs() => page.Locator(".row.theirs[data-kind='passive'] .bubble, .row.theirs[data-kind='custom'] .bubble");

    /// <summary>Opens the chat of one test's own user straight from the address, as a reload would.</summary>
    private async Task<PhoneUser> OpenChatAsync(bool follows, int index)
    {
        var user = await fx.UserAsync(follows, index, Ct);
        await page.GotoAsync($"/sandbox/phone?openid={Uri.EscapeDataString(user.OpenId)}");
        await Expect(page.Locator("#who")).ToContainTextAsync(user.Name);
        return user;
    }

    /// <summary>The page as it looks now, animations finished, under .local/test-results/screenshots/.</summary>
    private Task ScreenshotAsync(string name) => page.ScreenshotAsync(new PageScreenshotOptions
    {
        Path = Path.Combine(fx.ScreenshotDirectory, $"{name}.png"),
        Animations = ScreenshotAnimations.Disabled,
    });

    private async Task WaitForPollsAsync(int count)
    {
        for (var i = 0; i < count; i++)
            await page.WaitForResponseAsync(r => r.Url.Contains("/chat?after=", StringComparison.Ordinal));
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> read)
    {
        for (var i = 0; ; i++)
        {
            if (await read() is { } found)
                return found;
            if (i == 50)
                throw new TimeoutException("still not there after 5 s");
            await Task.Delay(100, Ct);
        }
    }

    private async Task AssertFitsAsync(string what, int expectedWidth = 390)
    {
        var overflow = await page.EvaluateAsync<JsonElement>("""
            () => {
              const width = document.documentElement.clientWidth;
              const wide = [...document.querySelectorAll('.phone *')]
                .filter(el => el.getClientRects().length && el.getBoundingClientRect().right > width + 0.5)
                .map(el => `${el.tagName.toLowerCase()}.${el.className}`);
              return { width, scrollWidth: document.documentElement.scrollWidth, bodyScrollWidth: document.body.scrollWidth, wide };
            }
            """);
        var width = overflow.GetProperty("width").GetInt32();
        Assert.Equal(expectedWidth, width);
        Assert.True(overflow.GetProperty("scrollWidth").GetInt32() <= width, $"{what} scrolls sideways: {overflow}");
        Assert.True(overflow.GetProperty("bodyScrollWidth").GetInt32() <= width, $"{what} scrolls sideways: {overflow}");
        Assert.Equal(0, overflow.GetProperty("wide").GetArrayLength());
    }

    private void AssertNoProblems() => Assert.Empty(problems);
}
